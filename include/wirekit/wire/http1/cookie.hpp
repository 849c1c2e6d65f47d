// wirekit/wire/http1/cookie.hpp — Cookie and Set-Cookie (RFC 6265).
//
// Layer L2. Views into the field value; nothing is allocated.
//   cookie_pairs(value)      the name=value pairs of a Cookie header (§4.2, §5.4)
//   parse_set_cookie(value)  a Set-Cookie header by the user-agent algorithm
//                            of §5.2, with Expires per §5.1.1 and SameSite
//                            (RFC 6265bis)
//   parse_cookie_date(text)  the lenient cookie-date algorithm (§5.1.1)
#pragma once

#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <optional>     // optional attributes
#include <string_view>  // views into the value

#include "wirekit/core/result.hpp"        // result, wire_error
#include "wirekit/wire/http1/chars.hpp"   // iequals
#include "wirekit/wire/http1/date.hpp"    // days_from_civil
#include "wirekit/wire/http1/fields.hpp"  // trim_ows

namespace wirekit::http1 {

/// One cookie-pair (RFC 6265 §4.1.1): name and value (a quoted value keeps
/// its DQUOTEs, as user agents store it).
struct cookie_pair {
    std::string_view name;
    std::string_view value;
};

/// The pairs of a Cookie header value, "a=1; b=2" (RFC 6265 §4.2.1). Pairs are
/// split on ';' and trimmed; an element without '=' is skipped.
///
/// ```
/// for (auto [name, value] : cookie_pairs("SID=31d4d96e407aad42; lang=en-US")) ...
/// ```
class cookie_pairs {
public:
    constexpr explicit cookie_pairs(std::string_view value) noexcept : v_(value) {}

    class iterator {
    public:
        using value_type = cookie_pair;
        using difference_type = std::ptrdiff_t;
        constexpr iterator() noexcept = default;
        constexpr explicit iterator(std::string_view rest) noexcept : rest_(rest), at_end_(false) { advance(); }
        constexpr cookie_pair operator*() const noexcept { return cur_; }
        constexpr iterator& operator++() noexcept { advance(); return *this; }
        constexpr iterator operator++(int) noexcept { iterator t = *this; advance(); return t; }
        friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.at_end_ == b.at_end_ && (a.at_end_ || a.cur_.name.data() == b.cur_.name.data());
        }

    private:
        constexpr void advance() noexcept {
            while (!done_) {
                const std::size_t semi = rest_.find(';');
                std::string_view elem = rest_.substr(0, semi);
                if (semi == std::string_view::npos) done_ = true;
                else rest_.remove_prefix(semi + 1);
                const std::size_t eq = elem.find('=');
                if (eq == std::string_view::npos) continue;
                cur_ = {trim_ows(elem.substr(0, eq)), trim_ows(elem.substr(eq + 1))};
                if (cur_.name.empty()) continue;
                return;
            }
            at_end_ = true;
        }
        std::string_view rest_{};
        cookie_pair cur_{};
        bool done_ = false;
        bool at_end_ = true;
    };

    [[nodiscard]] constexpr iterator begin() const noexcept { return iterator(v_); }
    [[nodiscard]] constexpr iterator end() const noexcept { return iterator(); }

private:
    std::string_view v_;
};

/// The SameSite attribute (RFC 6265bis §4.1.2.7); `unset` if absent or unknown.
enum class same_site : std::uint8_t { unset, strict, lax, none };

/// A Set-Cookie header value parsed by RFC 6265 §5.2. Attribute values are
/// views; an attribute that appears several times keeps its last value (§5.3).
struct set_cookie {
    std::string_view name;
    std::string_view value;
    std::optional<std::int64_t> expires;  ///< seconds since the epoch (§5.2.1)
    std::optional<std::int64_t> max_age;  ///< seconds; <= 0 means "expire now" (§5.2.2)
    std::string_view domain;              ///< without a leading '.' (§5.2.3); empty if absent
    std::string_view path;                ///< empty if absent or not starting with '/' (§5.2.4)
    bool secure = false;                  ///< §5.2.5
    bool http_only = false;               ///< §5.2.6
    same_site site = same_site::unset;
};

namespace detail {

/// cookie-date delimiter (RFC 6265 §5.1.1).
constexpr bool cookie_delim(unsigned char c) noexcept {
    return c == 0x09 || (c >= 0x20 && c <= 0x2F) || (c >= 0x3B && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

/// 1*max DIGIT at the start of `t` (at least `min`); the value, or -1.
constexpr int leading_digits(std::string_view t, std::size_t min, std::size_t max, std::size_t& used) noexcept {
    int v = 0;
    used = 0;
    while (used < t.size() && used < max && t[used] >= '0' && t[used] <= '9') v = v * 10 + (t[used++] - '0');
    if (used < min) return -1;
    // "followed by non-digit": a further digit makes the token fail the rule.
    if (used < t.size() && t[used] >= '0' && t[used] <= '9') return -1;
    return v;
}

}  // namespace detail

/// The lenient cookie-date algorithm of RFC 6265 §5.1.1 (for Expires): finds
/// the first time, day-of-month, month and year tokens in any order. Errors:
/// malformed, offset 0, when a part is missing or out of range.
[[nodiscard]] constexpr result<std::int64_t> parse_cookie_date(std::string_view s) noexcept {
    bool ft = false, fd = false, fm = false, fy = false;
    int hh = 0, mi = 0, ss = 0, day = 0, mon = 0, year = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && detail::cookie_delim(static_cast<unsigned char>(s[i]))) ++i;
        const std::size_t b = i;
        while (i < s.size() && !detail::cookie_delim(static_cast<unsigned char>(s[i]))) ++i;
        const std::string_view tok = s.substr(b, i - b);
        if (tok.empty()) continue;
        std::size_t u = 0;
        if (!ft) {
            // time = hms-time ( non-digit *OCTET ); hms-time = 1*2DIGIT ":" 1*2DIGIT ":" 1*2DIGIT
            std::size_t p = 0;
            const int h = detail::leading_digits(tok, 1, 2, u);
            if (h >= 0 && (p = u) < tok.size() && tok[p] == ':') {
                const int m = detail::leading_digits(tok.substr(p + 1), 1, 2, u);
                p += 1 + u;
                if (m >= 0 && p < tok.size() && tok[p] == ':') {
                    const int sec = detail::leading_digits(tok.substr(p + 1), 1, 2, u);
                    if (sec >= 0) {
                        ft = true;
                        hh = h, mi = m, ss = sec;
                        continue;
                    }
                }
            }
        }
        if (!fd) {
            const int d = detail::leading_digits(tok, 1, 2, u);
            if (d >= 0) { fd = true; day = d; continue; }
        }
        if (!fm && tok.size() >= 3) {
            const std::string_view m3 = tok.substr(0, 3);
            int k = 0;
            for (std::string_view mn : detail::month_names) {
                ++k;
                if (iequals(m3, mn)) { fm = true; mon = k; break; }
            }
            if (fm) continue;
        }
        if (!fy) {
            const int y = detail::leading_digits(tok, 2, 4, u);
            if (y >= 0) { fy = true; year = y; continue; }
        }
    }
    if (fy && year >= 70 && year <= 99) year += 1900;
    else if (fy && year >= 0 && year <= 69) year += 2000;
    if (!ft || !fd || !fm || !fy) return make_error(errc::malformed, "http1", 0, "cookie-date lacks a part");
    if (day < 1 || day > 31 || year < 1601 || hh > 23 || mi > 59 || ss > 59 || day > detail::days_in_month(year, mon))
        return make_error(errc::malformed, "http1", 0, "cookie-date out of range");
    return detail::days_from_civil(year, mon, day) * 86400 + hh * 3600 + mi * 60 + ss;
}

/// Parses a Set-Cookie value as a user agent does (RFC 6265 §5.2). Errors
/// (the cookie must be ignored): malformed, "Set-Cookie without '='" or
/// "empty cookie name", with the offset in `s`. Unknown attributes and
/// attributes with invalid values are ignored, as §5.2 requires.
[[nodiscard]] constexpr result<set_cookie> parse_set_cookie(std::string_view s) noexcept {
    set_cookie c;
    const std::size_t semi = s.find(';');
    const std::string_view nv = s.substr(0, semi);
    const std::size_t eq = nv.find('=');
    if (eq == std::string_view::npos) return make_error(errc::malformed, "http1", nv.size(), "Set-Cookie without '='");
    c.name = trim_ows(nv.substr(0, eq));
    c.value = trim_ows(nv.substr(eq + 1));
    if (c.name.empty()) return make_error(errc::malformed, "http1", 0, "empty cookie name");
    std::string_view rest = semi == std::string_view::npos ? std::string_view{} : s.substr(semi + 1);
    bool more = semi != std::string_view::npos;
    while (more) {
        const std::size_t next = rest.find(';');
        const std::string_view av = rest.substr(0, next);
        more = next != std::string_view::npos;
        if (more) rest.remove_prefix(next + 1);
        const std::size_t aeq = av.find('=');
        const std::string_view an = trim_ows(av.substr(0, aeq));
        const std::string_view val = aeq == std::string_view::npos ? std::string_view{} : trim_ows(av.substr(aeq + 1));
        if (iequals(an, "expires")) {
            if (auto t = parse_cookie_date(val)) c.expires = *t;
        } else if (iequals(an, "max-age")) {
            // "-"? DIGIT ... ; a non-conforming value leaves the attribute out (§5.2.2)
            std::size_t k = 0;
            bool neg = false;
            if (!val.empty() && val[0] == '-') { neg = true; k = 1; }
            if (k >= val.size()) continue;
            std::int64_t v = 0;
            bool ok = true;
            for (; k < val.size(); ++k) {
                if (val[k] < '0' || val[k] > '9') { ok = false; break; }
                if (v < (INT64_MAX - 9) / 10) v = v * 10 + (val[k] - '0');  // saturate
            }
            if (ok) c.max_age = neg ? (v == 0 ? 0 : -v) : v;
        } else if (iequals(an, "domain")) {
            std::string_view d = val;
            if (!d.empty() && d.front() == '.') d.remove_prefix(1);
            if (!d.empty()) c.domain = d;
        } else if (iequals(an, "path")) {
            c.path = (!val.empty() && val.front() == '/') ? val : std::string_view{};
        } else if (iequals(an, "secure")) {
            c.secure = true;
        } else if (iequals(an, "httponly")) {
            c.http_only = true;
        } else if (iequals(an, "samesite")) {
            c.site = iequals(val, "strict") ? same_site::strict
                     : iequals(val, "lax")  ? same_site::lax
                     : iequals(val, "none") ? same_site::none
                                            : same_site::unset;
        }
    }
    return c;
}

}  // namespace wirekit::http1
