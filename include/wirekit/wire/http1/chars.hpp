// wirekit/wire/http1/chars.hpp — HTTP/1.1 character classes and byte scanners.
//
// Layer L2. The character classes of RFC 9110 §5.6.2 (token, tchar), §5.5
// (field-vchar, obs-text) and RFC 5234 Appendix B.1 (VCHAR, CTL, HEXDIG),
// as constexpr tables, plus scanners that find the end of a run of allowed
// bytes. The scanners read only inside [begin, end): with SSE2 they compare 16
// bytes at a time but never load past `end`.
#pragma once

#include <array>        // std::array: the class tables
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <string_view>  // std::string_view

#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2 byte compares for the value and target scanners
#endif

namespace wirekit::http1 {

namespace detail {

/// Bit flags per byte value.
enum : std::uint8_t {
    c_tchar = 1,   ///< tchar (RFC 9110 §5.6.2)
    c_vchar = 2,   ///< field-vchar or SP/HTAB: may appear inside a field value (RFC 9110 §5.5)
    c_target = 4,  ///< may appear in a request-target: VCHAR 0x21..0x7E (RFC 9112 §3.2, RFC 3986)
    c_hex = 8,     ///< HEXDIG (case-insensitive, RFC 5234 / RFC 9112 §7.1)
};

constexpr std::array<std::uint8_t, 256> make_char_table() noexcept {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) {
        std::uint8_t f = 0;
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        if (alpha || digit) f |= c_tchar;
        for (char s : std::string_view("!#$%&'*+-.^_`|~"))
            if (c == static_cast<unsigned char>(s)) f |= c_tchar;
        if ((c >= 0x21 && c <= 0x7E) || c >= 0x80 || c == ' ' || c == '\t') f |= c_vchar;
        if (c >= 0x21 && c <= 0x7E) f |= c_target;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= c_hex;
        t[static_cast<std::size_t>(c)] = f;
    }
    return t;
}

inline constexpr std::array<std::uint8_t, 256> char_table = make_char_table();

}  // namespace detail

/// True if `c` is a tchar: a character allowed in a token (RFC 9110 §5.6.2).
[[nodiscard]] constexpr bool is_tchar(unsigned char c) noexcept { return (detail::char_table[c] & detail::c_tchar) != 0; }
/// True if `c` may appear inside a field value: VCHAR, obs-text, SP or HTAB (RFC 9110 §5.5).
[[nodiscard]] constexpr bool is_field_char(unsigned char c) noexcept { return (detail::char_table[c] & detail::c_vchar) != 0; }
/// True if `c` is a hexadecimal digit (RFC 5234 HEXDIG, either case).
[[nodiscard]] constexpr bool is_hexdig(unsigned char c) noexcept { return (detail::char_table[c] & detail::c_hex) != 0; }
/// True if `s` is a non-empty token (RFC 9110 §5.6.2), e.g. a method or field name.
[[nodiscard]] constexpr bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (!is_tchar(static_cast<unsigned char>(c))) return false;
    return true;
}

namespace detail {

/// First index in [i, end) whose byte is a CTL (0x00..0x1F or 0x7F), or `end`.
/// Used for field values and reason phrases: every other byte is allowed
/// there; HTAB stops the scan and the caller decides.
[[nodiscard]] inline std::size_t scan_field_chars(const char* p, std::size_t i, std::size_t end) noexcept {
#if defined(__SSE2__)
    const __m128i c1f = _mm_set1_epi8(0x1F);
    const __m128i c7f = _mm_set1_epi8(0x7F);
    while (i + 16 <= end) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, c1f), v);  // v <= 0x1F
        const __m128i del = _mm_cmpeq_epi8(v, c7f);
        const int m = _mm_movemask_epi8(_mm_or_si128(ctl, del));
        if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(m)));
        i += 16;
    }
#endif
    while (i < end) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c < 0x20 || c == 0x7F) return i;
        ++i;
    }
    return end;
}

/// First index in [i, end) whose byte is not VCHAR (0x21..0x7E), or `end`.
/// Used for the request-target, which ends at SP.
[[nodiscard]] inline std::size_t scan_target_chars(const char* p, std::size_t i, std::size_t end) noexcept {
#if defined(__SSE2__)
    const __m128i c20 = _mm_set1_epi8(0x20);
    const __m128i c7f = _mm_set1_epi8(0x7F);
    while (i + 16 <= end) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        const __m128i lo = _mm_cmpeq_epi8(_mm_min_epu8(v, c20), v);  // v <= 0x20
        const __m128i hi = _mm_cmpeq_epi8(_mm_max_epu8(v, c7f), v);  // v >= 0x7F
        const int m = _mm_movemask_epi8(_mm_or_si128(lo, hi));
        if (m != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(m)));
        i += 16;
    }
#endif
    while (i < end) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c <= 0x20 || c >= 0x7F) return i;
        ++i;
    }
    return end;
}

/// First index in [i, end) whose byte is not a tchar, or `end`.
[[nodiscard]] inline std::size_t scan_token_chars(const char* p, std::size_t i, std::size_t end) noexcept {
    while (i + 4 <= end) {
        if (!is_tchar(static_cast<unsigned char>(p[i]))) return i;
        if (!is_tchar(static_cast<unsigned char>(p[i + 1]))) return i + 1;
        if (!is_tchar(static_cast<unsigned char>(p[i + 2]))) return i + 2;
        if (!is_tchar(static_cast<unsigned char>(p[i + 3]))) return i + 3;
        i += 4;
    }
    while (i < end && is_tchar(static_cast<unsigned char>(p[i]))) ++i;
    return i;
}

/// ASCII lower-casing (field names are case-insensitive, RFC 9110 §5.1).
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace detail

/// ASCII case-insensitive equality, as field names and most tokens compare
/// (RFC 9110 §5.1, §5.6.2).
[[nodiscard]] constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (detail::ascii_lower(a[i]) != detail::ascii_lower(b[i])) return false;
    return true;
}

}  // namespace wirekit::http1
