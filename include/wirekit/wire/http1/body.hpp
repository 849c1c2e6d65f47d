// wirekit/wire/http1/body.hpp — message body framing (RFC 9112 §6) and an
// incremental body decoder (Content-Length, chunked, read-until-close), plus
// connection persistence (RFC 9112 §9.3).
//
// Layer L2. Framing is decided from a parsed head:
//   request_framing(head)                      RFC 9112 §6.1-§6.3
//   response_framing(head, request_method)     (HEAD, CONNECT, 1xx, 204, 304)
// It rejects request-smuggling shapes: both Content-Length and
// Transfer-Encoding, differing Content-Length values, a request whose final
// transfer coding is not chunked, chunked applied twice, Transfer-Encoding in
// an HTTP/1.0 request. Errors carry the byte offset of the offending field
// value within the message.
//
// The body_decoder is streaming: each decode(in) consumes a prefix of `in`
// (chunks of arbitrary size, not cumulative) and reports one event whose data
// is a view into `in`. Nothing is copied or allocated. Error offsets count
// bytes from the first body byte.
#pragma once

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <string_view>  // input and output views

#include "wirekit/core/result.hpp"        // result, wire_error
#include "wirekit/wire/http1/chars.hpp"   // character classes
#include "wirekit/wire/http1/fields.hpp"  // list_elements, has_token
#include "wirekit/wire/http1/parser.hpp"  // heads, field_list, parser_options

namespace wirekit::http1 {

/// How the end of a message body is found (RFC 9112 §6.3).
enum class body_kind : std::uint8_t {
    none,            ///< no body (length 0), e.g. GET without framing fields, HEAD response, 204, 304, 1xx
    content_length,  ///< exactly `length` bytes (RFC 9112 §6.3 rule 6)
    chunked,         ///< chunked transfer coding (RFC 9112 §7.1)
    until_close,     ///< response body runs until the connection closes (rule 8)
    tunnel,          ///< 2xx to CONNECT: the connection becomes a tunnel (rule 2)
};

/// The framing of one message body.
struct body_framing {
    body_kind kind = body_kind::none;
    std::uint64_t length = 0;  ///< bytes, for content_length
    friend constexpr bool operator==(const body_framing&, const body_framing&) = default;
};

namespace detail {

inline wire_error framing_error(errc k, std::size_t off, std::string_view what) noexcept {
    return make_error(k, layer_name, off, what);
}

/// Content-Length (RFC 9110 §8.6): 1*DIGIT; several lines or a list of the
/// same value are accepted as one; differing values are an error.
inline result<std::uint64_t> content_length(const field_list& fields, std::size_t idx_first) noexcept {
    bool have = false;
    std::uint64_t len = 0;
    for (std::size_t i = idx_first; i < fields.size(); ++i) {
        const field f = fields[i];
        if (!iequals(f.name, "content-length")) continue;
        const std::size_t off = fields.slot(i).value_off;
        if (f.value.empty()) return framing_error(errc::malformed, off, "empty Content-Length");
        // Walk the list by hand so each element's offset is known.
        std::size_t j = 0;
        const std::string_view v = f.value;
        for (;;) {
            while (j < v.size() && (v[j] == ' ' || v[j] == '\t')) ++j;
            const std::size_t start = j;
            std::uint64_t x = 0;
            while (j < v.size() && v[j] >= '0' && v[j] <= '9') {
                const auto d = static_cast<std::uint64_t>(v[j] - '0');
                if (x > (UINT64_MAX - d) / 10)
                    return framing_error(errc::malformed, off + start, "Content-Length overflows 64 bits");
                x = x * 10 + d;
                ++j;
            }
            if (j == start) return framing_error(errc::malformed, off + j, "Content-Length is not a number");
            while (j < v.size() && (v[j] == ' ' || v[j] == '\t')) ++j;
            if (have && x != len)
                return framing_error(errc::bad_length, off + start, "differing Content-Length values");
            have = true;
            len = x;
            if (j == v.size()) break;
            if (v[j] != ',') return framing_error(errc::malformed, off + j, "Content-Length is not a number");
            ++j;
        }
    }
    return len;
}

/// Transfer-Encoding (RFC 9112 §6.1): is the final coding chunked?
/// Sets `chunked_final`; errors on chunked applied twice or an empty value.
inline result<void> transfer_coding(const field_list& fields, bool& chunked_final) noexcept {
    chunked_final = false;
    bool seen_chunked = false;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const field f = fields[i];
        if (!iequals(f.name, "transfer-encoding")) continue;
        const std::size_t off = fields.slot(i).value_off;
        bool line_any = false;
        for (std::string_view e : list_elements(f.value)) {
            const std::size_t semi = e.find(';');
            const std::string_view coding = trim_ows(e.substr(0, semi));
            const std::size_t eoff = off + static_cast<std::size_t>(e.data() - f.value.data());
            if (!is_token(coding)) return framing_error(errc::malformed, eoff, "invalid transfer-coding");
            if (iequals(coding, "chunked")) {
                if (seen_chunked) return framing_error(errc::malformed, eoff, "chunked applied more than once");
                if (semi != std::string_view::npos)
                    return framing_error(errc::malformed, eoff, "chunked takes no parameters");
                seen_chunked = true;
                chunked_final = true;
            } else {
                chunked_final = false;
            }
            line_any = true;
        }
        if (!line_any) return framing_error(errc::malformed, off, "empty Transfer-Encoding");
    }
    return {};
}

/// Index of the first field named `name`, or fields.size().
inline std::size_t find_index(const field_list& fields, std::string_view name) noexcept {
    for (std::size_t i = 0; i < fields.size(); ++i)
        if (iequals(fields[i].name, name)) return i;
    return fields.size();
}

/// Rules shared by requests and responses: TE and CL together, then each.
/// `request`: a non-chunked final coding is an error (else until_close).
inline result<body_framing> te_cl_framing(const field_list& fields, http_version v, bool request) noexcept {
    const std::size_t te = find_index(fields, "transfer-encoding");
    const std::size_t cl = find_index(fields, "content-length");
    if (te < fields.size()) {
        const std::size_t off = fields.slot(te).name_off;
        if (cl < fields.size())
            return framing_error(errc::malformed, fields.slot(te < cl ? cl : te).name_off,
                                 "both Content-Length and Transfer-Encoding");
        if (request && v.minor == 0)
            return framing_error(errc::malformed, off, "Transfer-Encoding in an HTTP/1.0 request");
        bool chunked_final = false;
        if (auto r = transfer_coding(fields, chunked_final); !r) return r.error();
        if (chunked_final) return body_framing{body_kind::chunked, 0};
        if (request)
            return framing_error(errc::malformed, fields.slot(te).value_off,
                                 "final transfer coding of a request is not chunked");
        return body_framing{body_kind::until_close, 0};
    }
    if (cl < fields.size()) {
        auto n = content_length(fields, cl);
        if (!n) return n.error();
        return body_framing{*n == 0 ? body_kind::none : body_kind::content_length, *n};
    }
    return body_framing{request ? body_kind::none : body_kind::until_close, 0};
}

}  // namespace detail

/// Body framing of a request (RFC 9112 §6.3 rules 3-7): chunked, a
/// Content-Length, or no body. Errors: see the file comment; also a CONNECT
/// request that declares content.
[[nodiscard]] inline result<body_framing> request_framing(const request_head& h) noexcept {
    auto f = detail::te_cl_framing(h.fields, h.version, true);
    // "A CONNECT request message does not have content" (RFC 9110 §9.3.6):
    // the bytes after its head belong to the tunnel. Framing fields on it
    // would make two parsers disagree about where the request ends.
    if (f && f->kind != body_kind::none && h.method == "CONNECT") {
        std::size_t i = detail::find_index(h.fields, "transfer-encoding");
        if (i == h.fields.size()) i = detail::find_index(h.fields, "content-length");
        return detail::framing_error(errc::malformed, h.fields.slot(i).name_off, "CONNECT request with content");
    }
    return f;
}

/// Body framing of a response to a request with method `request_method`
/// (RFC 9112 §6.3 rules 1-8): none for HEAD, 1xx, 204 and 304; a tunnel for a
/// 2xx to CONNECT; else chunked, Content-Length or until close. A response
/// whose final transfer coding is not chunked is read until close.
[[nodiscard]] inline result<body_framing> response_framing(const response_head& h,
                                                           std::string_view request_method) noexcept {
    if (request_method == "HEAD" || (h.status >= 100 && h.status < 200) || h.status == 204 || h.status == 304)
        return body_framing{body_kind::none, 0};
    if (request_method == "CONNECT" && h.status >= 200 && h.status < 300) return body_framing{body_kind::tunnel, 0};
    return detail::te_cl_framing(h.fields, h.version, false);
}

/// Whether the connection stays open after this message (RFC 9112 §9.3):
/// not if Connection lists "close"; yes for HTTP/1.1 (and later minors);
/// for HTTP/1.0 only if Connection lists "keep-alive" (RFC 9112 Appendix C.2.2).
/// A body read until close also ends the connection: see `persists()`.
[[nodiscard]] constexpr bool keep_alive(http_version v, const field_list& fields) noexcept {
    if (has_token(fields, "connection", "close")) return false;
    if (v.minor >= 1) return true;
    return has_token(fields, "connection", "keep-alive");
}

/// keep_alive(), and false when the body is framed by closing the connection.
[[nodiscard]] constexpr bool persists(http_version v, const field_list& fields, body_framing f) noexcept {
    return f.kind != body_kind::until_close && f.kind != body_kind::tunnel && keep_alive(v, fields);
}

/// Limits and policy of the body decoder. Sizes in bytes.
struct body_options {
    std::size_t max_chunk_line = 4096;  ///< chunk-size line (size and chunk-ext) without CRLF
    std::size_t max_trailers = 16384;   ///< whole trailer section
    bool accept_bare_lf = false;        ///< same policy as parser_options::accept_bare_lf
};

/// What one decode() step produced.
enum class body_event_kind : std::uint8_t {
    need_more,  ///< all of the input was consumed; feed more (or finish() at EOF)
    data,       ///< `bytes` is body content
    trailers,   ///< `bytes` is raw trailer-section text (RFC 9112 §7.1.2), in pieces
                ///< whose concatenation is a field section ending in an empty line;
                ///< parse it with fields_parser
    end,        ///< the body is complete; nothing further belongs to it
};

/// One step of body_decoder::decode: `consumed` bytes of the input were used.
struct body_event {
    body_event_kind kind = body_event_kind::need_more;
    std::string_view bytes{};  ///< view into the input (data or trailers)
    std::size_t consumed = 0;
};

/// Incremental body decoder (RFC 9112 §6.3, §7.1).
///
/// ```
/// body_decoder dec(*request_framing(head));
/// for (;;) {
///     auto ev = dec.decode(in);                 // in: bytes after the head
///     if (!ev) return ev.error();
///     in.remove_prefix(ev->consumed);
///     if (ev->kind == body_event_kind::data) sink(ev->bytes);
///     if (ev->kind == body_event_kind::end || ev->kind == body_event_kind::need_more) break;
/// }
/// ```
/// Chunked strictness: chunk-size must be 1*HEXDIG and fit 64 bits; chunk-ext
/// must follow its grammar (validated, then skipped); the CRLF after chunk
/// data is required ("bad chunk terminator"); trailer field lines follow the
/// header rules (no obs-fold, no whitespace before colon, no CTLs).
class body_decoder {
public:
    explicit body_decoder(body_framing f, const body_options& o = {}) noexcept : f_(f), opt_(o) {
        remaining_ = f.length;
        st_ = f.kind == body_kind::none ? st::done
              : f.kind == body_kind::content_length ? (f.length == 0 ? st::done : st::fixed)
              : f.kind == body_kind::chunked ? st::c_size_start
                                             : st::raw;
    }

    /// Consumes a prefix of `in` and reports one event (see body_event_kind).
    result<body_event> decode(std::string_view in) noexcept {
        if (failed_) return err_;
        auto r = step(in);
        if (!r) {
            failed_ = true;
            err_ = r.error();
        } else {
            offset_ += r->consumed;
        }
        return r;
    }

    /// The connection closed: success if the body is complete or is read
    /// until close; otherwise a truncated error at the current offset.
    result<void> finish() noexcept {
        if (failed_) return err_;
        if (st_ == st::raw) { st_ = st::done; return {}; }
        if (st_ == st::done) return {};
        return fail(errc::truncated, offset_, "connection closed before the end of the body");
    }

    [[nodiscard]] bool done() const noexcept { return st_ == st::done; }
    /// Body bytes (wire bytes, including chunk framing) consumed so far.
    [[nodiscard]] std::uint64_t consumed() const noexcept { return offset_; }
    /// Body content bytes delivered so far (without chunk framing).
    [[nodiscard]] std::uint64_t content_length() const noexcept { return content_; }
    [[nodiscard]] body_framing framing() const noexcept { return f_; }

private:
    enum class st : std::uint8_t {
        fixed, raw,
        c_size_start, c_size, c_ext_after, c_ext_ws, c_ext_name_start, c_ext_name, c_ext_name_ws,
        c_ext_val_start, c_ext_token, c_ext_quoted, c_ext_qpair, c_size_lf,
        c_data, c_data_cr, c_data_lf,
        t_line_start, t_name, t_value, t_value_lf, t_end_lf,
        done,
    };

    static wire_error fail(errc k, std::uint64_t off, std::string_view what) noexcept {
        return make_error(k, layer_name, static_cast<std::size_t>(off), what);
    }

    result<body_event> step(std::string_view in) noexcept {
        const std::size_t n = in.size();
        switch (st_) {
            case st::done: return body_event{body_event_kind::end, {}, 0};
            case st::fixed: {
                if (n == 0) return body_event{};
                const std::size_t take = remaining_ < n ? static_cast<std::size_t>(remaining_) : n;
                remaining_ -= take;
                content_ += take;
                if (remaining_ == 0) st_ = st::done;
                return body_event{body_event_kind::data, in.substr(0, take), take};
            }
            case st::raw:
                if (n == 0) return body_event{};
                content_ += n;
                return body_event{body_event_kind::data, in, n};
            case st::c_data: {
                if (n == 0) return body_event{};
                const std::size_t take = remaining_ < n ? static_cast<std::size_t>(remaining_) : n;
                remaining_ -= take;
                content_ += take;
                if (remaining_ == 0) st_ = st::c_data_cr;
                return body_event{body_event_kind::data, in.substr(0, take), take};
            }
            default: break;
        }
        if (st_ >= st::t_line_start) return trailer_step(in, 0);
        return line_step(in);
    }

    /// Chunk-size lines and the CRLF after chunk data.
    result<body_event> line_step(std::string_view in) noexcept {
        const std::size_t n = in.size();
        std::size_t i = 0;
        const auto at = [&](std::size_t k) { return offset_ + k; };
        while (i < n) {
            const auto c = static_cast<unsigned char>(in[i]);
            const bool ws = c == ' ' || c == '\t';
            if (st_ >= st::c_size && st_ <= st::c_ext_qpair && c != '\r' && c != '\n' &&
                at(i) - line_begin_ >= opt_.max_chunk_line)
                return fail(errc::limit_exceeded, at(i), "chunk-size line exceeds max_chunk_line");
            switch (st_) {
                case st::c_size_start:
                    if (!is_hexdig(c)) return fail(errc::malformed, at(i), "chunk-size is not hexadecimal");
                    remaining_ = 0;
                    line_begin_ = at(i);
                    st_ = st::c_size;
                    [[fallthrough]];
                case st::c_size:
                    if (is_hexdig(c)) {
                        const unsigned d = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
                        if (remaining_ >> 60) return fail(errc::malformed, at(i), "chunk-size overflows 64 bits");
                        remaining_ = (remaining_ << 4) | d;
                        ++i;
                        break;
                    }
                    st_ = st::c_ext_after;
                    continue;  // re-examine c as the first byte after the size
                case st::c_ext_after:  // after chunk-size or a complete chunk-ext element
                    if (c == ';') st_ = st::c_ext_name_start;
                    else if (ws) st_ = st::c_ext_ws;
                    else if (c == '\r') st_ = st::c_size_lf;
                    else if (c == '\n') {
                        if (!opt_.accept_bare_lf) return fail(errc::malformed, at(i), "bare LF");
                        ++i;
                        return end_size_line(in, i);
                    } else return fail(errc::malformed, at(i), "invalid character after chunk-size");
                    ++i;
                    break;
                case st::c_ext_ws:  // BWS must lead to ';'
                    if (c == ';') st_ = st::c_ext_name_start;
                    else if (!ws) return fail(errc::malformed, at(i), "invalid chunk extension");
                    ++i;
                    break;
                case st::c_ext_name_start:
                    if (is_tchar(c)) st_ = st::c_ext_name;
                    else if (!ws) return fail(errc::malformed, at(i), "invalid chunk extension name");
                    ++i;
                    break;
                case st::c_ext_name:
                    if (is_tchar(c)) { ++i; break; }
                    if (c == '=') { st_ = st::c_ext_val_start; ++i; break; }
                    if (ws) { st_ = st::c_ext_name_ws; ++i; break; }
                    st_ = st::c_ext_after;
                    continue;
                case st::c_ext_name_ws:
                    if (c == '=') st_ = st::c_ext_val_start;
                    else if (c == ';') st_ = st::c_ext_name_start;
                    else if (!ws) return fail(errc::malformed, at(i), "invalid chunk extension");
                    ++i;
                    break;
                case st::c_ext_val_start:
                    if (c == '"') st_ = st::c_ext_quoted;
                    else if (is_tchar(c)) st_ = st::c_ext_token;
                    else if (!ws) return fail(errc::malformed, at(i), "invalid chunk extension value");
                    ++i;
                    break;
                case st::c_ext_token:
                    if (is_tchar(c)) { ++i; break; }
                    st_ = st::c_ext_after;
                    continue;
                case st::c_ext_quoted:
                    // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text (RFC 9110 §5.6.4)
                    if (c == '"') st_ = st::c_ext_after;
                    else if (c == '\\') st_ = st::c_ext_qpair;
                    else if (!(c == '\t' || (c >= 0x20 && c != 0x7F)))
                        return fail(errc::malformed, at(i), "control character in chunk extension");
                    ++i;
                    break;
                case st::c_ext_qpair:
                    if (!(c == '\t' || (c >= 0x20 && c != 0x7F)))
                        return fail(errc::malformed, at(i), "control character in chunk extension");
                    st_ = st::c_ext_quoted;
                    ++i;
                    break;
                case st::c_size_lf:
                    if (c != '\n') return fail(errc::malformed, at(i), "bare CR");
                    ++i;
                    return end_size_line(in, i);
                case st::c_data_cr:
                    if (c == '\r') { st_ = st::c_data_lf; ++i; break; }
                    if (c == '\n' && opt_.accept_bare_lf) { st_ = st::c_size_start; ++i; break; }
                    return fail(errc::malformed, at(i), "bad chunk terminator (CRLF expected after chunk data)");
                case st::c_data_lf:
                    if (c != '\n') return fail(errc::malformed, at(i), "bad chunk terminator (CRLF expected after chunk data)");
                    st_ = st::c_size_start;
                    ++i;
                    break;
                default:
                    return fail(errc::invalid_state, at(i), "body decoder state");
            }
        }
        return body_event{body_event_kind::need_more, {}, i};
    }

    /// A chunk-size line ended at in[i]: enter data or the trailer section.
    result<body_event> end_size_line(std::string_view in, std::size_t i) noexcept {
        if (remaining_ == 0) {
            st_ = st::t_line_start;
            trailer_len_ = 0;
            // Continue straight into the trailer section in this call.
            return trailer_step(in, i);
        }
        st_ = st::c_data;
        // Deliver data from this same input.
        const std::string_view rest = in.substr(i);
        if (rest.empty()) return body_event{body_event_kind::need_more, {}, i};
        const std::size_t take = remaining_ < rest.size() ? static_cast<std::size_t>(remaining_) : rest.size();
        remaining_ -= take;
        content_ += take;
        if (remaining_ == 0) st_ = st::c_data_cr;
        return body_event{body_event_kind::data, rest.substr(0, take), i + take};
    }

    /// Tracks, byte by byte, whether the trailer field name being read is
    /// Content-Length or Transfer-Encoding (case-insensitive): framing
    /// fields are refused in trailers (RFC 9110 §6.5.1: framing cannot be
    /// processed after the content; a recipient that merged them could be
    /// misled).
    void match_name(unsigned char c) noexcept {
        constexpr std::string_view cl = "content-length", te = "transfer-encoding";
        const char lc = detail::ascii_lower(static_cast<char>(c));
        if (name_len_ >= cl.size() || cl[name_len_] != lc) framing_name_ &= ~1u;
        if (name_len_ >= te.size() || te[name_len_] != lc) framing_name_ &= ~2u;
        ++name_len_;
    }

    /// Trailer section: validate field lines, pass their bytes through.
    /// Starts at in[start]; `consumed` counts from in[0].
    result<body_event> trailer_step(std::string_view in, std::size_t start) noexcept {
        const std::size_t n = in.size();
        std::size_t i = start;
        const auto at = [&](std::size_t k) { return offset_ + k; };
        while (i < n && st_ != st::done) {
            if (++trailer_len_ > opt_.max_trailers)
                return fail(errc::limit_exceeded, at(i), "trailer section exceeds max_trailers");
            const auto c = static_cast<unsigned char>(in[i]);
            switch (st_) {
                case st::t_line_start:
                    if (c == '\r') st_ = st::t_end_lf;
                    else if (c == '\n') {
                        if (!opt_.accept_bare_lf) return fail(errc::malformed, at(i), "bare LF");
                        st_ = st::done;
                    } else if (c == ' ' || c == '\t')
                        return fail(errc::malformed, at(i), "obs-fold (line folding) is not allowed");
                    else if (is_tchar(c)) {
                        st_ = st::t_name;
                        name_begin_ = at(i);
                        name_len_ = 0;
                        framing_name_ = 3;  // may still be Content-Length (1) or Transfer-Encoding (2)
                        match_name(c);
                    } else return fail(errc::malformed, at(i), "invalid character in field name");
                    break;
                case st::t_name:
                    if (c == ':') {
                        if ((framing_name_ & 1 && name_len_ == 14) || (framing_name_ & 2 && name_len_ == 17))
                            return fail(errc::malformed, name_begin_, "framing field in trailer section");
                        st_ = st::t_value;
                    } else if (is_tchar(c)) match_name(c);
                    else if (c == ' ' || c == '\t')
                        return fail(errc::malformed, at(i), "whitespace between field name and colon");
                    else return fail(errc::malformed, at(i), "invalid character in field name");
                    break;
                case st::t_value:
                    if (c == '\r') st_ = st::t_value_lf;
                    else if (c == '\n') {
                        if (!opt_.accept_bare_lf) return fail(errc::malformed, at(i), "bare LF");
                        st_ = st::t_line_start;
                    } else if (!is_field_char(c))
                        return fail(errc::malformed, at(i), "control character in field value");
                    break;
                case st::t_value_lf:
                    if (c != '\n') return fail(errc::malformed, at(i), "bare CR");
                    st_ = st::t_line_start;
                    break;
                case st::t_end_lf:
                    if (c != '\n') return fail(errc::malformed, at(i), "bare CR");
                    st_ = st::done;
                    break;
                default:
                    return fail(errc::invalid_state, at(i), "body decoder state");
            }
            ++i;
        }
        if (i == start) return body_event{st_ == st::done ? body_event_kind::end : body_event_kind::need_more, {}, i};
        return body_event{body_event_kind::trailers, in.substr(start, i - start), i};
    }

    body_framing f_;
    body_options opt_;
    st st_ = st::done;
    std::uint64_t remaining_ = 0;
    std::uint64_t offset_ = 0;
    std::uint64_t content_ = 0;
    std::uint64_t line_begin_ = 0;  ///< body offset where the chunk-size line began
    std::size_t trailer_len_ = 0;
    std::uint64_t name_begin_ = 0;  ///< body offset of the trailer field name being read
    std::size_t name_len_ = 0;
    unsigned framing_name_ = 0;     ///< bit 0: may be Content-Length, bit 1: Transfer-Encoding
    wire_error err_{};
    bool failed_ = false;
};

}  // namespace wirekit::http1
