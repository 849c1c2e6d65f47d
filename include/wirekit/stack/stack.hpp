// wirekit/stack/stack.hpp — a user-space TCP/IP stack assembled from
// templates over any io::frame_device.
//
// Layer L5. Usage (two stacks over a memory pipe; a TAP device works alike):
//
//   using namespace wirekit;
//   using my_stack = stack::stack<io::memory_pipe::end, stack::ethernet, stack::arp<64>,
//                                 stack::ipv4<stack::reassembly<8>>, stack::icmp,
//                                 stack::udp<>, stack::tcp<stack::newreno>>;
//   io::memory_pipe pipe;
//   stack::stack_config ca;  ca.mac = ...; ca.address = ipv4_address::of(10,0,0,1); ca.prefix_len = 24;
//   my_stack a(pipe.a(), ca), b(pipe.b(), cb);
//   auto srv = b.tcp_listen(7, 16);                 // result<tcp_socket>
//   auto cli = a.tcp_connect({ipv4_address::of(10,0,0,2), 7});
//   for (stack::instant now{};;) {                  // the caller owns the clock
//       pipe.set_time(now);                         // (memory_pipe only: its virtual clock)
//       a.poll(now); b.poll(now);                   // frames in, timers, frames out
//       if (auto c = b.accept(*srv); c && *c) ...   // result<optional<tcp_socket>>
//       a.send(*cli, data); b.recv(conn, buffer);   // partial send, recv what has arrived
//       now = min(a.poll_at(), b.poll_at(), pipe delivery) ...
//   }
//
// Composition: `stack<Device, Layers...>`, the layer tags of layers.hpp in
// any order; capacities and policies are their template arguments; an
// impossible composition is a static_assert naming the problem. No globals:
// every stack owns all its state, so several live in one process.
//
// Driving: poll(now) processes received frames, timers and queued
// transmissions and returns whether anything happened; poll_at() is the
// next time poll must run even if no frame arrives. Time is passed in
// (instant: microseconds since any epoch), never read. Socket calls use the
// time of the last poll.
//
// Sockets mirror the BSD API with handles (udp_socket, tcp_socket: an index
// and a generation, so a stale handle is an error, never a dangling
// pointer) and errors as result<T> (layer "stack", or "tcp" for the
// connection's RFC 9293 §3.10 error texts):
//   UDP  udp_bind, sendto, recvfrom, close
//   TCP  tcp_listen(port, backlog), accept, tcp_connect, send (partial),
//        recv (what has arrived; end of stream is the error "connection
//        closing", see is_end_of_stream), shutdown (FIN), close, abort
//   ICMP ping (echo request), poll_echo_reply
//
// What the interface does: gratuitous ARP on the first poll (RFC 5227 §3);
// ARP replies and a soft-state cache with retries and a queue of packets
// awaiting resolution (RFC 826, RFC 1122 §2.3.2); on-link / gateway next
// hops; IPv4 fragmentation to the device MTU on send (RFC 791 §3.2) and
// reassembly on receive (RFC 815); ICMP echo replies (RFC 792), port and
// protocol unreachable (RFC 1122 §3.2.2.1, §4.1.3.1) but never for
// broadcast destinations (RFC 1122 §3.2.2); RST for segments to closed
// ports (RFC 9293 §3.10.7.1). Checksums the device offloads
// (capabilities().rx / .tx) are neither verified nor computed.
//
// Per-frame offloads (io::offload_frame_device, e.g. a TAP opened with
// tap_offload::tso; VIRTIO 1.2 §5.1.6): a received frame whose metadata says
// its transport checksum is partial or validated is not verified, and it may
// be a TCP/IPv4 super-frame of up to 64 KiB, which TCP takes as one segment
// (RFC 9293 §3.10.7.4 accepts any segment within the window, whatever the
// MSS). On transmit, TCP segments go out with partial checksums, and
// consecutive full-sized segments of one connection queued in one flush are
// coalesced into one super-frame (gso_size = their payload size) that the
// host splits or, for its own TCP, receives whole. Devices without these
// (memory_pipe, pcap) see exactly the frames they saw before.
#pragma once

#include <algorithm>    // std::min, std::find_if
#include <array>        // fixed scratch
#include <chrono>       // durations
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // fixed-width integers
#include <cstring>      // std::memcpy
#include <deque>        // queues
#include <optional>     // deadlines, handles
#include <type_traits>  // std::conditional_t
#include <utility>      // std::move
#include <vector>       // buffers, tables

#include "../core/address.hpp"      // mac_address, ipv4_address
#include "../core/bytes.hpp"        // bytes_view, mutable_bytes
#include "../core/result.hpp"       // result, make_error
#include "../fsm/tcp/connection.hpp"  // fsm::tcp::connection, endpoint, instant
#include "../io/device.hpp"         // frame_device, device_capabilities
#include "../wire/arp.hpp"          // ARP packets
#include "../wire/ethernet.hpp"     // Ethernet frames
#include "../wire/icmpv4.hpp"       // ICMP messages
#include "../wire/ip_protocol.hpp"  // protocol numbers
#include "../wire/ipv4.hpp"         // IPv4 packets, fragment()
#include "../wire/reassembly.hpp"   // ipv4::reassembler
#include "../wire/tcp.hpp"          // TCP segments
#include "../wire/udp.hpp"          // UDP datagrams
#include "../fsm/tcp/listener.hpp"  // fsm::tcp::basic_listener (listen queues, SYN cookies)
#include "arp_cache.hpp"            // arp_cache<N>
#include "layers.hpp"               // layer tags, composition
#include "route.hpp"                // routing_table<N>, ipv4_cidr

namespace wirekit::stack {

/// Microseconds since an epoch of the caller's choosing.
using instant = fsm::tcp::instant;
/// A span of time, microseconds.
using duration = fsm::tcp::duration;
/// An IPv4 address and port.
using endpoint = fsm::tcp::endpoint;
/// A TCP connection state (RFC 9293 §3.3.2).
using tcp_state = fsm::tcp::state;

/// Settings of one stack (one interface).
struct stack_config {
    mac_address mac{};                       ///< our MAC address (ethernet stacks)
    ipv4_address address{};                  ///< our IPv4 address
    std::uint8_t prefix_len = 24;            ///< on-link prefix length, bits (0..32)
    std::optional<ipv4_address> gateway{};   ///< default router for off-link destinations
    std::uint8_t ttl = 64;                   ///< TTL of datagrams we send (RFC 1700 default)
    bool gratuitous_arp = true;              ///< announce (mac, address) on the first poll (RFC 5227 §3)
    duration arp_timeout = std::chrono::seconds(60);   ///< lifetime of a resolved neighbour (RFC 1122 §2.3.2.1)
    duration arp_retry = std::chrono::seconds(1);      ///< interval between ARP requests for one address
    unsigned arp_retries = 3;                ///< requests before the queued packets are dropped
    std::size_t arp_queue = 16;              ///< packets held per unresolved neighbour (more are dropped)
    duration reassembly_timeout = std::chrono::seconds(30);  ///< per datagram (RFC 1122 §3.3.2: 60-120 s suggested)
    std::size_t reassembly_memory = 256 * 1024;  ///< bytes of fragment data buffered, all datagrams
    fsm::tcp::siphash_key secret{};          ///< RFC 6528 ISN key: choose it at random, once per stack
    /// Bytes of send buffer per connection (a ring that grows with the data
    /// queued, up to this bound; released when the connection closes).
    std::size_t tcp_send_buffer = 256 * 1024;
    /// Bytes of receive buffer per connection: the window, announced with
    /// window scaling (RFC 7323 §2; shift 3 for 256 KiB) when the peer
    /// offers it, else at most 65535. Memory per busy connection is at most
    /// send + receive buffer + a reassembly ring of bit_ceil(receive buffer)
    /// allocated on the first out-of-order segment (1 MiB for the defaults).
    std::size_t tcp_receive_buffer = 256 * 1024;
    duration tcp_msl = std::chrono::minutes(2);  ///< Maximum Segment Lifetime; TIME-WAIT lasts 2 MSL (RFC 9293 §3.4.2)
    duration tcp_user_timeout = std::chrono::minutes(5);  ///< RFC 9293 §3.10.1 user timeout
    bool tcp_syn_cookies = true;             ///< listeners answer SYN floods with cookies (RFC 4987 §3.6)
    /// Ignore RST segments in TIME-WAIT (RFC 1337 §3, fix F1: "TIME-WAIT
    /// assassination"; Linux's net.ipv4.tcp_rfc1337). RFC 9293 §3.10.7.4
    /// would delete the TCB, and with it the received data the user has not
    /// read yet: a peer that retransmitted its FIN and then got our second
    /// ACK after closing answers that ACK with a RST (seen with the Linux
    /// kernel over TAP). The connection stays in TIME-WAIT for its 2 MSL.
    bool tcp_rfc1337 = true;
    std::uint16_t ephemeral_first = 49152;   ///< first ephemeral port (RFC 6335 §6: 49152-65535)
};

/// A UDP socket: a handle into the stack's socket table.
struct udp_socket {
    std::uint32_t index = 0xffffffffu;
    std::uint32_t generation = 0;
    friend constexpr bool operator==(const udp_socket&, const udp_socket&) = default;
};
/// A TCP socket (listener or connection): a handle into the stack's socket table.
struct tcp_socket {
    std::uint32_t index = 0xffffffffu;
    std::uint32_t generation = 0;
    friend constexpr bool operator==(const tcp_socket&, const tcp_socket&) = default;
};

/// What recvfrom delivered.
struct udp_received {
    std::size_t size = 0;    ///< bytes copied into the caller's buffer
    endpoint from{};         ///< sender address and port
    bool truncated = false;  ///< the datagram was longer than the buffer; the rest is discarded (MSG_TRUNC)
};

/// An ICMP echo reply that arrived for the stack's own ping.
struct echo_reply {
    ipv4_address from{};
    std::uint16_t identifier = 0;
    std::uint16_t sequence = 0;
    std::size_t size = 0;  ///< bytes of echo data
    instant at{};          ///< poll time it arrived
};

/// Counters of what the stack did (for tests, tracing and the demo).
struct stack_stats {
    std::uint64_t frames_received = 0;
    std::uint64_t frames_sent = 0;
    std::uint64_t dropped = 0;             ///< frames or packets dropped (malformed, not for us, no buffer)
    std::uint64_t bad_checksum = 0;        ///< dropped for a checksum that did not verify
    std::uint64_t arp_requests_sent = 0;
    std::uint64_t arp_replies_sent = 0;
    std::uint64_t arp_failed = 0;          ///< neighbours never resolved: their queued packets dropped
    std::uint64_t no_route = 0;            ///< datagrams with no route to their destination
    std::uint64_t ip_fragments_sent = 0;   ///< fragments of datagrams larger than the MTU
    std::uint64_t ip_reassembled = 0;      ///< datagrams reassembled from fragments
    std::uint64_t icmp_echo_replies_sent = 0;
    std::uint64_t icmp_unreachable_sent = 0;
    std::uint64_t tcp_rst_sent = 0;        ///< RSTs for segments to closed ports
    std::uint64_t tcp_retransmissions = 0; ///< summed over connections that have ended, plus live ones
    std::uint64_t gso_frames_received = 0; ///< TCP/IPv4 super-frames received (frame_offload::gso)
    std::uint64_t largest_frame_received = 0;  ///< bytes of the largest frame received, link header included
    std::uint64_t gso_frames_sent = 0;     ///< TCP super-frames sent (two or more segments each)
    std::uint64_t gso_segments_sent = 0;   ///< TCP segments carried by those super-frames
    std::uint64_t checksum_offloaded = 0;  ///< frames sent with a partial TCP checksum for the device to complete
};

/// True when `e` is TCP's end of stream: RECEIVE after the peer's FIN with
/// no data left (RFC 9293 §3.10.3 "connection closing"), BSD recv() == 0.
[[nodiscard]] inline bool is_end_of_stream(const wire_error& e) noexcept {
    return e.kind == errc::invalid_state && e.detail == "connection closing";
}

namespace detail {

/// Bounded storage for optional layer state: empty when the layer is absent.
struct nothing {};

template <class L>
struct connection_of {
    using type = typename L::connection;
};

}  // namespace detail

/// A TCP/IP stack over `Device` with the layers `Layers...` (layers.hpp).
/// See the file comment. Not copyable or movable (it refers to its device);
/// not thread-safe.
template <class Device, class... Layers>
class stack {
    static_assert(io::frame_device<Device>,
                  "stack<Device, ...>: Device must model wirekit::io::frame_device "
                  "(capabilities(), receive(), transmit(frame), native_handle())");

public:
    /// The composition, resolved (which layers exist, their parameters).
    using composition_type = composition<Layers...>;
    using net_layer = typename composition_type::template layer<layer_kind::network>;
    using reassembly_policy = typename net_layer::reassembly_policy;
    static constexpr std::size_t routes_capacity = net_layer::routes;  ///< routing table size
    static constexpr bool has_ethernet = composition_type::has_ethernet;
    static constexpr bool has_icmp = composition_type::has_icmp;
    static constexpr bool has_udp = composition_type::has_udp;
    static constexpr bool has_tcp = composition_type::has_tcp;

    /// Builds the stack on `dev` (which must outlive it). Nothing is sent
    /// before the first poll.
    stack(Device& dev, const stack_config& cfg) : dev_(&dev), cfg_(cfg), caps_(dev.capabilities()) {
        if constexpr (io::offload_frame_device<Device>) {
            tx_csum_offload_ = caps_.offload.tx_checksum;
            // A super-frame must hold at least two full segments to be worth it.
            if (tx_csum_offload_ && caps_.offload.tx_gso_max >= link_header_len + caps_.mtu * 2)
                tx_gso_max_ = std::min<std::size_t>(caps_.offload.tx_gso_max, link_header_len + wirekit::ipv4::max_datagram_len);
        }
        const std::size_t frame_cap = std::max<std::size_t>({link_header_len + caps_.mtu, tx_gso_max_, 64});
        tx_.resize(frame_cap);
        if constexpr (reassembly_policy::enabled) {
            wirekit::ipv4::reassembly_config rc;
            rc.max_datagrams = reassembly_policy::datagrams;
            rc.max_memory = cfg_.reassembly_memory;
            rc.timeout = cfg_.reassembly_timeout;
            reasm_.emplace(rc);
        }
        if constexpr (has_udp) udp_.sockets.resize(udp_layer::sockets);
        if constexpr (has_tcp) tcp_.slots.resize(tcp_layer::sockets);
        next_ephemeral_ = cfg_.ephemeral_first;
        if constexpr (has_ethernet) {
            arp_config ac;
            ac.entry_lifetime = cfg_.arp_timeout;
            ac.retry_interval = cfg_.arp_retry;
            ac.max_requests = std::max<std::size_t>(cfg_.arp_retries, 1);
            ac.queue_packets = std::max<std::size_t>(cfg_.arp_queue, 1);
            arp_.emplace(ac);
        }
        // The directly connected subnet, and the default route via the gateway.
        if (auto subnet = ipv4_cidr::containing(cfg_.address, cfg_.prefix_len)) routes_.add(*subnet);
        if (cfg_.gateway) routes_.add(ipv4_cidr{}, cfg_.gateway);
    }
    stack(const stack&) = delete;
    stack& operator=(const stack&) = delete;

    // ------------------------------------------------------------------ driving

    /// Processes received frames, fires due timers (ARP retries, reassembly
    /// timeouts, TCP retransmission / TIME-WAIT / user timeout) and sends
    /// what is queued, at time `now`. Returns true when anything happened
    /// (a frame received or sent, a timer fired).
    bool poll(instant now) {
        now_ = std::max(now_, now);
        const std::uint64_t before = stats_.frames_received + stats_.frames_sent;
        bool fired = false;
        if (!started_) {
            started_ = true;
            if constexpr (has_ethernet)
                if (cfg_.gratuitous_arp) send_arp(wirekit::arp::repr::gratuitous(cfg_.mac, cfg_.address), mac_address::broadcast());
        }
        for (std::size_t n = 0; n < max_frames_per_poll; ++n) {
            auto r = dev_->receive();
            if (!r || !*r) break;
            ++stats_.frames_received;
            const auto& f = **r;
            // The host's own stack left the checksum partial, or checked it
            // (VIRTIO 1.2 §5.1.6, NEEDS_CSUM / DATA_VALID): trusted.
            rx_checksum_trusted_ = f.offload.needs_checksum || f.offload.checksum_valid;
            if (f.offload.gso != io::segmentation::none) ++stats_.gso_frames_received;
            stats_.largest_frame_received = std::max<std::uint64_t>(stats_.largest_frame_received, f.data.size());
            on_frame(f.data);
        }
        rx_checksum_trusted_ = false;
        if constexpr (has_ethernet) fired |= arp_output();
        if constexpr (reassembly_policy::enabled) {
            if (reasm_->expire(now_) > 0) fired = true;
        }
        if constexpr (has_tcp) fired |= tcp_service(true);
        return fired || stats_.frames_received + stats_.frames_sent != before;
    }

    /// The next time poll() has timer work, or nullopt when only a received
    /// frame can create work. Before the first poll: instant{} (poll now).
    [[nodiscard]] std::optional<instant> poll_at() const {
        if (!started_) return instant{};
        std::optional<instant> t;
        auto take = [&t](std::optional<instant> x) {
            if (x && (!t || *x < *t)) t = x;
        };
        if constexpr (has_ethernet)
            take(arp_->next_deadline());
        if constexpr (reassembly_policy::enabled) take(reasm_->next_deadline());
        if constexpr (has_tcp)
            for (const auto& s : tcp_.slots) {
                if (s.conn) take(s.conn->next_deadline());
                if (s.listener) take(s.listener->next_deadline());
            }
        return t;
    }

    /// The device's capabilities as read at construction.
    [[nodiscard]] const io::device_capabilities& capabilities() const noexcept { return caps_; }
    /// The configuration.
    [[nodiscard]] const stack_config& config() const noexcept { return cfg_; }
    /// Counters.
    [[nodiscard]] stack_stats stats() const {
        stack_stats s = stats_;
        if constexpr (has_tcp)
            for (const auto& slot : tcp_.slots)
                if (slot.conn) s.tcp_retransmissions += slot.conn->vars().retransmissions;
        s.tcp_retransmissions += retired_retransmissions_;
        if constexpr (has_ethernet) s.arp_failed = arp_->stats().failed;
        return s;
    }
    /// The time of the last poll.
    [[nodiscard]] instant now() const noexcept { return now_; }

    /// The resolved MAC address of `ip` in the ARP cache, if fresh.
    [[nodiscard]] std::optional<mac_address> arp_lookup(ipv4_address ip) const
        requires has_ethernet
    {
        return arp_->lookup(now_, ip);
    }

    /// Adds a route (RFC 1812 §5.2.4.3 longest-prefix match): packets to
    /// `destination` go to `gateway`, or on-link when nullopt. The stack
    /// starts with its subnet on-link and, with config().gateway, a default
    /// route 0.0.0.0/0. Returns false when the table is full or the prefix
    /// already has a route.
    bool add_route(ipv4_cidr destination, std::optional<ipv4_address> gateway = std::nullopt) {
        return routes_.add(destination, gateway);
    }
    /// The routing table.
    [[nodiscard]] const routing_table<routes_capacity>& routes() const noexcept { return routes_; }

    // ------------------------------------------------------------------ ICMP

    /// Sends an ICMP echo request (RFC 792) to `dst` with `data` (fragmented
    /// when larger than the MTU). Errors (layer "stack"): bad_length when the
    /// datagram would exceed 65535 bytes; invalid_state "no route to host".
    result<void> ping(ipv4_address dst, std::uint16_t identifier, std::uint16_t sequence, bytes_view data)
        requires has_icmp
    {
        const auto m = wirekit::icmpv4::repr::echo_request(identifier, sequence, data);
        return send_icmp(dst, m);
    }
    /// The next echo reply received, oldest first (at most 64 are held).
    [[nodiscard]] std::optional<echo_reply> poll_echo_reply()
        requires has_icmp
    {
        if (echo_replies_.empty()) return std::nullopt;
        const echo_reply r = echo_replies_.front();
        echo_replies_.pop_front();
        return r;
    }

    // ------------------------------------------------------------------ UDP

    /// bind(2): a UDP socket on `port` of our address (0: an ephemeral port).
    /// Errors (layer "stack"): invalid_state "address in use";
    /// limit_exceeded "no free UDP socket".
    result<udp_socket> udp_bind(std::uint16_t port)
        requires has_udp
    {
        if (port == 0) port = ephemeral_port();
        for (const auto& s : udp_.sockets)
            if (s.used && s.port == port) return make_error(errc::invalid_state, "stack", 0, "address in use");
        for (std::size_t i = 0; i < udp_.sockets.size(); ++i) {
            auto& s = udp_.sockets[i];
            if (s.used) continue;
            s.used = true;
            s.port = port;
            s.queue.clear();
            return udp_socket{static_cast<std::uint32_t>(i), s.generation};
        }
        return make_error(errc::limit_exceeded, "stack", 0, "no free UDP socket");
    }
    /// The local endpoint of a bound socket.
    result<endpoint> local_endpoint(udp_socket h) const
        requires has_udp
    {
        const auto* s = udp_get(h);
        if (!s) return bad_handle();
        return endpoint{cfg_.address, s->port};
    }
    /// sendto(2): one datagram of `data` to `to` (fragmented when larger
    /// than the MTU). Returns data.size(). Errors (layer "stack"):
    /// invalid_state "bad socket handle", "no route to host"; bad_length
    /// when data exceeds 65507 bytes (RFC 768 + RFC 791 limits).
    result<std::size_t> sendto(udp_socket h, endpoint to, bytes_view data)
        requires has_udp
    {
        const auto* s = udp_get(h);
        if (!s) return bad_handle();
        if (data.size() > 65535 - 20 - wirekit::udp::header_len)
            return make_error(errc::bad_length, "stack", 0, "datagram longer than 65507 bytes");
        const wirekit::udp::repr u{s->port, to.port, data.size()};
        l4_.resize(u.buffer_len());
        std::copy(data.begin(), data.end(), l4_.begin() + wirekit::udp::header_len);
        auto d = wirekit::udp::mutable_datagram::unchecked(mutable_bytes(l4_));
        if (caps_.tx.transport) u.emit(d);
        else u.emit(d, ipv4_pseudo{cfg_.address, to.addr});
        WIREKIT_TRY_VOID(send_ip(to.addr, ip_protocol::udp, bytes_view(l4_)));
        return data.size();
    }
    /// recvfrom(2): the oldest queued datagram copied into `out`, or nullopt
    /// when none has arrived. Errors: invalid_state "bad socket handle".
    result<std::optional<udp_received>> recvfrom(udp_socket h, mutable_bytes out)
        requires has_udp
    {
        auto* s = udp_get(h);
        if (!s) return bad_handle();
        if (s->queue.empty()) return std::optional<udp_received>{};
        auto& d = s->queue.front();
        udp_received r;
        r.size = std::min(out.size(), d.data.size());
        r.from = d.from;
        r.truncated = d.data.size() > out.size();
        std::copy_n(d.data.begin(), r.size, out.begin());
        s->queue.pop_front();
        return std::optional<udp_received>(r);
    }
    /// close(2) of a UDP socket: the port is free again; queued datagrams are
    /// discarded. Errors: invalid_state "bad socket handle".
    result<void> close(udp_socket h)
        requires has_udp
    {
        auto* s = udp_get(h);
        if (!s) return bad_handle();
        s->used = false;
        s->queue.clear();
        ++s->generation;
        return {};
    }

    // ------------------------------------------------------------------ TCP

    /// The TCP connection type (the congestion policy's machine; void without tcp).
    using connection_type = typename std::conditional_t<
        has_tcp, detail::connection_of<typename composition_type::template layer<layer_kind::tcp>>,
        std::type_identity<void>>::type;

    /// listen(2) on `port` of our address, with fsm::tcp::basic_listener:
    /// at most `backlog` embryonic (SYN-RECEIVED) connections and `backlog`
    /// completed ones waiting for accept(); SYNs beyond are answered with
    /// SYN cookies when config().tcp_syn_cookies (RFC 4987 §3.6), else
    /// dropped (the peer retransmits). Errors (layer "stack"): invalid_state
    /// "address in use"; bad_length for backlog 0; limit_exceeded "no free
    /// TCP socket".
    result<tcp_socket> tcp_listen(std::uint16_t port, std::size_t backlog)
        requires has_tcp
    {
        if (backlog == 0) return make_error(errc::bad_length, "stack", 0, "backlog 0");
        for (const auto& s : tcp_.slots)
            if (s.kind == slot_kind::listener && s.local_port == port)
                return make_error(errc::invalid_state, "stack", 0, "address in use");
        auto i = tcp_alloc();
        if (!i) return make_error(errc::limit_exceeded, "stack", 0, "no free TCP socket");
        auto& s = tcp_.slots[*i];
        s.kind = slot_kind::listener;
        s.local_port = port;
        fsm::tcp::listen_config lc;
        lc.conn = conn_config(port);
        lc.syn_backlog = backlog;
        lc.accept_backlog = backlog;
        lc.syn_cookies = cfg_.tcp_syn_cookies;
        s.listener.emplace(lc);
        return tcp_socket{static_cast<std::uint32_t>(*i), s.generation};
    }
    /// accept(2): the oldest connection of listener `h` whose handshake
    /// completed (ESTABLISHED or later), or nullopt when none is ready.
    /// Errors: invalid_state "bad socket handle", "not a listening socket";
    /// limit_exceeded "no free TCP socket" (the connection stays queued).
    result<std::optional<tcp_socket>> accept(tcp_socket h)
        requires has_tcp
    {
        auto* l = tcp_get(h);
        if (!l) return bad_handle();
        if (l->kind != slot_kind::listener) return make_error(errc::invalid_state, "stack", 0, "not a listening socket");
        if (l->listener->accept_queue_size() == 0) return std::optional<tcp_socket>{};
        auto i = tcp_alloc();
        if (!i) return make_error(errc::limit_exceeded, "stack", 0, "no free TCP socket");
        auto c = l->listener->accept();
        if (!c) return std::optional<tcp_socket>{};
        auto& s = tcp_.slots[*i];
        s.kind = slot_kind::connection;
        s.local_port = l->local_port;
        s.remote = c->status().remote;
        s.user_owned = true;
        s.conn.emplace(std::move(*c));
        tcp_flush(s);
        return std::optional<tcp_socket>(tcp_socket{*i, s.generation});
    }
    /// connect(2): an active OPEN to `remote` from `local_port` (0: an
    /// ephemeral port). Returns at once; the connection is open when
    /// state() is ESTABLISHED. Errors (layer "stack"): limit_exceeded "no
    /// free TCP socket"; invalid_state "address in use".
    result<tcp_socket> tcp_connect(endpoint remote, std::uint16_t local_port = 0)
        requires has_tcp
    {
        if (local_port == 0) local_port = ephemeral_port();
        for (const auto& s : tcp_.slots)
            if (s.kind == slot_kind::connection && s.local_port == local_port && s.remote == remote)
                return make_error(errc::invalid_state, "stack", 0, "address in use");
        auto i = tcp_alloc();
        if (!i) return make_error(errc::limit_exceeded, "stack", 0, "no free TCP socket");
        auto& s = tcp_.slots[*i];
        s.kind = slot_kind::connection;
        s.local_port = local_port;
        s.remote = remote;
        s.user_owned = true;
        s.conn.emplace(conn_config(local_port));
        if (auto r = s.conn->open(now_, true, remote); !r) {
            tcp_free(*i);
            return r.error();
        }
        tcp_flush(s);
        return tcp_socket{static_cast<std::uint32_t>(*i), s.generation};
    }
    /// send(2): queues up to the free send-buffer space and returns the bytes
    /// queued (0 when the buffer is full: try again after a poll). Errors
    /// (layer "tcp", RFC 9293 §3.10.2): invalid_state "connection does not
    /// exist", "connection closing", ...; "bad socket handle" (layer "stack").
    result<std::size_t> send(tcp_socket h, bytes_view data)
        requires has_tcp
    {
        auto* s = tcp_conn(h);
        if (!s) return bad_handle();
        auto r = s->conn->send(now_, data);
        if (!r && r.error().kind == errc::limit_exceeded) return std::size_t{0};
        tcp_flush(*s);
        return r;
    }
    /// recv(2): copies what has arrived into `out` and returns the bytes
    /// copied (0: nothing yet). End of stream is the error "connection
    /// closing" (is_end_of_stream). Errors (layer "tcp", RFC 9293 §3.10.3):
    /// invalid_state "connection does not exist", "connection reset" ...
    result<std::size_t> recv(tcp_socket h, mutable_bytes out)
        requires has_tcp
    {
        auto* s = tcp_conn(h);
        if (!s) return bad_handle();
        auto r = s->conn->receive(now_, out);
        tcp_flush(*s);
        return r;
    }
    /// shutdown(2, SHUT_WR): CLOSE (RFC 9293 §3.10.4): a FIN follows the
    /// queued data; receiving continues. Errors as the connection's close().
    result<void> shutdown(tcp_socket h)
        requires has_tcp
    {
        auto* s = tcp_conn(h);
        if (!s) return bad_handle();
        auto r = s->conn->close(now_);
        tcp_flush(*s);
        return r;
    }
    /// close(2): for a listener, aborts the connections not yet accepted and
    /// frees the port; for a connection, CLOSE if not yet done (FIN after
    /// the queued data) and the handle is invalid from now on; the stack
    /// finishes the closing handshake and TIME-WAIT on its own.
    /// Errors: invalid_state "bad socket handle".
    result<void> close(tcp_socket h)
        requires has_tcp
    {
        auto* s = tcp_get(h);
        if (!s) return bad_handle();
        const auto idx = h.index;
        if (s->kind == slot_kind::listener) {
            // Connections not yet accepted are aborted: RST to each (RFC 9293 §3.10.5).
            while (auto c = s->listener->accept()) {
                (void)c->abort(now_);
                while (auto seg = c->poll_transmit()) tcp_output(*seg);
                tcp_batch_flush();
            }
            tcp_free(idx);
            return {};
        }
        const auto st = s->conn->current();
        if (st == tcp_state::closed) {
            tcp_free(idx);
            return {};
        }
        if (st != tcp_state::fin_wait_1 && st != tcp_state::fin_wait_2 && st != tcp_state::closing &&
            st != tcp_state::last_ack && st != tcp_state::time_wait)
            (void)s->conn->close(now_);
        s->user_owned = false;
        s->user_closed = true;
        ++s->generation;  // the handle is dead
        tcp_flush(*s);
        return {};
    }
    /// ABORT (RFC 9293 §3.10.5): RST and release at once.
    /// Errors: invalid_state "bad socket handle".
    result<void> abort(tcp_socket h)
        requires has_tcp
    {
        auto* s = tcp_conn(h);
        if (!s) return bad_handle();
        (void)s->conn->abort(now_);
        tcp_flush(*s);
        tcp_free(h.index);
        return {};
    }
    /// The state of a connection (RFC 9293 §3.3.2). Errors: "bad socket handle".
    result<tcp_state> state(tcp_socket h) const
        requires has_tcp
    {
        const auto* s = tcp_get(h);
        if (!s) return bad_handle();
        if (s->kind == slot_kind::listener) return tcp_state::listen;
        return s->conn->current();
    }
    /// STATUS (RFC 9293 §3.10.6) of a connection. Errors: "bad socket handle".
    result<fsm::tcp::status_info> status(tcp_socket h) const
        requires has_tcp
    {
        const auto* s = tcp_get(h);
        if (!s || s->kind != slot_kind::connection) return bad_handle();
        return s->conn->status();
    }
    /// The connection machine behind a handle (read-only: counters, TCB), or nullptr.
    [[nodiscard]] const connection_type* connection(tcp_socket h) const
        requires has_tcp
    {
        const auto* s = tcp_get(h);
        return s && s->kind == slot_kind::connection ? &*s->conn : nullptr;
    }
    /// TCP sockets in use (listeners, connections, closing ones).
    [[nodiscard]] std::size_t tcp_sockets_in_use() const
        requires has_tcp
    {
        std::size_t n = 0;
        for (const auto& s : tcp_.slots) n += s.kind != slot_kind::free ? 1 : 0;
        return n;
    }

private:
    static constexpr std::size_t link_header_len = has_ethernet ? wirekit::ethernet::header_len : 0;
    static constexpr std::size_t max_frames_per_poll = 4096;
    static constexpr std::uint32_t npos = 0xffffffffu;

    // ---------------------------------------------------------------- state of optional layers
    using udp_layer = typename composition_type::template layer<layer_kind::udp>;
    using tcp_layer = typename composition_type::template layer<layer_kind::tcp>;
    using arp_layer = typename composition_type::template layer<layer_kind::neighbour>;

    struct udp_datagram {
        endpoint from{};
        std::vector<std::byte> data{};
    };
    struct udp_sock {
        bool used = false;
        std::uint32_t generation = 0;
        std::uint16_t port = 0;
        std::deque<udp_datagram> queue{};
    };
    struct udp_state {
        std::vector<udp_sock> sockets{};
    };

    enum class slot_kind : std::uint8_t { free, listener, connection };
    template <class Conn>
    struct tcp_slot {
        slot_kind kind = slot_kind::free;
        std::uint32_t generation = 0;
        std::uint16_t local_port = 0;
        endpoint remote{};
        bool user_owned = false;   // a handle to it is with the user
        bool user_closed = false;  // close() called: freed on reaching CLOSED
        std::optional<fsm::tcp::basic_listener<Conn>> listener{};  // listener
        std::optional<Conn> conn{};                                // connection
    };
    template <class Conn>
    struct tcp_state_t {
        std::vector<tcp_slot<Conn>> slots{};
    };
    template <class L>
    struct tcp_storage {
        using type = tcp_state_t<typename L::connection>;
    };
    template <class L>
    struct arp_storage {
        using type = arp_cache<L::entries>;
    };
    using udp_members = std::conditional_t<has_udp, udp_state, detail::nothing>;
    using tcp_members = typename std::conditional_t<has_tcp, tcp_storage<tcp_layer>,
                                                    std::type_identity<detail::nothing>>::type;
    using arp_members = typename std::conditional_t<has_ethernet, arp_storage<arp_layer>,
                                                    std::type_identity<detail::nothing>>::type;

    // ---------------------------------------------------------------- helpers
    static wire_error bad_handle() { return make_error(errc::invalid_state, "stack", 0, "bad socket handle"); }

    [[nodiscard]] bool on_link(ipv4_address a) const noexcept {
        const auto subnet = ipv4_cidr::containing(cfg_.address, cfg_.prefix_len);
        return subnet && subnet->contains(a);
    }
    [[nodiscard]] bool is_broadcast_for_us(ipv4_address a) const noexcept {
        if (a.is_broadcast()) return true;
        if (cfg_.prefix_len >= 31) return false;
        const std::uint32_t host = 0xffffffffu >> cfg_.prefix_len;
        return on_link(a) && (a.to_uint() & host) == host;
    }
    /// Next hop for `dst` by longest-prefix match (RFC 1812 §5.2.4.3): the
    /// route's gateway, or `dst` itself on-link; broadcasts stay on the link.
    [[nodiscard]] std::optional<ipv4_address> next_hop(ipv4_address dst) const noexcept {
        if (is_broadcast_for_us(dst)) return dst;
        if (auto r = routes_.lookup(dst)) return r->next_hop(dst);
        return std::nullopt;
    }

    std::uint16_t ephemeral_port() {
        for (int tries = 0; tries < 65536; ++tries) {
            const std::uint16_t p = next_ephemeral_;
            next_ephemeral_ = next_ephemeral_ == 65535 ? cfg_.ephemeral_first : static_cast<std::uint16_t>(next_ephemeral_ + 1);
            bool used = false;
            if constexpr (has_udp)
                for (const auto& s : udp_.sockets) used |= s.used && s.port == p;
            if constexpr (has_tcp)
                for (const auto& s : tcp_.slots) used |= s.kind != slot_kind::free && s.local_port == p;
            if (!used) return p;
        }
        return next_ephemeral_;
    }

    // ---------------------------------------------------------------- link output

    /// Transmits tx_[0, link_header_len + ip_len) after writing the link
    /// header for `dst_mac` and `ethertype`, with `offload` metadata when
    /// given (offload_frame_device). Returns false when the device refused
    /// the frame (counted as dropped).
    bool transmit_frame(mac_address dst_mac, std::uint16_t ethertype, std::size_t payload_len,
                        const io::frame_offload* offload = nullptr) {
        std::size_t len = link_header_len + payload_len;
        if constexpr (has_ethernet) {
            wirekit::ethernet::repr e;
            e.dst_addr = dst_mac;
            e.src_addr = cfg_.mac;
            e.ethertype = ethertype;
            len = e.buffer_len(payload_len);
            e.emit(wirekit::ethernet::mutable_frame::unchecked(mutable_bytes(tx_).first(len)), payload_len);
        }
        bool ok = false;
        if constexpr (io::offload_frame_device<Device>) {
            if (offload) ok = dev_->transmit(bytes_view(tx_).first(len), *offload).has_value();
            else ok = dev_->transmit(bytes_view(tx_).first(len)).has_value();
        } else {
            (void)offload;
            ok = dev_->transmit(bytes_view(tx_).first(len)).has_value();
        }
        if (ok) ++stats_.frames_sent;
        else ++stats_.dropped;
        return ok;
    }

    /// Sends the IP packet at tx_[link_header_len, + len) to neighbour `hop`
    /// (resolving it with ARP, queueing the packet meanwhile).
    void link_output(ipv4_address hop, ipv4_address dst, std::size_t len) {
        if constexpr (has_ethernet) {
            if (is_broadcast_for_us(dst)) {
                (void)transmit_frame(mac_address::broadcast(), wirekit::ethernet::ethertype::ipv4, len);
                return;
            }
            if (auto mac = arp_->lookup(now_, hop)) {
                (void)transmit_frame(*mac, wirekit::ethernet::ethertype::ipv4, len);
                return;
            }
            // Park a copy until the next hop resolves (RFC 1122 §2.3.2.2), and ask.
            if (!arp_->enqueue(now_, hop, bytes_view(tx_).subspan(link_header_len, len))) ++stats_.dropped;
            arp_output();
        } else {
            (void)hop;
            (void)dst;
            (void)transmit_frame(mac_address{}, 0, len);
        }
    }

    void send_arp(const wirekit::arp::repr& a, mac_address dst)
        requires has_ethernet
    {
        // tx_ may hold an IP packet being queued: build the ARP frame in its own buffer.
        std::array<std::byte, wirekit::ethernet::min_frame_len> f{};
        wirekit::ethernet::repr e;
        e.dst_addr = dst;
        e.src_addr = cfg_.mac;
        e.ethertype = wirekit::ethernet::ethertype::arp;
        e.emit(wirekit::ethernet::mutable_frame::unchecked(mutable_bytes(f)), wirekit::arp::packet_len);
        a.emit(wirekit::arp::mutable_packet::unchecked(mutable_bytes(f).subspan(wirekit::ethernet::header_len)));
        if (dev_->transmit(bytes_view(f))) ++stats_.frames_sent;
        if (a.oper == wirekit::arp::operation::request) ++stats_.arp_requests_sent;
        else ++stats_.arp_replies_sent;
    }

    /// Sends the ARP requests due (first tries and retries) and the packets
    /// whose next hop has resolved. Returns true when anything was sent.
    bool arp_output()
        requires has_ethernet
    {
        tcp_batch_flush();  // tx_ is about to be reused
        bool any = false;
        while (auto rq = arp_->poll_request(now_)) {
            send_arp(wirekit::arp::repr::request(cfg_.mac, cfg_.address, rq->target), mac_address::broadcast());
            any = true;
        }
        while (auto p = arp_->pop_ready()) {
            std::copy(p->packet.begin(), p->packet.end(), tx_.begin() + link_header_len);
            (void)transmit_frame(p->mac, wirekit::ethernet::ethertype::ipv4, p->packet.size());
            any = true;
        }
        return any;
    }

    // ---------------------------------------------------------------- IP output

    /// Sends `payload` (a whole transport message) to `dst` as one IPv4
    /// datagram, fragmented to the MTU. Errors: "no route to host";
    /// bad_length beyond 65535 bytes.
    result<void> send_ip(ipv4_address dst, std::uint8_t protocol, bytes_view payload) {
        tcp_batch_flush();  // tx_ is about to be reused
        const auto hop = next_hop(dst);
        if (!hop) {
            ++stats_.no_route;
            return make_error(errc::invalid_state, "stack", 0, "no route to host");
        }
        wirekit::ipv4::repr ip;
        ip.src_addr = cfg_.address;
        ip.dst_addr = dst;
        ip.protocol = protocol;
        ip.ttl = cfg_.ttl;
        ip.identification = next_id_++;
        ip.payload_len = payload.size();
        if (ip.buffer_len() > wirekit::ipv4::max_datagram_len)
            return make_error(errc::bad_length, "stack", 0, "datagram longer than 65535 bytes");
        const auto scratch = mutable_bytes(tx_).subspan(link_header_len);
        auto n = wirekit::ipv4::fragment(ip, payload, caps_.mtu, scratch,
                                         [&](bytes_view frag) { link_output(*hop, dst, frag.size()); });
        if (!n) return n.error();
        if (*n > 1) stats_.ip_fragments_sent += *n;
        return {};
    }

    /// send_ip for a payload of `len` bytes already in the frame buffer
    /// after the link header and a 20-byte IPv4 header, fitting the MTU.
    result<void> send_ip_in_place(ipv4_address dst, std::uint8_t protocol, std::size_t len) {
        const auto hop = next_hop(dst);
        if (!hop) {
            ++stats_.no_route;
            return make_error(errc::invalid_state, "stack", 0, "no route to host");
        }
        wirekit::ipv4::repr ip;
        ip.src_addr = cfg_.address;
        ip.dst_addr = dst;
        ip.protocol = protocol;
        ip.ttl = cfg_.ttl;
        ip.identification = next_id_++;
        ip.payload_len = len;
        ip.emit(wirekit::ipv4::mutable_packet::unchecked(mutable_bytes(tx_).subspan(link_header_len, ip.buffer_len())));
        link_output(*hop, dst, ip.buffer_len());
        return {};
    }

    result<void> send_icmp(ipv4_address dst, const wirekit::icmpv4::repr& m) {
        l4_.resize(m.buffer_len());
        m.emit(wirekit::icmpv4::mutable_message::unchecked(mutable_bytes(l4_)));
        return send_ip(dst, ip_protocol::icmp, bytes_view(l4_));
    }

    /// ICMP destination unreachable `code` about datagram `original` (its IP
    /// header + at least 8 data bytes are quoted, RFC 792), unless it was
    /// sent to a broadcast address (RFC 1122 §3.2.2).
    void send_unreachable(std::uint8_t code, wirekit::ipv4::packet original) {
        if constexpr (has_icmp) {
            // RFC 1122 §3.2.2: never about a datagram to a broadcast or multicast
            // address, nor from one that is not a unicast host address.
            const auto src = original.src_addr();
            if (is_broadcast_for_us(original.dst_addr()) || original.dst_addr().is_multicast()) return;
            if (src.is_unspecified() || src.is_broadcast() || src.is_multicast() || is_broadcast_for_us(src)) return;
            const auto whole = original.bytes().first(original.total_length());
            const std::size_t quote = std::min<std::size_t>(whole.size(), original.header_length() + 8);
            std::vector<std::byte> q(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(quote));
            if (send_icmp(original.src_addr(), wirekit::icmpv4::repr::dest_unreachable(code, bytes_view(q))))
                ++stats_.icmp_unreachable_sent;
        } else {
            (void)code;
            (void)original;
        }
    }

    // ---------------------------------------------------------------- input

    void on_frame(bytes_view frame) {
        if constexpr (has_ethernet) {
            auto f = wirekit::ethernet::frame::checked(frame);
            if (!f) return drop();
            wirekit::ethernet::repr e;
            if (!wirekit::ethernet::repr::parse_into(*f, e) || e.tag_count != 0) return drop();
            if (e.dst_addr != cfg_.mac && !e.dst_addr.is_broadcast()) return drop();
            const auto payload = wirekit::ethernet::payload(*f, e);
            if (e.ethertype == wirekit::ethernet::ethertype::arp) return on_arp(payload);
            if (e.ethertype == wirekit::ethernet::ethertype::ipv4) return on_ipv4(payload);
            return drop();
        } else {
            on_ipv4(frame);
        }
    }

    void drop() { ++stats_.dropped; }

    /// RFC 826 "Packet Reception".
    void on_arp(bytes_view bytes)
        requires has_ethernet
    {
        auto p = wirekit::arp::packet::checked(bytes);
        if (!p) return drop();
        auto a = wirekit::arp::repr::parse(*p);
        if (!a) return drop();
        if (a->spa.is_unspecified() || a->sha.is_multicast()) return drop();  // probes (RFC 5227 §2.1.1), bogus senders
        const bool for_us = a->tpa == cfg_.address;
        (void)arp_->update(now_, a->spa, a->sha, for_us);  // RFC 826 merge rule
        arp_output();                                      // packets that waited for this neighbour
        if (!for_us) return;
        if (a->oper == wirekit::arp::operation::request && a->spa != a->tpa)
            send_arp(wirekit::arp::repr::reply_to(*a, cfg_.mac), a->sha);
    }

    void on_ipv4(bytes_view bytes) {
        auto p = wirekit::ipv4::packet::checked(bytes);
        if (!p) return drop();
        if (!caps_.rx.ipv4_header && !p->verify_checksum()) {
            ++stats_.bad_checksum;
            return drop();
        }
        const auto dst = p->dst_addr();
        if (dst != cfg_.address && !is_broadcast_for_us(dst)) return drop();
        wirekit::ipv4::packet whole = *p;
        if (p->is_fragment()) {
            rx_checksum_trusted_ = false;  // the host completes checksums before it fragments
            if constexpr (reassembly_policy::enabled) {
                auto r = reasm_->push(*p, now_);
                if (!r) return drop();
                if (!*r) return;
                ++stats_.ip_reassembled;
                whole = wirekit::ipv4::packet::unchecked(**r);
            } else {
                return drop();
            }
        }
        const auto payload = whole.payload();
        switch (whole.protocol()) {
            case ip_protocol::icmp:
                if constexpr (has_icmp) return on_icmp(whole, payload);
                break;
            case ip_protocol::udp:
                if constexpr (has_udp) return on_udp(whole, payload);
                break;
            case ip_protocol::tcp:
                if constexpr (has_tcp) return on_tcp(whole, payload);
                break;
            default: break;
        }
        send_unreachable(wirekit::icmpv4::unreachable::protocol, whole);  // RFC 1122 §3.2.2.1 code 2
    }

    void on_icmp(wirekit::ipv4::packet ip, bytes_view bytes)
        requires has_icmp
    {
        auto m = wirekit::icmpv4::message::checked(bytes);
        if (!m) return drop();
        auto r = wirekit::icmpv4::repr::parse(*m, caps_.rx.transport || rx_checksum_trusted_ ? wirekit::ipv4::checksum_mode::ignore
                                                                     : wirekit::ipv4::checksum_mode::verify);
        if (!r) {
            if (r.error().kind == errc::bad_checksum) ++stats_.bad_checksum;
            return drop();
        }
        if (r->type == wirekit::icmpv4::type::echo_request && r->code == 0) {
            // RFC 792: the reply swaps the addresses and keeps identifier, sequence and data.
            // RFC 1122 §3.2.2.6: a request to a broadcast address may be ignored; we do.
            if (ip.dst_addr() != cfg_.address) return;
            // The data is in the receive buffer (or the reassembler's), which stays
            // valid while we build the reply into l4_.
            echo_data_.assign(r->data.begin(), r->data.end());
            const auto reply = wirekit::icmpv4::repr::echo_reply(r->identifier(), r->sequence(), bytes_view(echo_data_));
            if (send_icmp(ip.src_addr(), reply)) ++stats_.icmp_echo_replies_sent;
            return;
        }
        if (r->type == wirekit::icmpv4::type::echo_reply) {
            if (echo_replies_.size() < 64)
                echo_replies_.push_back(echo_reply{ip.src_addr(), r->identifier(), r->sequence(), r->data.size(), now_});
            return;
        }
        // Errors and other messages: not acted upon (RFC 1122 §3.2.2: no error about an error).
    }

    void on_udp(wirekit::ipv4::packet ip, bytes_view bytes)
        requires has_udp
    {
        auto d = wirekit::udp::datagram::checked(bytes);
        if (!d) return drop();
        if (!caps_.rx.transport && !rx_checksum_trusted_ && !d->verify_checksum(ipv4_pseudo{ip.src_addr(), ip.dst_addr()})) {
            ++stats_.bad_checksum;
            return drop();
        }
        const auto data = bytes_view(d->datagram()).subspan(wirekit::udp::header_len);
        for (auto& s : udp_.sockets) {
            if (!s.used || s.port != d->dst_port()) continue;
            if (s.queue.size() >= udp_layer::queue) return drop();
            s.queue.push_back(udp_datagram{endpoint{ip.src_addr(), d->src_port()}, {data.begin(), data.end()}});
            return;
        }
        // RFC 1122 §4.1.3.1: a datagram for a port with no listener SHOULD get a port unreachable.
        send_unreachable(wirekit::icmpv4::unreachable::port, ip);
    }

    void on_tcp(wirekit::ipv4::packet ip, bytes_view bytes)
        requires has_tcp
    {
        auto sg = wirekit::tcp::segment::checked(bytes);
        if (!sg) return drop();
        if (is_broadcast_for_us(ip.dst_addr())) return drop();  // RFC 9293 §3.9.2.1: TCP is unicast only
        const ipv4_pseudo pseudo{ip.src_addr(), ip.dst_addr()};
        auto h = caps_.rx.transport || rx_checksum_trusted_ ? wirekit::tcp::repr::parse_unverified(*sg)
                                                            : wirekit::tcp::repr::parse(*sg, pseudo);
        if (!h) {
            if (h.error().kind == errc::bad_checksum) ++stats_.bad_checksum;
            return drop();
        }
        fsm::tcp::segment_in in;
        in.src_addr = ip.src_addr();
        in.dst_addr = ip.dst_addr();
        in.hdr = *h;
        in.payload = bytes.subspan(sg->header_length());
        const endpoint from{ip.src_addr(), h->src_port};
        // A connection of this 4-tuple.
        for (std::size_t i = 0; i < tcp_.slots.size(); ++i) {
            auto& s = tcp_.slots[i];
            if (s.kind != slot_kind::connection || s.local_port != h->dst_port || !(s.remote == from)) continue;
            // TIME-WAIT and a SYN of a new incarnation (RFC 6191, RFC 1122
            // §4.2.2.13): when a listener has the port, the old TCB goes and
            // the listener takes the SYN (as Linux does); otherwise the
            // connection answers it (a challenge ACK: time_wait_reuse is off).
            if (s.conn->current() == tcp_state::time_wait && s.conn->accepts_new_syn(in) && listens_on(h->dst_port)) {
                tcp_free(static_cast<std::uint32_t>(i));
                break;
            }
            if (h->flags.rst && cfg_.tcp_rfc1337 && s.conn->current() == tcp_state::time_wait) return drop();
            s.conn->on_segment(now_, in);
            tcp_flush(s);
            return;
        }
        // A listener on the port takes everything else (SYNs, handshake
        // ACKs, cookies; it answers a stray ACK with RST itself).
        for (auto& l : tcp_.slots) {
            if (l.kind != slot_kind::listener || l.local_port != h->dst_port) continue;
            l.listener->on_segment(now_, in);
            while (auto seg = l.listener->poll_transmit()) tcp_output(*seg);
            tcp_batch_flush();
            return;
        }
        send_rst_for(in);
    }

    /// Whether a listener has local port `port`.
    bool listens_on(std::uint16_t port) const
        requires has_tcp
    {
        for (const auto& l : tcp_.slots)
            if (l.kind == slot_kind::listener && l.local_port == port) return true;
        return false;
    }

    /// RFC 9293 §3.10.7.1 (CLOSED): an incoming RST is discarded; otherwise
    /// <SEQ=SEG.ACK><CTL=RST> when ACK is set, else
    /// <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
    void send_rst_for(const fsm::tcp::segment_in& in)
        requires has_tcp
    {
        const auto& h = in.hdr;
        if (h.flags.rst) return;
        wirekit::tcp::repr r;
        r.src_port = h.dst_port;
        r.dst_port = h.src_port;
        if (h.flags.ack) {
            r.seq_number = h.ack_number;
            r.flags.rst = true;
        } else {
            const auto seg_len = static_cast<std::uint32_t>(in.payload.size()) + (h.flags.syn ? 1u : 0u) + (h.flags.fin ? 1u : 0u);
            r.seq_number = 0;
            r.ack_number = h.seq_number + seg_len;
            r.flags.rst = true;
            r.flags.ack = true;
        }
        l4_.resize(r.buffer_len());
        auto s = wirekit::tcp::mutable_segment::unchecked(mutable_bytes(l4_));
        if (caps_.tx.transport) (void)r.emit(s);
        else (void)r.emit(s, ipv4_pseudo{cfg_.address, in.src_addr});
        if (send_ip(in.src_addr, ip_protocol::tcp, bytes_view(l4_))) ++stats_.tcp_rst_sent;
    }

    fsm::tcp::config conn_config(std::uint16_t port) const {
        fsm::tcp::config c;
        c.local = endpoint{cfg_.address, port};
        c.secret = cfg_.secret;
        const std::size_t mss = caps_.mtu > 40 ? caps_.mtu - 40 : 536;  // RFC 9293 §3.7.1: MTU − 40
        c.mss = static_cast<std::uint16_t>(std::min<std::size_t>(mss, 65535));
        c.send_buffer = cfg_.tcp_send_buffer;
        c.receive_buffer = cfg_.tcp_receive_buffer;
        c.msl = cfg_.tcp_msl;
        c.user_timeout = cfg_.tcp_user_timeout;
        c.time_wait_reuse = false;  // a new SYN in TIME-WAIT goes to the listener (on_tcp)
        return c;
    }

    std::optional<std::uint32_t> tcp_alloc() {
        for (std::size_t i = 0; i < tcp_.slots.size(); ++i)
            if (tcp_.slots[i].kind == slot_kind::free) return static_cast<std::uint32_t>(i);
        return std::nullopt;
    }
    void tcp_free(std::uint32_t i) {
        auto& s = tcp_.slots[i];
        if (s.conn) retired_retransmissions_ += s.conn->vars().retransmissions;
        const auto gen = s.generation + 1;
        s = {};
        s.generation = gen;
    }
    template <class Self>
    static auto* udp_get_impl(Self& self, udp_socket h) {
        using sock_ptr = decltype(&self.udp_.sockets[0]);
        if (h.index >= self.udp_.sockets.size()) return static_cast<sock_ptr>(nullptr);
        auto& s = self.udp_.sockets[h.index];
        if (!s.used || s.generation != h.generation) return static_cast<sock_ptr>(nullptr);
        return &s;
    }
    auto* udp_get(udp_socket h) { return udp_get_impl(*this, h); }
    const auto* udp_get(udp_socket h) const { return udp_get_impl(*this, h); }

    template <class Self>
    static auto* tcp_get_impl(Self& self, tcp_socket h) {
        using slot_ptr = decltype(&self.tcp_.slots[0]);
        if (h.index >= self.tcp_.slots.size()) return static_cast<slot_ptr>(nullptr);
        auto& s = self.tcp_.slots[h.index];
        if (s.kind == slot_kind::free || s.generation != h.generation) return static_cast<slot_ptr>(nullptr);
        if (s.kind == slot_kind::connection && !s.user_owned) return static_cast<slot_ptr>(nullptr);
        return &s;
    }
    auto* tcp_get(tcp_socket h) { return tcp_get_impl(*this, h); }
    const auto* tcp_get(tcp_socket h) const { return tcp_get_impl(*this, h); }
    auto* tcp_conn(tcp_socket h) {
        auto* s = tcp_get(h);
        return s && s->kind == slot_kind::connection ? s : nullptr;
    }

    /// Puts one segment on the wire. A segment that fits the MTU is built
    /// in place in the frame buffer (one copy of the payload); a larger one
    /// (an MSS above the path's MTU) goes through fragmentation. With
    /// transmit checksum offload (and a resolved next hop) the segment
    /// joins the pending batch instead (tcp_batch_*); whoever calls this
    /// calls tcp_batch_flush() after its last segment.
    void tcp_output(const fsm::tcp::segment_out& seg) {
        const std::size_t n = seg.buffer_len();
        const bool fits = wirekit::ipv4::min_header_len + n <= caps_.mtu;
        if (tx_csum_offload_ && fits) {
            if (tcp_batch_append(seg)) return;
            tcp_batch_flush();
            if (tcp_batch_start(seg)) return;
        } else {
            tcp_batch_flush();
        }
        mutable_bytes out;
        if (fits) {
            out = mutable_bytes(tx_).subspan(link_header_len + wirekit::ipv4::min_header_len, n);
        } else {
            l4_.resize(n);
            out = mutable_bytes(l4_);
        }
        const std::size_t hl = seg.hdr.header_len();
        if (!seg.payload.empty()) std::memcpy(out.data() + hl, seg.payload.data(), seg.payload.size());
        auto view = wirekit::tcp::mutable_segment::unchecked(out);
        if (caps_.tx.transport) (void)seg.hdr.emit(view);
        else (void)seg.hdr.emit(view, ipv4_pseudo{seg.src_addr, seg.dst_addr});
        if (fits) (void)send_ip_in_place(seg.dst_addr, ip_protocol::tcp, n);
        else (void)send_ip(seg.dst_addr, ip_protocol::tcp, bytes_view(l4_));
    }
    /// Sends every segment the connection has queued.
    template <class Slot>
    void tcp_flush(Slot& s) {
        while (auto seg = s.conn->poll_transmit()) tcp_output(*seg);
        tcp_batch_flush();
        while (s.conn->poll_notice()) {
        }
    }

    // ---------------------------------------------------------------- TCP transmit offload
    //
    // With io::frame_offload (a TAP with IFF_VNET_HDR, VIRTIO 1.2 §5.1.6):
    // a segment is built in tx_ after the link and IPv4 headers as usual,
    // but not sent at once. Following segments of the same connection are
    // appended while they continue the sequence space, the previous one was
    // full-sized (all but the last segment of a super-frame carry gso_size
    // bytes) and their headers differ only in SEQ and PSH (Linux's
    // tcp_gso_segment gives every segment the super-frame's header with SEQ
    // advanced, and PSH/FIN only to the last). tcp_batch_flush writes the
    // super-frame's TCP header (PSH if any segment had it), the pseudo-header
    // sum as the partial checksum (RFC 9293 §3.1; what the device completes),
    // the IPv4 header, and transmits one frame with NEEDS_CSUM and, for two
    // or more segments, GSO TCPV4 with gso_size = the first segment's payload.

    /// Starts a batch with `seg` (which fits the MTU). False when the next
    /// hop is not resolved: the segment then takes the ordinary path (its
    /// copy may wait in the ARP queue, so it needs a complete checksum).
    bool tcp_batch_start(const fsm::tcp::segment_out& seg) {
        const auto hop = next_hop(seg.dst_addr);
        if (!hop) return false;
        auto& b = batch_;
        if constexpr (has_ethernet) {
            if (is_broadcast_for_us(seg.dst_addr)) return false;
            const auto mac = arp_->lookup(now_, *hop);
            if (!mac) return false;
            b.mac = *mac;
        }
        const auto& h = seg.hdr;
        b.active = true;
        b.src = seg.src_addr;
        b.dst = seg.dst_addr;
        b.hdr = h;
        b.hdr_len = h.header_len();
        b.payload = seg.payload.size();
        b.seg_size = b.payload;
        b.segments = 1;
        b.next_seq = h.seq_number + static_cast<std::uint32_t>(b.payload);
        b.open = tx_gso_max_ > 0 && b.payload > 0 && !h.flags.syn && !h.flags.fin && !h.flags.rst && !h.flags.urg;
        if (b.payload)
            std::memcpy(tx_.data() + link_header_len + wirekit::ipv4::min_header_len + b.hdr_len, seg.payload.data(), b.payload);
        return true;
    }
    /// Appends `seg`'s payload to the open batch when it continues it (see
    /// above); false otherwise.
    bool tcp_batch_append(const fsm::tcp::segment_out& seg) {
        auto& b = batch_;
        if (!b.active || !b.open) return false;
        const auto& h = seg.hdr;
        const auto& f = b.hdr;
        if (seg.dst_addr != b.dst || seg.src_addr != b.src || h.src_port != f.src_port || h.dst_port != f.dst_port) return false;
        const std::size_t len = seg.payload.size();
        if (h.seq_number != b.next_seq || len == 0 || len > b.seg_size) return false;
        auto flags = h.flags;
        flags.psh = f.flags.psh;  // every control bit but PSH must match
        if (flags != f.flags || h.ack_number != f.ack_number || h.window != f.window || h.urgent_pointer != f.urgent_pointer ||
            !(h.options == f.options))
            return false;
        const std::size_t at = link_header_len + wirekit::ipv4::min_header_len + b.hdr_len + b.payload;
        if (at + len > tx_gso_max_) return false;
        std::memcpy(tx_.data() + at, seg.payload.data(), len);
        b.payload += len;
        b.next_seq += static_cast<std::uint32_t>(len);
        ++b.segments;
        b.hdr.flags.psh = b.hdr.flags.psh || h.flags.psh;
        b.open = len == b.seg_size;
        return true;
    }
    /// Sends the pending batch, if any (see above).
    void tcp_batch_flush() {
        auto& b = batch_;
        if (!b.active) return;
        b.active = false;
        const std::size_t ip_at = link_header_len;
        const std::size_t tcp_len = b.hdr_len + b.payload;
        auto hdr = b.hdr;
        hdr.payload_len = b.payload;
        auto view = wirekit::tcp::mutable_segment::unchecked(
            mutable_bytes(tx_).subspan(ip_at + wirekit::ipv4::min_header_len, tcp_len));
        (void)hdr.emit(view);
        view.set_checksum(ipv4_pseudo_header(b.src.octets, b.dst.octets, ip_protocol::tcp, static_cast<std::uint16_t>(tcp_len)).sum());
        wirekit::ipv4::repr ip;
        ip.src_addr = b.src;
        ip.dst_addr = b.dst;
        ip.protocol = ip_protocol::tcp;
        ip.ttl = cfg_.ttl;
        ip.identification = next_id_;
        next_id_ = static_cast<std::uint16_t>(next_id_ + b.segments);  // the host numbers the segments on
        ip.payload_len = tcp_len;
        ip.emit(wirekit::ipv4::mutable_packet::unchecked(mutable_bytes(tx_).subspan(ip_at, ip.buffer_len())));
        io::frame_offload o;
        o.needs_checksum = true;
        o.csum_start = static_cast<std::uint16_t>(ip_at + wirekit::ipv4::min_header_len);
        o.csum_offset = 16;  // RFC 9293 §3.1: the checksum field
        if (b.segments > 1) {
            o.gso = io::segmentation::tcpv4;
            o.gso_size = static_cast<std::uint16_t>(b.seg_size);
            o.hdr_len = static_cast<std::uint16_t>(ip_at + wirekit::ipv4::min_header_len + b.hdr_len);
        }
        if (!transmit_frame(b.mac, wirekit::ethernet::ethertype::ipv4, ip.buffer_len(), &o)) {
            // A device that refuses super-frames would make every
            // retransmission fail the same way: segment in software from now on.
            if (b.segments > 1) tx_gso_max_ = 0;
            return;
        }
        ++stats_.checksum_offloaded;
        if (b.segments > 1) {
            ++stats_.gso_frames_sent;
            stats_.gso_segments_sent += b.segments;
        }
    }

    /// Timers, output and reaping of every TCP slot. Returns true when a timer fired.
    bool tcp_service(bool timers) {
        bool fired = false;
        for (std::uint32_t i = 0; i < tcp_.slots.size(); ++i) {
            auto& s = tcp_.slots[i];
            if (s.kind == slot_kind::listener) {
                if (auto d = s.listener->next_deadline(); timers && d && *d <= now_) {
                    s.listener->on_timer(now_);
                    fired = true;
                }
                while (auto seg = s.listener->poll_transmit()) tcp_output(*seg);
                tcp_batch_flush();
                continue;
            }
            if (s.kind != slot_kind::connection) continue;
            if (timers) {
                if (auto d = s.conn->next_deadline(); d && *d <= now_) {
                    s.conn->on_timer(now_);
                    fired = true;
                }
            }
            tcp_flush(s);
            if (s.conn->current() == tcp_state::closed && !s.user_owned) tcp_free(i);  // closed by the user
        }
        return fired;
    }

    /// A TCP super-frame being built in tx_ (see tcp_batch_start).
    struct tcp_batch {
        bool active = false;        // tx_ holds a batch
        bool open = false;          // another segment may be appended
        mac_address mac{};          // next hop's MAC (ethernet)
        ipv4_address src{};
        ipv4_address dst{};
        wirekit::tcp::repr hdr{};   // the first segment's header (PSH: any segment's)
        std::size_t hdr_len = 0;    // TCP header bytes
        std::size_t payload = 0;    // payload bytes so far
        std::size_t seg_size = 0;   // the first segment's payload: gso_size
        std::size_t segments = 0;
        std::uint32_t next_seq = 0; // SEQ the next appended segment must have
    };

    Device* dev_;
    stack_config cfg_;
    io::device_capabilities caps_;
    bool tx_csum_offload_ = false;    // the device completes partial TCP checksums
    std::size_t tx_gso_max_ = 0;      // largest super-frame, link header included; 0: no GSO
    bool rx_checksum_trusted_ = false;  // the frame being processed has a trusted transport checksum
    tcp_batch batch_{};
    instant now_{};
    bool started_ = false;
    std::uint16_t next_id_ = 1;
    std::uint16_t next_ephemeral_ = 49152;
    std::vector<std::byte> tx_{};        // one frame being built
    std::vector<std::byte> l4_{};        // one transport message being built
    std::vector<std::byte> echo_data_{}; // echo data copied out of the receive buffer
    std::optional<wirekit::ipv4::reassembler> reasm_{};
    std::deque<echo_reply> echo_replies_{};
    stack_stats stats_{};
    std::uint64_t retired_retransmissions_ = 0;
    std::optional<arp_members> arp_{};
    routing_table<routes_capacity> routes_{};
    [[no_unique_address]] udp_members udp_{};
    [[no_unique_address]] tcp_members tcp_{};
};

}  // namespace wirekit::stack
