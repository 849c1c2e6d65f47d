// wirekit/fsm/tcp/listener.hpp — a listening TCP endpoint, sans-I/O: a SYN
// queue, an accept queue and SYN cookies (RFC 9293 §3.10.7.2, RFC 4987).
//
// Layer L3. One `connection` is one TCB; a server needs one TCB per client.
// `basic_listener` stands at a local address and port and makes them:
//
//   SYN from a new 4-tuple    an embryonic connection (SYN-RECEIVED, its
//                             SYN,ACK retransmitted per RFC 6298) joins the
//                             SYN queue, at most `syn_backlog` of them;
//   its handshake completes   it moves to the accept queue, at most
//                             `accept_backlog`; accept() hands out the
//                             oldest, and the caller owns it from then on;
//   SYN queue full            with `syn_cookies`, a stateless SYN,ACK whose
//                             ISS is a cookie (syn_cookie.hpp, RFC 4987
//                             §3.6); a returning ACK with a valid cookie
//                             creates the connection directly in
//                             ESTABLISHED, in the accept queue.
//
// It never reads a clock or touches a socket: inputs on_segment(now, seg)
// and on_timer(now), outputs poll_transmit(), accept() and next_deadline().
//
// Choices (each as Linux's tcp_conn_request / tcp_check_req, and
// documented in docs/tcp.md "Listening"):
//  * Accept queue full: a SYN from a new 4-tuple is dropped (no SYN,ACK,
//    no cookie), and the ACK that would complete an embryonic handshake is
//    dropped: the embryo stays in SYN-RECEIVED, retransmits its SYN,ACK,
//    and the client's next ACK (or data) completes it once there is room.
//  * SYN queue full without cookies: the SYN is dropped (the client retries).
//  * An ACK for no known 4-tuple is a cookie candidate only while a SYN
//    queue overflow happened in the last two cookie periods (128 s), so
//    cookies cannot be brute-forced while none are out. A candidate whose
//    cookie fails, and any other ACK for an unknown 4-tuple, is answered as
//    LISTEN answers an ACK (§3.10.7.2 second): <SEQ=SEG.ACK><CTL=RST>.
//  * An embryonic connection that is reset, or that §3.10.7.4 sends back to
//    LISTEN (a RST or a SYN in window), is deleted. It is also deleted,
//    silently, `embryonic_timeout` after its SYN (63 s: Linux's five SYN,ACK
//    retransmissions at 1, 2, 4, 8 and 16 s and 32 s more of waiting).
//  * A connection reset while waiting in the accept queue is deleted.
//
// Memory is bounded whatever arrives: at most syn_backlog + accept_backlog
// connections and conn.max_outbox queued segments (more are dropped, as by
// a full NIC queue).
#pragma once

#include <algorithm> // std::min
#include <cstddef>   // std::size_t
#include <cstdint>   // counters
#include <deque>     // accept queue, outbox
#include <map>       // SYN queue
#include <optional>  // accept, poll_transmit
#include <tuple>     // std::tie
#include <utility>   // std::move

#include "connection.hpp"  // connection, config, segment_in, segment_out
#include "syn_cookie.hpp"  // make_syn_cookie, check_syn_cookie

namespace wirekit::fsm::tcp {

/// Settings of a listener.
struct listen_config {
    /// Settings of every connection it makes. `conn.local` is the listening
    /// address and port; address 0.0.0.0 listens on every address (each
    /// connection gets the address its SYN was sent to). `conn.secret` keys
    /// both the connections' ISNs (RFC 6528) and the cookies' MAC.
    config conn{};
    std::size_t syn_backlog = 128;     ///< embryonic (SYN-RECEIVED) connections held at most
    std::size_t accept_backlog = 128;  ///< completed connections waiting for accept() at most
    bool syn_cookies = true;           ///< answer SYNs with cookies when the SYN queue is full (RFC 4987 §3.6)
    /// An embryonic connection is deleted this long after its SYN arrived
    /// (Linux: tcp_synack_retries = 5 with a 1 s initial RTO gives 63 s).
    duration embryonic_timeout = std::chrono::seconds(63);
};

/// What a listener counted since it was made.
struct listen_counters {
    std::uint64_t syns_received = 0;           ///< SYNs (without ACK) from a 4-tuple with no connection
    std::uint64_t syn_queue_overflows = 0;     ///< such SYNs met a full SYN queue (answered by cookie or dropped)
    std::uint64_t cookies_sent = 0;            ///< stateless SYN,ACKs carrying a cookie
    std::uint64_t cookies_accepted = 0;        ///< ACKs with a valid cookie: connections made from them
    std::uint64_t cookies_rejected = 0;        ///< ACKs checked as cookies that failed (answered by RST)
    std::uint64_t accept_queue_overflows = 0;  ///< SYNs and completing ACKs dropped because the accept queue was full
    std::uint64_t embryonic_timeouts = 0;      ///< embryonic connections deleted by embryonic_timeout
};

/// A listening endpoint (see the file comment). `Connection` is the TCB
/// type it makes: `connection`, or any type with its interface (open,
/// on_segment, on_timer, next_deadline, poll_transmit, current,
/// open_from_syn_cookie).
template <class Connection = connection>
class basic_listener {
public:
    explicit basic_listener(const listen_config& cfg) : cfg_(cfg) {}

    /// A segment for the listening address and port whose 4-tuple has no
    /// accepted connection (the caller routes segments of connections it
    /// got from accept() to them). Segments for another port, or another
    /// address when conn.local.addr is not 0.0.0.0, are ignored. The
    /// checksum must have been verified.
    void on_segment(instant now, const segment_in& s) {
        const auto& local = cfg_.conn.local;
        if (s.hdr.dst_port != local.port) return;
        if (!(local.addr == ipv4_address{}) && !(s.dst_addr == local.addr)) return;
        const key k{s.src_addr, s.hdr.src_port, s.dst_addr};
        const auto& f = s.hdr.flags;

        // A connection waiting in the accept queue gets its segments here.
        for (auto it = accept_q_.begin(); it != accept_q_.end(); ++it) {
            if (!(it->k == k)) continue;
            it->conn.on_segment(now, s);
            collect(it->conn);
            if (it->conn.current() == state::closed) accept_q_.erase(it);  // reset while waiting
            return;
        }
        // An embryonic connection.
        if (auto it = syn_q_.find(k); it != syn_q_.end()) {
            auto& c = it->second.conn;
            if (accept_q_.size() >= cfg_.accept_backlog && f.ack && !f.rst && c.current() == state::syn_received) {
                ++counters_.accept_queue_overflows;  // Linux: drop the ACK; the client will send it again
                return;
            }
            c.on_segment(now, s);
            collect(c);
            promote_or_drop(it);
            return;
        }
        // A new 4-tuple: LISTEN (§3.10.7.2).
        if (f.rst) return;  // first: an incoming RST is ignored
        if (f.ack) {        // second: an ACK is bad, unless it carries a valid cookie
            if (!f.syn && cookie_candidate(now)) {
                const endpoint me{s.dst_addr, local.port}, peer{s.src_addr, s.hdr.src_port};
                const auto mss = check_syn_cookie(cfg_.conn.secret, me, peer, s.hdr.seq_number - 1,
                                                  s.hdr.ack_number - 1, syn_cookie_counter(now));
                if (mss) {
                    if (accept_q_.size() >= cfg_.accept_backlog) {
                        ++counters_.accept_queue_overflows;  // dropped; the cookie stays valid for the retry
                        return;
                    }
                    Connection c(conn_config(s));
                    if (c.open_from_syn_cookie(now, s, *mss)) {
                        ++counters_.cookies_accepted;
                        collect(c);
                        accept_q_.push_back(queued{k, std::move(c)});
                    }
                    return;
                }
                ++counters_.cookies_rejected;
            }
            send_rst(s, s.hdr.ack_number);  // <SEQ=SEG.ACK><CTL=RST>
            return;
        }
        if (!f.syn) return;  // fourth: no SYN, no ACK, no RST: drop
        // third: a SYN.
        ++counters_.syns_received;
        if (accept_q_.size() >= cfg_.accept_backlog) {
            ++counters_.accept_queue_overflows;  // Linux drops SYNs while the accept queue is full
            return;
        }
        if (syn_q_.size() >= cfg_.syn_backlog) {
            ++counters_.syn_queue_overflows;
            last_overflow_ = now;
            if (cfg_.syn_cookies) send_cookie(now, s);
            return;
        }
        Connection c(conn_config(s));
        if (!c.open(now, false, endpoint{s.src_addr, s.hdr.src_port})) return;
        c.on_segment(now, s);
        collect(c);
        if (c.current() != state::syn_received) return;
        syn_q_.emplace(k, embryo{std::move(c), now + cfg_.embryonic_timeout});
    }

    /// The next segment to send (SYN,ACKs, RSTs, segments of embryonic and
    /// queued connections), oldest first.
    [[nodiscard]] std::optional<segment_out> poll_transmit() {
        if (outbox_.empty()) return std::nullopt;
        segment_out s = std::move(outbox_.front());
        outbox_.pop_front();
        return s;
    }

    /// The oldest connection whose handshake completed, moved out: the
    /// caller owns it from now on and routes its segments to it. It is
    /// ESTABLISHED or has moved on since (CLOSE-WAIT when the client already
    /// sent its FIN; data that arrived meanwhile waits in it for RECEIVE).
    /// Nothing when the accept queue is empty.
    [[nodiscard]] std::optional<Connection> accept() {
        if (accept_q_.empty()) return std::nullopt;
        std::optional<Connection> c(std::move(accept_q_.front().conn));
        accept_q_.pop_front();
        return c;
    }

    /// Fires what is due at `now`: SYN,ACK retransmissions, embryonic
    /// timeouts, and the timers of connections in the accept queue.
    void on_timer(instant now) {
        for (auto it = syn_q_.begin(); it != syn_q_.end();) {
            if (it->second.expires <= now) {
                ++counters_.embryonic_timeouts;
                it = syn_q_.erase(it);
                continue;
            }
            auto& c = it->second.conn;
            if (auto d = c.next_deadline(); d && *d <= now) {
                c.on_timer(now);
                collect(c);
            }
            it = promote_or_drop(it);
        }
        for (auto it = accept_q_.begin(); it != accept_q_.end();) {
            if (auto d = it->conn.next_deadline(); d && *d <= now) {
                it->conn.on_timer(now);
                collect(it->conn);
            }
            if (it->conn.current() == state::closed) it = accept_q_.erase(it);
            else ++it;
        }
    }

    /// The earliest time on_timer has work, if any.
    [[nodiscard]] std::optional<instant> next_deadline() const {
        std::optional<instant> d;
        auto take = [&](std::optional<instant> x) {
            if (x && (!d || *x < *d)) d = x;
        };
        for (const auto& [k, e] : syn_q_) {
            take(e.conn.next_deadline());
            take(e.expires);
        }
        for (const auto& q : accept_q_) take(q.conn.next_deadline());
        return d;
    }

    /// Embryonic connections held (at most syn_backlog).
    [[nodiscard]] std::size_t syn_queue_size() const noexcept { return syn_q_.size(); }
    /// Completed connections waiting for accept() (at most accept_backlog).
    [[nodiscard]] std::size_t accept_queue_size() const noexcept { return accept_q_.size(); }
    /// Segments waiting for poll_transmit (at most conn.max_outbox).
    [[nodiscard]] std::size_t outbox_size() const noexcept { return outbox_.size(); }
    /// What happened so far.
    [[nodiscard]] const listen_counters& counters() const noexcept { return counters_; }
    /// The settings.
    [[nodiscard]] const listen_config& settings() const noexcept { return cfg_; }

private:
    /// A 4-tuple as the listener sees it (its own port is fixed).
    struct key {
        ipv4_address remote_addr{};
        std::uint16_t remote_port = 0;
        ipv4_address local_addr{};
        friend bool operator==(const key& a, const key& b) noexcept {
            return a.remote_addr == b.remote_addr && a.remote_port == b.remote_port && a.local_addr == b.local_addr;
        }
        friend bool operator<(const key& a, const key& b) noexcept {
            return std::tie(a.remote_addr.octets, a.remote_port, a.local_addr.octets) <
                   std::tie(b.remote_addr.octets, b.remote_port, b.local_addr.octets);
        }
    };
    struct embryo {
        Connection conn;
        instant expires{};
    };
    struct queued {
        key k;
        Connection conn;
    };
    using syn_queue = std::map<key, embryo>;

    [[nodiscard]] config conn_config(const segment_in& s) const {
        config c = cfg_.conn;
        c.local.addr = s.dst_addr;
        return c;
    }

    /// Moves a connection's segments to the listener's outbox.
    void collect(Connection& c) {
        while (auto seg = c.poll_transmit()) push(std::move(*seg));
    }
    void push(segment_out&& s) {
        if (outbox_.size() < cfg_.conn.max_outbox) outbox_.push_back(std::move(s));
    }

    /// After an input to an embryo: to the accept queue when its handshake
    /// completed (and there is room), deleted when it went back to LISTEN
    /// or CLOSED. Returns the next SYN-queue position.
    typename syn_queue::iterator promote_or_drop(typename syn_queue::iterator it) {
        const state st = it->second.conn.current();
        if (st == state::syn_received) return std::next(it);
        if (st != state::listen && st != state::closed && accept_q_.size() < cfg_.accept_backlog)
            accept_q_.push_back(queued{it->first, std::move(it->second.conn)});
        else if (st != state::listen && st != state::closed)
            ++counters_.accept_queue_overflows;  // not reached: on_segment drops completing segments first
        return syn_q_.erase(it);
    }

    [[nodiscard]] bool cookie_candidate(instant now) const {
        return cfg_.syn_cookies && last_overflow_ && now - *last_overflow_ < 2 * syn_cookie_period;
    }

    /// The stateless SYN,ACK of RFC 4987 §3.6:
    /// <SEQ=cookie><ACK=SEG.SEQ+1><CTL=SYN,ACK>, our MSS and window, as the
    /// connection made from the cookie will have them.
    void send_cookie(instant now, const segment_in& s) {
        const endpoint me{s.dst_addr, cfg_.conn.local.port}, peer{s.src_addr, s.hdr.src_port};
        const std::uint8_t idx = syn_cookie_mss_index(s.hdr.options.mss.value_or(536));
        segment_out o;
        o.src_addr = me.addr;
        o.dst_addr = peer.addr;
        o.hdr.src_port = me.port;
        o.hdr.dst_port = peer.port;
        o.hdr.seq_number = make_syn_cookie(cfg_.conn.secret, me, peer, s.hdr.seq_number, syn_cookie_counter(now), idx);
        o.hdr.ack_number = s.hdr.seq_number + 1;
        o.hdr.flags.syn = true;
        o.hdr.flags.ack = true;
        o.hdr.window = static_cast<std::uint16_t>(std::min<std::size_t>(cfg_.conn.receive_buffer, 65535));
        o.hdr.options.mss = cfg_.conn.mss;
        o.hdr.payload_len = 0;
        ++counters_.cookies_sent;
        push(std::move(o));
    }

    /// <SEQ=seq><CTL=RST> to the sender of `s`.
    void send_rst(const segment_in& s, std::uint32_t seq) {
        segment_out o;
        o.src_addr = s.dst_addr;
        o.dst_addr = s.src_addr;
        o.hdr.src_port = s.hdr.dst_port;
        o.hdr.dst_port = s.hdr.src_port;
        o.hdr.seq_number = seq;
        o.hdr.flags.rst = true;
        o.hdr.window = 0;
        o.hdr.payload_len = 0;
        push(std::move(o));
    }

    listen_config cfg_;
    syn_queue syn_q_{};
    std::deque<queued> accept_q_{};
    std::deque<segment_out> outbox_{};
    listen_counters counters_{};
    std::optional<instant> last_overflow_{};
};

/// A listener making `connection`s.
using listener = basic_listener<>;

}  // namespace wirekit::fsm::tcp
