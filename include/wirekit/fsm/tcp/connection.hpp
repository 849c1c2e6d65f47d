// wirekit/fsm/tcp/connection.hpp — one TCP connection, sans-I/O (RFC 9293).
//
// Layer L3. A `connection` is a Transmission Control Block (§3.3.1) plus the
// connection state machine; `basic_connection<Congestion>` chooses the
// congestion-control policy (tahoe, reno, newreno; `connection` is newreno). It never reads a clock or touches a socket:
//
//   inputs   the §3.10 user calls  open / send / receive / close / abort / status,
//            on_segment(now, segment)   a segment for this connection arrived,
//            on_timer(now)              call it at (or after) next_deadline();
//   outputs  poll_transmit()            segments to put on the wire, in order,
//            poll_notice()              events for the user (established, readable, ...),
//            next_deadline()            when on_timer must next be called.
//
// Time is `instant`: microseconds since any epoch the caller picks.
//
// Structure. The state diagram is data: `connection_table::table` maps
// (state, event) -> [guard] / action -> next state, checked for
// exhaustiveness at compile time and drawn in docs/diagrams/tcp.mmd from the
// same array. SEGMENT ARRIVES (§3.10.7) is the procedure `on_segment`: it
// runs the RFC's checks in the RFC's order (sequence acceptability, RST,
// security [not implemented], SYN, ACK, URG, text, FIN) and reports each
// state-relevant finding to the table as an event (rcv_rst, rcv_syn,
// rcv_ack_of_syn, rcv_ack_of_fin, rcv_fin, ...). Variables carry RFC names:
// snd_una, snd_nxt, snd_wnd, snd_up, snd_wl1, snd_wl2, iss, rcv_nxt,
// rcv_wnd, rcv_up, irs (§3.3.1).
//
// Implemented: the 11 states; active, passive and simultaneous open;
// simultaneous close; half-close; TIME-WAIT for 2 MSL; ABORT; the §3.10 user
// interface; SEGMENT ARRIVES in §3.10.7 order with the RFC 5961 challenge ACK
// for in-window RSTs and for SYNs in synchronized states (§3.10.7.4) and the
// RFC 5961 §5.2 ACK range check; ISN per RFC 6528; MSS option (§3.7.1, 536
// when absent); retransmission per RFC 6298 (Karn, backoff, §5.7's 3 s);
// zero-window probing by the retransmission timer; user timeout;
// out-of-order reassembly in a ring sized to the receive buffer (at most 64
// held ranges); SWS avoidance at both ends;
// delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2; config delayed_ack,
// ack_delay); Nagle (RFC 896, §3.7.4; config nodelay); keep-alive (§3.8.4,
// RFC 1122 §4.2.3.6; config keepalive, off by default); congestion control
// as a policy table run as an orthogonal region beside the connection
// table: tahoe, reno (RFC 5681 §3) or newreno (RFC 6582); window scaling
// (RFC 7323 §2), timestamps with RTTM and PAWS (RFC 7323 §3-§5), SACK blocks
// sent in RFC 2018 §4 order and used by RFC 6675 loss recovery, which
// replaces the Reno/NewReno fast recovery when SACK is negotiated
// (timestamps.hpp, sack.hpp). Listening with SYN and accept queues and SYN
// cookies (RFC 4987) is basic_listener in listener.hpp.
// Not implemented (yet): D-SACK (RFC 2883), Limited Transmit (RFC 3042),
// TSopt in RST, precedence/security
// (§3.10.7.4 third), challenge-ACK rate limiting (RFC 5961 §7), urgent-data
// delivery beyond tracking rcv_up. docs/tcp.md has the full list.
#pragma once

#include <algorithm>    // std::min, std::max, std::copy
#include <bit>          // std::bit_ceil (reassembly ring size)
#include <chrono>       // std::chrono::microseconds
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // sequence numbers
#include <deque>        // outbox
#include <optional>     // deadlines, remote endpoint
#include <string_view>  // user error texts
#include <vector>       // segment payloads

#include "../../core/address.hpp"   // ipv4_address
#include "../../core/bytes.hpp"     // bytes_view, mutable_bytes
#include "../../core/result.hpp"    // result, make_error
#include "../../wire/ip_protocol.hpp"  // ipv4_pseudo
#include "../../wire/tcp.hpp"       // wirekit::tcp::repr, mutable_segment
#include "../machine.hpp"           // fsm::machine, fsm::rows
#include "byte_ring.hpp"            // byte_ring (send and receive queues)
#include "isn.hpp"                  // endpoint, initial_sequence_number
#include "rto.hpp"                  // rtt_estimator
#include "sack.hpp"                 // seq_ranges, sack_reporter, sack_scoreboard (RFC 2018, RFC 6675)
#include "seq.hpp"                  // seq_lt, ...
#include "state.hpp"                // state, event
#include "timestamps.hpp"           // timestamp_state, timestamp_offset (RFC 7323)

namespace wirekit::fsm::tcp {

/// Microseconds since an epoch of the caller's choosing (a virtual clock in tests).
using instant = std::chrono::microseconds;
/// A span of time, microseconds.
using duration = std::chrono::microseconds;

/// Settings of one connection.
struct config {
    endpoint local{};                        ///< our address and port
    siphash_key secret{};                    ///< RFC 6528 secret key (choose it at random, once)
    std::uint16_t mss = 1460;                ///< MSS we announce: the largest segment we receive, bytes
    std::size_t send_buffer = 65535;         ///< bytes SEND may queue (sent and unsent)
    std::size_t receive_buffer = 65535;      ///< bytes of receive buffer; the window, at most 65535 << Rcv.Wind.Shift
    duration msl = std::chrono::minutes(2);  ///< Maximum Segment Lifetime (§3.4.2); TIME-WAIT lasts 2 MSL
    duration user_timeout = std::chrono::minutes(5);  ///< §3.10.1: give up when data goes unacknowledged this long
    duration max_rto = std::chrono::seconds(60);      ///< RFC 6298 §2.5 upper bound
    std::size_t max_outbox = 1024;           ///< segments held for poll_transmit; more are dropped (as a full NIC queue)
    /// Use this ISS instead of RFC 6528's. Only for reproducing fixed traces
    /// (the RFC's figures use ISS 100 and 300); never in production.
    std::optional<std::uint32_t> fixed_iss{};

    // Options of RFC 7323 and RFC 2018, offered in our SYN; each is in effect
    // only when the peer's SYN (or SYN,ACK) carries it too.
    bool window_scale = true;  ///< offer the Window Scale option (RFC 7323 §2)
    /// Rcv.Wind.Shift to offer, 0..14 (larger values count as 14, §2.3).
    /// Unset: the smallest shift with receive_buffer >> shift <= 65535.
    std::optional<std::uint8_t> rcv_wind_shift{};
    bool timestamps = true;  ///< offer TSopt (RFC 7323 §3): RTTM (§4) and PAWS (§5)
    bool sack = true;        ///< offer SACK-permitted (RFC 2018 §2); SACK loss recovery per RFC 6675

    // Delayed ACK (RFC 9293 §3.8.6.3, RFC 1122 §4.2.3.2, RFC 5681 §4.2).
    /// Delay the ACK of in-order data. false ("quickack"): every segment
    /// with text is acknowledged at once.
    bool delayed_ack = true;
    /// Longest an ACK of received data waits, microseconds. RFC 1122
    /// §4.2.3.2: "MUST be less than 0.5 seconds"; larger values are used as
    /// 499.999 ms.
    duration ack_delay = std::chrono::milliseconds(200);

    /// TCP_NODELAY: switch the Nagle algorithm off (RFC 896; RFC 9293
    /// §3.7.4; RFC 1122 §4.2.3.4 "a TCP SHOULD implement the Nagle
    /// Algorithm", with a way to disable it). Default false: Nagle on.
    bool nodelay = false;

    /// Keep-alive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6). Off by default
    /// ("MUST default to off"). When on, a connection that has received
    /// nothing for `idle` (at least 2 hours by default, as RFC 1122 requires
    /// of the default) sends a probe <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>
    /// with no data, then one every `interval`; once `probes` probes went
    /// unanswered for `interval` each, the connection is aborted (RST,
    /// notice::timed_out). interval and probes default to Linux's 75 s and 9.
    struct keepalive_config {
        bool enabled = false;
        duration idle = std::chrono::hours(2);        ///< silence before the first probe
        duration interval = std::chrono::seconds(75);  ///< between unanswered probes
        std::uint32_t probes = 9;                      ///< unanswered probes before the abort
    };
    keepalive_config keepalive{};

    /// TIME-WAIT reuse (RFC 9293 §3.10.7.4 fourth, RFC 6191, RFC 1122
    /// §4.2.2.13): a SYN that arrives in TIME-WAIT and is provably new
    /// (time_wait_accepts_syn) reopens this connection: SYN-RECEIVED with an
    /// ISS above every sequence number of the old incarnation. Off: such a
    /// SYN gets the RFC 5961 challenge ACK like any other. A host that
    /// hands new SYNs to a listener instead (as wirekit::stack does) turns
    /// this off and asks accepts_new_syn().
    bool time_wait_reuse = true;
};

/// A segment addressed to this connection, as parsed by the wire layer.
struct segment_in {
    ipv4_address src_addr{};
    ipv4_address dst_addr{};
    wirekit::tcp::repr hdr{};  ///< header (hdr.payload_len is ignored; `payload` counts)
    bytes_view payload{};      ///< SEG.LEN counts these bytes plus SYN and FIN
};

/// A segment the connection wants sent.
struct segment_out {
    ipv4_address src_addr{};
    ipv4_address dst_addr{};
    wirekit::tcp::repr hdr{};          ///< hdr.payload_len == payload.size()
    std::vector<std::byte> payload{};

    /// Bytes of the TCP segment (header, options, payload).
    [[nodiscard]] std::size_t buffer_len() const noexcept { return hdr.buffer_len(); }
    /// Writes the segment with its checksum into `out` (at least
    /// buffer_len() bytes; the first buffer_len() are written).
    /// Errors (layer "tcp"): no_space when `out` is too small.
    result<std::size_t> emit(mutable_bytes out) const {
        const std::size_t n = buffer_len();
        if (out.size() < n) return make_error(errc::no_space, "tcp", 0, "buffer smaller than the segment");
        auto s = wirekit::tcp::mutable_segment::unchecked(out.first(n));
        std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(hdr.header_len()));
        WIREKIT_TRY_VOID(hdr.emit(s, ipv4_pseudo{src_addr, dst_addr}));
        return n;
    }
    /// SEG.LEN: payload bytes plus one for SYN and one for FIN (§3.4).
    [[nodiscard]] std::uint32_t seg_len() const noexcept {
        return static_cast<std::uint32_t>(payload.size()) + (hdr.flags.syn ? 1u : 0u) + (hdr.flags.fin ? 1u : 0u);
    }
};

/// Things the user is told (§3.10: "signal the user ...").
enum class notice : std::uint8_t {
    established,  ///< the connection is open (ESTABLISHED reached)
    readable,     ///< data arrived for RECEIVE
    peer_closed,  ///< the peer sent FIN: "connection closing"; no more data will arrive
    reset,        ///< "connection reset" by the peer
    refused,      ///< "connection refused": RST in answer to our SYN
    timed_out,    ///< "connection aborted due to user timeout", or keep-alive probes went unanswered
    closed,       ///< the connection reached CLOSED
    urgent,       ///< urgent data is pending (rcv_up advanced)
};

/// What STATUS reports (§3.10.6).
struct status_info {
    state st = state::closed;
    endpoint local{};
    endpoint remote{};
    std::uint32_t snd_wnd = 0;       ///< send window, bytes
    std::uint32_t rcv_wnd = 0;       ///< receive window, bytes
    std::size_t unacknowledged = 0;  ///< sequence space sent but not acknowledged
    std::size_t send_queued = 0;     ///< bytes queued by SEND, sent or not, not yet acknowledged
    std::size_t receive_queued = 0;  ///< bytes received, not yet taken by RECEIVE
    bool urgent = false;             ///< urgent data pending
    duration rto{};                  ///< current retransmission timeout
    std::uint32_t cwnd = 0;          ///< congestion window, bytes (RFC 5681)
    std::uint32_t ssthresh = 0;      ///< slow start threshold, bytes
    cc_state congestion = cc_state::slow_start;  ///< state of the congestion-control policy (RFC 5681 §3)
    // RFC 7323 / RFC 2018 options in effect
    std::uint8_t snd_wscale = 0;     ///< Snd.Wind.Shift: the peer's SEG.WND is shifted left by this (0: no scaling)
    std::uint8_t rcv_wscale = 0;     ///< Rcv.Wind.Shift: our window field is RCV.WND shifted right by this
    bool timestamps = false;         ///< TSopt negotiated (RTTM and PAWS in use)
    bool sack = false;               ///< SACK-permitted negotiated (SACK blocks sent and used)
    std::uint64_t paws_drops = 0;    ///< segments dropped by PAWS (RFC 7323 §5.3 R1)
};

/// The payload of a connection-table event.
struct input {
    const segment_in* seg = nullptr;  ///< rcv_* events
    bytes_view data{};                ///< SEND
    mutable_bytes buffer{};           ///< RECEIVE
    std::uint32_t acked = 0;          ///< new_ack: bytes of sequence space newly acknowledged
};

/// The Transmission Control Block (§3.3.1): every variable of one
/// connection. It is the context of the connection table; read it through
/// connection::vars(). Sequence variables are modulo 2^32.
struct tcb {
    config cfg{};
    state st = state::closed;  ///< mirror of the machine's state (kept by the entry hook)
    instant now{};             ///< time of the input being processed
    endpoint remote{};
    bool remote_known = false;  ///< the foreign socket is specified
    bool passive = false;       ///< the connection began with a passive OPEN

    // Send sequence variables (§3.3.1)
    std::uint32_t iss = 0;      ///< initial send sequence number
    std::uint32_t snd_una = 0;  ///< oldest unacknowledged sequence number
    std::uint32_t snd_nxt = 0;  ///< next sequence number to send
    std::uint32_t snd_max = 0;  ///< highest sequence number sent + 1 (snd_nxt goes back on timeout)
    std::uint32_t snd_wnd = 0;  ///< send window (the peer's SEG.WND), bytes
    std::uint32_t max_snd_wnd = 0;  ///< largest send window seen (RFC 5961 §5.2 MAX.SND.WND)
    std::uint32_t snd_up = 0;   ///< send urgent pointer
    std::uint32_t snd_wl1 = 0;  ///< SEG.SEQ of the last window update
    std::uint32_t snd_wl2 = 0;  ///< SEG.ACK of the last window update
    std::uint16_t snd_mss = 536;  ///< effective send MSS, bytes (§3.7.1)

    // Receive sequence variables (§3.3.1)
    std::uint32_t irs = 0;      ///< initial receive sequence number
    std::uint32_t rcv_nxt = 0;  ///< next sequence number expected
    std::uint32_t rcv_wnd = 0;  ///< receive window, bytes
    std::uint32_t rcv_up = 0;   ///< receive urgent pointer
    bool urgent_pending = false;

    // Queues (rings bounded by cfg.send_buffer / receive_cap()). snd_buf
    // holds SEND data from sequence number snd_buf_seq on.
    byte_ring snd_buf{};
    std::uint32_t snd_buf_seq = 0;
    bool fin_queued = false;  ///< CLOSE was called: FIN follows the queued data
    byte_ring rcv_buf{};
    bool fin_received = false;
    /// Out-of-order bytes inside the receive window, at ring position seq
    /// mod ring_size() (a power of two above the largest window we can
    /// advertise, so bounded by the receive buffer); which bytes are held is
    /// in ooo_ranges.
    std::vector<std::byte> ooo_data{};
    std::size_t ooo_count = 0;  ///< bytes held out of order

    // Congestion control (RFC 5681, RFC 6582), driven by the congestion
    // region (the congestion policy) beside the connection table.
    static constexpr std::uint32_t max_cwnd = 1u << 20;  ///< cwnd never exceeds 1 MiB (16 x the largest window)
    std::uint32_t cwnd = 4 * 536;    ///< congestion window, bytes (IW for the default SMSS until a connection starts)
    std::uint32_t ssthresh = 65535;  ///< slow start threshold, bytes
    std::uint32_t dup_acks = 0;      ///< consecutive duplicate ACKs (RFC 5681 §2)
    std::uint32_t recover = 0;       ///< SND.MAX when fast recovery began (RFC 6582 "recover")

    // Timers and the RFC 6298 estimator
    rtt_estimator rtt{};
    bool rtt_timing = false;  ///< one segment is being timed (Karn: never a retransmitted one)
    std::uint32_t rtt_seq = 0;
    instant rtt_start{};
    bool syn_retransmitted = false;  ///< RFC 6298 §5.7
    std::optional<instant> rtx_deadline{};
    std::optional<instant> time_wait_deadline{};
    std::optional<instant> user_deadline{};

    bool ack_pending = false;
    std::deque<segment_out> outbox{};
    std::deque<notice> notices{};
    std::string_view user_error{};  ///< set by a user call that fails: the RFC's error text
    std::size_t user_count = 0;     ///< bytes a SEND queued / a RECEIVE delivered

    // Delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2)
    std::optional<instant> delack_deadline{};  ///< when the delayed ACK is due
    std::uint32_t delack_bytes = 0;            ///< in-order bytes received since our last ACK

    // Keep-alive (RFC 9293 §3.8.4, RFC 1122 §4.2.3.6)
    std::optional<instant> keepalive_deadline{};  ///< next probe (or the abort), when keep-alive is on
    std::uint32_t keepalive_unanswered = 0;       ///< probes sent since the peer was last heard

    /// An acceptable segment arrived: the peer is alive. Restarts the idle
    /// period of keep-alive (RFC 1122 §4.2.3.6: probe only when nothing was
    /// received for an interval).
    void heard_from_peer() {
        keepalive_unanswered = 0;
        if (cfg.keepalive.enabled && synchronized(st) && st != state::time_wait)
            keepalive_deadline = now + cfg.keepalive.idle;
    }
    /// <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=ACK>, no data (RFC 9293 §3.8.4): old
    /// by one byte, so the peer answers it with an ACK.
    void send_keepalive_probe() {
        wirekit::tcp::control f;
        f.ack = true;
        emit(snd_nxt - 1, f, rcv_nxt);
        ++keepalive_unanswered;
        keepalive_deadline = now + cfg.keepalive.interval;
    }

    // Counters (for tests and tracing)
    std::uint64_t retransmissions = 0;
    std::uint64_t challenge_acks = 0;
    std::uint64_t fast_retransmits = 0;

    // RFC 7323 window scaling and timestamps, RFC 2018 / RFC 6675 SACK.
    std::uint8_t snd_wscale = 0;  ///< Snd.Wind.Shift (RFC 7323 §2.3): the peer's SEG.WND << this
    std::uint8_t rcv_wscale = 0;  ///< Rcv.Wind.Shift: our SEG.WND = RCV.WND >> this (rounded up)
    bool ws_ok = false;           ///< both SYNs carried the Window Scale option
    /// The highest right window edge we advertised (RCV.NXT + window field <<
    /// Rcv.Wind.Shift). Data up to it is accepted even when rounding made a
    /// later window smaller (RFC 7323 §2.4: "honor, as in window, any segment
    /// that would have been in window for any <ACK> sent").
    std::uint32_t rcv_adv = 0;
    timestamp_state ts{};         ///< TSopt negotiation, TS.Recent, Last.ACK.sent (RFC 7323)
    bool sack_ok = false;         ///< both SYNs carried SACK-permitted (RFC 2018 §2)
    bool sack_recovery = false;   ///< in RFC 6675 loss recovery (the congestion region's fast recovery)
    /// Out-of-order ranges held (at most 64; a segment that would need a
    /// 65th is not kept and must be retransmitted): the SACK blocks we send.
    seq_ranges<64> ooo_ranges{};
    sack_reporter sack_report{};  ///< RFC 2018 §4 block order
    sack_scoreboard sb{};         ///< the sender's scoreboard (RFC 6675 §3)
    std::uint64_t paws_drops = 0;  ///< segments dropped by PAWS (RFC 7323 §5.3 R1)

    /// Rcv.Wind.Shift we offer: the configured one (at most 14), or the
    /// smallest that fits receive_buffer into the 16-bit window field.
    [[nodiscard]] std::uint8_t offered_rcv_shift() const noexcept {
        if (cfg.rcv_wind_shift) return std::min<std::uint8_t>(*cfg.rcv_wind_shift, 14);
        std::uint8_t sh = 0;
        while (sh < 14 && (cfg.receive_buffer >> sh) > 65535) ++sh;
        return sh;
    }
    /// The receive buffer in use: at most 65535 << Rcv.Wind.Shift, the largest window we can announce.
    [[nodiscard]] std::size_t receive_cap() const noexcept {
        return std::min<std::size_t>(cfg.receive_buffer, std::size_t{65535} << rcv_wscale);
    }
    /// Bytes of reassembly ring: a power of two above the receive buffer
    /// plus the rounding slack of a scaled window.
    [[nodiscard]] std::size_t ring_size() const noexcept {
        return std::bit_ceil(receive_cap() + (std::size_t{1} << rcv_wscale));
    }
    /// How far beyond RCV.NXT data is accepted: RCV.WND, or up to the
    /// highest edge ever advertised when rounding of a scaled window left it
    /// further out (less than 2^Rcv.Wind.Shift bytes more).
    [[nodiscard]] std::uint32_t rcv_limit() const noexcept {
        const std::uint32_t adv = seq_gt(rcv_adv, rcv_nxt) ? rcv_adv - rcv_nxt : 0;
        return std::max(rcv_wnd, adv);
    }
    /// The 16-bit window field for a segment (RFC 7323 §2.3): unscaled in a
    /// SYN (§2.2), else RCV.WND >> Rcv.Wind.Shift rounded up, so rounding
    /// never offers a smaller window than RCV.WND (a window of 100 bytes
    /// with shift 7 is 1, not 0). Records the edge advertised.
    [[nodiscard]] std::uint16_t window_field(wirekit::tcp::control flags) noexcept {
        std::uint32_t field;
        if (flags.syn || rcv_wscale == 0) {
            field = std::min<std::uint32_t>(rcv_wnd, 65535);
            if (flags.ack) rcv_adv = seq_max(rcv_adv, rcv_nxt + field);
        } else {
            const std::uint32_t unit = 1u << rcv_wscale;
            field = std::min<std::uint32_t>(static_cast<std::uint32_t>((std::uint64_t{rcv_wnd} + unit - 1) >> rcv_wscale), 65535);
            if (flags.ack) rcv_adv = seq_max(rcv_adv, rcv_nxt + (field << rcv_wscale));
        }
        return static_cast<std::uint16_t>(field);
    }
    /// The peer's window in bytes from a segment's window field (RFC 7323
    /// §2.3: SEG.WND << Snd.Wind.Shift, never for a SYN).
    [[nodiscard]] std::uint32_t seg_window(const wirekit::tcp::repr& h) const noexcept {
        return h.flags.syn ? h.window : std::uint32_t{h.window} << snd_wscale;
    }
    /// Options of an outgoing segment beyond MSS: in a SYN the ones we offer
    /// (a SYN,ACK only those the peer's SYN carried: RFC 7323 §2.2, §3.2;
    /// RFC 2018 §2); later TSopt in every non-RST segment (§3.2) and SACK
    /// blocks in ACKs while out-of-order data is held (RFC 2018 §4): at most
    /// 3 blocks beside TSopt, 4 without (40 bytes of options).
    void add_options(wirekit::tcp::option_set& o, wirekit::tcp::control flags, std::uint32_t ack_number,
                     std::uint32_t payload_len) {
        if (flags.rst) return;
        if (flags.syn) {
            if (flags.ack ? ws_ok : cfg.window_scale) o.window_scale = offered_rcv_shift();
            if (flags.ack ? sack_ok : cfg.sack) o.sack_permitted = true;
            if (flags.ack ? ts.ok : cfg.timestamps)
                o.ts = wirekit::tcp::timestamps{ts.now_value(now), flags.ack ? ts.recent : 0u};
        } else {
            if (ts.ok) o.ts = wirekit::tcp::timestamps{ts.now_value(now), ts.recent};
            if (sack_ok && flags.ack && !ooo_ranges.empty()) {
                // Blocks only as far as the segment stays within the peer's
                // MSS (SMSS plus the TSopt bytes SMSS was reduced by).
                const std::uint32_t limit = snd_mss + (ts.ok ? 12u : 0u);
                const std::uint32_t used = payload_len + (ts.ok ? 12u : 0u) + 4u;
                const std::size_t fit = limit > used ? (limit - used) / 8 : 0;
                const std::size_t max_blocks = std::min<std::size_t>(ts.ok ? 3 : 4, fit);
                if (max_blocks) o.sack_count = sack_report.fill(ooo_ranges, max_blocks, o.sack);
            }
        }
        if (flags.ack) ts.last_ack_sent = ack_number;
    }
    /// Negotiates the options from the peer's SYN or SYN,ACK (RFC 7323 §2.2,
    /// §3.2; RFC 2018 §2). Window scaling opens RCV.WND to the larger buffer.
    void negotiate_options(const segment_in& s) {
        const auto& o = s.hdr.options;
        ws_ok = cfg.window_scale && o.window_scale.has_value();
        snd_wscale = ws_ok ? std::min<std::uint8_t>(*o.window_scale, 14) : 0;  // §2.3: above 14 counts as 14
        rcv_wscale = ws_ok ? offered_rcv_shift() : 0;
        ts.ok = cfg.timestamps && o.ts.has_value();
        ts.offset = timestamp_offset(cfg.secret, cfg.local, remote);
        if (ts.ok) ts.set_recent(o.ts->tsval, now);
        // The peer's MSS counts data only, options excluded (RFC 6691 §2):
        // TSopt in every segment leaves 12 bytes less for data (as SMSS).
        if (ts.ok) snd_mss = std::max<std::uint16_t>(static_cast<std::uint16_t>(snd_mss - std::min<std::uint16_t>(snd_mss, 12)), 64);
        sack_ok = cfg.sack && o.sack_permitted;
        rcv_adv = rcv_nxt;
        if (ws_ok) rcv_wnd = std::max(rcv_wnd, receive_space());
    }
    /// RFC 7323 §4 RTTM: an ACK of new data echoing our TSval gives one RTT
    /// sample (no Karn restriction: the echo names the transmission), with
    /// §4.2's gains alpha / ExpectedSamples and beta / ExpectedSamples,
    /// ExpectedSamples = ceil(FlightSize / (2 * SMSS)). False when TSecr is
    /// not usable (from the future, or more than 2^31 ms old).
    bool timestamp_rtt_sample(std::uint32_t tsecr, std::uint32_t flight) {
        const std::uint32_t tnow = ts.now_value(now);
        if (seq_gt(tsecr, tnow)) return false;
        const std::uint32_t ms = tnow - tsecr;
        const std::uint32_t per = 2u * snd_mss;
        const std::uint32_t expected = std::max<std::uint32_t>(1, (flight + per - 1) / per);
        rtt.sample(std::chrono::duration_cast<duration>(ts_tick * ms), expected);
        return true;
    }

    /// Sends [seq, seq + len) again (data, and the FIN when the range covers
    /// it), leaving SND.NXT alone: RFC 6675 retransmissions.
    void resend_range(std::uint32_t seq, std::uint32_t len) {
        if (seq_lt(seq, snd_buf_seq) || len == 0) return;
        const std::uint32_t end = data_end();
        const bool fin_sent = fin_queued && seq_gt(snd_max, end);
        const std::uint32_t dlen = seq_lt(seq, end) ? std::min(len, end - seq) : 0;
        wirekit::tcp::control f;
        f.ack = true;
        f.fin = fin_sent && seq_gt(seq + len, end);
        if (dlen == 0 && !f.fin) return;
        f.psh = dlen > 0 && seq + dlen == end;
        emit(seq, f, rcv_nxt, seq, dlen);
        rtt_timing = false;  // Karn (when timestamps are off)
        ++fast_retransmits;
    }
    /// New data (or the FIN) at SND.NXT within the send window, one segment
    /// of at most SMSS: NextSeg() rule (2). Returns the sequence space sent.
    std::uint32_t send_new_segment() {
        if (snd_nxt != snd_max) return 0;
        const std::uint32_t end = data_end();
        const std::uint32_t right = snd_una + snd_wnd;
        const std::uint32_t usable = seq_lt(snd_nxt, right) ? right - snd_nxt : 0;
        const std::uint32_t unsent = seq_lt(snd_nxt, end) ? end - snd_nxt : 0;
        const bool fin_due = fin_queued && snd_nxt == end;
        const std::uint32_t len = std::min<std::uint32_t>({unsent, usable, snd_mss});
        if (len == 0 && !fin_due) return 0;
        wirekit::tcp::control f;
        f.ack = true;
        f.fin = fin_queued && snd_nxt + len == end;
        f.psh = len > 0 && snd_nxt + len == end;
        emit(snd_nxt, f, rcv_nxt, snd_nxt, len);
        snd_nxt += len + (f.fin ? 1u : 0u);
        snd_max = seq_max(snd_max, snd_nxt);
        arm_rtx();
        return len + (f.fin ? 1u : 0u);
    }
    /// RFC 6675 §5 step (C): while cwnd - pipe >= SMSS, send what NextSeg()
    /// picks: (1) a lost hole, (2) new data, (3) an unSACKed hole below the
    /// highest SACK, (4) once, the rescue retransmission.
    void sack_send() {
        for (std::size_t guard = 0; guard < cfg.max_outbox; ++guard) {
            const std::uint32_t pipe = sb.pipe(snd_una, snd_max, snd_mss);
            if (std::uint64_t{pipe} + snd_mss > cwnd) break;
            if (auto h = sb.next_lost(snd_una, snd_mss); h.len) {
                resend_range(h.seq, h.len);
                sb.high_rxt = h.seq + h.len;
            } else if (send_new_segment() != 0) {
            } else if (auto u = sb.next_unlost(snd_una, snd_mss); u.len) {
                resend_range(u.seq, u.len);
                sb.high_rxt = u.seq + u.len;
            } else if (auto r = sb.rescue(snd_una, snd_max, snd_mss); r.len) {
                resend_range(r.seq, r.len);
                sb.rescue_rxt = sb.recovery_point;
            } else {
                break;
            }
        }
    }
    /// RFC 6675 §5 step (4): enter loss recovery: RecoveryPoint = HighData,
    /// ssthresh = cwnd = max(FlightSize / 2, 2 * SMSS) (RFC 5681 eq. 4),
    /// retransmit the segment at HighACK, then send per step (C).
    void sack_enter_recovery() {
        sb.recovery_point = snd_max;
        sb.in_recovery = true;
        sack_recovery = true;
        ssthresh = std::max<std::uint32_t>(flight_size() / 2, 2u * snd_mss);
        cwnd = ssthresh;
        const auto h = sb.first_hole(snd_una, snd_max, snd_mss);
        if (h.len) {
            resend_range(h.seq, h.len);
            sb.high_rxt = sb.rescue_rxt = h.seq + h.len;
        } else {
            sb.high_rxt = sb.rescue_rxt = snd_una;
        }
        sack_send();
    }
    /// Leaves RFC 6675 recovery (a cumulative ACK reached RecoveryPoint, §5 (A)).
    void sack_exit_recovery() {
        sb.in_recovery = false;
        sack_recovery = false;
    }

    /// Forgets everything of a previous incarnation (a new OPEN, or
    /// SYN-RECEIVED back to LISTEN): queues, reassembly, timers, windows,
    /// the RTT estimate. Keeps the configuration and the counters.
    void reset_connection_state() {
        snd_buf.clear();
        fin_queued = false;
        rcv_buf.clear();
        fin_received = false;
        ooo_count = 0;
        ooo_ranges.clear();
        sack_report.clear();
        sb.clear();
        snd_wscale = rcv_wscale = 0;
        ws_ok = sack_ok = sack_recovery = false;
        ts = timestamp_state{};
        rcv_adv = rcv_nxt;
        rcv_wnd = std::min(rcv_wnd, receive_space());  // unscaled again: at most 65535
        dup_acks = 0;
        urgent_pending = false;
        snd_wnd = max_snd_wnd = 0;
        snd_wl1 = snd_wl2 = 0;
        snd_mss = 536;
        cwnd = initial_window();
        ssthresh = 65535;
        rtt = rtt_estimator{};
        rtt.max_rto = cfg.max_rto;
        rtt_timing = false;
        syn_retransmitted = false;
        rtx_deadline.reset();
        time_wait_deadline.reset();
        user_deadline.reset();
        ack_pending = false;
        delack_deadline.reset();
        delack_bytes = 0;
        keepalive_deadline.reset();
        keepalive_unanswered = 0;
    }

    /// RFC 5681 §3.1 IW: 4, 3 or 2 segments by SMSS.
    [[nodiscard]] std::uint32_t initial_window() const noexcept {
        const std::uint32_t smss = snd_mss;
        return smss > 2190 ? 2 * smss : smss > 1095 ? 3 * smss : 4 * smss;
    }
    /// RFC 5681 FlightSize: data sent but not yet acknowledged.
    [[nodiscard]] std::uint32_t flight_size() const noexcept { return snd_max - snd_una; }

    /// Keeps out-of-order bytes `d` at `seq` (inside the window) for later.
    void ooo_store(std::uint32_t seq, bytes_view d) {
        const std::size_t ring = ring_size();
        if (ooo_data.size() != ring) {
            if (ooo_count) return;  // (the ring size changes only between incarnations)
            ooo_data.assign(ring, std::byte{});
        }
        if (!ooo_ranges.add(seq, seq + static_cast<std::uint32_t>(d.size()))) return;  // too fragmented: drop
        for (std::size_t i = 0; i < d.size(); ++i) ooo_data[(seq + i) & (ring - 1)] = d[i];
        ooo_count = ooo_ranges.bytes();
        sack_report.arrived(seq);
    }
    /// In-order data up to seq + len arrived: forget held bytes below it.
    void ooo_clear(std::uint32_t seq, std::uint32_t len) {
        if (ooo_count == 0) return;
        ooo_ranges.remove_below(seq + len);
        ooo_count = ooo_ranges.bytes();
    }
    /// Drops every held out-of-order byte.
    void ooo_forget() noexcept {
        ooo_ranges.clear();
        ooo_count = 0;
    }
    /// Moves held bytes that are now in sequence to the receive buffer.
    void ooo_drain() {
        if (ooo_ranges.empty() || ooo_ranges.r[0].left != rcv_nxt) return;
        const std::size_t ring = ooo_data.size();
        const std::uint32_t n = ooo_ranges.r[0].right - rcv_nxt;
        const std::size_t at = rcv_nxt & (ring - 1);
        const std::size_t first = std::min<std::size_t>(n, ring - at);
        rcv_buf.append(bytes_view(ooo_data).subspan(at, first));
        rcv_buf.append(bytes_view(ooo_data).first(n - first));
        rcv_nxt += n;
        rcv_wnd -= std::min(rcv_wnd, n);
        ooo_ranges.remove_below(rcv_nxt);
        ooo_count = ooo_ranges.bytes();
    }

    /// Sends one segment from SND.UNA again, leaving SND.NXT alone (fast
    /// retransmit, partial ACK).
    void retransmit_head() {
        if (seq_lt(snd_una, snd_buf_seq)) return;  // the SYN itself: left to the timer
        const std::uint32_t end = data_end();
        const std::uint32_t unsent = seq_lt(snd_una, end) ? end - snd_una : 0;
        const std::uint32_t len = std::min<std::uint32_t>(unsent, snd_mss);
        wirekit::tcp::control f;
        f.ack = true;
        f.fin = fin_queued && snd_una + len == end && seq_gt(snd_max, end);
        if (len == 0 && !f.fin) return;
        f.psh = len > 0 && snd_una + len == end;
        emit(snd_una, f, rcv_nxt, snd_una, len);
        rtt_timing = false;  // Karn
        ++fast_retransmits;
    }

    // ---------------------------------------------------------------- helpers
    [[nodiscard]] std::uint32_t data_end() const noexcept {
        return snd_buf_seq + static_cast<std::uint32_t>(snd_buf.size());
    }
    [[nodiscard]] std::uint32_t advertised_window() const noexcept { return std::min<std::uint32_t>(rcv_wnd, 65535); }
    [[nodiscard]] std::uint32_t receive_space() const noexcept {
        const std::size_t cap = receive_cap();
        return static_cast<std::uint32_t>(cap > rcv_buf.size() ? cap - rcv_buf.size() : 0);
    }

    void notify(notice n) {
        if (notices.size() < 64) notices.push_back(n);
    }

    /// Queues one segment: <SEQ=seq><ACK=rcv_nxt if ack><CTL=flags>, data
    /// copied from the send buffer at sequence `data_seq` for `len` bytes.
    void emit(std::uint32_t seq, wirekit::tcp::control flags, std::uint32_t ack_number, std::uint32_t data_seq = 0,
              std::uint32_t len = 0) {
        if (outbox.size() >= cfg.max_outbox) return;
        segment_out s;
        s.src_addr = cfg.local.addr;
        s.dst_addr = remote.addr;
        s.hdr.src_port = cfg.local.port;
        s.hdr.dst_port = remote.port;
        s.hdr.seq_number = seq;
        s.hdr.ack_number = flags.ack ? ack_number : 0;
        s.hdr.flags = flags;
        s.hdr.window = flags.rst ? 0 : window_field(flags);
        if (flags.syn) s.hdr.options.mss = cfg.mss;
        add_options(s.hdr.options, flags, s.hdr.ack_number, len);
        if (len) {
            const std::size_t off = data_seq - snd_buf_seq;
            if (off > snd_buf.size() || len > snd_buf.size() - off)
                wirekit::detail::contract_violation("tcp: segment data outside the send buffer");
            s.payload.resize(len);
            snd_buf.copy_out(off, mutable_bytes(s.payload));
        }
        s.hdr.payload_len = s.payload.size();
        if (flags.ack) {  // any ACK, piggybacked or not, answers the delayed one
            ack_pending = false;
            delack_deadline.reset();
            delack_bytes = 0;
        }
        outbox.push_back(std::move(s));
    }

    /// Acknowledges `n` in-order bytes just received, now or later.
    /// RFC 1122 §4.2.3.2: the ACK may wait at most ack_delay (< 0.5 s), and
    /// "there SHOULD be an ACK for at least every second full-sized
    /// segment"; RFC 5681 §4.2: a segment that fills (part of) a gap
    /// (`fills_hole`) is acknowledged at once. "Full-sized" is
    /// min(our MSS, Eff.snd.MSS): the largest segment the peer sends us when
    /// the path MTU is the same both ways; two of them are 2 x that in bytes
    /// (as Linux counts: more than one rcv_mss outstanding).
    void ack_received(std::uint32_t n, bool fills_hole) {
        if (!cfg.delayed_ack || fills_hole) {
            ack_pending = true;
            return;
        }
        delack_bytes += n;
        const std::uint32_t full = std::min<std::uint32_t>(cfg.mss, snd_mss);
        if (delack_bytes >= 2 * full) {
            ack_pending = true;
            return;
        }
        if (!delack_deadline) {
            const duration cap = std::chrono::milliseconds(500) - duration(1);
            delack_deadline = now + std::min(cfg.ack_delay, cap);
        }
    }
    /// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. After a retransmission timeout
    /// moved SND.NXT back, a pure ACK carries SND.MAX instead (as 4.4BSD's
    /// tcp_output does): with SND.NXT behind the peer's RCV.NXT each side
    /// would find the other's ACKs unacceptable and answer them, forever.
    /// While the send window is zero it carries SND.NXT (4.4BSD: while the
    /// persist timer runs): SND.MAX then counts a probed byte the peer
    /// refused, and a zero-window peer accepts only SEQ = RCV.NXT.
    void send_ack() {
        wirekit::tcp::control f;
        f.ack = true;
        emit(snd_wnd == 0 ? snd_nxt : snd_max, f, rcv_nxt);
    }
    /// <SEQ=seq><CTL=RST>
    void send_rst(std::uint32_t seq) {
        wirekit::tcp::control f;
        f.rst = true;
        emit(seq, f, 0);
    }
    /// <SEQ=seq><ACK=ack><CTL=RST,ACK>
    void send_rst_ack(std::uint32_t seq, std::uint32_t ack) {
        wirekit::tcp::control f;
        f.rst = true;
        f.ack = true;
        emit(seq, f, ack);
    }
    /// <SEQ=ISS><CTL=SYN> or, when `with_ack`, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
    void send_syn(bool with_ack) {
        wirekit::tcp::control f;
        f.syn = true;
        f.ack = with_ack;
        emit(iss, f, rcv_nxt);
        if (!syn_retransmitted) {  // time the SYN (RFC 6298 §2.2; Karn: not a retransmission)
            rtt_timing = true;
            rtt_seq = iss + 1;
            rtt_start = now;
        }
        snd_nxt = iss + 1;
        snd_max = seq_max(snd_max, snd_nxt);
        arm_rtx();
    }

    void arm_rtx() {
        if (!rtx_deadline) rtx_deadline = now + rtt.rto;
        if (!user_deadline) user_deadline = now + cfg.user_timeout;
    }

    /// Sends what the window allows: queued data from snd_nxt, then the FIN.
    void output() {
        const bool may_send = st == state::established || st == state::close_wait || st == state::fin_wait_1 ||
                              st == state::closing || st == state::last_ack;
        // Until our SYN is acknowledged (FIN-WAIT-1 entered from SYN-RECEIVED)
        // no data goes out; a FIN does when nothing is queued (§3.10.4).
        const bool syn_acked = !seq_lt(snd_una, snd_buf_seq);
        if (may_send && (syn_acked || snd_buf.empty()) && !sack_recovery) {  // (RFC 6675 recovery sends by pipe)
            const std::uint32_t end = data_end();
            for (;;) {
                const std::uint32_t right = snd_una + std::min(snd_wnd, cwnd);
                const std::uint32_t usable = seq_lt(snd_nxt, right) ? right - snd_nxt : 0;
                const std::uint32_t unsent = seq_lt(snd_nxt, end) ? end - snd_nxt : 0;
                const bool fin_due = fin_queued && snd_nxt == end;
                if (unsent == 0 && !fin_due) break;
                const std::uint32_t len = std::min<std::uint32_t>({unsent, usable, snd_mss});
                if (len == 0 && !fin_due) break;
                // Sender SWS avoidance (§3.8.6.2.1): a segment shorter than
                // the MSS goes out only if it carries all the queued data or
                // nothing is in flight (the ACK of what is in flight reopens
                // the window for a full segment).
                if (len < snd_mss && len < unsent && snd_nxt != snd_una) break;
                // Nagle (RFC 896; RFC 9293 §3.7.4; RFC 1122 §4.2.3.4): with
                // data in flight a short segment waits for the ACK even when
                // it carries all the queued data. A segment with the FIN is
                // not held (the final FIN is exempt, as in Linux's
                // tcp_nagle_test); `nodelay` switches the rule off.
                if (!cfg.nodelay && len > 0 && len < snd_mss && snd_nxt != snd_una &&
                    !(fin_queued && snd_nxt + len == end))
                    break;
                wirekit::tcp::control f;
                f.ack = true;
                f.fin = fin_queued && snd_nxt + len == end;
                f.psh = len > 0 && snd_nxt + len == end;
                const bool fresh = snd_nxt == snd_max;
                emit(snd_nxt, f, rcv_nxt, snd_nxt, len);
                const std::uint32_t seg_end = snd_nxt + len + (f.fin ? 1u : 0u);
                if (fresh && !rtt_timing) {
                    rtt_timing = true;
                    rtt_seq = seg_end;
                    rtt_start = now;
                }
                snd_nxt = seg_end;
                snd_max = seq_max(snd_max, snd_nxt);
                arm_rtx();
                if (f.fin) break;
            }
            // Zero window with data waiting and nothing in flight: the
            // retransmission timer doubles as the persist timer (§3.8.6.1).
            if (snd_wnd == 0 && seq_lt(snd_nxt, data_end()) && snd_una == snd_nxt && !rtx_deadline)
                rtx_deadline = now + rtt.rto;
        }
        if (ack_pending) send_ack();
    }

    /// RFC 6298 §5.4-5.6 on expiry: back off, go back to snd_una and send
    /// the earliest unacknowledged segment (or a one-byte window probe).
    void retransmit() {
        dup_acks = 0;
        rtx_deadline.reset();
        rtt.backoff();
        rtt_timing = false;  // Karn: no sample from a retransmitted segment
        ++retransmissions;
        // RFC 6675 §5.1: recovery ends; none starts again before HighACK
        // reaches RecoveryPoint = HighData. The SACKed bits are cleared
        // (RFC 2018 §8: the receiver may have reneged).
        sb.clear();
        sb.recovery_point = snd_max;
        sb.after_rto = true;
        sack_recovery = false;
        if (seq_lt(snd_una, snd_buf_seq)) {  // our SYN is not acknowledged yet (also FIN-WAIT-1 after SYN-RECEIVED)
            syn_retransmitted = true;
            send_syn(st != state::syn_sent);
            return;
        }
        snd_nxt = snd_una;
        const std::uint32_t end = data_end();
        const std::uint32_t unsent = seq_lt(snd_nxt, end) ? end - snd_nxt : 0;
        const std::uint32_t right = snd_una + snd_wnd;
        const std::uint32_t usable = seq_lt(snd_nxt, right) ? right - snd_nxt : 0;
        // A probe: one byte beyond a zero window (§3.8.6.1).
        const std::uint32_t len = std::min<std::uint32_t>({unsent, std::max<std::uint32_t>(usable, 1), snd_mss});
        wirekit::tcp::control f;
        f.ack = true;
        f.fin = fin_queued && snd_nxt + len == end;
        f.psh = len > 0 && snd_nxt + len == end;
        if (len == 0 && !f.fin) {  // nothing at all outstanding
            user_deadline.reset();
            return;
        }
        emit(snd_nxt, f, rcv_nxt, snd_nxt, len);
        const std::uint32_t seg_end = snd_nxt + len + (f.fin ? 1u : 0u);
        // A zero-window probe leaves SND.NXT alone (as 4.4BSD's persist
        // output, which advances only SND.MAX): the receiver refuses the
        // byte, and once the window opens it goes out again at the head of a
        // full segment. Advancing SND.NXT left it unacknowledged behind the
        // next segments, stalling the sender until the next timeout (found
        // by the slow-reader simulation).
        if (usable != 0) snd_nxt = seg_end;
        snd_max = seq_max(snd_max, seg_end);
        rtx_deadline = now + rtt.rto;
    }
};

// ---------------------------------------------------------------------------
// The connection table: actions, guards, rows.

namespace actions {
using R = rows<state, event, tcb, input>;

inline void err_not_exist(tcb& t, const input&) { t.user_error = "connection does not exist"; }
inline void err_exists(tcb& t, const input&) { t.user_error = "connection already exists"; }
inline void err_closing(tcb& t, const input&) { t.user_error = "connection closing"; }
inline void err_unspecified(tcb& t, const input&) { t.user_error = "foreign socket unspecified"; }

inline void queue_data(tcb& t, const input& in) {
    const std::size_t room = t.cfg.send_buffer > t.snd_buf.size() ? t.cfg.send_buffer - t.snd_buf.size() : 0;
    const std::size_t n = std::min(room, in.data.size());
    t.snd_buf.append(in.data.first(n));
    t.user_count = n;
    if (n == 0 && !in.data.empty()) t.user_error = "insufficient resources";
}
inline void queue_and_send(tcb& t, const input& in) {
    queue_data(t, in);
    t.output();
}

/// §3.10.1 active OPEN (and §3.10.2 SEND in LISTEN): select an ISS, send <SYN>.
inline void connect(tcb& t, const input&) {
    t.reset_connection_state();
    t.iss = t.cfg.fixed_iss.value_or(initial_sequence_number(t.cfg.secret, t.cfg.local, t.remote, t.now));
    t.snd_una = t.iss;
    t.snd_nxt = t.iss;
    t.snd_max = t.iss;
    t.snd_buf_seq = t.iss + 1;
    t.rcv_wnd = t.receive_space();
    t.passive = false;
    t.ts.offset = timestamp_offset(t.cfg.secret, t.cfg.local, t.remote);  // RFC 7323 §5.4
    t.send_syn(false);
}
inline void connect_and_queue(tcb& t, const input& in) {
    connect(t, in);
    queue_data(t, in);
}
inline void listen(tcb& t, const input&) {
    t.reset_connection_state();
    t.passive = true;
    t.rcv_wnd = t.receive_space();
}
inline bool remote_known(const tcb& t, const input&) { return t.remote_known; }
inline bool passive_open(const tcb& t, const input&) { return t.passive; }

/// §3.10.3 RECEIVE: deliver what is on hand.
inline void deliver(tcb& t, const input& in) {
    const std::size_t n = std::min(in.buffer.size(), t.rcv_buf.size());
    t.rcv_buf.copy_out(0, in.buffer.first(n));
    t.rcv_buf.consume(n);
    t.user_count = n;
    if (n == 0 && t.fin_received) t.user_error = "connection closing";
    // Receiver-side SWS avoidance (§3.8.6.2.2): open the window only by at
    // least min(RCV.BUFF / 2, MSS).
    const std::uint32_t space = t.receive_space();
    const auto buff = static_cast<std::uint32_t>(t.receive_cap());  // RCV.BUFF
    const std::uint32_t step = std::min<std::uint32_t>(buff / 2, t.cfg.mss);
    if (space > t.rcv_wnd && space - t.rcv_wnd >= step) {
        // Window update: when the window was too small for a segment, or it
        // opens by two segments or half the buffer (4.4BSD tcp_output's
        // rule). Without the second case a sender with its whole window in
        // flight idles until the next ACK (found by the simulation: half
        // the throughput with an application that reads at once).
        const std::uint32_t opened = space - t.rcv_wnd;
        const bool worth_sending = t.rcv_wnd < step || opened >= 2u * t.cfg.mss || opened >= buff / 2;
        t.rcv_wnd = space;
        if (worth_sending && synchronized(t.st) && !t.fin_received) t.send_ack();
    }
}

/// §3.10.4 CLOSE in SYN-RECEIVED, ESTABLISHED, CLOSE-WAIT: FIN after the
/// queued data (sent by the entry hook of FIN-WAIT-1 / LAST-ACK).
inline void queue_fin(tcb& t, const input&) { t.fin_queued = true; }
/// §3.10.5 ABORT in a synchronized state or SYN-RECEIVED: <SEQ=SND.NXT><CTL=RST>.
inline void send_reset(tcb& t, const input&) { t.send_rst(t.snd_nxt); }

/// §3.7.1 Eff.snd.MSS: the peer's MSS option (536 without one), at most ours,
/// at least 64 bytes (an MSS of 0 would stall the connection).
inline std::uint16_t effective_mss(const segment_in& s, std::uint16_t ours) {
    return std::max<std::uint16_t>(std::min<std::uint16_t>(s.hdr.options.mss.value_or(536), ours), 64);
}

/// LISTEN + SYN (§3.10.7.2 third) and SYN-SENT + SYN (§3.10.7.3 fourth,
/// simultaneous open): <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
inline void accept_syn(tcb& t, const input& in) {
    const auto& s = *in.seg;
    if (t.st == state::listen) {
        t.remote = endpoint{s.src_addr, s.hdr.src_port};
        t.remote_known = true;
        t.iss = t.cfg.fixed_iss.value_or(initial_sequence_number(t.cfg.secret, t.cfg.local, t.remote, t.now));
        t.snd_una = t.iss;
        t.snd_max = t.iss;
        t.snd_buf_seq = t.iss + 1;
        t.rcv_wnd = t.receive_space();
    }
    t.irs = s.hdr.seq_number;
    t.rcv_nxt = s.hdr.seq_number + 1;
    t.rcv_up = t.rcv_nxt;
    t.snd_mss = effective_mss(s, t.cfg.mss);
    t.snd_wnd = s.hdr.window;
    t.max_snd_wnd = std::max(t.max_snd_wnd, t.snd_wnd);
    t.snd_wl1 = s.hdr.seq_number;
    t.snd_wl2 = s.hdr.ack_number;
    t.negotiate_options(s);  // RFC 7323 §2.2, §3.2; RFC 2018 §2
    t.send_syn(true);
}
/// SYN-SENT + SYN,ACK (§3.10.7.3 fourth): <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
inline void complete_active(tcb& t, const input& in) {
    const auto& s = *in.seg;
    t.irs = s.hdr.seq_number;
    t.rcv_nxt = s.hdr.seq_number + 1;
    t.rcv_up = t.rcv_nxt;
    t.snd_mss = effective_mss(s, t.cfg.mss);
    t.snd_wnd = s.hdr.window;
    t.max_snd_wnd = std::max(t.max_snd_wnd, t.snd_wnd);
    t.snd_wl1 = s.hdr.seq_number;
    t.snd_wl2 = s.hdr.ack_number;
    t.negotiate_options(s);  // RFC 7323 §2.2, §3.2; RFC 2018 §2
    t.ack_pending = true;
}
/// SYN-RECEIVED + acceptable ACK (§3.10.7.4 fifth): set the send window.
inline void complete_passive(tcb& t, const input& in) {
    const auto& s = *in.seg;
    t.snd_wnd = t.seg_window(s.hdr);
    t.max_snd_wnd = std::max(t.max_snd_wnd, t.snd_wnd);
    t.snd_wl1 = s.hdr.seq_number;
    t.snd_wl2 = s.hdr.ack_number;
}
/// RFC 5961 §3.2 / §4.2 challenge ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
inline void challenge_ack(tcb& t, const input&) {
    ++t.challenge_acks;
    t.send_ack();
}
inline void peer_closed(tcb& t, const input&) { t.notify(notice::peer_closed); }
inline void restart_time_wait(tcb& t, const input&) { t.time_wait_deadline = t.now + 2 * t.cfg.msl; }
inline void reset_by_peer(tcb& t, const input&) { t.notify(notice::reset); }
inline void refused(tcb& t, const input&) { t.notify(notice::refused); }
inline void retransmit(tcb& t, const input&) { t.retransmit(); }
inline void user_timed_out(tcb& t, const input&) {
    t.notify(notice::timed_out);
    if (synchronized(t.st) || t.st == state::syn_received) t.send_rst(t.snd_nxt);
}
/// SYN-RECEIVED back to LISTEN (§3.10.7.4 second and fourth): forget the peer.
inline void back_to_listen(tcb& t, const input&) {
    t.remote_known = false;
    t.reset_connection_state();
}

/// Whether a SYN (without ACK or RST) arriving in TIME-WAIT belongs to a new
/// incarnation of the connection. RFC 6191 §2: when the old incarnation
/// used timestamps and the SYN carries TSopt, it is new iff its TSval is
/// greater than TS.Recent; otherwise (RFC 1122 §4.2.2.13) iff SEG.SEQ is
/// greater than the last sequence number received (RCV.NXT).
inline bool time_wait_accepts_syn(const tcb& t, const segment_in& s) {
    const auto& h = s.hdr;
    if (t.st != state::time_wait || !h.flags.syn || h.flags.ack || h.flags.rst) return false;
    if (!(t.remote == endpoint{s.src_addr, h.src_port})) return false;
    if (t.ts.ok && h.options.ts) return seq_gt(h.options.ts->tsval, t.ts.recent);
    return seq_gt(h.seq_number, t.rcv_nxt);
}
inline bool time_wait_reusable(const tcb& t, const input& in) {
    return t.cfg.time_wait_reuse && in.seg && time_wait_accepts_syn(t, *in.seg);
}
/// TIME-WAIT + a new SYN (RFC 6191, RFC 1122 §4.2.2.13 (1)): start a new
/// incarnation in SYN-RECEIVED. Its ISS is RFC 6528's, or SND.MAX + 1 of
/// the old incarnation when that is larger ("larger than the largest
/// sequence number it used on the previous connection incarnation").
inline void reopen_from_time_wait(tcb& t, const input& in) {
    const std::uint32_t old_max = t.snd_max;
    t.reset_connection_state();
    t.passive = false;  // a RST in SYN-RECEIVED closes it; it was never listening
    t.remote_known = true;
    const std::uint32_t isn =
        t.cfg.fixed_iss.value_or(initial_sequence_number(t.cfg.secret, t.cfg.local, t.remote, t.now));
    t.iss = seq_gt(isn, old_max) ? isn : old_max + 1;
    t.snd_una = t.iss;
    t.snd_nxt = t.iss;
    t.snd_max = t.iss;
    t.snd_buf_seq = t.iss + 1;
    t.rcv_wnd = t.receive_space();
    const auto& s = *in.seg;
    t.irs = s.hdr.seq_number;
    t.rcv_nxt = s.hdr.seq_number + 1;
    t.rcv_up = t.rcv_nxt;
    t.snd_mss = effective_mss(s, t.cfg.mss);
    t.snd_wnd = s.hdr.window;
    t.max_snd_wnd = t.snd_wnd;
    t.snd_wl1 = s.hdr.seq_number;
    t.snd_wl2 = s.hdr.ack_number;
    t.negotiate_options(s);  // RFC 7323 §2.2, §3.2; RFC 2018 §2
    t.send_syn(true);
}
}  // namespace actions

/// The RFC 9293 connection state diagram (Figure 5 plus the §3.10 rules
/// the figure leaves out) as a wirekit::fsm table.
struct connection_table {
    using state = tcp::state;
    using event = tcp::event;
    using context = tcb;
    using payload = input;
    static constexpr std::string_view name = "tcp";
    static constexpr state initial = state::closed;

    using R = actions::R;
    using S = tcp::state;
    using E = tcp::event;
    static constexpr std::array table{
        // §3.10.1 OPEN
        R::transition(S::closed, E::open_passive, S::listen, R::act(&actions::listen, "create TCB")),
        R::transition(S::closed, E::open_active, S::syn_sent, R::act(&actions::connect, "snd SYN")),
        R::transition(S::listen, E::open_active, S::syn_sent, R::act(&actions::connect, "snd SYN")),
        R::any_internal(E::open_passive, R::act(&actions::err_exists, "error: connection already exists")),
        R::any_internal(E::open_active, R::act(&actions::err_exists, "error: connection already exists")),
        // §3.10.2 SEND
        R::internal(S::closed, E::send, R::act(&actions::err_not_exist, "error: connection does not exist")),
        R::transition(S::listen, E::send, S::syn_sent, R::when(&actions::remote_known, "foreign socket known"),
                      R::act(&actions::connect_and_queue, "snd SYN")),
        R::internal(S::listen, E::send, R::act(&actions::err_unspecified, "error: foreign socket unspecified")),
        R::internal(S::syn_sent, E::send, R::act(&actions::queue_data, "queue")),
        R::internal(S::syn_received, E::send, R::act(&actions::queue_data, "queue")),
        R::internal(S::established, E::send, R::act(&actions::queue_and_send, "queue, send")),
        R::internal(S::close_wait, E::send, R::act(&actions::queue_and_send, "queue, send")),
        R::any_internal(E::send, R::act(&actions::err_closing, "error: connection closing")),
        // §3.10.3 RECEIVE
        R::internal(S::closed, E::receive, R::act(&actions::err_not_exist, "error: connection does not exist")),
        R::any_internal(E::receive, R::act(&actions::deliver, "deliver data on hand")),
        // §3.10.4 CLOSE
        R::internal(S::closed, E::close, R::act(&actions::err_not_exist, "error: connection does not exist")),
        R::transition(S::listen, E::close, S::closed),
        R::transition(S::syn_sent, E::close, S::closed),
        R::transition(S::syn_received, E::close, S::fin_wait_1, R::act(&actions::queue_fin, "snd FIN")),
        R::transition(S::established, E::close, S::fin_wait_1, R::act(&actions::queue_fin, "snd FIN")),
        R::transition(S::close_wait, E::close, S::last_ack, R::act(&actions::queue_fin, "snd FIN")),
        R::any_internal(E::close, R::act(&actions::err_closing, "error: connection closing")),
        // §3.10.5 ABORT
        R::internal(S::closed, E::abort, R::act(&actions::err_not_exist, "error: connection does not exist")),
        R::transition(S::listen, E::abort, S::closed),
        R::transition(S::syn_sent, E::abort, S::closed),
        R::transition(S::closing, E::abort, S::closed),
        R::transition(S::last_ack, E::abort, S::closed),
        R::transition(S::time_wait, E::abort, S::closed),
        R::any_transition(E::abort, S::closed, R::act(&actions::send_reset, "snd RST")),
        // §3.10.7 SEGMENT ARRIVES: SYN
        R::transition(S::listen, E::rcv_syn, S::syn_received, R::act(&actions::accept_syn, "snd SYN,ACK")),
        R::transition(S::syn_sent, E::rcv_syn, S::syn_received, R::act(&actions::accept_syn, "snd SYN,ACK")),
        R::transition(S::syn_received, E::rcv_syn, S::listen, R::when(&actions::passive_open, "passive OPEN"),
                      R::act(&actions::back_to_listen, "forget peer")),
        R::transition(S::time_wait, E::rcv_syn, S::syn_received,
                      R::when(&actions::time_wait_reusable, "new incarnation (RFC 6191)"),
                      R::act(&actions::reopen_from_time_wait, "snd SYN,ACK")),
        R::ignore(S::closed, E::rcv_syn),
        R::any_internal(E::rcv_syn, R::act(&actions::challenge_ack, "challenge ACK")),
        R::transition(S::syn_sent, E::rcv_syn_ack, S::established, R::act(&actions::complete_active, "snd ACK")),
        R::any_ignore(E::rcv_syn_ack),
        // ACK
        R::transition(S::syn_received, E::rcv_ack_of_syn, S::established, R::act(&actions::complete_passive, "")),
        R::any_ignore(E::rcv_ack_of_syn),
        R::transition(S::fin_wait_1, E::rcv_ack_of_fin, S::fin_wait_2),
        R::transition(S::closing, E::rcv_ack_of_fin, S::time_wait),
        R::transition(S::last_ack, E::rcv_ack_of_fin, S::closed),
        R::any_ignore(E::rcv_ack_of_fin),
        // FIN (the ACK of it is sent by SEGMENT ARRIVES)
        R::transition(S::syn_received, E::rcv_fin, S::close_wait, R::act(&actions::peer_closed, "snd ACK")),
        R::transition(S::established, E::rcv_fin, S::close_wait, R::act(&actions::peer_closed, "snd ACK")),
        R::transition(S::fin_wait_1, E::rcv_fin, S::closing, R::act(&actions::peer_closed, "snd ACK")),
        R::transition(S::fin_wait_2, E::rcv_fin, S::time_wait, R::act(&actions::peer_closed, "snd ACK")),
        R::internal(S::time_wait, E::rcv_fin, R::act(&actions::restart_time_wait, "snd ACK, restart 2 MSL")),
        R::any_ignore(E::rcv_fin),
        // RST
        R::transition(S::syn_sent, E::rcv_rst, S::closed, R::act(&actions::refused, "connection refused")),
        R::transition(S::syn_received, E::rcv_rst, S::listen, R::when(&actions::passive_open, "passive OPEN"),
                      R::act(&actions::back_to_listen, "forget peer")),
        R::transition(S::syn_received, E::rcv_rst, S::closed, R::act(&actions::refused, "connection refused")),
        R::transition(S::established, E::rcv_rst, S::closed, R::act(&actions::reset_by_peer, "connection reset")),
        R::transition(S::fin_wait_1, E::rcv_rst, S::closed, R::act(&actions::reset_by_peer, "connection reset")),
        R::transition(S::fin_wait_2, E::rcv_rst, S::closed, R::act(&actions::reset_by_peer, "connection reset")),
        R::transition(S::close_wait, E::rcv_rst, S::closed, R::act(&actions::reset_by_peer, "connection reset")),
        R::transition(S::closing, E::rcv_rst, S::closed),
        R::transition(S::last_ack, E::rcv_rst, S::closed),
        R::transition(S::time_wait, E::rcv_rst, S::closed),
        R::any_ignore(E::rcv_rst),
        // §3.10.8 timeouts
        R::ignore(S::closed, E::retransmit_timeout),
        R::ignore(S::listen, E::retransmit_timeout),
        R::ignore(S::time_wait, E::retransmit_timeout),
        R::any_internal(E::retransmit_timeout, R::act(&actions::retransmit, "retransmit")),
        R::transition(S::time_wait, E::time_wait_timeout, S::closed),
        R::any_ignore(E::time_wait_timeout),
        R::ignore(S::closed, E::user_timeout),
        R::any_transition(E::user_timeout, S::closed, R::act(&actions::user_timed_out, "abort")),
        R::ignore(S::closed, E::keepalive_timeout),
        R::any_transition(E::keepalive_timeout, S::closed, R::act(&actions::user_timed_out, "abort")),
        // for the congestion region
        R::any_ignore(E::new_ack),
        R::any_ignore(E::dup_ack),
    };

    /// Entry hooks: TIME-WAIT starts the 2 MSL timer (§3.10.7.4 eighth);
    /// CLOSED deletes the TCB's timers and queues; ESTABLISHED signals the user
    /// (and applies RFC 6298 §5.7); FIN-WAIT-1 and LAST-ACK send the FIN.
    static void on_entry(tcb& t, state s) {
        t.st = s;
        switch (s) {
            case state::time_wait:
                t.time_wait_deadline = t.now + 2 * t.cfg.msl;
                t.rtx_deadline.reset();
                t.user_deadline.reset();
                t.delack_deadline.reset();
                t.keepalive_deadline.reset();
                break;
            case state::closed:
                t.rtx_deadline.reset();
                t.user_deadline.reset();
                t.time_wait_deadline.reset();
                t.delack_deadline.reset();
                t.keepalive_deadline.reset();
                t.snd_buf.clear();
                t.fin_queued = false;
                t.notify(notice::closed);
                break;
            case state::established:
                t.notify(notice::established);
                t.heard_from_peer();  // keep-alive: the idle period starts
                if (t.syn_retransmitted && t.rtt.rto < std::chrono::seconds(3)) t.rtt.rto = std::chrono::seconds(3);
                break;
            case state::listen:
                t.rtx_deadline.reset();
                t.user_deadline.reset();
                break;
            case state::fin_wait_1:
            case state::last_ack: t.output(); break;  // the FIN of CLOSE
            default: break;
        }
    }
};

namespace cc_actions {
using R = rows<cc_state, event, tcb, input>;

/// Connection established: IW and an "arbitrarily high" ssthresh (RFC 5681 §3.1).
inline void init(tcb& t, const input&) {
    t.cwnd = t.initial_window();
    t.ssthresh = 65535;
    t.dup_acks = 0;
}
/// Slow start: cwnd += min(N, SMSS) per ACK (RFC 5681 eq. 2).
inline void slow_start_increase(tcb& t, const input& in) {
    t.cwnd = std::min(t.cwnd + std::min<std::uint32_t>(in.acked, t.snd_mss), tcb::max_cwnd);
}
/// Congestion avoidance: cwnd += SMSS*SMSS/cwnd per ACK (RFC 5681 eq. 3), at least 1 byte.
inline void avoidance_increase(tcb& t, const input&) {
    const std::uint64_t smss = t.snd_mss;
    t.cwnd += static_cast<std::uint32_t>(std::max<std::uint64_t>(1, smss * smss / std::max<std::uint32_t>(t.cwnd, 1)));
    t.cwnd = std::min(t.cwnd, tcb::max_cwnd);
}
inline bool reaches_ssthresh(const tcb& t, const input& in) {
    return t.cwnd + std::min<std::uint32_t>(in.acked, t.snd_mss) > t.ssthresh;
}
inline bool third_dup_ack(const tcb& t, const input&) { return t.dup_acks == 3; }
/// RFC 5681 §3.2 steps 2-4 (RFC 6582 §3.2 step 2): ssthresh = max(FlightSize/2, 2*SMSS),
/// retransmit the lost segment, cwnd = ssthresh + 3*SMSS, recover = highest sent.
inline void enter_recovery(tcb& t, const input&) {
    t.ssthresh = std::max<std::uint32_t>(t.flight_size() / 2, 2u * t.snd_mss);
    t.recover = t.snd_max;
    t.retransmit_head();
    t.cwnd = t.ssthresh + 3u * t.snd_mss;
}
/// RFC 5681 §3.2 step 5: each further duplicate ACK inflates cwnd by SMSS.
inline void inflate(tcb& t, const input&) { t.cwnd = std::min(t.cwnd + t.snd_mss, tcb::max_cwnd); }
/// RFC 6582 §3.2 step 5: a full acknowledgment ends recovery;
/// cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) (its option 1).
inline bool full_ack(const tcb& t, const input&) { return !seq_lt(t.snd_una, t.recover); }
inline void deflate(tcb& t, const input&) {
    t.cwnd = std::min<std::uint32_t>(t.ssthresh, std::max<std::uint32_t>(t.flight_size(), t.snd_mss) + t.snd_mss);
}
/// After deflate() cwnd is below ssthresh (little data was in flight at
/// the full ACK): RFC 5681 §3.1 "the slow start algorithm is used when
/// cwnd < ssthresh", so recovery ends in slow start, not congestion avoidance.
inline bool deflates_below_ssthresh(const tcb& t) {
    return std::max<std::uint32_t>(t.flight_size(), t.snd_mss) + t.snd_mss < t.ssthresh;
}
inline bool full_ack_below_ssthresh(const tcb& t, const input& in) {
    return full_ack(t, in) && deflates_below_ssthresh(t);
}
/// RFC 6582 §3.2 step 4: a partial acknowledgment retransmits the next
/// hole and deflates cwnd by the amount acknowledged, adding back SMSS.
inline void partial_ack(tcb& t, const input& in) {
    t.retransmit_head();
    t.cwnd = (t.cwnd > in.acked ? t.cwnd - in.acked : 0) + (in.acked >= t.snd_mss ? t.snd_mss : 0);
    t.cwnd = std::max<std::uint32_t>(t.cwnd, t.snd_mss);
}
/// RFC 5681 §3.1 eq. 4 and the loss window: after a timeout, ssthresh =
/// max(FlightSize/2, 2*SMSS) and cwnd = 1 SMSS.
inline void timeout(tcb& t, const input&) {
    // With a zero send window the timer was the persist timer and its
    // segment a window probe (RFC 9293 §3.8.6.1): nothing was lost, so
    // congestion state stays (found by the slow-reader simulation, where
    // every closed window otherwise cost cwnd and ssthresh).
    if (t.snd_wnd == 0) return;
    t.ssthresh = std::max<std::uint32_t>(t.flight_size() / 2, 2u * t.snd_mss);
    t.cwnd = t.snd_mss;
    t.dup_acks = 0;
}

// RFC 6675 SACK-based loss recovery, used instead of NewReno when SACK is
// negotiated. The scoreboard and NextSeg are in the TCB (sack.hpp).

/// RFC 6675 §5: recovery starts at the DupThresh-th duplicate ACK (one that
/// SACKs new data) or when IsLost(HighACK + 1); after an RTO only once
/// HighACK has reached RecoveryPoint (§5.1).
inline bool sack_loss(const tcb& t, const input&) {
    if (!t.sack_ok) return false;
    if (t.sb.after_rto && seq_lt(t.snd_una, t.sb.recovery_point)) return false;
    return t.dup_acks >= sack_scoreboard::dup_thresh || t.sb.is_lost(t.snd_una, t.snd_una, t.snd_mss);
}
inline bool sack_on(const tcb& t, const input&) { return t.sack_ok; }
inline bool sack_recovering(const tcb& t, const input&) { return t.sack_recovery; }
/// §5 (A): a cumulative ACK at or beyond RecoveryPoint ends recovery.
inline bool sack_full_ack(const tcb& t, const input&) {
    return t.sack_recovery && !seq_lt(t.snd_una, t.sb.recovery_point);
}
inline void enter_sack_recovery(tcb& t, const input&) { t.sack_enter_recovery(); }
inline void sack_count(tcb&, const input&) {}
/// §5 (B), (C): the scoreboard is updated; send while cwnd - pipe >= SMSS.
inline void sack_step(tcb& t, const input&) { t.sack_send(); }
inline void sack_exit(tcb& t, const input& in) {
    t.sack_exit_recovery();
    deflate(t, in);
}
inline bool sack_full_ack_below_ssthresh(const tcb& t, const input& in) {
    return sack_full_ack(t, in) && deflates_below_ssthresh(t);
}
/// Tahoe (RFC 5681 §3.2 fast retransmit without fast recovery; Jacobson
/// 1988, Fall & Floyd 1996 §2): on the third duplicate ACK, ssthresh =
/// max(FlightSize/2, 2*SMSS) (RFC 5681 eq. 4), cwnd = 1 SMSS (the loss
/// window) and slow start from SND.UNA, as after a timeout: SND.NXT goes
/// back to SND.UNA, so the output that follows resends the missing segment
/// (one segment fits cwnd) and slow start resends the rest as ACKs arrive.
inline void tahoe_fast_retransmit(tcb& t, const input&) {
    t.ssthresh = std::max<std::uint32_t>(t.flight_size() / 2, 2u * t.snd_mss);
    t.recover = t.snd_max;
    t.cwnd = t.snd_mss;
    if (!seq_lt(t.snd_una, t.snd_buf_seq)) t.snd_nxt = t.snd_una;  // (never before the SYN is acknowledged)
    t.rtt_timing = false;  // Karn: no sample across a retransmission
    ++t.fast_retransmits;
}
/// Reno (RFC 5681 §3.2 step 6): the next ACK of new data, full or partial,
/// ends fast recovery and deflates the window: cwnd = ssthresh.
inline void reno_deflate(tcb& t, const input&) { t.cwnd = t.ssthresh; }
}  // namespace cc_actions

/// Rows shared by the congestion-control policies below.
namespace cc_rows {
using R = cc_actions::R;
using C = cc_state;
using E = tcp::event;
/// IW at connection start; slow start and congestion avoidance (RFC 5681 §3.1).
inline constexpr std::array growth{
    R::any_transition(E::rcv_syn_ack, C::slow_start, R::act(&cc_actions::init, "cwnd = IW")),
    R::any_transition(E::rcv_ack_of_syn, C::slow_start, R::act(&cc_actions::init, "cwnd = IW")),
    R::transition(C::slow_start, E::new_ack, C::congestion_avoidance,
                  R::when(&cc_actions::reaches_ssthresh, "cwnd > ssthresh"),
                  R::act(&cc_actions::slow_start_increase, "cwnd += SMSS")),
    R::internal(C::slow_start, E::new_ack, R::act(&cc_actions::slow_start_increase, "cwnd += SMSS")),
    R::internal(C::congestion_avoidance, E::new_ack, R::act(&cc_actions::avoidance_increase, "cwnd += SMSS*SMSS/cwnd")),
};
/// RFC 6675 SACK-based recovery, which takes the place of the policy's own
/// fast recovery when SACK is negotiated (guarded rows, tried first).
inline constexpr std::array sack{
    R::transition(C::fast_recovery, E::new_ack, C::slow_start,
                  R::when(&cc_actions::sack_full_ack_below_ssthresh, "SACK: HighACK >= RecoveryPoint, FlightSize + SMSS < ssthresh"),
                  R::act(&cc_actions::sack_exit, "cwnd = FlightSize + SMSS")),
    R::transition(C::fast_recovery, E::new_ack, C::congestion_avoidance,
                  R::when(&cc_actions::sack_full_ack, "SACK: HighACK >= RecoveryPoint"),
                  R::act(&cc_actions::sack_exit, "cwnd = min(ssthresh, FlightSize + SMSS)")),
    R::internal(C::fast_recovery, E::new_ack, R::when(&cc_actions::sack_recovering, "SACK"),
                R::act(&cc_actions::sack_step, "NextSeg while cwnd - pipe >= SMSS")),
    R::transition(C::slow_start, E::dup_ack, C::fast_recovery,
                  R::when(&cc_actions::sack_loss, "SACK: DupThresh or IsLost(HighACK+1)"),
                  R::act(&cc_actions::enter_sack_recovery, "RFC 6675 recovery")),
    R::transition(C::congestion_avoidance, E::dup_ack, C::fast_recovery,
                  R::when(&cc_actions::sack_loss, "SACK: DupThresh or IsLost(HighACK+1)"),
                  R::act(&cc_actions::enter_sack_recovery, "RFC 6675 recovery")),
    R::internal(C::slow_start, E::dup_ack, R::when(&cc_actions::sack_on, "SACK"),
                R::act(&cc_actions::sack_count, "count")),
    R::internal(C::congestion_avoidance, E::dup_ack, R::when(&cc_actions::sack_on, "SACK"),
                R::act(&cc_actions::sack_count, "count")),
    R::internal(C::fast_recovery, E::dup_ack, R::when(&cc_actions::sack_recovering, "SACK"),
                R::act(&cc_actions::sack_step, "NextSeg while cwnd - pipe >= SMSS")),
};
/// Fast retransmit and fast recovery (RFC 5681 §3.2 steps 1-5), the part
/// Reno and NewReno share.
inline constexpr std::array fast_recovery{
    R::transition(C::slow_start, E::dup_ack, C::fast_recovery, R::when(&cc_actions::third_dup_ack, "3rd"),
                  R::act(&cc_actions::enter_recovery, "fast retransmit")),
    R::transition(C::congestion_avoidance, E::dup_ack, C::fast_recovery, R::when(&cc_actions::third_dup_ack, "3rd"),
                  R::act(&cc_actions::enter_recovery, "fast retransmit")),
    R::ignore(C::slow_start, E::dup_ack),
    R::ignore(C::congestion_avoidance, E::dup_ack),
    R::internal(C::fast_recovery, E::dup_ack, R::act(&cc_actions::inflate, "cwnd += SMSS")),
};
/// The timeout (RFC 5681 §3.1 eq. 4, loss window) and the connection's
/// events that do not concern congestion control.
inline constexpr std::array tail{
    R::any_transition(E::retransmit_timeout, C::slow_start, R::act(&cc_actions::timeout, "cwnd = SMSS")),
    R::any_ignore(E::open_passive),
    R::any_ignore(E::open_active),
    R::any_ignore(E::send),
    R::any_ignore(E::receive),
    R::any_ignore(E::close),
    R::any_ignore(E::abort),
    R::any_ignore(E::rcv_syn),
    R::any_ignore(E::rcv_ack_of_fin),
    R::any_ignore(E::rcv_fin),
    R::any_ignore(E::rcv_rst),
    R::any_ignore(E::time_wait_timeout),
    R::any_ignore(E::user_timeout),
    R::any_ignore(E::keepalive_timeout),
};

/// The rows of `parts`, in order, as one table.
template <class Row, std::size_t... N>
constexpr auto cat(const std::array<Row, N>&... parts) {
    std::array<Row, (N + ...)> out{};
    std::size_t i = 0;
    ((std::copy(parts.begin(), parts.end(), out.begin() + static_cast<std::ptrdiff_t>(i)), i += N), ...);
    return out;
}

/// The policy-independent members of a congestion region definition.
struct base {
    using state = cc_state;
    using event = tcp::event;
    using context = tcb;
    using payload = input;
    static constexpr state initial = cc_state::slow_start;
};
}  // namespace cc_rows

// Congestion control policies: each is a wirekit::fsm table, run as an
// orthogonal region beside connection_table (both receive every event) and
// chosen by basic_connection's template parameter. cwnd, ssthresh, recover
// and dup_acks are in the TCB. When SACK is negotiated, Reno and NewReno
// recover per RFC 6675 instead of their own fast recovery; Tahoe has no fast
// recovery and ignores SACK information for congestion control.

/// Tahoe: slow start, congestion avoidance, fast retransmit after 3 duplicate
/// ACKs followed by the loss window and slow start (RFC 5681 §3.1, §3.2 steps
/// 1-2 without fast recovery; Jacobson 1988). Never in fast recovery.
struct tahoe : cc_rows::base {
    static constexpr std::string_view name = "tcp-congestion-tahoe";
    using R = cc_actions::R;
    using C = cc_state;
    using E = tcp::event;
    static constexpr auto table = cc_rows::cat(
        cc_rows::growth,
        std::array{
            R::transition(C::slow_start, E::dup_ack, C::slow_start, R::when(&cc_actions::third_dup_ack, "3rd"),
                          R::act(&cc_actions::tahoe_fast_retransmit, "fast retransmit, cwnd = SMSS")),
            R::transition(C::congestion_avoidance, E::dup_ack, C::slow_start,
                          R::when(&cc_actions::third_dup_ack, "3rd"),
                          R::act(&cc_actions::tahoe_fast_retransmit, "fast retransmit, cwnd = SMSS")),
            R::ignore(C::slow_start, E::dup_ack),
            R::ignore(C::congestion_avoidance, E::dup_ack),
            R::ignore(C::fast_recovery, E::dup_ack),  // (never entered)
            R::ignore(C::fast_recovery, E::new_ack),
        },
        cc_rows::tail);
};

/// Reno: RFC 5681 §3.1-3.2. Fast recovery ends at the first ACK of new
/// data, full or partial (step 6: cwnd = ssthresh).
struct reno : cc_rows::base {
    static constexpr std::string_view name = "tcp-congestion-reno";
    using R = cc_actions::R;
    using C = cc_state;
    using E = tcp::event;
    static constexpr auto table = cc_rows::cat(
        cc_rows::growth, cc_rows::sack,
        std::array{R::transition(C::fast_recovery, E::new_ack, C::congestion_avoidance,
                                 R::act(&cc_actions::reno_deflate, "cwnd = ssthresh"))},
        cc_rows::fast_recovery, cc_rows::tail);
};

/// NewReno: RFC 5681 §3 with RFC 6582 §3.2 recovery: a partial ACK
/// retransmits the next hole and stays in fast recovery; a full ACK (at or
/// beyond `recover`) ends it. The default policy.
struct newreno : cc_rows::base {
    static constexpr std::string_view name = "tcp-congestion-newreno";
    using R = cc_actions::R;
    using C = cc_state;
    using E = tcp::event;
    static constexpr auto table = cc_rows::cat(
        cc_rows::growth, cc_rows::sack,
        std::array{
            R::transition(C::fast_recovery, E::new_ack, C::slow_start,
                          R::when(&cc_actions::full_ack_below_ssthresh, "full ACK, FlightSize + SMSS < ssthresh"),
                          R::act(&cc_actions::deflate, "cwnd = FlightSize + SMSS")),
            R::transition(C::fast_recovery, E::new_ack, C::congestion_avoidance,
                          R::when(&cc_actions::full_ack, "full ACK"),
                          R::act(&cc_actions::deflate, "cwnd = min(ssthresh, FlightSize + SMSS)")),
            R::internal(C::fast_recovery, E::new_ack, R::act(&cc_actions::partial_ack, "partial ACK: retransmit")),
        },
        cc_rows::fast_recovery, cc_rows::tail);
};

/// The default congestion region (NewReno), under its former name.
using congestion_table = newreno;

/// One TCP connection (see the file comment). `Congestion` is the
/// congestion-control policy: tahoe, reno or newreno (the default), each a
/// wirekit::fsm table over cc_state run beside connection_table.
template <class Congestion = newreno>
class basic_connection {
public:
    /// The congestion-control policy (a wirekit::fsm definition).
    using congestion_policy = Congestion;
    /// The connection table and the congestion region, side by side.
    using machine_type = regions<machine<connection_table>, machine<Congestion>>;

    explicit basic_connection(const config& cfg) {
        t_.cfg = cfg;
        t_.rtt.max_rto = cfg.max_rto;
    }

    // ------------------------------------------------------------ §3.10 user calls

    /// OPEN (§3.10.1). Passive: wait in LISTEN for a SYN from `remote`
    /// (or anyone when not given). Active: send a SYN to `remote`.
    /// Errors (layer "tcp", invalid_state): "connection already exists";
    /// "foreign socket unspecified" for an active OPEN without `remote`.
    result<void> open(instant now, bool active, std::optional<endpoint> remote = std::nullopt) {
        begin(now);
        if (remote) {
            t_.remote = *remote;
            t_.remote_known = true;
        }
        if (active && !t_.remote_known) return make_error(errc::invalid_state, "tcp", 0, "foreign socket unspecified");
        fire(active ? event::open_active : event::open_passive, {});
        return end_void();
    }
    /// SEND (§3.10.2): queues up to the free send-buffer space; returns the
    /// bytes queued (may be fewer than data.size()). Errors (invalid_state):
    /// "connection does not exist", "connection closing", "foreign socket
    /// unspecified"; (limit_exceeded) "insufficient resources" when the
    /// buffer is full.
    result<std::size_t> send(instant now, bytes_view data) {
        begin(now);
        input in;
        in.data = data;
        fire(event::send, in);
        if (t_.user_error == "insufficient resources")
            return make_error(errc::limit_exceeded, "tcp", 0, "insufficient resources");
        if (!t_.user_error.empty()) return make_error(errc::invalid_state, "tcp", 0, t_.user_error);
        return t_.user_count;
    }
    /// RECEIVE (§3.10.3): copies received data into `out`; returns the
    /// bytes copied (0: nothing yet). Errors (invalid_state): "connection
    /// does not exist"; "connection closing" when the peer has closed and no
    /// data is left.
    result<std::size_t> receive(instant now, mutable_bytes out) {
        begin(now);
        input in;
        in.buffer = out;
        fire(event::receive, in);
        if (!t_.user_error.empty()) return make_error(errc::invalid_state, "tcp", 0, t_.user_error);
        return t_.user_count;
    }
    /// CLOSE (§3.10.4): no more data from us; FIN follows queued data.
    /// Errors (invalid_state): "connection does not exist", "connection closing".
    result<void> close(instant now) {
        begin(now);
        fire(event::close, {});
        return end_void();
    }
    /// ABORT (§3.10.5): RST (in synchronized states) and CLOSED at once.
    /// Errors (invalid_state): "connection does not exist".
    result<void> abort(instant now) {
        begin(now);
        fire(event::abort, {});
        return end_void();
    }
    /// STATUS (§3.10.6).
    [[nodiscard]] status_info status() const {
        status_info s;
        s.st = t_.st;
        s.local = t_.cfg.local;
        s.remote = t_.remote;
        s.snd_wnd = t_.snd_wnd;
        s.rcv_wnd = t_.rcv_wnd;
        s.unacknowledged = t_.snd_nxt - t_.snd_una;
        s.send_queued = t_.snd_buf.size();
        s.receive_queued = t_.rcv_buf.size();
        s.urgent = t_.urgent_pending;
        s.rto = t_.rtt.rto;
        s.cwnd = t_.cwnd;
        s.ssthresh = t_.ssthresh;
        s.congestion = congestion_state();
        s.snd_wscale = t_.snd_wscale;
        s.rcv_wscale = t_.rcv_wscale;
        s.timestamps = t_.ts.ok;
        s.sack = t_.sack_ok;
        s.paws_drops = t_.paws_drops;
        return s;
    }

    // ------------------------------------------------------------ network and time

    /// SEGMENT ARRIVES (§3.10.7), for a segment whose checksum the caller
    /// verified and whose ports/addresses match this connection.
    void on_segment(instant now, const segment_in& seg);

    /// Fires the timers due at `now` (§3.10.8): retransmission, TIME-WAIT,
    /// user timeout, the delayed ACK (RFC 1122 §4.2.3.2) and keep-alive
    /// (RFC 1122 §4.2.3.6).
    void on_timer(instant now) {
        begin(now);
        if (t_.user_deadline && *t_.user_deadline <= now) {
            fire(event::user_timeout, {});
            return;
        }
        if (t_.delack_deadline && *t_.delack_deadline <= now) {
            t_.delack_deadline.reset();
            if (synchronized(t_.st) && t_.st != state::time_wait) t_.send_ack();
        }
        if (t_.keepalive_deadline && *t_.keepalive_deadline <= now) {
            t_.keepalive_deadline.reset();
            if (synchronized(t_.st) && t_.st != state::time_wait) {
                if (t_.snd_una != t_.snd_max || seq_lt(t_.snd_nxt, t_.data_end())) {
                    // Data in flight or waiting: the retransmission (or
                    // persist) timer and the user timeout watch the peer.
                    t_.keepalive_unanswered = 0;
                    t_.keepalive_deadline = now + t_.cfg.keepalive.idle;
                } else if (t_.keepalive_unanswered >= t_.cfg.keepalive.probes) {
                    fire(event::keepalive_timeout, {});
                    return;
                } else {
                    t_.send_keepalive_probe();
                }
            }
        }
        if (t_.time_wait_deadline && *t_.time_wait_deadline <= now) {
            t_.time_wait_deadline.reset();
            fire(event::time_wait_timeout, {});
        }
        if (t_.rtx_deadline && *t_.rtx_deadline <= now) fire(event::retransmit_timeout, {});
    }

    /// The earliest time on_timer has work, if any.
    [[nodiscard]] std::optional<instant> next_deadline() const {
        std::optional<instant> d;
        for (const auto& x : {t_.rtx_deadline, t_.time_wait_deadline, t_.user_deadline, t_.delack_deadline,
                              t_.keepalive_deadline})
            if (x && (!d || *x < *d)) d = x;
        return d;
    }

    /// The next segment to send, oldest first.
    [[nodiscard]] std::optional<segment_out> poll_transmit() {
        if (t_.outbox.empty()) return std::nullopt;
        segment_out s = std::move(t_.outbox.front());
        t_.outbox.pop_front();
        return s;
    }
    /// The next notice for the user, oldest first.
    [[nodiscard]] std::optional<notice> poll_notice() {
        if (t_.notices.empty()) return std::nullopt;
        const notice n = t_.notices.front();
        t_.notices.pop_front();
        return n;
    }

    [[nodiscard]] state current() const noexcept { return m_.template region<0>().current(); }
    /// In TIME-WAIT: whether `syn` (a SYN without ACK or RST from our peer)
    /// starts a new incarnation by RFC 6191 / RFC 1122 §4.2.2.13 (TSval above
    /// TS.Recent, or SEG.SEQ above RCV.NXT). A host that lets a listener
    /// take such SYNs (config::time_wait_reuse off) asks this first.
    [[nodiscard]] bool accepts_new_syn(const segment_in& syn) const noexcept {
        return actions::time_wait_accepts_syn(t_, syn);
    }
    /// The congestion-control state (RFC 5681); cwnd and ssthresh are in vars().
    [[nodiscard]] cc_state congestion_state() const noexcept { return m_.template region<1>().current(); }
    /// The TCB, read-only (RFC variable names).
    [[nodiscard]] const tcb& vars() const noexcept { return t_; }
    /// Mutable TCB access, for tests that adjust a variable (ssthresh, the
    /// fixed ISS of an RFC figure). Changing it mid-connection voids every
    /// guarantee of this class.
    [[nodiscard]] tcb& vars_for_testing() noexcept { return t_; }

    /// Creates the connection of a completed SYN-cookie handshake (RFC 4987
    /// §3.6; used by basic_listener, listener.hpp). Call it on a connection
    /// in CLOSED, with `ack` the client's segment whose SEG.ACK - 1 is the
    /// validated cookie and `peer_mss` the MSS the cookie carries. It replays
    /// the handshake through the ordinary paths: passive OPEN, the SYN the
    /// cookie stands for (<SEQ=SEG.SEQ-1><CTL=SYN>, MSS option `peer_mss`,
    /// no other options), ISS = SEG.ACK - 1, then `ack` itself (so data or a
    /// FIN riding on it is taken). The SYN,ACK the replay produces is
    /// discarded (the listener sent it, statelessly), and no RTT sample is
    /// taken (its send time is unknown). Options absent from the cookie
    /// (window scale, SACK, timestamps) are off. Errors (layer "tcp",
    /// invalid_state): "connection already exists" when not CLOSED; "cookie
    /// handshake failed" when `ack` does not reach ESTABLISHED.
    result<void> open_from_syn_cookie(instant now, const segment_in& ack, std::uint16_t peer_mss) {
        if (t_.st != state::closed) return make_error(errc::invalid_state, "tcp", 0, "connection already exists");
        segment_in syn;
        syn.src_addr = ack.src_addr;
        syn.dst_addr = ack.dst_addr;
        syn.hdr.src_port = ack.hdr.src_port;
        syn.hdr.dst_port = ack.hdr.dst_port;
        syn.hdr.seq_number = ack.hdr.seq_number - 1;
        syn.hdr.flags.syn = true;
        syn.hdr.window = ack.hdr.window;
        syn.hdr.options.mss = peer_mss;
        const auto fixed = t_.cfg.fixed_iss;
        t_.cfg.fixed_iss = ack.hdr.ack_number - 1;
        const auto opened = open(now, false, endpoint{ack.src_addr, ack.hdr.src_port});
        if (opened) on_segment(now, syn);
        t_.cfg.fixed_iss = fixed;
        if (!opened || t_.st != state::syn_received) return make_error(errc::invalid_state, "tcp", 0, "cookie handshake failed");
        t_.outbox.clear();
        t_.rtt_timing = false;
        on_segment(now, ack);
        if (t_.st == state::syn_received || t_.st == state::listen || t_.st == state::closed)
            return make_error(errc::invalid_state, "tcp", 0, "cookie handshake failed");
        return {};
    }

private:
    void begin(instant now) {
        t_.now = now;
        t_.user_error = {};
        t_.user_count = 0;
    }
    result<void> end_void() const {
        if (!t_.user_error.empty()) return make_error(errc::invalid_state, "tcp", 0, t_.user_error);
        return {};
    }
    outcome fire(event e, const input& in) { return m_.dispatch(t_, e, in); }

    void segment_arrives_closed(const segment_in& s, std::uint32_t seg_len);
    void segment_arrives_listen(const segment_in& s, const input& in);
    void segment_arrives_syn_sent(const segment_in& s, const input& in);
    void segment_arrives_other(const segment_in& s, const input& in, std::uint32_t seg_len);
    bool process_text(const segment_in& s, std::uint32_t& seq, bytes_view& data);

    tcb t_{};
    machine_type m_{};
};

/// A TCP connection with NewReno congestion control (RFC 6582).
using connection = basic_connection<newreno>;

// ---------------------------------------------------------------------------
// SEGMENT ARRIVES (§3.10.7)

template <class Congestion>
inline void basic_connection<Congestion>::on_segment(instant now, const segment_in& s) {
    begin(now);
    const std::uint32_t seg_len =
        static_cast<std::uint32_t>(s.payload.size()) + (s.hdr.flags.syn ? 1u : 0u) + (s.hdr.flags.fin ? 1u : 0u);
    input in;
    in.seg = &s;
    switch (t_.st) {
        case state::closed: segment_arrives_closed(s, seg_len); break;
        case state::listen: segment_arrives_listen(s, in); break;
        case state::syn_sent: segment_arrives_syn_sent(s, in); break;
        default: segment_arrives_other(s, in, seg_len); break;
    }
    if (t_.st != state::closed && t_.st != state::listen) t_.output();
}

/// §3.10.7.1: CLOSED. An incoming RST is discarded; anything else gets a RST.
template <class Congestion>
inline void basic_connection<Congestion>::segment_arrives_closed(const segment_in& s, std::uint32_t seg_len) {
    if (s.hdr.flags.rst) return;
    t_.remote = endpoint{s.src_addr, s.hdr.src_port};
    if (!s.hdr.flags.ack) t_.send_rst_ack(0, s.hdr.seq_number + seg_len);  // <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
    else t_.send_rst(s.hdr.ack_number);                                    // <SEQ=SEG.ACK><CTL=RST>
}

/// §3.10.7.2: LISTEN.
template <class Congestion>
inline void basic_connection<Congestion>::segment_arrives_listen(const segment_in& s, const input& in) {
    if (s.hdr.flags.rst) return;  // first: an incoming RST is ignored
    const endpoint from{s.src_addr, s.hdr.src_port};
    if (t_.remote_known && !(t_.remote == from)) return;  // not our foreign socket
    if (s.hdr.flags.ack) {        // second: any ACK is bad: <SEQ=SEG.ACK><CTL=RST>
        const endpoint saved = t_.remote;
        const bool known = t_.remote_known;
        t_.remote = from;
        t_.send_rst(s.hdr.ack_number);
        t_.remote = saved;
        t_.remote_known = known;
        return;
    }
    if (s.hdr.flags.syn) {  // third: SYN. Security/precedence checks not implemented.
        fire(event::rcv_syn, in);
        // Data in the SYN would be queued for after ESTABLISHED; wirekit drops
        // it (it is not acknowledged, so the peer retransmits it).
        return;
    }
    // fourth: other text or control: drop.
}

/// §3.10.7.3: SYN-SENT.
template <class Congestion>
inline void basic_connection<Congestion>::segment_arrives_syn_sent(const segment_in& s, const input& in) {
    const auto& h = s.hdr;
    bool ack_ok = false;
    if (h.flags.ack) {  // first: the ACK bit
        if (seq_le(h.ack_number, t_.iss) || seq_gt(h.ack_number, t_.snd_nxt)) {
            if (!h.flags.rst) t_.send_rst(h.ack_number);  // <SEQ=SEG.ACK><CTL=RST>
            return;
        }
        ack_ok = seq_le(t_.snd_una, h.ack_number) && seq_le(h.ack_number, t_.snd_nxt);
    }
    if (h.flags.rst) {  // second: the RST bit (RFC 5961 §3.2: only with an acceptable ACK)
        if (ack_ok) fire(event::rcv_rst, in);
        return;
    }
    // third: security not implemented.
    if (h.flags.syn) {  // fourth: the SYN bit
        if (ack_ok) {
            t_.snd_una = h.ack_number;
            t_.snd_buf_seq = t_.snd_una;  // SYN acknowledged: data starts here
            if (t_.rtt_timing && seq_ge(h.ack_number, t_.rtt_seq)) {  // Karn: never a retransmitted SYN
                t_.rtt.sample(t_.now - t_.rtt_start);
                t_.rtt_timing = false;
            }
            t_.rtx_deadline.reset();
            t_.user_deadline.reset();
        }
        if (seq_gt(t_.snd_una, t_.iss)) {
            fire(event::rcv_syn_ack, in);
            // Data or controls in the SYN,ACK continue at the sixth step (URG, text, FIN).
            std::uint32_t seq = h.seq_number + 1;
            bytes_view data = s.payload;
            if (process_text(s, seq, data) && h.flags.fin) {
                t_.rcv_nxt += 1;
                t_.ack_pending = true;
                fire(event::rcv_fin, in);
            }
        } else {
            fire(event::rcv_syn, in);  // simultaneous open
        }
        return;
    }
    // fifth: neither SYN nor RST: drop.
}

/// The text step (§3.10.7.4 seventh) for segment data starting at `seq`:
/// in-order bytes go to the receive buffer up to the window. Returns true
/// when the whole segment was taken (so a FIN behind it is in sequence).
template <class Congestion>
inline bool basic_connection<Congestion>::process_text(const segment_in& s, std::uint32_t& seq, bytes_view& data) {
    (void)s;
    if (seq_lt(seq, t_.rcv_nxt)) {  // already have the front: trim it
        const std::uint32_t dup = t_.rcv_nxt - seq;
        if (dup >= data.size()) {
            data = data.subspan(data.size());
            seq = t_.rcv_nxt;
            return false;  // nothing new (a FIN at this position would be old, too)
        }
        data = data.subspan(dup);
        seq = t_.rcv_nxt;
    }
    if (data.empty()) return seq == t_.rcv_nxt;  // no text: nothing to acknowledge
    const std::uint32_t room = t_.rcv_limit();  // RCV.WND, or an edge advertised earlier (RFC 7323 §2.4)
    const std::uint32_t off = seq - t_.rcv_nxt;
    if (off >= room) {  // beyond the window: ACK at once
        t_.ack_pending = true;
        return false;
    }
    const std::size_t take = std::min<std::size_t>(room - off, data.size());
    if (off != 0) {  // out of order: keep it in the reassembly ring; a duplicate ACK goes out at once (RFC 5681 §4.2)
        t_.ack_pending = true;
        t_.ooo_store(seq, data.first(take));
        return false;
    }
    t_.ack_received(static_cast<std::uint32_t>(take), t_.ooo_count != 0);  // delayed, or at once when it fills a hole
    t_.rcv_buf.append(data.first(take));
    t_.ooo_clear(seq, static_cast<std::uint32_t>(take));
    t_.rcv_nxt += static_cast<std::uint32_t>(take);
    t_.rcv_wnd -= std::min(t_.rcv_wnd, static_cast<std::uint32_t>(take));
    t_.ooo_drain();  // bytes that arrived earlier, out of order, now in sequence
    if (take) t_.notify(notice::readable);
    return take == data.size();
}

/// §3.10.7.4: SYN-RECEIVED and the synchronized states.
template <class Congestion>
inline void basic_connection<Congestion>::segment_arrives_other(const segment_in& s_in, const input& in_in, std::uint32_t seg_len) {
    // SYN-RECEIVED and the peer's SYN again (seq == IRS): the SYN is the old
    // part of the segment (§3.10.7.4: "only the new parts are processed").
    // Without ACK it is a retransmitted SYN: answer with our SYN,ACK again.
    // With ACK it is the peer's SYN,ACK of a simultaneous open (Figure 7,
    // line 6): process it without the SYN.
    segment_in trimmed;
    input trimmed_in = in_in;
    const segment_in* sp = &s_in;
    if (t_.st == state::syn_received && s_in.hdr.flags.syn && !s_in.hdr.flags.rst && s_in.hdr.seq_number == t_.irs) {
        if (!s_in.hdr.flags.ack) {
            t_.send_syn(true);
            return;
        }
        trimmed = s_in;
        trimmed.hdr.flags.syn = false;
        trimmed.hdr.seq_number += 1;
        seg_len -= 1;
        sp = &trimmed;
        trimmed_in.seg = sp;
    }
    // TIME-WAIT and a SYN of a new incarnation (§3.10.7.4 fourth: "new
    // connections can be accepted if the Timestamp Option is used and meets
    // expectations (per RFC 6191)"; RFC 1122 §4.2.2.13 without timestamps).
    // It lies beyond the window by construction, so it is recognised before
    // the acceptability test (as Linux's tcp_timewait_state_process does).
    if (actions::time_wait_reusable(t_, in_in)) {
        fire(event::rcv_syn, in_in);
        return;
    }
    const segment_in& s = *sp;
    const input& in = trimmed_in;
    const auto& h = s.hdr;
    const std::uint32_t seq = h.seq_number;
    const std::uint32_t wnd = t_.rcv_limit();  // RCV.WND (or up to an edge advertised before rounding, RFC 7323 §2.4)

    // RFC 7323 §3.2: once TSopt is negotiated, a non-RST segment without it
    // is silently dropped. §5.3 R1 (PAWS), ahead of the acceptability test:
    // a non-RST segment whose TSval is older than TS.Recent is an old
    // duplicate: acknowledge and drop it.
    if (t_.ts.ok && !h.flags.rst) {
        if (!h.options.ts) return;
        if (t_.ts.paws_rejects(h.options.ts->tsval, t_.now)) {
            ++t_.paws_drops;
            t_.send_ack();
            return;
        }
    }

    // first: sequence number acceptability (the four cases of §3.10.7.4).
    // One deviation, as Linux's tcp_sequence(): a zero-length segment at the
    // right window edge (RCV.NXT + RCV.WND) is acceptable. A peer with a full
    // window in flight sends its pure ACKs exactly there; rejecting them, when
    // both peers are in that position, makes each answer the other's ACK
    // with an ACK, forever (found by the loss/reordering simulation).
    bool acceptable;
    if (seg_len == 0) acceptable = wnd == 0 ? seq == t_.rcv_nxt : seq_in(seq, t_.rcv_nxt, t_.rcv_nxt + wnd + 1);
    else acceptable = wnd != 0 && (seq_in(seq, t_.rcv_nxt, t_.rcv_nxt + wnd) ||
                                   seq_in(seq + seg_len - 1, t_.rcv_nxt, t_.rcv_nxt + wnd));
    // "special allowance ... to accept valid ACKs, URGs, and RSTs" with a zero window:
    const bool zero_window_control = !acceptable && wnd == 0 && seq == t_.rcv_nxt;
    if (!acceptable && !zero_window_control) {
        if (h.flags.rst) return;
        t_.send_ack();  // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
        // TIME-WAIT: "the only thing that can arrive in this state is a
        // retransmission of the remote FIN. Acknowledge it, and restart the
        // 2 MSL timeout" (§3.10.7.4 eighth). That FIN is old by the
        // acceptability test, so it is recognised here.
        if (t_.st == state::time_wait && h.flags.fin && t_.fin_received &&
            seq + static_cast<std::uint32_t>(s.payload.size()) + 1 == t_.rcv_nxt)
            fire(event::rcv_fin, in);
        return;
    }
    t_.heard_from_peer();  // keep-alive: an acceptable segment shows the peer is alive

    // RFC 7323 §5.3 R3: an acceptable segment updates TS.Recent.
    if (t_.ts.ok && h.options.ts) t_.ts.maybe_update_recent(h.options.ts->tsval, seq, t_.now);

    // second: the RST bit (RFC 5961 §3.2): exact match resets, in-window challenges.
    if (h.flags.rst) {
        if (seq == t_.rcv_nxt) {
            fire(event::rcv_rst, in);
        } else {  // in the window, but not exactly RCV.NXT: challenge ACK
            ++t_.challenge_acks;
            t_.send_ack();
        }
        return;
    }
    // third: security and precedence: not implemented.

    // fourth: the SYN bit (RFC 5961 §4.2): a challenge ACK, or back to LISTEN.
    if (h.flags.syn) {
        fire(event::rcv_syn, in);
        return;
    }

    // fifth: the ACK field.
    if (!h.flags.ack) return;
    if (t_.st == state::syn_received) {
        if (seq_lt(t_.snd_una, h.ack_number) && seq_le(h.ack_number, t_.snd_max)) {
            fire(event::rcv_ack_of_syn, in);
        } else {
            t_.send_rst(h.ack_number);  // <SEQ=SEG.ACK><CTL=RST>
            return;
        }
    }
    // RFC 5961 §5.2: acceptable only in [SND.UNA - MAX.SND.WND, SND.NXT].
    if (seq_gt(h.ack_number, t_.snd_max) || seq_lt(h.ack_number, t_.snd_una - t_.max_snd_wnd)) {
        t_.send_ack();
        return;
    }
    const std::uint32_t seg_wnd = t_.seg_window(s_in.hdr);  // SEG.WND << Snd.Wind.Shift (RFC 7323 §2.3)
    // RFC 6675 Update(): the scoreboard records the ACK's SACK blocks.
    const bool sack_new = t_.sack_ok && seq_le(t_.snd_una, h.ack_number) && t_.sb.update(h.options, h.ack_number, t_.snd_max);
    if (seq_lt(t_.snd_una, h.ack_number)) {  // new data acknowledged
        const std::uint32_t acked = h.ack_number - t_.snd_una;
        // RFC 7323 §4.1: with timestamps, the echoed TSval times this ACK
        // (no Karn restriction), replacing the one-segment timing below.
        if (t_.ts.ok && h.options.ts && t_.timestamp_rtt_sample(h.options.ts->tsecr, t_.flight_size()))
            t_.rtt_timing = false;
        const std::uint32_t end = t_.data_end();
        // Sequence space: [iss] SYN, data [snd_buf_seq, end), FIN at end.
        if (seq_lt(t_.snd_una, t_.snd_buf_seq)) t_.snd_una = t_.snd_buf_seq;  // the SYN
        const std::uint32_t acked_data_to = seq_lt(h.ack_number, end) ? h.ack_number : end;
        if (seq_lt(t_.snd_buf_seq, acked_data_to)) {
            const std::uint32_t n = acked_data_to - t_.snd_buf_seq;
            t_.snd_buf.consume(n);
            t_.snd_buf_seq = acked_data_to;
        }
        t_.snd_una = h.ack_number;
        if (seq_gt(t_.snd_una, t_.snd_nxt)) t_.snd_nxt = t_.snd_una;  // acknowledged beyond a go-back
        // RFC 6298: a sample from the timed segment (Karn: only if never retransmitted).
        if (t_.rtt_timing && seq_ge(h.ack_number, t_.rtt_seq)) {
            t_.rtt.sample(t_.now - t_.rtt_start);
            t_.rtt_timing = false;
        }
        // §5.2/5.3: all acknowledged -> stop the timer, else restart it.
        t_.rtx_deadline.reset();
        t_.user_deadline.reset();
        if (t_.snd_una != t_.snd_max) t_.arm_rtx();
        t_.dup_acks = 0;
        input ack_in = in;
        ack_in.acked = acked;
        fire(event::new_ack, ack_in);  // the congestion region grows cwnd or leaves recovery
        // RFC 6675 §5: an ACK that SACKs new data counts as a duplicate
        // "regardless of its status as a cumulative acknowledgment".
        if (sack_new && t_.snd_una != t_.snd_max && congestion_state() != cc_state::fast_recovery) {
            ++t_.dup_acks;
            fire(event::dup_ack, in);
        }
    } else if (h.ack_number == t_.snd_una && !h.flags.syn && !h.flags.fin && t_.snd_una != t_.snd_max &&
               (t_.sack_ok ? sack_new : s.payload.empty() && seg_wnd == t_.snd_wnd && t_.snd_wnd != 0)) {
        // (With SACK, RFC 6675 §2: an ACK is a duplicate when it SACKs new data.)
        // RFC 5681 §2 duplicate ACK; the congestion region counts on it.
        // Not with a zero window: the answers to window probes are flow
        // control, not loss (4.4BSD counts duplicates only while the
        // retransmission timer, not the persist timer, runs).
        ++t_.dup_acks;
        fire(event::dup_ack, in);
    }
    // Window update (§3.10.7.4 fifth): only from a newer segment.
    if (seq_le(t_.snd_una, h.ack_number) &&
        (seq_lt(t_.snd_wl1, seq) || (t_.snd_wl1 == seq && seq_le(t_.snd_wl2, h.ack_number)))) {
        t_.snd_wnd = seg_wnd;
        t_.max_snd_wnd = std::max(t_.max_snd_wnd, t_.snd_wnd);
        t_.snd_wl1 = seq;
        t_.snd_wl2 = h.ack_number;
        if (t_.snd_wnd == 0 && !t_.rtx_deadline && seq_lt(t_.snd_nxt, t_.data_end()))
            t_.rtx_deadline = t_.now + t_.rtt.rto;  // persist
    }
    const bool fin_sent = t_.fin_queued && seq_gt(t_.snd_max, t_.data_end());
    if (fin_sent && t_.snd_una == t_.data_end() + 1) fire(event::rcv_ack_of_fin, in);
    if (t_.st == state::closed) return;
    if (t_.st == state::time_wait) {
        // "The only thing that can arrive in this state is a retransmission of
        // the remote FIN": handled at the FIN step below.
    }

    // sixth: the URG bit.
    if (h.flags.urg && (t_.st == state::established || t_.st == state::fin_wait_1 || t_.st == state::fin_wait_2)) {
        const std::uint32_t up = seq + h.urgent_pointer;
        if (seq_gt(up, t_.rcv_up) || !t_.urgent_pending) {
            t_.rcv_up = seq_max(t_.rcv_up, up);
            t_.urgent_pending = true;
            t_.notify(notice::urgent);
        }
    }

    // seventh: segment text.
    std::uint32_t text_seq = seq;
    bytes_view data = s.payload;
    bool whole = true;
    if (t_.st == state::established || t_.st == state::fin_wait_1 || t_.st == state::fin_wait_2) {
        whole = process_text(s, text_seq, data);
    } else if (!data.empty()) {
        // CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT: "should not occur"; ignore the text.
        whole = seq_le(seq + static_cast<std::uint32_t>(s.payload.size()), t_.rcv_nxt);
        if (!whole) t_.ack_pending = true;
    } else {
        whole = seq == t_.rcv_nxt || t_.fin_received;
    }

    // eighth: the FIN bit.
    if (h.flags.fin) {
        const std::uint32_t fin_seq = seq + static_cast<std::uint32_t>(s.payload.size());
        if (t_.fin_received) {
            if (fin_seq + 1 == t_.rcv_nxt) {  // a retransmitted FIN: acknowledge it again
                t_.ack_pending = true;
                fire(event::rcv_fin, in);
            }
        } else if (whole && fin_seq == t_.rcv_nxt) {
            t_.fin_received = true;
            t_.ooo_forget();  // nothing follows a FIN: bytes held beyond it are void
            t_.rcv_nxt += 1;
            t_.ack_pending = true;
            fire(event::rcv_fin, in);
        }
    }
}

}  // namespace wirekit::fsm::tcp
