// wirekit/core/format.hpp — fmt formatters for the core vocabulary.
//
// Layer L0, opt-in (include it where you print). Provides fmt::formatter for
//  * wire_error:   "ipv4: truncated at byte 12 (shorter than the header length)"
//  * mac_address:  "b8:e3:56:15:6a:72"           (IEEE 802 canonical, lower case)
//  * ipv4_address: "10.66.0.1"
//  * ipv6_address: "fe80::1"                      (RFC 5952 §4 canonical form)
//  * any view<L>:  generic, from the layout's reflection:
//      "{}"  -> "ipv4{version=4 ihl=5 ... dst_addr=10.66.0.2}"
//      "{:v}" -> one "name: value" line per field (a field tree)
#pragma once

#include <fmt/format.h>  // fmt::formatter, fmt::format_to

#include <boost/hana/for_each.hpp>  // iterate the layout's fields

#include <cstddef>      // std::byte
#include <algorithm>    // std::copy of the formatted buffer
#include <type_traits>  // type classification of field values

#include "address.hpp"  // address types
#include "result.hpp"   // wire_error
#include "view.hpp"     // view<L>

template <>
struct fmt::formatter<wirekit::wire_error> : fmt::formatter<std::string_view> {
    template <class Ctx>
    auto format(const wirekit::wire_error& e, Ctx& ctx) const {
        auto out = fmt::format_to(ctx.out(), "{}: {} at byte {}", e.layer, wirekit::to_string(e.kind), e.offset);
        if (!e.detail.empty()) out = fmt::format_to(out, " ({})", e.detail);
        return out;
    }
};

template <>
struct fmt::formatter<wirekit::errc> : fmt::formatter<std::string_view> {
    template <class Ctx>
    auto format(wirekit::errc e, Ctx& ctx) const {
        return fmt::formatter<std::string_view>::format(wirekit::to_string(e), ctx);
    }
};

template <>
struct fmt::formatter<wirekit::mac_address> : fmt::formatter<std::string_view> {
    template <class Ctx>
    auto format(const wirekit::mac_address& m, Ctx& ctx) const {
        const auto& o = m.octets;
        return fmt::format_to(ctx.out(), "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", unsigned(o[0]), unsigned(o[1]),
                              unsigned(o[2]), unsigned(o[3]), unsigned(o[4]), unsigned(o[5]));
    }
};

template <>
struct fmt::formatter<wirekit::ipv4_address> : fmt::formatter<std::string_view> {
    template <class Ctx>
    auto format(const wirekit::ipv4_address& a, Ctx& ctx) const {
        const auto& o = a.octets;
        return fmt::format_to(ctx.out(), "{}.{}.{}.{}", unsigned(o[0]), unsigned(o[1]), unsigned(o[2]), unsigned(o[3]));
    }
};

template <>
struct fmt::formatter<wirekit::ipv6_address> : fmt::formatter<std::string_view> {
    template <class Ctx>
    auto format(const wirekit::ipv6_address& a, Ctx& ctx) const {
        // RFC 5952 §4.2: compress the longest run (leftmost on ties) of two or
        // more zero groups with "::"; §4.3: lower case, no leading zeros.
        // RFC 5952 §5: IPv4-mapped addresses end in dotted decimal.
        if (a.group(0) == 0 && a.group(1) == 0 && a.group(2) == 0 && a.group(3) == 0 && a.group(4) == 0 &&
            a.group(5) == 0xffff) {
            const auto& o = a.octets;
            return fmt::format_to(ctx.out(), "::ffff:{}.{}.{}.{}", unsigned(o[12]), unsigned(o[13]), unsigned(o[14]),
                                  unsigned(o[15]));
        }
        int best = -1, best_len = 1;
        for (int i = 0; i < 8;) {
            if (a.group(std::size_t(i)) != 0) { ++i; continue; }
            int j = i;
            while (j < 8 && a.group(std::size_t(j)) == 0) ++j;
            if (j - i > best_len) { best = i; best_len = j - i; }
            i = j;
        }
        auto out = ctx.out();
        for (int i = 0; i < 8; ++i) {
            if (i == best) {
                out = fmt::format_to(out, "::");
                i += best_len - 1;
                continue;
            }
            if (i > 0 && i != best + best_len) out = fmt::format_to(out, ":");
            out = fmt::format_to(out, "{:x}", a.group(std::size_t(i)));
        }
        return out;
    }
};

namespace wirekit::detail {
/// Appends the separator and "name=" (or "\n  name: " in tree form).
/// Non-template, so every layout shares one compiled copy.
inline void format_field_name(fmt::memory_buffer& buf, std::string_view name, bool tree, bool first) {
    if (tree) {
        buf.append(std::string_view("\n  "));
        buf.append(name);
        buf.append(std::string_view(": "));
    } else {
        if (!first) buf.push_back(' ');
        buf.append(name);
        buf.push_back('=');
    }
}
/// Appends an integer field value in decimal.
inline void format_field_uint(fmt::memory_buffer& buf, std::uint64_t v) {
    fmt::format_to(fmt::appender(buf), "{}", v);
}
/// Appends raw bytes as 0x-prefixed hex.
inline void format_field_hex(fmt::memory_buffer& buf, const std::byte* p, std::size_t n) {
    buf.append(std::string_view("0x"));
    for (std::size_t i = 0; i < n; ++i) fmt::format_to(fmt::appender(buf), "{:02x}", std::to_integer<unsigned>(p[i]));
}

/// Appends one field value: integers, bools and enums as numbers (enums by
/// their own formatter when fmt has one), byte arrays by their formatter or
/// in hex.
template <class T>
void format_field_value(fmt::memory_buffer& buf, const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        buf.push_back(v ? '1' : '0');
    } else if constexpr (fmt::is_formattable<T>::value && !std::is_integral_v<T>) {
        fmt::format_to(fmt::appender(buf), "{}", v);
    } else if constexpr (std::is_enum_v<T>) {
        format_field_uint(buf, static_cast<std::uint64_t>(static_cast<std::underlying_type_t<T>>(v)));
    } else if constexpr (std::is_integral_v<T>) {
        format_field_uint(buf, static_cast<std::uint64_t>(v));
    } else {
        auto raw = std::bit_cast<std::array<std::byte, sizeof(T)>>(v);
        format_field_hex(buf, raw.data(), raw.size());
    }
}
}  // namespace wirekit::detail

namespace wirekit {
/// Base for protocol formatters with two forms: "{}" (a one-line summary)
/// and "{:v}" (a multi-line field tree). Derive from it and write `format`,
/// testing `tree`. Any other format spec is a fmt::format_error.
struct summary_or_tree_formatter {
    bool tree = false;  ///< true for "{:v}"
    constexpr auto parse(fmt::format_parse_context& ctx) {
        auto it = ctx.begin();
        if (it != ctx.end() && *it == 'v') {
            tree = true;
            ++it;
        }
        if (it != ctx.end() && *it != '}') throw fmt::format_error("wirekit: format spec is {} or {:v}");
        return it;
    }
};
}  // namespace wirekit

namespace wirekit::detail {
/// Views (and classes derived from them) that use the generic formatter.
/// A protocol view opts out by declaring `using custom_format = void;` and
/// providing its own fmt::formatter.
template <class V>
concept generic_formattable_view =
    requires {
        typename V::layout_type;
        typename V::span_type;
    } && std::is_base_of_v<view<typename V::layout_type, typename V::span_type>, V> &&
    !requires { typename V::custom_format; };
}  // namespace wirekit::detail

/// Generic formatter for any layout view, driven by the layout's reflection.
template <class V>
struct fmt::formatter<V, char, std::enable_if_t<wirekit::detail::generic_formattable_view<V>>>
    : wirekit::summary_or_tree_formatter {
    using L = typename V::layout_type;
    template <class Ctx>
    auto format(const V& v, Ctx& ctx) const {
        // Fields are appended through non-template helpers into one buffer,
        // so each layout instantiates only the per-field reads.
        fmt::memory_buffer buf;
        buf.append(L::name);
        if (tree) {
            buf.append(std::string_view(" ("));
            wirekit::detail::format_field_uint(buf, v.header_length());
            buf.append(std::string_view(" bytes)"));
        } else {
            buf.push_back('{');
        }
        bool first = true;
        boost::hana::for_each(L::fields, [&](auto t) {
            using P = typename decltype(t)::type;
            wirekit::detail::format_field_name(buf, P::name.view(), tree, first);
            wirekit::detail::format_field_value(buf, v.template get<P::name>());
            first = false;
        });
        if (!tree) buf.push_back('}');
        return std::copy(buf.begin(), buf.end(), ctx.out());
    }
};
