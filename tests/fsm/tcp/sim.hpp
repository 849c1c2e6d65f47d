// Test support: deterministic simulation of two TCP connections.
//
// Two wirekit::fsm::tcp::connection objects, A (10.0.0.1:40000, active
// OPEN) and B (10.0.0.2:80, passive OPEN), joined by an io::memory_pipe with
// seeded impairments per direction, driven by a virtual clock (microseconds
// from 0). Segments cross the pipe as real TCP bytes: emitted with the
// RFC 9293 §3.1 checksum over the IPv4 pseudo-header and parsed with
// tcp::segment::checked + repr::parse, so a corrupted segment is caught by
// the checksum and dropped, as a host would.
//
// Each side's application sends `send_bytes` of a seeded pseudo-random
// stream, then CLOSEs; it RECEIVEs everything (or, as a slow reader, at most
// `read_bytes` every `read_interval`). Sent and received streams are hashed
// with SHA-256 (FIPS 180-4) on the fly, so 10 MiB per direction costs no
// memory, and the received bytes are also compared with the regenerated
// stream to report the first wrong offset.
//
// The loop: at virtual time `now`, deliver the frames whose time has come
// (to A, then to B; what each segment provokes is transmitted at once),
// fire due timers, run each application, and flush each connection's
// segments into the pipe. Then jump to the next event: a
// delivery, a connection deadline, or a slow reader's next read. A run ends
// when both connections are CLOSED, nothing can happen any more, or the
// time limit passes.
//
// Hooks (all optional): `drop` loses chosen segments on purpose (scripted
// loss); `before_segment` / `after_segment` see each segment a connection
// processes; `after_step` runs after each time step; `on_frame` receives
// every transmitted segment as an Ethernet/IPv4/TCP frame (for a pcap
// trace). With `trace_congestion`, A's cwnd and ssthresh are recorded after
// every input that changes them. This header needs neither Catch2 nor libpcap, so example programs
// (tcp-trace) and benchmarks (bench_tcp) use it too.
#pragma once

#include <wirekit/fsm/tcp/connection.hpp>
#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/wire/craft.hpp>
#include <wirekit/wire/tcp.hpp>

#include "../../support/sha256.hpp"

#include <algorithm>   // std::min, std::max
#include <array>       // frame buffer
#include <chrono>      // virtual time
#include <cstddef>     // std::byte, std::size_t
#include <cstdint>     // seeds, counters
#include <cstring>     // std::memcmp
#include <functional>  // hooks
#include <limits>      // SIZE_MAX
#include <optional>    // next event
#include <string>      // error text, digests
#include <vector>      // staging buffers

namespace wirekit::test::tcp_sim {

namespace tcp = wirekit::fsm::tcp;
using namespace std::chrono_literals;

inline const ipv4_address addr_a = ipv4_address::of(10, 0, 0, 1);
inline const ipv4_address addr_b = ipv4_address::of(10, 0, 0, 2);
inline constexpr std::uint16_t port_a = 40000;
inline constexpr std::uint16_t port_b = 80;

/// A seeded pseudo-random byte stream (xorshift64, eight bytes per step):
/// the same seed gives the same bytes however the reads are cut.
class byte_stream {
public:
    explicit byte_stream(std::uint64_t seed) : x_(seed * 0x9e3779b97f4a7c15ULL + 1) {}
    /// Writes the next out.size() bytes of the stream.
    void fill(std::span<std::byte> out) noexcept {
        for (auto& b : out) {
            if (have_ == 0) {
                x_ ^= x_ << 13;
                x_ ^= x_ >> 7;
                x_ ^= x_ << 17;
                word_ = x_;
                have_ = 8;
            }
            b = std::byte(word_ & 0xff);
            word_ >>= 8;
            --have_;
        }
    }

private:
    std::uint64_t x_;
    std::uint64_t word_ = 0;
    unsigned have_ = 0;
};

/// One side's application and buffers.
struct endpoint_settings {
    std::size_t send_bytes = 0;          ///< bytes the application SENDs before it CLOSEs
    std::size_t send_buffer = 65535;     ///< tcp::config::send_buffer, bytes
    std::size_t receive_buffer = 65535;  ///< tcp::config::receive_buffer, bytes (the window)
    std::uint16_t mss = 1460;            ///< MSS announced, bytes
    std::size_t read_bytes = 0;          ///< slow reader: at most this many bytes per read_interval (0: read all at once)
    tcp::duration read_interval{};       ///< slow reader: time between reads
};

/// A whole run.
struct settings {
    std::uint64_t seed = 1;           ///< pipe impairments and both data streams
    io::impairments a_to_b{};         ///< link from A to B
    io::impairments b_to_a{};         ///< link from B to A
    endpoint_settings a{};
    endpoint_settings b{};
    tcp::duration msl = 1s;           ///< a short MSL keeps TIME-WAIT (2 MSL) short
    tcp::instant limit = std::chrono::hours(1);  ///< give up at this virtual time
    bool trace_congestion = false;    ///< record A's cwnd, ssthresh and congestion state (outcome::congestion_a)
    /// Generate, hash and compare the streams. Off (benchmarks): zeros are
    /// sent, nothing is hashed or compared, and only byte counts are checked.
    bool check_data = true;
    /// Adjusts a connection's configuration before it is created ('A' or 'B').
    std::function<void(char side, tcp::config&)> configure{};
};

/// A's congestion variables after an input that changed them.
struct cwnd_sample {
    tcp::instant t{};
    std::uint32_t cwnd = 0;      ///< bytes
    std::uint32_t ssthresh = 0;  ///< bytes
    tcp::cc_state state = tcp::cc_state::slow_start;
    std::uint32_t snd_una = 0;   ///< relative to A's ISS + 1 (bytes of data acknowledged)
};

/// One direction of data, from the sender's application to the receiver's.
struct flow_outcome {
    std::size_t sent = 0;       ///< bytes SEND accepted from the sending application
    std::size_t delivered = 0;  ///< bytes RECEIVE handed to the receiving application
    std::string sent_sha256;    ///< of the bytes sent (hex)
    std::string delivered_sha256;
    std::optional<std::size_t> first_mismatch{};   ///< first delivered offset that differs from the stream
    std::optional<tcp::instant> delivered_at{};    ///< when the last byte reached the receiving application
    bool peer_closed_seen = false;                 ///< the receiver saw "connection closing" after the data
    /// Everything sent arrived, in order, unchanged, and the FIN behind it.
    [[nodiscard]] bool intact(std::size_t expected) const {
        return sent == expected && delivered == sent && sent_sha256 == delivered_sha256 && !first_mismatch &&
               peer_closed_seen;
    }
};

/// What a run did.
struct outcome {
    flow_outcome a_to_b, b_to_a;
    tcp::state a_state = tcp::state::closed, b_state = tcp::state::closed;
    tcp::instant finished{};         ///< virtual time the loop stopped
    bool both_closed = false;        ///< both connections reached CLOSED
    std::string error{};             ///< a harness failure (emit or transmit refused), empty if none
    std::uint64_t timeouts = 0;          ///< retransmission-timer expiries, both connections (zero-window probes included)
    std::uint64_t fast_retransmits = 0;  ///< fast retransmits and partial-ACK retransmits, both
    std::size_t bad_checksum = 0;    ///< frames rejected by segment::checked / repr::parse
    std::size_t segments = 0;        ///< segments transmitted, both directions
    std::size_t zero_windows = 0;    ///< segments advertising a zero window
    std::size_t scripted_drops = 0;  ///< segments lost by the `drop` hook
    std::size_t steps = 0;           ///< time steps of the loop
    io::impairment_stats a_to_b_link{}, b_to_a_link{};
    std::vector<cwnd_sample> congestion_a{};  ///< with settings::trace_congestion
};

/// The simulation (see the file comment), over connections of type
/// `Connection` (tcp::basic_connection<Congestion>). Not copyable or movable.
template <class Connection = tcp::connection>
class basic_simulation {
public:
    /// One connection, its link end and its application.
    struct endpoint {
        char name;  ///< 'A' or 'B'
        Connection conn;
        io::memory_pipe::end& dev;
        endpoint_settings app;
        ipv4_address peer_addr;
        // sending application
        byte_stream out_stream;
        sha256 sent_hash{};
        std::vector<std::byte> staged{};  ///< generated, hashed, not yet accepted by SEND
        std::size_t staged_off = 0;
        std::size_t generated = 0;
        std::size_t sent = 0;
        bool closed_by_app = false;
        // receiving application
        byte_stream expect_stream;
        sha256 received_hash{};
        std::size_t received = 0;
        std::optional<std::size_t> first_mismatch{};
        std::optional<tcp::instant> received_all_at{};
        std::size_t expect_total = 0;
        bool peer_done = false;
        tcp::instant next_read{};
        std::size_t bad_checksum = 0;

        endpoint(char n, const tcp::config& c, io::memory_pipe::end& d, const endpoint_settings& s,
                 ipv4_address peer, std::uint64_t out_seed, std::uint64_t in_seed, std::size_t expect)
            : name(n), conn(c), dev(d), app(s), peer_addr(peer), out_stream(out_seed), expect_stream(in_seed),
              expect_total(expect) {}
        endpoint(const endpoint&) = delete;
        endpoint& operator=(const endpoint&) = delete;
    };

    /// Lose this segment on purpose (it still appears in on_frame). `from` is the sender.
    std::function<bool(const endpoint& from, const tcp::segment_out&)> drop{};
    /// Around each segment a connection processes (after the checksum check).
    std::function<void(endpoint& to, const tcp::segment_in&, tcp::instant)> before_segment{};
    std::function<void(endpoint& to, const tcp::segment_in&, tcp::instant)> after_segment{};
    /// After each time step.
    std::function<void(basic_simulation&)> after_step{};
    /// Every transmitted segment as an Ethernet/IPv4/TCP frame, at its transmission time.
    std::function<void(bytes_view frame, tcp::instant)> on_frame{};

    explicit basic_simulation(const settings& s)
        : s_(s), pipe_(pipe_settings(s)),
          a_('A', make_config(s, true), pipe_.a(), s.a, addr_b, s.seed, s.seed + 1, s.b.send_bytes),
          b_('B', make_config(s, false), pipe_.b(), s.b, addr_a, s.seed + 1, s.seed, s.a.send_bytes) {}
    basic_simulation(const basic_simulation&) = delete;
    basic_simulation& operator=(const basic_simulation&) = delete;

    /// The configuration the harness gives each connection.
    static tcp::config make_config(const settings& s, bool is_a) {
        const endpoint_settings& e = is_a ? s.a : s.b;
        const tcp::duration msl = s.msl;
        tcp::config c;
        c.local = is_a ? tcp::endpoint{addr_a, port_a} : tcp::endpoint{addr_b, port_b};
        c.mss = e.mss;
        c.send_buffer = e.send_buffer;
        c.receive_buffer = e.receive_buffer;
        c.msl = msl;
        for (std::size_t i = 0; i < c.secret.size(); ++i) c.secret[i] = std::byte(i * 7 + (is_a ? 1 : 2));
        if (s.configure) s.configure(is_a ? 'A' : 'B', c);
        return c;
    }

    [[nodiscard]] endpoint& a() noexcept { return a_; }
    [[nodiscard]] endpoint& b() noexcept { return b_; }
    [[nodiscard]] io::memory_pipe& pipe() noexcept { return pipe_; }
    [[nodiscard]] tcp::instant now() const noexcept { return now_; }

    /// Runs to the end (see the file comment) and reports.
    outcome run() {
        now_ = tcp::instant{0};
        if (!b_.conn.open(now_, false)) return fail("passive OPEN refused");
        if (!a_.conn.open(now_, true, tcp::endpoint{addr_b, port_b})) return fail("active OPEN refused");
        flush(a_);
        while (now_ <= s_.limit && error_.empty()) {
            ++steps_;
            pipe_.set_time(std::chrono::duration_cast<io::timestamp>(now_));
            deliver(a_);
            deliver(b_);
            for (endpoint* e : {&a_, &b_}) {
                if (auto d = e->conn.next_deadline(); d && *d <= now_) e->conn.on_timer(now_);
                if (e == &a_) record_congestion();
                application(*e);
                flush(*e);
            }
            if (after_step) after_step(*this);
            if (a_.conn.current() == tcp::state::closed && b_.conn.current() == tcp::state::closed) break;
            std::optional<tcp::instant> next;
            auto consider = [&](std::optional<tcp::instant> t) {
                if (t && (!next || *t < *next)) next = t;
            };
            if (auto d = pipe_.next_delivery()) consider(std::chrono::ceil<tcp::instant>(*d));
            for (endpoint* e : {&a_, &b_}) {
                consider(e->conn.next_deadline());
                if (e->app.read_bytes != 0 && !e->peer_done &&
                    (e->conn.status().receive_queued != 0 || e->conn.vars().fin_received))
                    consider(std::max(e->next_read, now_ + 1us));
            }
            if (!next) break;  // nothing can ever happen again
            now_ = std::max(*next, now_ + 1us);
        }
        return report();
    }

private:
    static io::pipe_config pipe_settings(const settings& s) {
        io::pipe_config pc;
        pc.seed = s.seed;
        pc.a_to_b = s.a_to_b;
        pc.b_to_a = s.b_to_a;
        return pc;
    }
    outcome fail(std::string what) {
        error_ = std::move(what);
        return report();
    }

    void record_congestion() {
        if (!s_.trace_congestion || a_.conn.current() == tcp::state::syn_sent) return;
        const auto& v = a_.conn.vars();
        const cwnd_sample x{now_, v.cwnd, v.ssthresh, a_.conn.congestion_state(), v.snd_una - v.iss - 1};
        if (!congestion_.empty()) {
            const auto& l = congestion_.back();
            if (l.cwnd == x.cwnd && l.ssthresh == x.ssthresh && l.state == x.state) return;
        }
        congestion_.push_back(x);
    }

    void flush(endpoint& e) {
        std::array<std::byte, 1600> buf{};
        while (auto s = e.conn.poll_transmit()) {
            ++segments_;
            if (s->hdr.window == 0 && !s->hdr.flags.rst) ++zero_windows_;
            if (on_frame) frame(*s);
            if (drop && drop(e, *s)) {
                ++scripted_drops_;
                continue;
            }
            auto n = s->emit(buf);
            if (!n) {
                error_ = "segment_out::emit failed";
                return;
            }
            if (!e.dev.transmit(bytes_view(buf).first(*n))) {
                error_ = "memory_pipe::transmit refused a segment";
                return;
            }
        }
    }

    void frame(const tcp::segment_out& s) {
        const bool from_a = s.src_addr == addr_a;
        const mac_address mac_a{{std::byte{2}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}}};
        const mac_address mac_b{{std::byte{2}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{2}}};
        auto f = (ethernet::repr{.dst_addr = from_a ? mac_b : mac_a, .src_addr = from_a ? mac_a : mac_b} /
                  ipv4::repr{.src_addr = s.src_addr, .dst_addr = s.dst_addr} / s.hdr / craft::payload{bytes_view(s.payload)})
                     .to_bytes();
        if (!f) {
            error_ = "craft of a trace frame failed";
            return;
        }
        on_frame(bytes_view(*f), now_);
    }

    void deliver(endpoint& e) {
        const auto local = e.conn.vars().cfg.local;
        for (;;) {
            auto f = e.dev.receive();
            if (!f || !f->has_value()) break;
            const bytes_view bytes = (*f)->data;
            auto v = wirekit::tcp::segment::checked(bytes);
            if (!v) {
                ++e.bad_checksum;
                continue;
            }
            auto r = wirekit::tcp::repr::parse(*v, ipv4_pseudo{e.peer_addr, local.addr});
            if (!r) {
                ++e.bad_checksum;
                continue;
            }
            tcp::segment_in in;
            in.src_addr = e.peer_addr;
            in.dst_addr = local.addr;
            in.hdr = *r;
            in.payload = bytes.subspan(v->header_length());
            if (in.hdr.dst_port != local.port) continue;
            if (before_segment) before_segment(e, in, now_);
            e.conn.on_segment(now_, in);
            if (&e == &a_) record_congestion();
            flush(e);  // transmit what the segment provoked at once, as a host would
            if (after_segment) after_segment(e, in, now_);
        }
    }

    void application(endpoint& e) {
        while (e.conn.poll_notice()) {
        }
        // RECEIVE first, so the segments SEND produces advertise the space it freed.
        read(e);
        const auto st = e.conn.current();
        if (st == tcp::state::established || st == tcp::state::close_wait) {
            while (e.sent < e.app.send_bytes) {
                if (e.staged_off == e.staged.size()) {  // generate and hash the next chunk
                    const std::size_t n = std::min<std::size_t>(64 * 1024, e.app.send_bytes - e.generated);
                    e.staged.resize(n);
                    if (s_.check_data) {
                        e.out_stream.fill(e.staged);
                        e.sent_hash.update(e.staged);
                    }
                    e.generated += n;
                    e.staged_off = 0;
                }
                auto n = e.conn.send(now_, bytes_view(e.staged).subspan(e.staged_off));
                if (!n || *n == 0) break;  // send buffer full ("insufficient resources")
                e.staged_off += *n;
                e.sent += *n;
            }
            if (e.sent == e.app.send_bytes && !e.closed_by_app) {
                if (!e.conn.close(now_)) error_ = "CLOSE refused";
                e.closed_by_app = true;
            }
        }
    }

    void read(endpoint& e) {
        // RECEIVE: everything, or a slow reader's ration.
        std::size_t budget = std::numeric_limits<std::size_t>::max();
        if (e.app.read_bytes != 0) {
            if (now_ < e.next_read) return;
            budget = e.app.read_bytes;
        }
        std::array<std::byte, 16384> buf{};
        std::array<std::byte, 16384> want{};
        bool got = false;
        while (budget != 0 && !e.peer_done) {
            const std::size_t ask = std::min(budget, buf.size());
            auto n = e.conn.receive(now_, std::span(buf).first(ask));
            if (!n) {
                if (n.error().detail == "connection closing") e.peer_done = true;
                break;
            }
            if (*n == 0) break;
            got = true;
            budget -= *n;
            if (s_.check_data) {
                const auto chunk = std::span(buf).first(*n);
                e.received_hash.update(chunk);
                e.expect_stream.fill(std::span(want).first(*n));
                if (!e.first_mismatch && std::memcmp(chunk.data(), want.data(), *n) != 0) {
                    std::size_t i = 0;
                    while (chunk[i] == want[i]) ++i;
                    e.first_mismatch = e.received + i;
                }
            }
            e.received += *n;
            if (e.received >= e.expect_total && !e.received_all_at) e.received_all_at = now_;
        }
        if (got && e.app.read_bytes != 0) e.next_read = now_ + e.app.read_interval;
    }

    outcome report() {
        outcome r;
        auto flow = [](endpoint& from, endpoint& to) {
            flow_outcome f;
            f.sent = from.sent;
            f.delivered = to.received;
            f.sent_sha256 = sha256::hex(from.sent_hash.digest());
            f.delivered_sha256 = sha256::hex(to.received_hash.digest());
            f.first_mismatch = to.first_mismatch;
            f.delivered_at = to.received_all_at;
            f.peer_closed_seen = to.peer_done;
            return f;
        };
        r.a_to_b = flow(a_, b_);
        r.b_to_a = flow(b_, a_);
        r.a_state = a_.conn.current();
        r.b_state = b_.conn.current();
        r.finished = now_;
        r.both_closed = r.a_state == tcp::state::closed && r.b_state == tcp::state::closed;
        r.error = error_;
        for (endpoint* e : {&a_, &b_}) {
            r.timeouts += e->conn.vars().retransmissions;
            r.fast_retransmits += e->conn.vars().fast_retransmits;
            r.bad_checksum += e->bad_checksum;
        }
        r.segments = segments_;
        r.zero_windows = zero_windows_;
        r.scripted_drops = scripted_drops_;
        r.steps = steps_;
        r.a_to_b_link = pipe_.a().stats();
        r.b_to_a_link = pipe_.b().stats();
        r.congestion_a = std::move(congestion_);
        return r;
    }

    settings s_;
    io::memory_pipe pipe_;
    endpoint a_;
    endpoint b_;
    tcp::instant now_{};
    std::string error_{};
    std::size_t segments_ = 0, zero_windows_ = 0, scripted_drops_ = 0, steps_ = 0;
    std::vector<cwnd_sample> congestion_{};
};

/// The simulation over the default connection (NewReno).
using simulation = basic_simulation<>;

/// Runs one simulation without hooks, over connections of type `Connection`.
template <class Connection = tcp::connection>
outcome simulate(const settings& s) {
    basic_simulation<Connection> sim(s);
    return sim.run();
}

}  // namespace wirekit::test::tcp_sim
