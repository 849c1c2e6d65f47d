// wirekit/wire/ip_protocol.hpp — IP protocol / IPv6 Next Header numbers.
//
// Layer L2. Values from the IANA "Assigned Internet Protocol Numbers"
// registry, each with its defining RFC. Used by IPv4 Protocol (RFC 791 §3.1)
// and IPv6 Next Header (RFC 8200 §3) alike.
#pragma once

#include <cstdint>  // std::uint8_t

#include "../core/address.hpp"  // ipv4_address, ipv6_address (pseudo-headers)

namespace wirekit::ip_protocol {
inline constexpr std::uint8_t hopopt = 0;       ///< IPv6 Hop-by-Hop Options (RFC 8200 §4.3)
inline constexpr std::uint8_t icmp = 1;         ///< ICMP (RFC 792)
inline constexpr std::uint8_t tcp = 6;          ///< TCP (RFC 9293)
inline constexpr std::uint8_t udp = 17;         ///< UDP (RFC 768)
inline constexpr std::uint8_t ipv6_route = 43;  ///< IPv6 Routing header (RFC 8200 §4.4)
inline constexpr std::uint8_t ipv6_frag = 44;   ///< IPv6 Fragment header (RFC 8200 §4.5)
inline constexpr std::uint8_t esp = 50;         ///< ESP (RFC 4303)
inline constexpr std::uint8_t ah = 51;          ///< Authentication Header (RFC 4302)
inline constexpr std::uint8_t icmpv6 = 58;      ///< ICMPv6 (RFC 4443)
inline constexpr std::uint8_t ipv6_nonxt = 59;  ///< No Next Header (RFC 8200 §4.7)
inline constexpr std::uint8_t ipv6_opts = 60;   ///< IPv6 Destination Options (RFC 8200 §4.6)
}  // namespace wirekit::ip_protocol

namespace wirekit {
/// The IPv4 addresses a TCP/UDP checksum covers (pseudo-header, RFC 9293 §3.1, RFC 768).
struct ipv4_pseudo {
    ipv4_address src_addr{};
    ipv4_address dst_addr{};
};
/// The IPv6 addresses an upper-layer checksum covers (RFC 8200 §8.1).
struct ipv6_pseudo {
    ipv6_address src_addr{};
    ipv6_address dst_addr{};
};
}  // namespace wirekit
