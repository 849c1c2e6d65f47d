// wirekit/core/address.hpp — MAC, IPv4 and IPv6 addresses as byte-array
// field types.
//
// Layer L0. Each address is a trivially copyable array of octets in network
// byte order, exactly as wide as on the wire, so it can be a layout field
// (`field<"src_addr", 32, ipv4_address>`). Parsing from text returns
// std::optional: nullopt means the text is not an address.
#pragma once

#include <array>        // octet storage
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // std::uint32_t
#include <optional>     // parse results
#include <string_view>  // text input

namespace wirekit {

namespace detail {
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace detail

/// An IEEE 802 48-bit MAC address (6 octets, transmission order).
struct mac_address {
    std::array<std::byte, 6> octets{};

    /// ff:ff:ff:ff:ff:ff.
    static constexpr mac_address broadcast() noexcept {
        mac_address m;
        m.octets.fill(std::byte{0xff});
        return m;
    }
    /// From six octet values, e.g. mac_address::of(0xb8, 0xe3, 0x56, 0x15, 0x6a, 0x72).
    static constexpr mac_address of(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d,
                                    std::uint8_t e, std::uint8_t f) noexcept {
        return mac_address{{std::byte{a}, std::byte{b}, std::byte{c}, std::byte{d}, std::byte{e}, std::byte{f}}};
    }
    /// Parses "b8:e3:56:15:6a:72" or "1A-2F-BB-76-09-AD" (two hex digits per
    /// octet, one consistent separator, either case). nullopt otherwise.
    static constexpr std::optional<mac_address> parse(std::string_view s) noexcept {
        if (s.size() != 17) return std::nullopt;
        const char sep = s[2];
        if (sep != ':' && sep != '-') return std::nullopt;
        mac_address m;
        for (std::size_t i = 0; i < 6; ++i) {
            const int hi = detail::hex_value(s[3 * i]);
            const int lo = detail::hex_value(s[3 * i + 1]);
            if (hi < 0 || lo < 0) return std::nullopt;
            if (i < 5 && s[3 * i + 2] != sep) return std::nullopt;
            m.octets[i] = static_cast<std::byte>(hi * 16 + lo);
        }
        return m;
    }
    /// All ones (IEEE 802-2014 §8.2).
    [[nodiscard]] constexpr bool is_broadcast() const noexcept { return *this == broadcast(); }
    /// I/G bit set: a group (multicast or broadcast) address.
    [[nodiscard]] constexpr bool is_multicast() const noexcept { return (octets[0] & std::byte{0x01}) != std::byte{0}; }
    /// Individual (unicast) address.
    [[nodiscard]] constexpr bool is_unicast() const noexcept { return !is_multicast(); }
    /// U/L bit set: a locally administered address.
    [[nodiscard]] constexpr bool is_local() const noexcept { return (octets[0] & std::byte{0x02}) != std::byte{0}; }

    friend constexpr bool operator==(const mac_address&, const mac_address&) = default;
};

/// An IPv4 address (RFC 791 §3.1): 4 octets, network byte order.
struct ipv4_address {
    std::array<std::byte, 4> octets{};

    /// From a host-order 32-bit value: 0x0a000001 is 10.0.0.1.
    static constexpr ipv4_address from_uint(std::uint32_t v) noexcept {
        return ipv4_address{{std::byte(v >> 24), std::byte((v >> 16) & 0xff), std::byte((v >> 8) & 0xff),
                             std::byte(v & 0xff)}};
    }
    static constexpr ipv4_address of(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept {
        return ipv4_address{{std::byte{a}, std::byte{b}, std::byte{c}, std::byte{d}}};
    }
    /// Parses dotted-decimal "10.66.0.1": four decimal octets 0..255, no
    /// leading zeros (RFC 6943 §3.1.1 strict form). nullopt otherwise.
    static constexpr std::optional<ipv4_address> parse(std::string_view s) noexcept {
        ipv4_address a;
        std::size_t i = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            if (k > 0) {
                if (i >= s.size() || s[i] != '.') return std::nullopt;
                ++i;
            }
            const std::size_t start = i;
            unsigned v = 0;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + unsigned(s[i++] - '0');
            const std::size_t len = i - start;
            if (len == 0 || v > 255 || (len > 1 && s[start] == '0')) return std::nullopt;
            a.octets[k] = static_cast<std::byte>(v);
        }
        if (i != s.size()) return std::nullopt;
        return a;
    }
    /// The address as a host-order 32-bit value.
    [[nodiscard]] constexpr std::uint32_t to_uint() const noexcept {
        return std::uint32_t(octets[0]) << 24 | std::uint32_t(octets[1]) << 16 | std::uint32_t(octets[2]) << 8 |
               std::uint32_t(octets[3]);
    }
    /// 255.255.255.255 (RFC 919).
    [[nodiscard]] constexpr bool is_broadcast() const noexcept { return to_uint() == 0xffffffffu; }
    /// 224.0.0.0/4 (RFC 5771).
    [[nodiscard]] constexpr bool is_multicast() const noexcept { return (to_uint() >> 28) == 0xe; }
    /// 127.0.0.0/8 (RFC 1122 §3.2.1.3).
    [[nodiscard]] constexpr bool is_loopback() const noexcept { return (to_uint() >> 24) == 127; }
    /// 0.0.0.0.
    [[nodiscard]] constexpr bool is_unspecified() const noexcept { return to_uint() == 0; }

    friend constexpr bool operator==(const ipv4_address&, const ipv4_address&) = default;
};

/// An IPv6 address (RFC 4291 §2): 16 octets, network byte order.
struct ipv6_address {
    std::array<std::byte, 16> octets{};

    /// The 16-bit group `i` (0..7), host order.
    [[nodiscard]] constexpr std::uint16_t group(std::size_t i) const noexcept {
        return static_cast<std::uint16_t>(std::uint16_t(octets[2 * i]) << 8 | std::uint16_t(octets[2 * i + 1]));
    }
    /// Parses RFC 4291 §2.2 text forms: eight groups, "::" for one run of
    /// zero groups, and an embedded dotted IPv4 tail ("::ffff:10.0.0.1").
    /// No zone index. nullopt otherwise.
    static constexpr std::optional<ipv6_address> parse(std::string_view s) noexcept {
        std::uint16_t groups[8]{};
        int n = 0, gap = -1;
        std::size_t i = 0;
        if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
            gap = 0;
            i = 2;
        } else if (!s.empty() && s[0] == ':') {
            return std::nullopt;
        }
        while (i < s.size()) {
            if (n >= 8) return std::nullopt;
            // An embedded IPv4 tail takes the last two groups.
            const std::size_t dot = s.find('.', i);
            const std::size_t colon = s.find(':', i);
            if (dot != std::string_view::npos && (colon == std::string_view::npos || dot < colon)) {
                auto v4 = ipv4_address::parse(s.substr(i));
                if (!v4 || n > 6) return std::nullopt;
                groups[n++] = static_cast<std::uint16_t>(v4->to_uint() >> 16);
                groups[n++] = static_cast<std::uint16_t>(v4->to_uint() & 0xffff);
                i = s.size();
                break;
            }
            unsigned v = 0;
            std::size_t len = 0;
            while (i < s.size() && len < 5 && detail::hex_value(s[i]) >= 0) {
                v = v * 16 + unsigned(detail::hex_value(s[i++]));
                ++len;
            }
            if (len == 0 || len > 4) return std::nullopt;
            groups[n++] = static_cast<std::uint16_t>(v);
            if (i == s.size()) break;
            if (s[i] != ':') return std::nullopt;
            ++i;
            if (i < s.size() && s[i] == ':') {
                if (gap >= 0) return std::nullopt;
                gap = n;
                ++i;
            } else if (i == s.size()) {
                return std::nullopt;  // trailing single colon
            }
        }
        if (gap < 0 && n != 8) return std::nullopt;
        if (gap >= 0 && n > 7) return std::nullopt;
        ipv6_address a;
        const int zeros = 8 - n;
        int out = 0;
        for (int k = 0; k < n; ++k) {
            if (k == gap) out += zeros;
            a.octets[std::size_t(2 * out)] = static_cast<std::byte>(groups[k] >> 8);
            a.octets[std::size_t(2 * out + 1)] = static_cast<std::byte>(groups[k] & 0xff);
            ++out;
        }
        return a;
    }
    /// ff00::/8 (RFC 4291 §2.7).
    [[nodiscard]] constexpr bool is_multicast() const noexcept { return octets[0] == std::byte{0xff}; }
    /// fe80::/10 (RFC 4291 §2.5.6).
    [[nodiscard]] constexpr bool is_link_local() const noexcept {
        return octets[0] == std::byte{0xfe} && (octets[1] & std::byte{0xc0}) == std::byte{0x80};
    }

    friend constexpr bool operator==(const ipv6_address&, const ipv6_address&) = default;
};

static_assert(sizeof(mac_address) == 6 && sizeof(ipv4_address) == 4 && sizeof(ipv6_address) == 16,
              "address types must be exactly their wire size");

}  // namespace wirekit
