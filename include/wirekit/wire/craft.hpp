// wirekit/wire/craft.hpp — typed packet crafting in one expression.
//
// Layer L2. Compose reprs with `/`, outermost first, the way Scapy writes
// Ether()/IP()/TCP()/payload — but checked by the compiler:
//
//     auto pkt = ethernet::repr{.dst_addr = gw, .src_addr = me}
//              / ipv4::repr{.src_addr = a, .dst_addr = b}
//              / tcp::repr{.src_port = 43210, .dst_port = 80, .flags = {.syn = true}}
//              / craft::payload{bytes};
//     std::vector<std::byte> frame = pkt.to_bytes();   // or pkt.emit(buffer)
//
// Every derived field is filled at emit time: EtherType, IPv4 Protocol / IPv6
// Next Header, IPv4 Total Length and IHL, IPv6 Payload Length, UDP Length,
// TCP Data Offset, the IPv4 header checksum, the TCP/UDP/ICMPv6 pseudo-header
// checksums, the ICMPv4 checksum, and Ethernet padding to 60 bytes.
// A nesting that cannot exist on the wire (TCP directly in Ethernet, IPv4 in
// UDP, anything after a payload) does not compile: "wirekit craft: this
// layer cannot carry the next one".
#pragma once

#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // std::uint8_t
#include <tuple>        // the layers
#include <type_traits>  // std::is_same_v
#include <utility>      // std::index_sequence
#include <vector>       // to_bytes()

#include "../core/bytes.hpp"   // bytes_view, mutable_bytes
#include "../core/result.hpp"  // result, wire_error
#include "arp.hpp"
#include "ethernet.hpp"
#include "icmpv4.hpp"
#include "icmpv6.hpp"
#include "ip_protocol.hpp"
#include "ipv4.hpp"
#include "ipv6.hpp"
#include "tcp.hpp"
#include "udp.hpp"

namespace wirekit::craft {

/// Raw application bytes, the innermost layer. Refers to bytes owned elsewhere.
struct payload {
    bytes_view data{};
};

/// True when `Outer` may directly carry `Inner` (EtherType / Protocol /
/// Next Header demultiplexing). Extend by specialising.
template <class Outer, class Inner>
struct carries : std::false_type {};
template <> struct carries<ethernet::repr, arp::repr> : std::true_type {};
template <> struct carries<ethernet::repr, ipv4::repr> : std::true_type {};
template <> struct carries<ethernet::repr, ipv6::repr> : std::true_type {};
template <> struct carries<ethernet::repr, payload> : std::true_type {};
template <> struct carries<ipv4::repr, tcp::repr> : std::true_type {};
template <> struct carries<ipv4::repr, udp::repr> : std::true_type {};
template <> struct carries<ipv4::repr, icmpv4::repr> : std::true_type {};
template <> struct carries<ipv4::repr, payload> : std::true_type {};
template <> struct carries<ipv6::repr, tcp::repr> : std::true_type {};
template <> struct carries<ipv6::repr, udp::repr> : std::true_type {};
template <> struct carries<ipv6::repr, icmpv6::repr> : std::true_type {};
template <> struct carries<ipv6::repr, payload> : std::true_type {};
template <> struct carries<tcp::repr, payload> : std::true_type {};
template <> struct carries<udp::repr, payload> : std::true_type {};

/// The layer types crafting knows.
template <class T>
concept layer = std::is_same_v<T, ethernet::repr> || std::is_same_v<T, arp::repr> || std::is_same_v<T, ipv4::repr> ||
                std::is_same_v<T, ipv6::repr> || std::is_same_v<T, tcp::repr> || std::is_same_v<T, udp::repr> ||
                std::is_same_v<T, icmpv4::repr> || std::is_same_v<T, icmpv6::repr> || std::is_same_v<T, payload>;

namespace detail {
/// Bytes a layer adds by itself (header, or whole message for leaves).
template <class T>
constexpr std::size_t own_len(const T& r) noexcept {
    if constexpr (std::is_same_v<T, ethernet::repr>) return r.header_len();
    else if constexpr (std::is_same_v<T, arp::repr>) return arp::packet_len;
    else if constexpr (std::is_same_v<T, ipv4::repr>) return r.header_len();
    else if constexpr (std::is_same_v<T, ipv6::repr>) return ipv6::header_len;
    else if constexpr (std::is_same_v<T, tcp::repr>) return r.header_len();
    else if constexpr (std::is_same_v<T, udp::repr>) return udp::header_len;
    else if constexpr (std::is_same_v<T, icmpv4::repr> || std::is_same_v<T, icmpv6::repr>) return r.buffer_len();
    else return r.data.size();
}
/// The demultiplexing number an outer layer writes for `Inner`.
template <class Inner>
inline constexpr std::uint16_t ethertype_of = std::is_same_v<Inner, ipv4::repr>   ? ethernet::ethertype::ipv4
                                              : std::is_same_v<Inner, ipv6::repr> ? ethernet::ethertype::ipv6
                                              : std::is_same_v<Inner, arp::repr>  ? ethernet::ethertype::arp
                                                                                  : 0;
template <class Inner>
inline constexpr std::uint8_t protocol_of = std::is_same_v<Inner, tcp::repr>      ? ip_protocol::tcp
                                            : std::is_same_v<Inner, udp::repr>    ? ip_protocol::udp
                                            : std::is_same_v<Inner, icmpv4::repr> ? ip_protocol::icmp
                                            : std::is_same_v<Inner, icmpv6::repr> ? ip_protocol::icmpv6
                                                                                  : 0;
}  // namespace detail

/// Layers composed outermost first. Build with `/`; emit with emit() or to_bytes().
template <class... Ls>
class stack {
public:
    static constexpr std::size_t depth = sizeof...(Ls);
    std::tuple<Ls...> layers;

    /// The layer at `I` (0 = outermost).
    template <std::size_t I>
    [[nodiscard]] constexpr auto& get() noexcept { return std::get<I>(layers); }

    /// Bytes emit() writes: the sum of all layers, padded to 60 when the
    /// outermost layer is Ethernet.
    [[nodiscard]] constexpr std::size_t buffer_len() const noexcept {
        const std::size_t n = inner_len<0>();
        if constexpr (std::is_same_v<std::tuple_element_t<0, std::tuple<Ls...>>, ethernet::repr>)
            return n < ethernet::min_frame_len ? ethernet::min_frame_len : n;
        else
            return n;
    }

    /// Emits every layer into the start of `out` and returns the bytes
    /// written (buffer_len()). Errors: no_space (layer "craft") when `out` is
    /// shorter than buffer_len(); bad_length (layer "ipv4"/"ipv6"/"udp") when a
    /// length does not fit its 16-bit field; no_space from TCP options over 40 bytes.
    [[nodiscard]] constexpr result<std::size_t> emit(mutable_bytes out) const noexcept {
        const std::size_t total = buffer_len();
        if (out.size() < total) return make_error(errc::no_space, "craft", out.size(), "buffer shorter than buffer_len()");
        for (std::size_t i = 0; i < total; ++i) out[i] = std::byte{0};
        auto r = emit_from<depth - 1>(out.first(total));
        if (!r) return r.error();
        return total;
    }

    /// emit() into a new vector of buffer_len() bytes. Errors as emit().
    [[nodiscard]] result<std::vector<std::byte>> to_bytes() const {
        std::vector<std::byte> v(buffer_len());
        auto r = emit(mutable_bytes(v));
        if (!r) return r.error();
        return v;
    }

private:
    /// Length of layer I and everything inside it.
    template <std::size_t I>
    constexpr std::size_t inner_len() const noexcept {
        if constexpr (I == depth) return 0;
        else return detail::own_len(std::get<I>(layers)) + inner_len<I + 1>();
    }
    template <std::size_t I>
    constexpr std::size_t offset() const noexcept {
        if constexpr (I == 0) return 0;
        else return offset<I - 1>() + detail::own_len(std::get<I - 1>(layers));
    }

    /// Emits layer I, then (recursively) the layers outside it: innermost
    /// first, so every checksum covers bytes already in place.
    template <std::size_t I>
    constexpr result<void> emit_from(mutable_bytes out) const noexcept {
        using T = std::tuple_element_t<I, std::tuple<Ls...>>;
        using Next = std::conditional_t<(I + 1 < depth), std::tuple_element_t<(I + 1 < depth ? I + 1 : I), std::tuple<Ls...>>, void>;
        const std::size_t at = offset<I>();
        const std::size_t inner = inner_len<I + 1>();
        const std::size_t whole = inner_len<I>();
        T r = std::get<I>(layers);
        if constexpr (std::is_same_v<T, payload>) {
            for (std::size_t i = 0; i < r.data.size(); ++i) out[at + i] = r.data[i];
        } else if constexpr (std::is_same_v<T, ethernet::repr>) {
            if constexpr (!std::is_void_v<Next> && detail::ethertype_of<Next> != 0) r.ethertype = detail::ethertype_of<Next>;
            r.emit(ethernet::mutable_frame::unchecked(out.subspan(at)), inner);
        } else if constexpr (std::is_same_v<T, arp::repr>) {
            r.emit(arp::mutable_packet::unchecked(out.subspan(at, whole)));
        } else if constexpr (std::is_same_v<T, ipv4::repr>) {
            if constexpr (!std::is_void_v<Next> && detail::protocol_of<Next> != 0) r.protocol = detail::protocol_of<Next>;
            r.payload_len = inner;
            if (r.buffer_len() > ipv4::max_datagram_len) return make_error(errc::bad_length, "ipv4", 2, "datagram above 65535 bytes");
            r.emit(ipv4::mutable_packet::unchecked(out.subspan(at, whole)));
        } else if constexpr (std::is_same_v<T, ipv6::repr>) {
            if constexpr (!std::is_void_v<Next> && detail::protocol_of<Next> != 0) r.next_header = detail::protocol_of<Next>;
            r.payload_len = inner;
            if (inner > 0xffff) return make_error(errc::bad_length, "ipv6", 4, "payload above 65535 bytes");
            r.emit(ipv6::mutable_packet::unchecked(out.subspan(at, whole)));
        } else if constexpr (std::is_same_v<T, tcp::repr> || std::is_same_v<T, udp::repr> || std::is_same_v<T, icmpv6::repr>) {
            static_assert(I > 0, "wirekit craft: TCP, UDP and ICMPv6 need an enclosing IP layer for their checksum");
            using Ip = std::tuple_element_t<(I > 0 ? I - 1 : 0), std::tuple<Ls...>>;
            const Ip& ip = std::get<(I > 0 ? I - 1 : 0)>(layers);
            if constexpr (!std::is_same_v<T, icmpv6::repr>) r.payload_len = inner;
            if constexpr (std::is_same_v<T, udp::repr>)
                if (whole > 0xffff) return make_error(errc::bad_length, "udp", 4, "datagram above 65535 bytes");
            if constexpr (std::is_same_v<Ip, ipv4::repr>) {
                const ipv4_pseudo ph{ip.src_addr, ip.dst_addr};
                if constexpr (std::is_same_v<T, tcp::repr>) WIREKIT_TRY_VOID(r.emit(tcp::mutable_segment::unchecked(out.subspan(at, whole)), ph));
                else r.emit(udp::mutable_datagram::unchecked(out.subspan(at, whole)), ph);
            } else {
                const ipv6_pseudo ph{ip.src_addr, ip.dst_addr};
                if constexpr (std::is_same_v<T, tcp::repr>) WIREKIT_TRY_VOID(r.emit(tcp::mutable_segment::unchecked(out.subspan(at, whole)), ph));
                else if constexpr (std::is_same_v<T, udp::repr>) r.emit(udp::mutable_datagram::unchecked(out.subspan(at, whole)), ph);
                else r.emit(icmpv6::mutable_message::unchecked(out.subspan(at, whole)), ph);
            }
        } else if constexpr (std::is_same_v<T, icmpv4::repr>) {
            r.emit(icmpv4::mutable_message::unchecked(out.subspan(at, whole)));
        }
        if constexpr (I == 0) return {};
        else return emit_from<I - 1>(out);
    }
};

/// Starts a stack: `outer / inner`. Fails to compile when `A` cannot carry `B`.
template <layer A, layer B>
[[nodiscard]] constexpr stack<A, B> operator/(const A& a, const B& b) {
    static_assert(carries<A, B>::value, "wirekit craft: this layer cannot carry the next one");
    return stack<A, B>{std::tuple<A, B>{a, b}};
}
/// Extends a stack with one more inner layer. Fails to compile when the
/// current innermost layer cannot carry `B`.
template <class... Ls, layer B>
[[nodiscard]] constexpr stack<Ls..., B> operator/(const stack<Ls...>& s, const B& b) {
    using Last = std::tuple_element_t<sizeof...(Ls) - 1, std::tuple<Ls...>>;
    static_assert(carries<Last, B>::value, "wirekit craft: this layer cannot carry the next one");
    return stack<Ls..., B>{std::tuple_cat(s.layers, std::tuple<B>{b})};
}

}  // namespace wirekit::craft

namespace wirekit {
// Found by argument-dependent lookup on the reprs' own namespaces.
namespace ethernet { using craft::operator/; }
namespace ipv4 { using craft::operator/; }
namespace ipv6 { using craft::operator/; }
namespace tcp { using craft::operator/; }
namespace udp { using craft::operator/; }
}  // namespace wirekit
