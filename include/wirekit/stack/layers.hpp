// wirekit/stack/layers.hpp — the layer tags a stack is composed from, and
// the compile-time rules of composition.
//
// Layer L5. A stack is `stack<Device, Layers...>` (stack.hpp). Each entry of
// `Layers...` is one of the tags below; its template arguments are the
// layer's capacities and policies. The order of the tags does not matter.
//
//   ethernet                     Ethernet II framing (RFC 894); without it the
//                                device carries raw IPv4 packets (link_type raw)
//   arp<Entries>                 ARP cache of `Entries` neighbours (RFC 826)
//   ipv4<Reassembly, Routes>     IPv4 (RFC 791), Reassembly = reassembly<N>
//                                (N datagrams in flight) or no_reassembly;
//                                Routes prefixes in the routing table
//   icmp                         ICMP echo and errors (RFC 792, RFC 1122 §3.2.2)
//   udp<Sockets, Queue>          UDP (RFC 768): Sockets bound ports, Queue
//                                datagrams held per socket
//   tcp<Congestion, Sockets>     TCP (RFC 9293) with the congestion-control
//                                policy Congestion (newreno) and at most
//                                Sockets connections and listeners
//
// Rules, checked by static_assert with a message naming the problem:
// every entry is a layer tag; no layer twice; ipv4 is present; arp needs
// ethernet and ethernet needs arp (an Ethernet host resolves next hops);
// icmp, udp and tcp need ipv4; capacities are nonzero.
#pragma once

#include <cstddef>      // std::size_t
#include <type_traits>  // std::is_same_v, std::void_t

#include "../fsm/tcp/connection.hpp"  // fsm::tcp::basic_connection and its policies

namespace wirekit::stack {

/// What a layer tag is.
enum class layer_kind : unsigned char { link, neighbour, network, icmp, udp, tcp };

/// Ethernet II framing (RFC 894). Frames are padded to 60 bytes; VLAN-tagged
/// frames are not accepted.
struct ethernet {
    static constexpr layer_kind kind = layer_kind::link;
};

/// ARP (RFC 826) with a cache of `Entries` neighbours (soft state with a
/// timeout) and a queue of packets awaiting resolution.
template <std::size_t Entries = 64>
struct arp {
    static_assert(Entries > 0, "arp<Entries>: the ARP cache needs at least one entry");
    static constexpr layer_kind kind = layer_kind::neighbour;
    static constexpr std::size_t entries = Entries;
};

/// IPv4 reassembly policy: at most `Datagrams` datagrams in flight (RFC 815 holes, wire/reassembly.hpp).
template <std::size_t Datagrams = 8>
struct reassembly {
    static_assert(Datagrams > 0, "reassembly<Datagrams>: at least one datagram must fit; use no_reassembly to drop fragments");
    static constexpr bool enabled = true;
    static constexpr std::size_t datagrams = Datagrams;
};

/// IPv4 reassembly policy: fragments are dropped.
struct no_reassembly {
    static constexpr bool enabled = false;
    static constexpr std::size_t datagrams = 0;
};

/// IPv4 (RFC 791): fragmentation on send to the device MTU, reassembly on
/// receive per `Reassembly`, a routing table of `Routes` prefixes
/// (longest-prefix match, RFC 1812 §5.2.4.3).
template <class Reassembly = reassembly<8>, std::size_t Routes = 8>
struct ipv4 {
    static_assert(Routes > 0, "ipv4<Reassembly, Routes>: the routing table needs room for the on-link route");
    static constexpr layer_kind kind = layer_kind::network;
    using reassembly_policy = Reassembly;
    static constexpr std::size_t routes = Routes;
};

/// ICMPv4 (RFC 792): echo replies, destination-unreachable errors, and the
/// stack's own echo requests (ping).
struct icmp {
    static constexpr layer_kind kind = layer_kind::icmp;
};

/// UDP (RFC 768): at most `Sockets` bound sockets, each holding at most
/// `Queue` received datagrams (more are dropped).
template <std::size_t Sockets = 16, std::size_t Queue = 64>
struct udp {
    static_assert(Sockets > 0 && Queue > 0, "udp<Sockets, Queue>: capacities must be nonzero");
    static constexpr layer_kind kind = layer_kind::udp;
    static constexpr std::size_t sockets = Sockets;
    static constexpr std::size_t queue = Queue;
};

/// Congestion-control policies for tcp<Congestion>: the fsm::tcp policy
/// tables, each run as an orthogonal region inside every connection.
/// tahoe: RFC 5681 §3.1-3.2 fast retransmit, then the loss window and slow
/// start; reno: RFC 5681 §3.2 fast recovery; newreno: RFC 6582 (the
/// default). Reno and NewReno recover per RFC 6675 when SACK is negotiated.
using tahoe = fsm::tcp::tahoe;
using reno = fsm::tcp::reno;
using newreno = fsm::tcp::newreno;

/// TCP (RFC 9293) with the congestion policy `Congestion` (tahoe, reno,
/// newreno, or any fsm::tcp policy table), at most `Sockets` connections
/// and listeners.
template <class Congestion = newreno, std::size_t Sockets = 256>
struct tcp {
    static_assert(Sockets > 0, "tcp<Congestion, Sockets>: at least one socket");
    static constexpr layer_kind kind = layer_kind::tcp;
    using congestion = Congestion;
    using connection = fsm::tcp::basic_connection<Congestion>;
    static constexpr std::size_t sockets = Sockets;
};

namespace detail {

template <class L, class = void>
struct is_layer : std::false_type {};
template <class L>
struct is_layer<L, std::void_t<decltype(L::kind)>> : std::is_same<std::remove_cv_t<decltype(L::kind)>, layer_kind> {};

/// The stand-in for a layer the composition does not have.
struct absent {};

template <layer_kind K, class... Ls>
struct find;
template <layer_kind K>
struct find<K> {
    using type = absent;
};
template <layer_kind K, class L, class... Ls>
struct find<K, L, Ls...> {
    using type = std::conditional_t<L::kind == K, L, typename find<K, Ls...>::type>;
};

template <layer_kind K, class... Ls>
inline constexpr std::size_t count_kind = (std::size_t{0} + ... + (Ls::kind == K ? 1u : 0u));

}  // namespace detail

/// The composition `Layers...` resolved: which layers exist and their
/// types (detail::absent for a missing one). The static_asserts here are
/// the composition rules of the file comment.
template <class... Layers>
struct composition {
    static_assert((detail::is_layer<Layers>::value && ...),
                  "stack<Device, Layers...>: every layer must be a wirekit::stack layer tag "
                  "(ethernet, arp<N>, ipv4<...>, icmp, udp<...>, tcp<...>)");

    template <layer_kind K>
    static constexpr bool has = detail::count_kind<K, Layers...> > 0;
    template <layer_kind K>
    using layer = typename detail::find<K, Layers...>::type;

    static_assert(detail::count_kind<layer_kind::link, Layers...> <= 1, "stack: the ethernet layer appears twice");
    static_assert(detail::count_kind<layer_kind::neighbour, Layers...> <= 1, "stack: the arp layer appears twice");
    static_assert(detail::count_kind<layer_kind::network, Layers...> <= 1, "stack: the ipv4 layer appears twice");
    static_assert(detail::count_kind<layer_kind::icmp, Layers...> <= 1, "stack: the icmp layer appears twice");
    static_assert(detail::count_kind<layer_kind::udp, Layers...> <= 1, "stack: the udp layer appears twice");
    static_assert(detail::count_kind<layer_kind::tcp, Layers...> <= 1, "stack: the tcp layer appears twice");

    static_assert(has<layer_kind::network>, "stack: a stack needs the ipv4<...> layer (nothing runs without IP)");
    static_assert(!has<layer_kind::neighbour> || has<layer_kind::link>,
                  "stack: arp<N> needs the ethernet layer (ARP maps IPv4 addresses to Ethernet MAC addresses, RFC 826)");
    static_assert(!has<layer_kind::link> || has<layer_kind::neighbour>,
                  "stack: an ethernet stack needs arp<N> to resolve next-hop MAC addresses (RFC 826)");
    static_assert(!has<layer_kind::icmp> || has<layer_kind::network>, "stack: icmp needs the ipv4<...> layer below it");
    static_assert(!has<layer_kind::udp> || has<layer_kind::network>, "stack: udp<...> needs the ipv4<...> layer below it");
    static_assert(!has<layer_kind::tcp> || has<layer_kind::network>, "stack: tcp<...> needs the ipv4<...> layer below it");

    static constexpr bool has_ethernet = has<layer_kind::link>;
    static constexpr bool has_icmp = has<layer_kind::icmp>;
    static constexpr bool has_udp = has<layer_kind::udp>;
    static constexpr bool has_tcp = has<layer_kind::tcp>;
};

}  // namespace wirekit::stack
