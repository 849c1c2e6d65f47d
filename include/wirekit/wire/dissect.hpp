// wirekit/wire/dissect.hpp — whole-frame dissection: Ethernet (with VLAN
// tags) → ARP | IPv4 | IPv6 (extension chain) → TCP | UDP | ICMPv4 | ICMPv6.
//
// Layer L2. `dissect(frame)` demultiplexes by each layer's own fields
// (EtherType, Protocol / Next Header) and wraps every layer in its checked
// view: no copy, no allocation. Each layer's payload ends where its own
// length says, so Ethernet padding is never IP data. It checks structure
// only; checksums are verified on request (`verify_checksums`), because a
// capture taken with checksum offload carries unfilled ones.
//
// IPv4 fragments: the first fragment's transport header is dissected when it
// fits (ICMP, TCP), later fragments carry no transport layer; reassemble them
// with wire/reassembly.hpp first.
#pragma once

#include <array>     // std::array
#include <cstddef>   // std::size_t
#include <cstdint>   // std::uint8_t
#include <cstring>   // std::memcpy
#include <memory>    // std::construct_at
#include <optional>  // layers that may be absent
#include <type_traits>  // std::is_trivially_destructible_v

#include "../core/bytes.hpp"   // bytes_view
#include "../core/endian.hpp"  // load_be
#include "../core/result.hpp"  // result, wire_error
#include "arp.hpp"             // arp::packet
#include "ethernet.hpp"        // ethernet::frame, repr
#include "icmpv4.hpp"          // icmpv4::message
#include "icmpv6.hpp"          // icmpv6::message
#include "ip_protocol.hpp"     // protocol numbers
#include "ipv4.hpp"            // ipv4::packet
#include "ipv6.hpp"            // ipv6::packet, walk
#include "tcp.hpp"             // tcp::segment
#include "udp.hpp"             // udp::datagram

namespace wirekit {

/// The layers of one frame, each a checked view into the frame's bytes.
struct dissection {
    ethernet::frame eth{};
    ethernet::repr link{};                ///< addresses, tags, payload EtherType
    std::optional<arp::packet> arp{};
    std::optional<ipv4::packet> ipv4{};
    std::optional<ipv6::packet> ipv6{};
    ipv6::chain ipv6_chain{};             ///< valid when ipv6 is set
    bool fragment = false;                ///< an IPv4 fragment (MF or offset ≠ 0) or an IPv6 Fragment header
    std::optional<tcp::segment> tcp{};
    std::optional<udp::datagram> udp{};
    std::optional<icmpv4::message> icmpv4{};
    std::optional<icmpv6::message> icmpv6{};

    /// The transport-layer bytes (the IP payload), empty without IP.
    bytes_view transport{};
    /// Offset of `transport` in the frame.
    std::size_t transport_offset = 0;
};

/// Result of verify_checksums: true/false per checksum present.
struct checksum_report {
    std::optional<bool> ipv4{};       ///< header checksum
    std::optional<bool> transport{};  ///< TCP/UDP/ICMP/ICMPv6; absent for fragments and UDP with checksum 0 over IPv4
};

namespace detail {
/// V::check(b), with the error re-based to `base`.
template <class V>
constexpr result<void> check_at(bytes_view b, std::size_t base) noexcept {
    auto r = V::check(b);
    if (!r) return r.error().shifted(base);
    return r;
}
}  // namespace detail

/// Dissects an Ethernet frame (without FCS) into `d`, which is reset first.
/// The fast path: no large value is returned or copied. Errors as dissect().
[[nodiscard]] constexpr result<void> dissect_into(bytes_view frame_bytes, dissection& d) noexcept;

/// Dissects an Ethernet frame (without FCS). Errors carry the failing
/// layer's name and the byte offset within the frame: truncated / malformed
/// / bad_length from each layer's checked view, IPv4 option errors,
/// IPv6 extension-chain errors, TCP option errors. Unknown EtherTypes and
/// protocols are not errors: the dissection simply stops there.
[[nodiscard]] constexpr result<dissection> dissect(bytes_view frame_bytes) noexcept {
    dissection d;
    if (auto r = dissect_into(frame_bytes, d); !r) return r.error();
    return d;
}

namespace detail {
/// The general dissector: every EtherType, tag, protocol and option layout,
/// and the only place that builds errors. dissect_into() calls it whenever
/// its fast path does not apply.
constexpr result<void> dissect_general(bytes_view frame_bytes, dissection& d) noexcept {
    d.arp.reset();
    d.ipv4.reset();
    d.ipv6.reset();
    d.tcp.reset();
    d.udp.reset();
    d.icmpv4.reset();
    d.icmpv6.reset();
    d.fragment = false;
    d.transport = {};
    d.transport_offset = 0;
    WIREKIT_TRY_VOID(ethernet::frame::check(frame_bytes));
    d.eth = ethernet::frame::unchecked(frame_bytes);
    if (auto link = ethernet::repr::parse_into(d.eth, d.link); !link) return link.error();
    const std::size_t l3 = d.link.header_len();
    const bytes_view net = frame_bytes.subspan(l3);
    std::uint8_t proto = 0;
    bool ip = false;
    switch (d.link.ethertype) {
        case ethernet::ethertype::arp: {
            WIREKIT_TRY_VOID(detail::check_at<arp::packet>(net, l3));
            d.arp = arp::packet::unchecked(net);
            return {};
        }
        case ethernet::ethertype::ipv4: {
            WIREKIT_TRY_VOID(detail::check_at<ipv4::packet>(net, l3));
            const auto p = ipv4::packet::unchecked(net);
            if (auto o = ipv4::walk_options(p.options(), [](const ipv4::option&) {}); !o) return o.error().shifted(l3);
            d.ipv4 = p;
            d.fragment = p.is_fragment();
            d.transport = p.payload();
            d.transport_offset = l3 + p.header_length();
            proto = p.protocol();
            ip = true;
            break;
        }
        case ethernet::ethertype::ipv6: {
            WIREKIT_TRY_VOID(detail::check_at<ipv6::packet>(net, l3));
            const auto p = ipv6::packet::unchecked(net);
            auto c = ipv6::walk(p);
            if (!c) return c.error().shifted(l3);
            d.ipv6 = p;
            d.ipv6_chain = *c;
            d.fragment = c->has_fragment && (c->fragment.fragment_offset != 0 || c->fragment.more_fragments);
            d.transport = ipv6::upper_payload(p, *c);
            d.transport_offset = l3 + c->upper_offset;
            proto = c->upper_protocol;
            ip = true;
            break;
        }
        default: return {};
    }
    if (!ip) return {};
    const bool later_fragment = d.fragment && ((d.ipv4 && d.ipv4->fragment_offset() != 0) ||
                                               (d.ipv6 && d.ipv6_chain.fragment.fragment_offset != 0));
    if (later_fragment) return {};
    const std::size_t at = d.transport_offset;
    switch (proto) {
        case ip_protocol::tcp: {
            if (auto r = detail::check_at<tcp::segment>(d.transport, at); !r) {
                if (d.fragment) return {};
                return r.error();
            }
            const auto s = tcp::segment::unchecked(d.transport);
            if (auto o = tcp::walk_options(s.options(), [](std::uint8_t, bytes_view) {}); !o) return o.error().shifted(at);
            d.tcp = s;
            break;
        }
        case ip_protocol::udp: {
            if (auto r = detail::check_at<udp::datagram>(d.transport, at); !r) {
                if (d.fragment) return {};
                return r.error();
            }
            d.udp = udp::datagram::unchecked(d.transport);
            break;
        }
        case ip_protocol::icmp: {
            if (!d.ipv4) break;
            if (auto r = detail::check_at<icmpv4::message>(d.transport, at); !r) {
                if (d.fragment) return {};
                return r.error();
            }
            d.icmpv4 = icmpv4::message::unchecked(d.transport);
            break;
        }
        case ip_protocol::icmpv6: {
            if (!d.ipv6) break;
            if (auto r = detail::check_at<icmpv6::message>(d.transport, at); !r) {
                if (d.fragment) return {};
                return r.error();
            }
            d.icmpv6 = icmpv6::message::unchecked(d.transport);
            break;
        }
        default: break;
    }
    return {};
}
}  // namespace detail

namespace detail {
/// Empties `o` with one store (no test of the engaged flag first). The views
/// held in a dissection are trivially destructible, so starting a new empty
/// optional in the old one's storage ends nothing that needs a destructor.
template <class T>
constexpr void disengage(std::optional<T>& o) noexcept {
    static_assert(std::is_trivially_destructible_v<std::optional<T>>);
    if (std::is_constant_evaluated()) o.reset();
    else std::construct_at(&o);
}

/// Sets `o` to `v` with plain stores (no test of the engaged flag first);
/// see disengage().
template <class T>
constexpr void engage(std::optional<T>& o, const T& v) noexcept {
    static_assert(std::is_trivially_destructible_v<std::optional<T>>);
    if (std::is_constant_evaluated()) o = v;
    else std::construct_at(&o, v);
}

/// Copies the byte-array field `Name` of the Ethernet header in `frame` into `out`.
template <fixed_string Name, std::size_t N>
constexpr void copy_field(bytes_view frame, std::array<std::byte, N>& out) noexcept {
    using P = field_of<ethernet::header_layout, Name>;
    static_assert(sizeof(typename P::value_type) == N && P::bits == 8 * N);
    if (std::is_constant_evaluated()) {
        for (std::size_t i = 0; i < N; ++i) out[i] = frame[P::byte_offset + i];
    } else {
        std::memcpy(out.data(), frame.data() + P::byte_offset, N);
    }
}

/// True when `opts` (the TCP options area) is exactly NOP, NOP, Timestamps
/// (kind 8, length 10): the layout RFC 7323 Appendix A recommends and that
/// most data segments carry. walk_options accepts exactly these bytes too.
[[nodiscard]] constexpr bool is_nop_nop_timestamps(bytes_view opts) noexcept {
    return opts.size() == 12 && load_be<4>(opts.data()) == 0x0101080aU;
}

/// The fast path of dissect_into for the frames that dominate captures:
/// untagged Ethernet II, IPv4 without options, not a fragment, then TCP
/// (no options, or NOP NOP Timestamps) or UDP. It makes the same checks as
/// dissect_general on these frames, reading each field once; it returns
/// false, with `d` in an unspecified state, for anything else (other
/// layouts, and every frame that fails a check), and the caller then runs
/// dissect_general, which resets `d` and reports any error.
[[nodiscard]] constexpr bool dissect_fast(bytes_view frame_bytes, dissection& d) noexcept {
    if (frame_bytes.size() < ethernet::header_len) return false;
    const auto eth = ethernet::frame::unchecked(frame_bytes);
    if (eth.ethertype() != ethernet::ethertype::ipv4) return false;  // also rules out VLAN TPIDs
    // IPv4 (RFC 791 §3.1): the checks of ipv4::packet::check, without options.
    const bytes_view net = frame_bytes.subspan(ethernet::header_len);
    if (net.size() < ipv4::min_header_len) return false;
    const auto ip = ipv4::packet::unchecked(net);
    if (ip.version() != 4 || ip.ihl() != 5) return false;
    const std::size_t total = ip.total_length();
    if (total < ipv4::min_header_len || total > net.size()) return false;
    if (ip.is_fragment()) return false;
    const bytes_view transport = net.subspan(ipv4::min_header_len, total - ipv4::min_header_len);
    const std::uint8_t proto = ip.protocol();
    if (proto == ip_protocol::tcp) {
        // TCP (RFC 9293 §3.1): the checks of tcp::segment::check and walk_options.
        if (transport.size() < tcp::min_header_len) return false;
        const auto s = tcp::segment::unchecked(transport);
        const std::size_t hl = s.header_length();
        if (hl < tcp::min_header_len || hl > transport.size()) return false;
        if (hl != tcp::min_header_len && !is_nop_nop_timestamps(transport.subspan(tcp::min_header_len, hl - tcp::min_header_len)))
            return false;
        disengage(d.udp);
        engage(d.tcp, s);
    } else if (proto == ip_protocol::udp) {
        // UDP (RFC 768): the checks of udp::datagram::check.
        if (transport.size() < udp::header_len) return false;
        const auto u = udp::datagram::unchecked(transport);
        const std::size_t len = u.total_length();
        if (len < udp::header_len || len > transport.size()) return false;
        disengage(d.tcp);
        engage(d.udp, u);
    } else {
        return false;
    }
    d.eth = eth;
    // The addresses are copied straight from the frame into d.link (through
    // the accessors GCC keeps dead stack copies of each address).
    copy_field<"dst_addr">(frame_bytes, d.link.dst_addr.octets);
    copy_field<"src_addr">(frame_bytes, d.link.src_addr.octets);
    d.link.tag_count = 0;
    d.link.ethertype = ethernet::ethertype::ipv4;
    disengage(d.arp);
    disengage(d.ipv6);
    disengage(d.icmpv4);
    disengage(d.icmpv6);
    engage(d.ipv4, ip);
    d.fragment = false;
    d.transport = transport;
    d.transport_offset = ethernet::header_len + ipv4::min_header_len;
    return true;
}
}  // namespace detail

constexpr result<void> dissect_into(bytes_view frame_bytes, dissection& d) noexcept {
    if (detail::dissect_fast(frame_bytes, d)) return {};
    return detail::dissect_general(frame_bytes, d);
}

/// Verifies every checksum of a dissection that can be verified: the IPv4
/// header checksum, and the transport checksum unless the packet is a
/// fragment (the covered data is incomplete) or a UDP/IPv4 datagram with
/// checksum 0 ("not computed", RFC 768).
[[nodiscard]] constexpr checksum_report verify_checksums(const dissection& d) noexcept {
    checksum_report r;
    if (d.ipv4) r.ipv4 = d.ipv4->verify_checksum();
    if (d.fragment) return r;
    if (d.ipv4) {
        const ipv4_pseudo ph{d.ipv4->src_addr(), d.ipv4->dst_addr()};
        if (d.tcp) r.transport = d.tcp->verify_checksum(ph);
        else if (d.udp && d.udp->checksum() != 0) r.transport = d.udp->verify_checksum(ph);
        else if (d.icmpv4) r.transport = d.icmpv4->verify_checksum();
    } else if (d.ipv6) {
        const ipv6_pseudo ph{d.ipv6->src_addr(), d.ipv6->dst_addr()};
        if (d.tcp) r.transport = d.tcp->verify_checksum(ph);
        else if (d.udp) r.transport = d.udp->verify_checksum(ph);
        else if (d.icmpv6) r.transport = d.icmpv6->verify_checksum(ph);
    }
    return r;
}

}  // namespace wirekit
