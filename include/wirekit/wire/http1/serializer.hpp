// wirekit/wire/http1/serializer.hpp — writes HTTP/1.1 requests and responses
// (RFC 9112 §2-§7) into a caller-provided buffer, including chunked bodies.
//
// Layer L2. The mirror of the parser: everything it writes, the parser
// accepts. Inputs are validated so a caller cannot inject a line: a method or
// field name must be a token, a target VCHARs only, a field value field-vchars
// with no leading/trailing whitespace, a reason-phrase no CTLs. Each call
// either writes all of its bytes or none and returns an error:
//   no_space   the buffer is too small (offset: bytes written so far)
//   malformed  an input would produce an invalid message
// The caller owns framing: write Content-Length or Transfer-Encoding: chunked
// (content_length() / chunked() helpers) and then a body that matches it.
#pragma once

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <initializer_list>  // put(): the parts of one write
#include <span>         // output buffer, trailers
#include <string_view>  // inputs

#include "wirekit/core/bytes.hpp"          // bytes_view body overloads
#include "wirekit/core/result.hpp"         // result, wire_error
#include "wirekit/wire/http1/chars.hpp"    // is_token, is_field_char
#include "wirekit/wire/http1/parser.hpp"   // field, http_version
#include "wirekit/wire/http1/status.hpp"   // reason_phrase

namespace wirekit::http1 {

/// Writes one message (or several, pipelined) into a fixed buffer.
///
/// ```
/// char buf[512];
/// message_writer w(buf);
/// w.request_line("GET", "/hello.txt");
/// w.field("Host", "www.example.com");
/// w.end_head();
/// send(w.written());
/// ```
class message_writer {
public:
    explicit message_writer(std::span<char> out) noexcept : out_(out) {}

    /// method SP request-target SP HTTP-version CRLF (RFC 9112 §3).
    result<void> request_line(std::string_view method, std::string_view target, http_version v = {}) noexcept {
        if (!is_token(method)) return bad("method is not a token");
        if (target.empty()) return bad("empty request-target");
        for (char c : target)
            if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F)
                return bad("invalid character in request-target");
        if (auto t = check_target_form(method, target); !t.detail.empty()) return bad(t.detail);
        WIREKIT_TRY_VOID(check_version(v));
        const char ver[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + v.major), '.',
                            static_cast<char>('0' + v.minor)};
        return put({method, " ", target, " ", std::string_view(ver, 8), "\r\n"});
    }

    /// HTTP-version SP status-code SP reason-phrase CRLF (RFC 9112 §4). The
    /// reason defaults to the registered phrase.
    result<void> status_line(int status, std::string_view reason, http_version v = {}) noexcept {
        if (status < 100 || status > 599) return bad("status-code outside 100..599");
        for (char c : reason) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && u != '\t') || u == 0x7F) return bad("control character in reason-phrase");
        }
        WIREKIT_TRY_VOID(check_version(v));
        const char line[] = {'H', 'T', 'T', 'P', '/', static_cast<char>('0' + v.major), '.',
                             static_cast<char>('0' + v.minor), ' ', static_cast<char>('0' + status / 100),
                             static_cast<char>('0' + status / 10 % 10), static_cast<char>('0' + status % 10), ' '};
        return put({std::string_view(line, sizeof line), reason, "\r\n"});
    }
    result<void> status_line(int status, http_version v = {}) noexcept {
        return status_line(status, reason_phrase(status), v);
    }

    /// field-name ":" SP field-value CRLF (RFC 9112 §5).
    result<void> field(std::string_view name, std::string_view value) noexcept {
        if (!is_token(name)) return bad("field name is not a token");
        for (char c : value)
            if (!is_field_char(static_cast<unsigned char>(c))) return bad("control character in field value");
        if (!value.empty() && (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' ||
                               value.back() == '\t'))
            return bad("field value has surrounding whitespace");
        return put({name, ": ", value, "\r\n"});
    }
    result<void> field(const http1::field& f) noexcept { return field(f.name, f.value); }

    /// Content-Length: n (RFC 9110 §8.6).
    result<void> content_length(std::uint64_t n) noexcept {
        char digits[20];
        return field("Content-Length", decimal(n, digits));
    }
    /// Transfer-Encoding: chunked (RFC 9112 §6.1).
    result<void> chunked() noexcept { return field("Transfer-Encoding", "chunked"); }

    /// The empty line that ends the head.
    result<void> end_head() noexcept { return put({"\r\n"}); }

    /// Raw body bytes (for a Content-Length body).
    result<void> body(std::string_view data) noexcept { return put({data}); }
    result<void> body(bytes_view data) noexcept { return put({as_chars(data)}); }

    /// One chunk: chunk-size [ chunk-ext ] CRLF chunk-data CRLF (RFC 9112 §7.1).
    /// `ext` is written verbatim after the size and must be ";name[=value]..."
    /// (validated by the caller). Empty data writes nothing (a zero-size
    /// chunk would end the body: use last_chunk()).
    result<void> chunk(std::string_view data, std::string_view ext = {}) noexcept {
        if (data.empty()) return {};
        for (char c : ext)
            if (c == '\r' || c == '\n') return bad("line break in chunk extension");
        char hex[16];
        std::size_t n = 0;
        for (std::uint64_t v = data.size(); v != 0; v >>= 4) hex[15 - n++] = "0123456789abcdef"[v & 0xF];
        return put({std::string_view(hex + 16 - n, n), ext, "\r\n", data, "\r\n"});
    }
    result<void> chunk(bytes_view data, std::string_view ext = {}) noexcept { return chunk(as_chars(data), ext); }

    /// last-chunk, trailer fields and the final CRLF (RFC 9112 §7.1, §7.1.2).
    result<void> last_chunk(std::span<const http1::field> trailers = {}) noexcept {
        const std::size_t mark = len_;
        if (auto r = put({"0\r\n"}); !r) return r;
        for (const http1::field& f : trailers)
            if (auto r = field(f); !r) {
                len_ = mark;  // all or nothing
                return r;
            }
        if (auto r = end_head(); !r) {
            len_ = mark;
            return r;
        }
        return {};
    }

    /// Bytes written so far.
    [[nodiscard]] std::size_t size() const noexcept { return len_; }
    [[nodiscard]] std::string_view written() const noexcept { return {out_.data(), len_}; }
    /// Forgets what was written (the buffer is reused from its start).
    void clear() noexcept { len_ = 0; }

private:
    static std::string_view decimal(std::uint64_t n, char (&buf)[20]) noexcept {
        std::size_t i = 20;
        do {
            buf[--i] = static_cast<char>('0' + n % 10);
            n /= 10;
        } while (n != 0);
        return {buf + i, 20 - i};
    }
    result<void> check_version(http_version v) const noexcept {
        if (v.major != 1 || v.minor < 0 || v.minor > 9) return bad("HTTP-version must be 1.x");
        return {};
    }
    wire_error bad(std::string_view what) const noexcept { return make_error(errc::malformed, layer_name, len_, what); }

    result<void> put(std::initializer_list<std::string_view> parts) noexcept {
        std::size_t total = 0;
        for (std::string_view p : parts) total += p.size();
        if (total > out_.size() - len_) return make_error(errc::no_space, layer_name, len_, "output buffer too small");
        for (std::string_view p : parts) {
            for (std::size_t k = 0; k < p.size(); ++k) out_[len_ + k] = p[k];
            len_ += p.size();
        }
        return {};
    }

    std::span<char> out_;
    std::size_t len_ = 0;
};

}  // namespace wirekit::http1
