// wirekit/wire/http1/parser.hpp — strict, incremental, zero-allocation
// HTTP/1.1 message head parser (RFC 9112 §2-§5, RFC 9110 §5).
//
// Layer L2. A parser is fed the bytes of one message head as they arrive:
// each call passes *all* bytes received so far for this message (the buffer may
// grow or move between calls; its prefix must not change). The parser resumes
// where it stopped, so no byte is examined twice across calls, and the result
// is identical for every way of splitting the input. Outcomes:
//   - parse_status::complete   the head is parsed; `head_len()` bytes used;
//   - parse_status::need_more  every byte so far is valid; feed more;
//   - a wire_error             layer "http1", the byte offset from the start
//                              of the message and what was wrong.
// Field names and values are recorded as offsets into the caller's buffer, in
// storage the caller provides (`std::span<field_slot>`): its size is the
// header count limit. Nothing is allocated.
//
// Strictness (each one a wire_error): obs-fold (RFC 9112 §5.2), whitespace
// between field name and colon (§5.1), whitespace before the first field
// (§2.2), invalid token characters, CTLs in values, bare CR (§2.2), bare LF
// unless `options.accept_bare_lf`, single SP separators in the start line
// (§3, §4), a request-target in one of its four forms (§3.2), HTTP-version
// exactly "HTTP/" DIGIT "." DIGIT (§2.3), major 1 only, 3-digit status
// 100..599 (RFC 9110 §15), line and head size limits. See docs/http1.md.
#pragma once

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint32_t
#include <iterator>     // std::forward_iterator_tag
#include <optional>     // std::optional: field lookup
#include <span>         // caller-provided field storage
#include <string_view>  // results are views into the caller's buffer

#include "wirekit/core/bytes.hpp"   // bytes_view overloads
#include "wirekit/core/result.hpp"  // result, wire_error
#include "wirekit/wire/http1/chars.hpp"  // character classes and scanners

namespace wirekit::http1 {

/// Layer name in every wire_error raised by the HTTP/1.1 codec.
inline constexpr std::string_view layer_name = "http1";

/// One field line's position in the message buffer: byte offsets from the
/// start of the message and lengths in bytes. The value excludes leading and
/// trailing whitespace (RFC 9112 §5.1). Caller-provided storage for parsers.
struct field_slot {
    std::uint32_t name_off = 0;
    std::uint32_t name_len = 0;
    std::uint32_t value_off = 0;
    std::uint32_t value_len = 0;
};

/// A field line as views into the message buffer (RFC 9110 §5).
struct field {
    std::string_view name;   ///< field-name as received (case preserved)
    std::string_view value;  ///< field-value without surrounding OWS
};

/// The parsed field lines of a head, in received order: a non-owning view over
/// the caller's buffer and slot storage. Lookup is case-insensitive.
class field_list {
public:
    constexpr field_list() noexcept = default;
    constexpr field_list(const char* base, const field_slot* slots, std::size_t n) noexcept
        : base_(base), slots_(slots), n_(n) {}

    [[nodiscard]] constexpr std::size_t size() const noexcept { return n_; }
    [[nodiscard]] constexpr bool empty() const noexcept { return n_ == 0; }
    /// The i-th field line (i < size()).
    [[nodiscard]] constexpr field operator[](std::size_t i) const noexcept {
        const field_slot& s = slots_[i];
        return {{base_ + s.name_off, s.name_len}, {base_ + s.value_off, s.value_len}};
    }
    /// Offsets of the i-th field line in the message (for error reports).
    [[nodiscard]] constexpr const field_slot& slot(std::size_t i) const noexcept { return slots_[i]; }
    /// Value of the first field named `name` (case-insensitive), if any.
    [[nodiscard]] constexpr std::optional<std::string_view> find(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < n_; ++i)
            if (iequals((*this)[i].name, name)) return (*this)[i].value;
        return std::nullopt;
    }
    /// Number of field lines named `name` (case-insensitive).
    [[nodiscard]] constexpr std::size_t count(std::string_view name) const noexcept {
        std::size_t c = 0;
        for (std::size_t i = 0; i < n_; ++i)
            if (iequals((*this)[i].name, name)) ++c;
        return c;
    }

    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = field;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = field;
        constexpr iterator() noexcept = default;
        constexpr iterator(const field_list* l, std::size_t i) noexcept : l_(l), i_(i) {}
        constexpr field operator*() const noexcept { return (*l_)[i_]; }
        constexpr iterator& operator++() noexcept { ++i_; return *this; }
        constexpr iterator operator++(int) noexcept { iterator t = *this; ++i_; return t; }
        friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept { return a.i_ == b.i_; }
    private:
        const field_list* l_ = nullptr;
        std::size_t i_ = 0;
    };
    [[nodiscard]] constexpr iterator begin() const noexcept { return {this, 0}; }
    [[nodiscard]] constexpr iterator end() const noexcept { return {this, n_}; }

    /// Start of the message buffer the offsets refer to.
    [[nodiscard]] constexpr const char* base() const noexcept { return base_; }

private:
    const char* base_ = nullptr;
    const field_slot* slots_ = nullptr;
    std::size_t n_ = 0;
};

/// Parser limits and policies. Sizes are in bytes.
struct parser_options {
    /// Longest request-line or status-line, without its line terminator.
    std::size_t max_start_line = 8192;
    /// Longest single field line, without its line terminator.
    std::size_t max_field_line = 8192;
    /// Longest whole head, start line to the empty line inclusive (<= 4 GiB - 1).
    std::size_t max_head = 65536;
    /// Bare-LF policy (RFC 9112 §2.2 lets a recipient choose). false (default):
    /// a LF not preceded by CR is an error "bare LF". true: a lone LF ends a
    /// line like CRLF. A CR not followed by LF is always an error.
    bool accept_bare_lf = false;
};

/// Outcome of feeding bytes that are valid so far.
enum class parse_status : std::uint8_t {
    complete,   ///< the head is complete
    need_more,  ///< the input so far is a valid prefix; feed more bytes
};

/// HTTP-version (RFC 9112 §2.3): major is always 1 after a successful parse.
struct http_version {
    int major = 1;
    int minor = 1;
    friend constexpr bool operator==(const http_version&, const http_version&) = default;
};

/// A parsed request head (RFC 9112 §3). Views point into the caller's buffer.
struct request_head {
    std::string_view method;  ///< token, case-sensitive (RFC 9110 §9.1)
    std::string_view target;  ///< request-target as received (RFC 9112 §3.2)
    http_version version;
    field_list fields;
    std::size_t head_len = 0;  ///< bytes from message start through the empty line
};

/// A parsed response head (RFC 9112 §4). Views point into the caller's buffer.
struct response_head {
    http_version version;
    int status = 0;           ///< status-code, 100..599 (RFC 9110 §15)
    std::string_view reason;  ///< reason-phrase, possibly empty
    field_list fields;
    std::size_t head_len = 0;  ///< bytes from message start through the empty line
};

/// A request-target problem: offset within the target and what is wrong;
/// an empty detail means the target is fine.
struct target_problem {
    std::size_t offset = 0;
    std::string_view detail{};
};

/// Checks that `target` has one of the four forms of RFC 9112 §3.2 for
/// `method`: origin-form ("/path?query"), absolute-form ("scheme:...", RFC
/// 3986 §3.1 scheme), authority-form ("host:port", CONNECT only, and CONNECT
/// only with it) or asterisk-form ("*", OPTIONS only). A fragment ('#') is
/// never part of a request-target. Characters are checked by the parser.
[[nodiscard]] constexpr target_problem check_target_form(std::string_view method, std::string_view target) noexcept {
    const std::string_view t = target;
    if (t.empty()) return {0, "empty request-target"};
    if (const std::size_t h = t.find('#'); h != std::string_view::npos) return {h, "fragment in request-target"};
    if (method == "CONNECT") {
        const std::size_t colon = t.rfind(':');
        bool ok = t[0] != '/' && colon != std::string_view::npos && colon > 0 && colon + 1 < t.size();
        for (std::size_t k = colon + 1; ok && k < t.size(); ++k) ok = t[k] >= '0' && t[k] <= '9';
        if (!ok) return {0, "CONNECT needs authority-form (host:port)"};
        return {};
    }
    if (t == "*") {
        if (method != "OPTIONS") return {0, "asterisk-form is only for OPTIONS"};
        return {};
    }
    if (t[0] == '/') return {};
    const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(t[0])) return {0, "invalid request-target form"};
    for (std::size_t k = 1; k < t.size(); ++k) {
        const char c = t[k];
        if (c == ':') return {};
        if (!(alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
            return {k, "invalid request-target form"};
    }
    return {0, "invalid request-target form"};
}

namespace detail {

enum class head_kind : std::uint8_t { request, response, fields_only };

/// The resumable machine shared by requests, responses and trailer sections.
class head_machine {
public:
    head_machine(head_kind k, std::span<field_slot> storage, const parser_options& o) noexcept
        : kind_(k), slots_(storage), opt_(o) {
        reset();
    }

    void reset() noexcept {
        st_ = kind_ == head_kind::request    ? st::req_lead
              : kind_ == head_kind::response ? st::res_version
                                             : st::f_line_start;
        pos_ = tok_ = line_start_ = 0;
        vi_ = 0;
        nfields_ = 0;
        a_off_ = a_len_ = b_off_ = b_len_ = 0;
        status_ = 0;
        version_ = {};
        name_off_ = name_len_ = value_off_ = value_end_ = 0;
        err_ = {};
        failed_ = false;
        base_ = nullptr;
    }

    result<parse_status> feed(std::string_view buf) noexcept {
        base_ = buf.data();
        if (failed_) return err_;
        if (st_ == st::done) return parse_status::complete;
        auto r = run(buf.data(), buf.size());
        if (!r) {
            failed_ = true;
            err_ = r.error();
        }
        return r;
    }

    [[nodiscard]] bool done() const noexcept { return st_ == st::done; }
    [[nodiscard]] std::size_t consumed() const noexcept { return pos_; }
    [[nodiscard]] const char* base() const noexcept { return base_; }
    [[nodiscard]] std::size_t field_count() const noexcept { return nfields_; }
    [[nodiscard]] field_list fields() const noexcept { return {base_, slots_.data(), nfields_}; }
    [[nodiscard]] std::string_view a() const noexcept { return {base_ + a_off_, a_len_}; }
    [[nodiscard]] std::string_view b() const noexcept { return {base_ + b_off_, b_len_}; }
    [[nodiscard]] http_version version() const noexcept { return version_; }
    [[nodiscard]] int status() const noexcept { return status_; }

private:
    enum class st : std::uint8_t {
        req_lead,      // optional empty lines before the request-line (RFC 9112 §2.2)
        req_lead_lf,   // CR seen in a leading empty line
        req_method,
        req_target,
        req_version,   // "HTTP/x.y", then the line end
        res_version,   // "HTTP/x.y" then SP
        res_status,    // 3DIGIT then SP
        res_reason,
        line_lf,       // CR seen at the end of the start line
        f_line_start,  // start of a field line or the empty line
        f_name,
        f_ows,         // OWS after the colon
        f_value,
        f_value_lf,    // CR seen at the end of a field line
        f_end_lf,      // CR seen on the empty line
        done,
    };

    static wire_error fail(errc k, std::size_t off, std::string_view what) noexcept {
        return make_error(k, layer_name, off, what);
    }

    /// End of the region the current line may occupy: the scan stops there so
    /// an over-long line is reported without reading further.
    [[nodiscard]] std::size_t limit_end(std::size_t n, std::size_t max_line) const noexcept {
        std::size_t e = line_start_ + max_line + 1;  // +1: room for the CR that ends it
        if (e > opt_.max_head) e = opt_.max_head;
        return e < n ? e : n;
    }
    /// True if the scan stopped at a limit rather than at the end of input.
    [[nodiscard]] bool at_cap(std::size_t lim, std::size_t max_line) const noexcept {
        return lim == line_start_ + max_line + 1 || lim == opt_.max_head;
    }
    /// The error for a scan stopped by a limit: a line limit names the first
    /// byte past it; the head limit names the offset max_head.
    [[nodiscard]] wire_error over_limit(std::size_t lim, std::size_t max_line) const noexcept {
        if (lim != line_start_ + max_line + 1) return fail(errc::limit_exceeded, lim, "head exceeds max_head");
        return fail(errc::limit_exceeded, lim - 1, kind_start_line() ? "start line exceeds max_start_line"
                                                                 : "field line exceeds max_field_line");
    }
    [[nodiscard]] bool kind_start_line() const noexcept {
        return st_ == st::req_method || st_ == st::req_target || st_ == st::req_version ||
               st_ == st::res_version || st_ == st::res_status || st_ == st::res_reason;
    }

    /// Handles a LF met where a line may end: bare LF policy.
    [[nodiscard]] bool bare_lf_ok() const noexcept { return opt_.accept_bare_lf; }

    result<parse_status> run(const char* p, std::size_t n) noexcept {
        std::size_t i = pos_;
        for (;;) {
            if (i >= opt_.max_head && i < n) return fail(errc::limit_exceeded, i, "head exceeds max_head");
            switch (st_) {
                case st::req_lead_lf:
                    if (i >= n) goto need_more;
                    if (p[i] != '\n') return fail(errc::malformed, i, "bare CR");
                    ++i;
                    st_ = st::req_lead;
                    [[fallthrough]];
                case st::req_lead: {
                    if (i >= n) goto need_more;
                    if (i >= opt_.max_head) return fail(errc::limit_exceeded, i, "head exceeds max_head");
                    const char c = p[i];
                    if (c == '\r') { ++i; st_ = st::req_lead_lf; break; }
                    if (c == '\n') {
                        if (!bare_lf_ok()) return fail(errc::malformed, i, "bare LF");
                        ++i;
                        break;
                    }
                    tok_ = line_start_ = i;
                    st_ = st::req_method;
                    [[fallthrough]];
                }
                case st::req_method: {
                    const std::size_t lim = limit_end(n, opt_.max_start_line);
                    i = scan_token_chars(p, i, lim);
                    if (i >= lim) {
                        if (at_cap(lim, opt_.max_start_line)) return over_limit(lim, opt_.max_start_line);
                        goto need_more;
                    }
                    if (p[i] != ' ') return fail(errc::malformed, i, "invalid character in method");
                    if (i == tok_) return fail(errc::malformed, i, "empty method");
                    a_off_ = static_cast<std::uint32_t>(tok_);
                    a_len_ = static_cast<std::uint32_t>(i - tok_);
                    tok_ = ++i;
                    st_ = st::req_target;
                    [[fallthrough]];
                }
                case st::req_target: {
                    const std::size_t lim = limit_end(n, opt_.max_start_line);
                    i = scan_target_chars(p, i, lim);
                    if (i >= lim) {
                        if (at_cap(lim, opt_.max_start_line)) return over_limit(lim, opt_.max_start_line);
                        goto need_more;
                    }
                    if (p[i] != ' ') {
                        if (i == tok_) return fail(errc::malformed, i, "empty request-target");
                        if (p[i] == '\r' || p[i] == '\n')
                            return fail(errc::malformed, i, "request-line lacks HTTP-version");
                        return fail(errc::malformed, i, "invalid character in request-target");
                    }
                    if (i == tok_) return fail(errc::malformed, i, "empty request-target");
                    if (auto bad = check_target_form({p + a_off_, a_len_}, {p + tok_, i - tok_}); !bad.detail.empty())
                        return fail(errc::malformed, tok_ + bad.offset, bad.detail);
                    b_off_ = static_cast<std::uint32_t>(tok_);
                    b_len_ = static_cast<std::uint32_t>(i - tok_);
                    tok_ = ++i;
                    vi_ = 0;
                    st_ = st::req_version;
                    [[fallthrough]];
                }
                case st::req_version:
                case st::res_version: {
                    // "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
                    if (vi_ == 0 && i + 8 <= n && i + 8 <= line_start_ + opt_.max_start_line &&
                        i + 8 <= opt_.max_head && p[i] == 'H' &&
                        p[i + 1] == 'T' && p[i + 2] == 'T' && p[i + 3] == 'P' && p[i + 4] == '/' &&
                        p[i + 5] >= '0' && p[i + 5] <= '9' && p[i + 6] == '.' && p[i + 7] >= '0' && p[i + 7] <= '9') {
                        version_.major = p[i + 5] - '0';
                        version_.minor = p[i + 7] - '0';
                        vi_ = 8;
                        i += 8;
                    }
                    while (vi_ < 8) {
                        if (i >= n) goto need_more;
                        if (i >= opt_.max_head) return fail(errc::limit_exceeded, i, "head exceeds max_head");
                        if (i >= line_start_ + opt_.max_start_line)
                            return fail(errc::limit_exceeded, i, "start line exceeds max_start_line");
                        const char c = p[i];
                        bool ok;
                        if (vi_ < 5) ok = c == "HTTP/"[vi_];
                        else if (vi_ == 6) ok = c == '.';
                        else ok = c >= '0' && c <= '9';
                        if (!ok) return fail(errc::malformed, i, "invalid HTTP-version");
                        if (vi_ == 5) version_.major = c - '0';
                        if (vi_ == 7) version_.minor = c - '0';
                        ++vi_;
                        ++i;
                    }
                    if (version_.major != 1)
                        return fail(errc::unsupported, i - 3, "HTTP major version is not 1");
                    if (i >= n) goto need_more;
                    if (i >= opt_.max_head) return fail(errc::limit_exceeded, i, "head exceeds max_head");
                    if (st_ == st::req_version) {
                        // The request-line ends right after the version.
                        if (p[i] == '\r') {
                            ++i;
                            st_ = st::line_lf;
                            goto line_lf;
                        }
                        if (p[i] == '\n') {
                            if (!bare_lf_ok()) return fail(errc::malformed, i, "bare LF");
                            ++i;
                            line_start_ = i;
                            st_ = st::f_line_start;
                            break;
                        }
                        return fail(errc::malformed, i, "expected CRLF after HTTP-version");
                    }
                    if (p[i] != ' ') return fail(errc::malformed, i, "expected SP after HTTP-version");
                    tok_ = ++i;
                    vi_ = 0;
                    st_ = st::res_status;
                    break;
                }
                case st::res_status: {
                    while (vi_ < 3) {
                        if (i >= n) goto need_more;
                        if (i >= opt_.max_head) return fail(errc::limit_exceeded, i, "head exceeds max_head");
                        if (i >= line_start_ + opt_.max_start_line)
                            return fail(errc::limit_exceeded, i, "start line exceeds max_start_line");
                        const char c = p[i];
                        if (c < '0' || c > '9') return fail(errc::malformed, i, "status-code is not 3 digits");
                        status_ = status_ * 10 + (c - '0');
                        ++vi_;
                        ++i;
                    }
                    if (status_ < 100 || status_ > 599)
                        return fail(errc::malformed, i - 3, "status-code outside 100..599");
                    if (i >= n) goto need_more;
                    if (i >= opt_.max_head) return fail(errc::limit_exceeded, i, "head exceeds max_head");
                    if (p[i] != ' ') {
                        if (p[i] >= '0' && p[i] <= '9') return fail(errc::malformed, i, "status-code is not 3 digits");
                        return fail(errc::malformed, i, "expected SP after status-code");
                    }
                    tok_ = ++i;
                    st_ = st::res_reason;
                    break;
                }
                case st::res_reason: {
                    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) (RFC 9112 §4)
                    const std::size_t lim = limit_end(n, opt_.max_start_line);
                    for (;;) {
                        i = scan_field_chars(p, i, lim);
                        if (i < lim && p[i] == '\t') { ++i; continue; }
                        break;
                    }
                    if (i >= lim) {
                        if (at_cap(lim, opt_.max_start_line)) return over_limit(lim, opt_.max_start_line);
                        goto need_more;
                    }
                    b_off_ = static_cast<std::uint32_t>(tok_);
                    b_len_ = static_cast<std::uint32_t>(i - tok_);
                    if (p[i] == '\r') {
                        ++i;
                        st_ = st::line_lf;
                        goto line_lf;
                    }
                    if (p[i] == '\n') {
                        if (!bare_lf_ok()) return fail(errc::malformed, i, "bare LF");
                        ++i;
                        line_start_ = i;
                        st_ = st::f_line_start;
                        break;
                    }
                    return fail(errc::malformed, i, "control character in reason-phrase");
                }
                case st::line_lf:
                line_lf:
                    if (i >= n) goto need_more;
                    if (i >= opt_.max_head) return fail(errc::limit_exceeded, i, "head exceeds max_head");
                    if (p[i] != '\n') return fail(errc::malformed, i, "bare CR");
                    ++i;
                    line_start_ = i;
                    st_ = st::f_line_start;
                    [[fallthrough]];

                case st::f_line_start: {
                    if (i >= n) goto need_more;
                    if (i >= opt_.max_head) return fail(errc::limit_exceeded, i, "head exceeds max_head");
                    const char c = p[i];
                    if (c == '\r') { ++i; st_ = st::f_end_lf; break; }
                    if (c == '\n') {
                        if (!bare_lf_ok()) return fail(errc::malformed, i, "bare LF");
                        ++i;
                        st_ = st::done;
                        pos_ = i;
                        return parse_status::complete;
                    }
                    if (c == ' ' || c == '\t') {
                        if (nfields_ == 0 && kind_ != head_kind::fields_only)
                            return fail(errc::malformed, i, "whitespace before the first field line");
                        return fail(errc::malformed, i, "obs-fold (line folding) is not allowed");
                    }
                    if (nfields_ == slots_.size())
                        return fail(errc::limit_exceeded, i, "more field lines than the caller's limit");
                    tok_ = line_start_ = i;
                    st_ = st::f_name;
                    [[fallthrough]];
                }
                case st::f_name: {
                    const std::size_t lim = limit_end(n, opt_.max_field_line);
                    i = scan_token_chars(p, i, lim);
                    if (i >= lim) {
                        if (at_cap(lim, opt_.max_field_line)) return over_limit(lim, opt_.max_field_line);
                        goto need_more;
                    }
                    const char c = p[i];
                    if (c != ':') {
                        if (c == ' ' || c == '\t')
                            return fail(errc::malformed, i, "whitespace between field name and colon");
                        if (c == '\r' || c == '\n') return fail(errc::malformed, i, "field line lacks a colon");
                        return fail(errc::malformed, i, "invalid character in field name");
                    }
                    if (i == tok_) return fail(errc::malformed, i, "empty field name");
                    name_off_ = tok_;
                    name_len_ = i - tok_;
                    ++i;
                    st_ = st::f_ows;
                    [[fallthrough]];
                }
                case st::f_ows: {
                    const std::size_t lim = limit_end(n, opt_.max_field_line);
                    while (i < lim && (p[i] == ' ' || p[i] == '\t')) ++i;
                    if (i >= lim) {
                        if (at_cap(lim, opt_.max_field_line)) return over_limit(lim, opt_.max_field_line);
                        goto need_more;
                    }
                    value_off_ = value_end_ = i;
                    st_ = st::f_value;
                    [[fallthrough]];
                }
                case st::f_value: {
                    const std::size_t lim = limit_end(n, opt_.max_field_line);
                    for (;;) {
                        const std::size_t j = scan_field_chars(p, i, lim);
                        if (j > i) {
                            // value_end_ is one past the last byte that is not SP/HTAB.
                            std::size_t k = j;
                            while (k > i && p[k - 1] == ' ') --k;
                            if (k > i) value_end_ = k;
                            i = j;
                        }
                        if (i < lim && p[i] == '\t') { ++i; continue; }
                        break;
                    }
                    if (i >= lim) {
                        if (at_cap(lim, opt_.max_field_line)) return over_limit(lim, opt_.max_field_line);
                        goto need_more;
                    }
                    const char c = p[i];
                    if (c == '\r') {
                        if (i + 1 < n && i + 1 < opt_.max_head && p[i + 1] == '\n') {  // the common CRLF, without a state change
                            i += 2;
                            record_field();
                            line_start_ = i;
                            st_ = st::f_line_start;
                            break;
                        }
                        ++i;
                        st_ = st::f_value_lf;
                        break;
                    }
                    if (c == '\n') {
                        if (!bare_lf_ok()) return fail(errc::malformed, i, "bare LF");
                        ++i;
                        record_field();
                        line_start_ = i;
                        st_ = st::f_line_start;
                        break;
                    }
                    return fail(errc::malformed, i, "control character in field value");
                }
                case st::f_value_lf:
                    if (i >= n) goto need_more;
                    if (p[i] != '\n') return fail(errc::malformed, i, "bare CR");
                    ++i;
                    record_field();
                    line_start_ = i;
                    st_ = st::f_line_start;
                    break;
                case st::f_end_lf:
                    if (i >= n) goto need_more;
                    if (p[i] != '\n') return fail(errc::malformed, i, "bare CR");
                    ++i;
                    st_ = st::done;
                    pos_ = i;
                    return parse_status::complete;
                case st::done:
                    pos_ = i;
                    return parse_status::complete;
            }
        }
    need_more:
        pos_ = i;
        return parse_status::need_more;
    }

    void record_field() noexcept {
        field_slot& s = slots_[nfields_++];
        s.name_off = static_cast<std::uint32_t>(name_off_);
        s.name_len = static_cast<std::uint32_t>(name_len_);
        s.value_off = static_cast<std::uint32_t>(value_off_);
        s.value_len = static_cast<std::uint32_t>(value_end_ - value_off_);
    }

    head_kind kind_;
    std::span<field_slot> slots_;
    parser_options opt_;
    st st_ = st::done;
    std::size_t pos_ = 0, tok_ = 0, line_start_ = 0;
    int vi_ = 0;
    std::size_t nfields_ = 0;
    std::uint32_t a_off_ = 0, a_len_ = 0, b_off_ = 0, b_len_ = 0;
    int status_ = 0;
    http_version version_{};
    std::size_t name_off_ = 0, name_len_ = 0, value_off_ = 0, value_end_ = 0;
    wire_error err_{};
    bool failed_ = false;
    const char* base_ = nullptr;
};

}  // namespace detail

/// Incremental request-head parser (RFC 9112 §2.1, §3, §5).
///
/// ```
/// wirekit::http1::field_slot slots[32];
/// wirekit::http1::request_parser p(slots);
/// auto r = p.feed(buffer);              // all bytes received so far
/// if (!r) report(r.error());            // offset + detail
/// else if (*r == parse_status::complete) use(p.head());
/// ```
/// After an error every further feed returns the same error; `reset()` starts
/// over for the next message (pipelining: feed the bytes after the body).
class request_parser {
public:
    /// `storage`: one slot per field line; its size is the field count limit.
    explicit request_parser(std::span<field_slot> storage, const parser_options& opt = {}) noexcept
        : m_(detail::head_kind::request, storage, opt) {}

    /// Feeds every byte of this message received so far (see file comment).
    result<parse_status> feed(std::string_view buf) noexcept { return m_.feed(buf); }
    result<parse_status> feed(bytes_view buf) noexcept { return m_.feed(as_chars(buf)); }
    /// Bytes examined so far; after completion, the head length.
    [[nodiscard]] std::size_t consumed() const noexcept { return m_.consumed(); }
    [[nodiscard]] bool done() const noexcept { return m_.done(); }
    /// The parsed head; only after `complete`. Views point into the buffer
    /// given to the last feed().
    [[nodiscard]] request_head head() const noexcept {
        return {m_.a(), m_.b(), m_.version(), m_.fields(), m_.consumed()};
    }
    /// Forgets the current message.
    void reset() noexcept { m_.reset(); }

private:
    detail::head_machine m_;
};

/// Incremental response-head parser (RFC 9112 §2.1, §4, §5). Same protocol as
/// request_parser.
class response_parser {
public:
    explicit response_parser(std::span<field_slot> storage, const parser_options& opt = {}) noexcept
        : m_(detail::head_kind::response, storage, opt) {}

    result<parse_status> feed(std::string_view buf) noexcept { return m_.feed(buf); }
    result<parse_status> feed(bytes_view buf) noexcept { return m_.feed(as_chars(buf)); }
    [[nodiscard]] std::size_t consumed() const noexcept { return m_.consumed(); }
    [[nodiscard]] bool done() const noexcept { return m_.done(); }
    [[nodiscard]] response_head head() const noexcept {
        return {m_.version(), m_.status(), m_.b(), m_.fields(), m_.consumed()};
    }
    void reset() noexcept { m_.reset(); }

private:
    detail::head_machine m_;
};

/// Incremental parser of a bare field section: `*( field-line CRLF ) CRLF`,
/// e.g. a chunked trailer section (RFC 9112 §7.1.2). Same rules as the head.
class fields_parser {
public:
    explicit fields_parser(std::span<field_slot> storage, const parser_options& opt = {}) noexcept
        : m_(detail::head_kind::fields_only, storage, opt) {}

    result<parse_status> feed(std::string_view buf) noexcept { return m_.feed(buf); }
    [[nodiscard]] std::size_t consumed() const noexcept { return m_.consumed(); }
    [[nodiscard]] field_list fields() const noexcept { return m_.fields(); }
    void reset() noexcept { m_.reset(); }

private:
    detail::head_machine m_;
};

/// A complete parse, or "need more" (nullopt), or an error.
template <class Head>
using parse_result = result<std::optional<Head>>;

/// One-shot request-head parse of `buf` (which may hold more than the head).
[[nodiscard]] inline parse_result<request_head> parse_request(std::string_view buf, std::span<field_slot> storage,
                                                              const parser_options& opt = {}) noexcept {
    request_parser p(storage, opt);
    auto r = p.feed(buf);
    if (!r) return r.error();
    if (*r == parse_status::need_more) return std::optional<request_head>{};
    return std::optional<request_head>{p.head()};
}

/// One-shot response-head parse of `buf` (which may hold more than the head).
[[nodiscard]] inline parse_result<response_head> parse_response(std::string_view buf, std::span<field_slot> storage,
                                                                const parser_options& opt = {}) noexcept {
    response_parser p(storage, opt);
    auto r = p.feed(buf);
    if (!r) return r.error();
    if (*r == parse_status::need_more) return std::optional<response_head>{};
    return std::optional<response_head>{p.head()};
}

}  // namespace wirekit::http1
