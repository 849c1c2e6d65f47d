// Fuzz target: arbitrary segments, user calls and time steps, in sequence,
// into a TCP connection that starts in any of the 11 states (reached
// through real inputs). Invariants are checked after every step:
//   SND.UNA <= SND.NXT <= SND.MAX, sequence space in flight bounded by the
//   send buffer, buffers within their configured sizes, RCV.WND within the
//   free receive space, bounded out-of-order, outbox and notice queues,
//   every emitted segment within the MSS and re-parsable with a valid
//   checksum, the TCB's state mirror equal to the machine's state; with
//   the RFC 7323 / 2018 options: SND.WND within 65535 << Snd.Wind.Shift,
//   received data within the buffer plus one scaling unit, the advertised
//   edge bounded, held out-of-order and SACKed ranges bounded, sorted and
//   inside their windows, at most 40 bytes of options.
//
// Input: byte 0 picks the start state (low 4 bits; 0x10 passive/active;
// 0x20 the peer offers window scale 7, timestamps and SACK, and then sends
// TSopt in its segments; 0x40 a 100000-byte receive buffer). The last byte
// picks the congestion policy (value % 3: NewReno, Reno, Tahoe) and, in
// value / 3, delayed ACK (bit 0), keep-alive with a 1 s idle time (bit 1)
// and nodelay (bit 2). Then records:
//   op 0..3  a segment: seq and ack as offsets from RCV.NXT / SND.UNA
//            (int16), control bits, window, payload length, payload bytes;
//            bit 128 of the control byte: an older TSval (minus u16) and a
//            SACK block (offsets from SND.UNA, u16 each)
//   op 4     raw TCP bytes, parsed by the wire layer first (any options)
//   op 5     time passes (n x 7 ms) and due timers fire
//   op 6     SEND n bytes        op 7  RECEIVE up to n bytes
//   op 8     CLOSE               op 9  ABORT        op 10 OPEN
#include <wirekit/fsm/tcp/connection.hpp>
#include <wirekit/wire/tcp.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

namespace tcp = wirekit::fsm::tcp;
using wirekit::fsm::tcp::seq_le;

#define FSM_FUZZ_CHECK(cond)                                                             \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            std::fprintf(stderr, "fsm_tcp invariant failed: %s (line %d)\n", #cond, __LINE__); \
            std::abort();                                                                \
        }                                                                                \
    } while (0)

const wirekit::ipv4_address addr_a = wirekit::ipv4_address::of(10, 0, 0, 1);
const wirekit::ipv4_address addr_b = wirekit::ipv4_address::of(10, 0, 0, 2);

struct reader {
    const std::uint8_t* p;
    std::size_t n;
    std::size_t at = 0;
    bool empty() const { return at >= n; }
    std::uint8_t u8() { return at < n ? p[at++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() << 8 | u8()); }
};

template <class Conn>
struct harness {
    Conn c;
    tcp::instant now{0};
    std::vector<std::byte> scratch = std::vector<std::byte>(4096);

    bool peer_opts = false;      ///< the peer offered WS/TS/SACK and sends TSopt
    std::uint32_t peer_clock = 1000;  ///< the peer's TSval clock

    static tcp::config cfg(bool big_buffer, std::uint8_t flow) {
        tcp::config k;
        k.delayed_ack = flow & 1;
        k.keepalive.enabled = flow & 2;
        k.keepalive.idle = std::chrono::seconds(1);
        k.keepalive.interval = std::chrono::milliseconds(100);
        k.keepalive.probes = 3;
        k.nodelay = flow & 4;
        k.local = {addr_a, 40000};
        k.fixed_iss = 99;
        k.send_buffer = 8192;
        k.receive_buffer = big_buffer ? 100000 : 6000;
        k.mss = 1000;
        k.msl = std::chrono::seconds(1);
        return k;
    }
    harness(std::uint8_t pick, std::uint8_t flow) : c(cfg(pick & 0x40, flow)) { peer_opts = pick & 0x20; }

    void seg(std::uint32_t seq, std::uint32_t ack, wirekit::tcp::control f, std::uint16_t wnd, wirekit::bytes_view data,
             std::uint16_t up = 0, std::optional<std::uint16_t> mss = std::nullopt,
             const wirekit::tcp::option_set* extra = nullptr) {
        tcp::segment_in in;
        in.src_addr = addr_b;
        in.dst_addr = addr_a;
        in.hdr.src_port = 80;
        in.hdr.dst_port = 40000;
        in.hdr.seq_number = seq;
        in.hdr.ack_number = ack;
        in.hdr.flags = f;
        in.hdr.window = wnd;
        in.hdr.urgent_pointer = up;
        if (extra) in.hdr.options = *extra;
        else if (peer_opts) {
            in.hdr.options.ts = wirekit::tcp::timestamps{++peer_clock, 0};
            if (f.syn) {
                in.hdr.options.window_scale = 7;
                in.hdr.options.sack_permitted = true;
            }
        }
        in.hdr.options.mss = mss;
        in.hdr.payload_len = data.size();
        in.payload = data;
        c.on_segment(now, in);
    }
    static wirekit::tcp::control ctl(bool syn, bool ack, bool fin = false, bool rst = false) {
        wirekit::tcp::control f;
        f.syn = syn;
        f.ack = ack;
        f.fin = fin;
        f.rst = rst;
        return f;
    }

    void reach(std::uint8_t pick) {
        const bool passive = pick & 0x10;
        const auto target = static_cast<tcp::state>((pick & 0x0f) % 11);
        using S = tcp::state;
        const tcp::endpoint peer{addr_b, 80};
        auto established = [&] {
            if (passive) {
                (void)c.open(now, false);
                seg(299, 0, ctl(true, false), 65535, {});
                seg(300, 100, ctl(false, true), 65535, {});
            } else {
                (void)c.open(now, true, peer);
                seg(299, 100, ctl(true, true), 65535, {}, 0, 1460);
            }
        };
        switch (target) {
            case S::closed: break;
            case S::listen: (void)c.open(now, false); break;
            case S::syn_sent: (void)c.open(now, true, peer); break;
            case S::syn_received:
                if (passive) (void)c.open(now, false);
                else (void)c.open(now, true, peer);
                seg(299, 0, ctl(true, false), 65535, {});
                break;
            case S::established: established(); break;
            case S::fin_wait_1: established(); (void)c.close(now); break;
            case S::fin_wait_2:
                established();
                (void)c.close(now);
                seg(300, 101, ctl(false, true), 65535, {});
                break;
            case S::close_wait: established(); seg(300, 100, ctl(false, true, true), 65535, {}); break;
            case S::closing:
                established();
                (void)c.close(now);
                seg(300, 100, ctl(false, true, true), 65535, {});
                break;
            case S::last_ack:
                established();
                seg(300, 100, ctl(false, true, true), 65535, {});
                (void)c.close(now);
                break;
            case S::time_wait:
                established();
                (void)c.close(now);
                seg(300, 101, ctl(false, true, true), 65535, {});
                break;
        }
        FSM_FUZZ_CHECK(c.current() == target);
    }

    void drain_and_check() {
        const auto& t = c.vars();
        FSM_FUZZ_CHECK(t.st == c.current());
        FSM_FUZZ_CHECK(seq_le(t.snd_una, t.snd_nxt));
        FSM_FUZZ_CHECK(seq_le(t.snd_nxt, t.snd_max));
        FSM_FUZZ_CHECK(t.snd_max - t.snd_una <= t.cfg.send_buffer + 2);  // data + SYN + FIN
        FSM_FUZZ_CHECK(t.snd_buf.size() <= t.cfg.send_buffer);
        FSM_FUZZ_CHECK(t.rcv_buf.size() <= t.cfg.receive_buffer + (std::size_t{1} << t.rcv_wscale));
        FSM_FUZZ_CHECK(t.rcv_wnd <= t.receive_space());
        FSM_FUZZ_CHECK(t.ooo_count <= t.rcv_limit());
        FSM_FUZZ_CHECK(t.rcv_limit() <= t.rcv_wnd + (1u << t.rcv_wscale));  // overshoot below one scaling unit
        FSM_FUZZ_CHECK(t.snd_wnd <= (65535u << t.snd_wscale));
        FSM_FUZZ_CHECK(t.snd_wscale <= 14 && t.rcv_wscale <= 14);
        FSM_FUZZ_CHECK(t.ooo_ranges.n <= t.ooo_ranges.r.size());
        FSM_FUZZ_CHECK(t.ooo_ranges.bytes() == t.ooo_count);
        for (std::size_t i = 0; i < t.ooo_ranges.n; ++i) {
            FSM_FUZZ_CHECK(tcp::seq_lt(t.rcv_nxt, t.ooo_ranges.r[i].left));  // a hole at RCV.NXT
            FSM_FUZZ_CHECK(tcp::seq_lt(t.ooo_ranges.r[i].left, t.ooo_ranges.r[i].right));
            if (i) FSM_FUZZ_CHECK(tcp::seq_lt(t.ooo_ranges.r[i - 1].right, t.ooo_ranges.r[i].left));
        }
        FSM_FUZZ_CHECK(t.sb.sacked.n <= t.sb.sacked.r.size());
        for (std::size_t i = 0; i < t.sb.sacked.n; ++i) {
            FSM_FUZZ_CHECK(seq_le(t.snd_una, t.sb.sacked.r[i].left));
            FSM_FUZZ_CHECK(seq_le(t.sb.sacked.r[i].right, t.snd_max));
        }
        if (t.sack_recovery) FSM_FUZZ_CHECK(t.sack_ok);
        FSM_FUZZ_CHECK(t.cwnd >= t.snd_mss || t.cwnd >= 64);
        FSM_FUZZ_CHECK(t.cwnd <= tcp::tcb::max_cwnd);
        FSM_FUZZ_CHECK(t.ssthresh >= 2u * 64);
        FSM_FUZZ_CHECK(t.snd_mss >= 64);
        FSM_FUZZ_CHECK(t.outbox.size() <= t.cfg.max_outbox);
        FSM_FUZZ_CHECK(t.notices.size() <= 64);
        if (t.delack_deadline) FSM_FUZZ_CHECK(*t.delack_deadline < t.now + std::chrono::milliseconds(500));  // RFC 1122
        FSM_FUZZ_CHECK(t.keepalive_unanswered <= t.cfg.keepalive.probes);
        if (auto d = c.next_deadline()) FSM_FUZZ_CHECK(*d >= now - std::chrono::hours(1));
        while (auto s = c.poll_transmit()) {
            FSM_FUZZ_CHECK(s->payload.size() <= t.snd_mss);
            auto n = s->emit(scratch);
            FSM_FUZZ_CHECK(n.has_value());
            auto v = wirekit::tcp::segment::checked(wirekit::bytes_view(scratch).first(*n));
            FSM_FUZZ_CHECK(v.has_value());
            auto r = wirekit::tcp::repr::parse(*v, wirekit::ipv4_pseudo{s->src_addr, s->dst_addr});
            FSM_FUZZ_CHECK(r.has_value());
            FSM_FUZZ_CHECK(r->seq_number == s->hdr.seq_number);
            FSM_FUZZ_CHECK(s->hdr.header_len() <= 60);  // at most 40 bytes of options
        }
        while (c.poll_notice()) {
        }
    }
};

template <class Conn>
int run(const std::uint8_t* data, std::size_t size) {
    reader r{data, size};
    const std::uint8_t pick = r.u8();
    harness<Conn> h(pick, static_cast<std::uint8_t>(data[size - 1] / 3));
    h.reach(pick);
    h.drain_and_check();
    std::array<std::byte, 1600> payload{};
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = std::byte(i * 31 + 7);
    for (int steps = 0; !r.empty() && steps < 256; ++steps) {
        const std::uint8_t op = r.u8() % 11;
        const auto& t = h.c.vars();
        if (op <= 3) {
            const auto seq = t.rcv_nxt + static_cast<std::uint32_t>(static_cast<std::int16_t>(r.u16()));
            const auto ack = t.snd_una + static_cast<std::uint32_t>(static_cast<std::int16_t>(r.u16()));
            const std::uint8_t bits = r.u8();
            wirekit::tcp::control f;
            f.fin = bits & 1;
            f.syn = bits & 2;
            f.rst = bits & 4;
            f.psh = bits & 8;
            f.ack = bits & 16;
            f.urg = bits & 32;
            const std::uint16_t wnd = r.u16();
            const std::size_t len = r.u8() * 6u;
            const std::uint16_t up = (bits & 32) ? r.u16() : 0;
            std::optional<std::uint16_t> mss;
            if (bits & 64) mss = r.u16();
            wirekit::tcp::option_set extra;
            const bool old_ts = bits & 128;
            if (old_ts) {  // an older TSval (PAWS) and a SACK block around SND.UNA
                extra.ts = wirekit::tcp::timestamps{h.peer_clock - r.u16(), t.ts.now_value(h.now)};
                const std::uint32_t l = t.snd_una + r.u16();
                extra.sack[0] = {l, l + r.u16()};
                extra.sack_count = 1;
            }
            h.seg(seq, ack, f, wnd, wirekit::bytes_view(payload).first(std::min<std::size_t>(len, payload.size())), up,
                  mss, old_ts ? &extra : nullptr);
        } else if (op == 4) {
            const std::size_t len = std::min<std::size_t>(r.u8() + 20u, size - std::min(r.at, size));
            const wirekit::bytes_view raw(reinterpret_cast<const std::byte*>(data + r.at), len);
            r.at += len;
            auto v = wirekit::tcp::segment::checked(raw);
            if (v) {
                auto rep = wirekit::tcp::repr::parse_unverified(*v);
                if (rep) {
                    tcp::segment_in in;
                    in.src_addr = addr_b;
                    in.dst_addr = addr_a;
                    in.hdr = *rep;
                    in.payload = raw.subspan(v->header_length());
                    h.c.on_segment(h.now, in);
                }
            }
        } else if (op == 5) {
            h.now += std::chrono::milliseconds(7) * (r.u8() + 1);
            if (r.u8() & 1) {
                if (auto d = h.c.next_deadline()) h.now = std::max(h.now, *d);  // jump to the next timer
            }
            h.c.on_timer(h.now);
        } else if (op == 6) {
            const std::size_t n = r.u8() * 16u;
            (void)h.c.send(h.now, wirekit::bytes_view(payload).first(std::min<std::size_t>(n, payload.size())));
        } else if (op == 7) {
            std::array<std::byte, 4096> buf{};
            (void)h.c.receive(h.now, wirekit::mutable_bytes(buf).first(r.u8() * 16u));
        } else if (op == 8) {
            (void)h.c.close(h.now);
        } else if (op == 9) {
            (void)h.c.abort(h.now);
        } else {
            (void)h.c.open(h.now, r.u8() & 1, tcp::endpoint{addr_b, 80});
        }
        if (std::getenv("FSM_FUZZ_TRACE"))
            std::fprintf(stderr, "op %u -> state %u rcv_nxt %u rcv_wnd %u space %u ooo %zu rcv_buf %zu\n", op,
                         static_cast<unsigned>(h.c.current()), t.rcv_nxt, t.rcv_wnd, t.receive_space(), t.ooo_count,
                         t.rcv_buf.size());
        h.drain_and_check();
    }
    return 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    switch (data[size - 1] % 3) {
        case 0: return run<tcp::connection>(data, size);
        case 1: return run<tcp::basic_connection<tcp::reno>>(data, size);
        default: return run<tcp::basic_connection<tcp::tahoe>>(data, size);
    }
}
