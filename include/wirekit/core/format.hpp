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
/// Prints one field value: integers in decimal, enums as their number unless
/// fmt can print them, byte arrays through their formatter or in hex.
template <class T, class Out>
Out format_field_value(Out out, const T& v) {
    if constexpr (std::is_same_v<T, bool>) return fmt::format_to(out, "{}", v ? 1 : 0);
    else if constexpr (fmt::is_formattable<T>::value && !std::is_enum_v<T>) return fmt::format_to(out, "{}", v);
    else if constexpr (std::is_enum_v<T>) {
        if constexpr (fmt::is_formattable<T>::value) return fmt::format_to(out, "{}", v);
        else return fmt::format_to(out, "{}", static_cast<std::underlying_type_t<T>>(v));
    } else {
        auto raw = std::bit_cast<std::array<std::byte, sizeof(T)>>(v);
        out = fmt::format_to(out, "0x");
        for (auto b : raw) out = fmt::format_to(out, "{:02x}", unsigned(b));
        return out;
    }
}
}  // namespace wirekit::detail

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
struct fmt::formatter<V, char, std::enable_if_t<wirekit::detail::generic_formattable_view<V>>> {
    using L = typename V::layout_type;
    bool tree = false;
    constexpr auto parse(fmt::format_parse_context& ctx) {
        auto it = ctx.begin();
        if (it != ctx.end() && *it == 'v') {
            tree = true;
            ++it;
        }
        if (it != ctx.end() && *it != '}') throw fmt::format_error("wirekit view: format spec is {} or {:v}");
        return it;
    }
    template <class Ctx>
    auto format(const V& v, Ctx& ctx) const {
        auto out = ctx.out();
        if (tree) out = fmt::format_to(out, "{} ({} bytes)", L::name, v.header_length());
        else out = fmt::format_to(out, "{}{{", L::name);
        bool first = true;
        boost::hana::for_each(L::fields, [&](auto t) {
            using P = typename decltype(t)::type;
            if (tree) out = fmt::format_to(out, "\n  {}: ", P::name.view());
            else out = fmt::format_to(out, "{}{}=", first ? "" : " ", P::name.view());
            out = wirekit::detail::format_field_value(out, v.template get<P::name>());
            first = false;
        });
        if (!tree) out = fmt::format_to(out, "}}");
        return out;
    }
};
