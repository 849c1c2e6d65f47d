// wirekit/stack/route.hpp — IPv4 prefixes (CIDR) and a routing table with
// longest-prefix match.
//
// Layer L5. `ipv4_cidr` is a network prefix a.b.c.d/len (RFC 4632 §3.1)
// whose host bits are zero; `ipv4_interface` is an address with the length
// of its subnet ("10.0.0.2/24", as `ip addr` takes it). `routing_table<N>`
// holds up to N routes and picks, for a destination, the matching route with
// the longest prefix (RFC 1812 §5.2.4.3 "Basic Match" then "Longest Match";
// RFC 4632 §5.1). A /0 route is the default route. No allocation.
#pragma once

#include <array>        // route storage
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t, std::uint32_t
#include <optional>     // parse and lookup results
#include <string_view>  // text input

#include "../core/address.hpp"  // ipv4_address

namespace wirekit::stack {

/// The netmask of a prefix length 0..32, host order: 24 -> 0xffffff00.
[[nodiscard]] constexpr std::uint32_t prefix_mask(std::uint8_t len) noexcept {
    return len == 0 ? 0u : len >= 32 ? 0xffffffffu : ~((std::uint32_t{1} << (32 - len)) - 1u);
}

namespace detail {
// Parses "/len" tails: 1..2 decimal digits, 0..32, no leading zero.
constexpr std::optional<std::uint8_t> parse_prefix_len(std::string_view s) noexcept {
    if (s.empty() || s.size() > 2 || (s.size() == 2 && s[0] == '0')) return std::nullopt;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + unsigned(c - '0');
    }
    if (v > 32) return std::nullopt;
    return static_cast<std::uint8_t>(v);
}
}  // namespace detail

/// An IPv4 network prefix (RFC 4632 §3.1): `network`/`length`, with every
/// bit of `network` past `length` zero. Build with make() or parse().
struct ipv4_cidr {
    ipv4_address network{};    ///< the prefix, host bits zero
    std::uint8_t length = 0;   ///< prefix length in bits, 0..32

    /// The prefix of `length` bits (0..32) containing `addr`: host bits are
    /// cleared. nullopt when length > 32.
    static constexpr std::optional<ipv4_cidr> containing(ipv4_address addr, std::uint8_t length) noexcept {
        if (length > 32) return std::nullopt;
        return ipv4_cidr{ipv4_address::from_uint(addr.to_uint() & prefix_mask(length)), length};
    }
    /// `network`/`length` if length <= 32 and no host bit is set; nullopt otherwise.
    static constexpr std::optional<ipv4_cidr> make(ipv4_address network, std::uint8_t length) noexcept {
        if (length > 32 || (network.to_uint() & ~prefix_mask(length)) != 0) return std::nullopt;
        return ipv4_cidr{network, length};
    }
    /// Parses "200.23.16.0/21": a strict dotted-decimal address
    /// (ipv4_address::parse), '/', a length 0..32 without leading zeros.
    /// nullopt on bad text or when host bits are set ("200.23.16.1/21").
    static constexpr std::optional<ipv4_cidr> parse(std::string_view s) noexcept {
        const auto slash = s.find('/');
        if (slash == std::string_view::npos) return std::nullopt;
        const auto addr = ipv4_address::parse(s.substr(0, slash));
        const auto len = detail::parse_prefix_len(s.substr(slash + 1));
        if (!addr || !len) return std::nullopt;
        return make(*addr, *len);
    }
    /// The netmask, e.g. 255.255.248.0 for /21.
    [[nodiscard]] constexpr ipv4_address netmask() const noexcept { return ipv4_address::from_uint(prefix_mask(length)); }
    /// The directed broadcast address (all host bits one, RFC 919/922).
    [[nodiscard]] constexpr ipv4_address broadcast() const noexcept {
        return ipv4_address::from_uint(network.to_uint() | ~prefix_mask(length));
    }
    /// True when the first `length` bits of `addr` equal the prefix.
    [[nodiscard]] constexpr bool contains(ipv4_address addr) const noexcept {
        return (addr.to_uint() & prefix_mask(length)) == network.to_uint();
    }
    friend constexpr bool operator==(const ipv4_cidr&, const ipv4_cidr&) = default;
};

/// An interface address with its subnet: "10.0.0.2/24" (host bits allowed,
/// as `ip addr add` takes it).
struct ipv4_interface {
    ipv4_address address{};   ///< the interface's own address
    std::uint8_t length = 0;  ///< subnet prefix length, 0..32

    /// Parses "A.B.C.D/LEN" with strict dotted decimal and LEN 0..32.
    static constexpr std::optional<ipv4_interface> parse(std::string_view s) noexcept {
        const auto slash = s.find('/');
        if (slash == std::string_view::npos) return std::nullopt;
        const auto addr = ipv4_address::parse(s.substr(0, slash));
        const auto len = detail::parse_prefix_len(s.substr(slash + 1));
        if (!addr || !len) return std::nullopt;
        return ipv4_interface{*addr, *len};
    }
    /// The directly connected subnet, e.g. 10.0.0.0/24.
    [[nodiscard]] constexpr ipv4_cidr subnet() const noexcept {
        return ipv4_cidr{ipv4_address::from_uint(address.to_uint() & prefix_mask(length)), length > 32 ? std::uint8_t{32} : length};
    }
    friend constexpr bool operator==(const ipv4_interface&, const ipv4_interface&) = default;
};

/// One route: packets to `destination` go out interface `iface`, to
/// `gateway` if set, else directly to the destination (on-link).
struct route {
    ipv4_cidr destination{};
    std::optional<ipv4_address> gateway{};  ///< next-hop router; nullopt = on-link
    std::size_t iface = 0;                  ///< the stack's interface index (a link number)

    /// The address to resolve with ARP for a packet to `dst`: the gateway,
    /// or `dst` itself for an on-link route (RFC 1122 §3.3.1.1).
    [[nodiscard]] constexpr ipv4_address next_hop(ipv4_address dst) const noexcept { return gateway ? *gateway : dst; }
    friend constexpr bool operator==(const route&, const route&) = default;
};

/// Up to N routes with longest-prefix-match lookup (RFC 1812 §5.2.4.3).
/// Prefixes are unique: one route per prefix. Lookup scans all N (routes
/// are few in a host stack). No allocation; constexpr-usable.
template <std::size_t N>
class routing_table {
    static_assert(N > 0, "routing_table<N>: the table needs room for at least one route");

public:
    /// Adds a route to `destination`. Returns false when the table is full
    /// or `destination` already has a route (replace() changes one).
    constexpr bool add(ipv4_cidr destination, std::optional<ipv4_address> gateway = std::nullopt, std::size_t iface = 0) noexcept {
        if (size_ == N || find(destination)) return false;
        routes_[size_++] = route{destination, gateway, iface};
        return true;
    }
    /// Adds or replaces the route to `destination`. Returns false only when
    /// the table is full and the prefix is new.
    constexpr bool replace(ipv4_cidr destination, std::optional<ipv4_address> gateway = std::nullopt, std::size_t iface = 0) noexcept {
        if (route* r = find(destination)) {
            *r = route{destination, gateway, iface};
            return true;
        }
        return add(destination, gateway, iface);
    }
    /// Removes the route to exactly `destination`. Returns true if there was one.
    constexpr bool remove(ipv4_cidr destination) noexcept {
        route* r = find(destination);
        if (!r) return false;
        *r = routes_[--size_];
        routes_[size_] = route{};
        return true;
    }
    /// The route whose prefix matches `dst` in the most bits, or nullopt
    /// when none matches (no default route): RFC 1812 §5.2.4.3.
    [[nodiscard]] constexpr std::optional<route> lookup(ipv4_address dst) const noexcept {
        const route* best = nullptr;
        for (std::size_t i = 0; i < size_; ++i)
            if (routes_[i].destination.contains(dst) && (!best || routes_[i].destination.length > best->destination.length))
                best = &routes_[i];
        if (!best) return std::nullopt;
        return *best;
    }
    /// Routes held.
    [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
    /// N.
    [[nodiscard]] static constexpr std::size_t capacity() noexcept { return N; }
    /// The routes, in no particular order.
    [[nodiscard]] constexpr const route* begin() const noexcept { return routes_.data(); }
    [[nodiscard]] constexpr const route* end() const noexcept { return routes_.data() + size_; }

private:
    constexpr route* find(ipv4_cidr destination) noexcept {
        for (std::size_t i = 0; i < size_; ++i)
            if (routes_[i].destination == destination) return &routes_[i];
        return nullptr;
    }
    std::array<route, N> routes_{};
    std::size_t size_ = 0;
};

}  // namespace wirekit::stack
