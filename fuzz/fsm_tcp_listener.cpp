// Fuzz target: arbitrary segment sequences, time steps and accept() calls
// into a TCP listener (listener.hpp) with small backlogs, so the SYN queue,
// the accept queue and the SYN-cookie path are all reached. Invariants
// checked after every step:
//   SYN queue <= syn_backlog, accept queue <= accept_backlog, outbox <=
//   max_outbox (memory bounded whatever arrives); every emitted segment
//   re-parses with a valid checksum, comes from the listening port, and a
//   SYN,ACK acknowledges exactly one sequence number past some SYN; after
//   on_timer(now) nothing is due at or before `now` (no spinning timers);
//   connections handed out by accept() are synchronized with
//   SND.UNA <= SND.NXT <= SND.MAX.
//
// Input: byte 0 = settings (bit 0 cookies on, bit 1 wildcard address), then
// records, each starting with an op byte:
//   op 0..3  a segment from peer (op byte >> 4) & 7: seq and ack either
//            relative to the last SYN,ACK sent to that peer (so handshakes
//            and cookies can complete) or raw, control bits, window,
//            payload length, optional MSS
//   op 4     raw TCP bytes from peer 0, parsed by the wire layer (any options)
//   op 5     time passes (n x 37 ms, or n x 5 s) and due timers fire
//   op 6     accept()
//   op 7     the proper ACK to the last SYN,ACK sent to a peer (with data/FIN)
#include <wirekit/fsm/tcp/listener.hpp>
#include <wirekit/wire/tcp.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

namespace tcp = wirekit::fsm::tcp;
using tcp::seq_le;

#define LISTENER_FUZZ_CHECK(cond)                                                             \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "fsm_tcp_listener invariant failed: %s (line %d)\n", #cond, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

const wirekit::ipv4_address server_addr = wirekit::ipv4_address::of(10, 0, 0, 2);
constexpr std::uint16_t server_port = 80;

struct reader {
    const std::uint8_t* p;
    std::size_t n;
    std::size_t at = 0;
    bool empty() const { return at >= n; }
    std::uint8_t u8() { return at < n ? p[at++] : 0; }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() << 8 | u8()); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(u16()) << 16 | u16(); }
};

struct peer {
    tcp::endpoint ep;
    bool have_syn_ack = false;
    std::uint32_t syn_ack_seq = 0;  ///< the ISS (cookie or not) of the last SYN,ACK to it
    std::uint32_t syn_ack_ack = 0;  ///< its ACK: the peer's ISN + 1
    std::uint32_t last_syn_seq = 0;
};

struct harness {
    tcp::listener lst;
    tcp::instant now{0};
    std::array<peer, 8> peers{};
    std::vector<tcp::connection> accepted{};
    std::vector<std::byte> scratch = std::vector<std::byte>(4096);

    static tcp::listen_config cfg(std::uint8_t settings) {
        tcp::listen_config c;
        c.conn.local = {(settings & 2) ? wirekit::ipv4_address{} : server_addr, server_port};
        for (std::size_t i = 0; i < c.conn.secret.size(); ++i) c.conn.secret[i] = std::byte(i * 13 + 5);
        c.conn.mss = 1000;
        c.conn.send_buffer = 4096;
        c.conn.receive_buffer = 4000;
        c.conn.msl = std::chrono::seconds(1);
        c.conn.max_outbox = 64;
        c.syn_backlog = 4;
        c.accept_backlog = 2;
        c.syn_cookies = settings & 1;
        return c;
    }
    explicit harness(std::uint8_t settings) : lst(cfg(settings)) {
        for (std::size_t i = 0; i < peers.size(); ++i)
            peers[i].ep = {wirekit::ipv4_address::of(10, 0, 1, static_cast<std::uint8_t>(1 + i / 2)),
                           static_cast<std::uint16_t>(1000 + i % 2)};
    }

    void deliver(const tcp::segment_in& in) {
        if (in.hdr.flags.syn && !in.hdr.flags.ack)
            for (auto& p : peers)
                if (p.ep == tcp::endpoint{in.src_addr, in.hdr.src_port}) p.last_syn_seq = in.hdr.seq_number;
        for (auto& c : accepted)
            if (c.vars().remote == tcp::endpoint{in.src_addr, in.hdr.src_port} &&
                c.vars().cfg.local.addr == in.dst_addr) {
                c.on_segment(now, in);
                return;
            }
        lst.on_segment(now, in);
    }

    void seg(const peer& p, std::uint32_t seq, std::uint32_t ack, wirekit::tcp::control f, std::uint16_t wnd,
             wirekit::bytes_view data, std::optional<std::uint16_t> mss) {
        tcp::segment_in in;
        in.src_addr = p.ep.addr;
        in.dst_addr = server_addr;
        in.hdr.src_port = p.ep.port;
        in.hdr.dst_port = server_port;
        in.hdr.seq_number = seq;
        in.hdr.ack_number = ack;
        in.hdr.flags = f;
        in.hdr.window = wnd;
        in.hdr.options.mss = mss;
        in.hdr.payload_len = data.size();
        in.payload = data;
        deliver(in);
    }

    void tick() {
        lst.on_timer(now);
        for (auto& c : accepted) c.on_timer(now);
        if (auto d = lst.next_deadline()) LISTENER_FUZZ_CHECK(*d > now);
    }

    void check_segment(const tcp::segment_out& s) {
        LISTENER_FUZZ_CHECK(s.hdr.src_port == server_port);
        LISTENER_FUZZ_CHECK(s.src_addr == server_addr);
        auto n = s.emit(scratch);
        LISTENER_FUZZ_CHECK(n.has_value());
        auto v = wirekit::tcp::segment::checked(wirekit::bytes_view(scratch).first(*n));
        LISTENER_FUZZ_CHECK(v.has_value());
        auto r = wirekit::tcp::repr::parse(*v, wirekit::ipv4_pseudo{s.src_addr, s.dst_addr});
        LISTENER_FUZZ_CHECK(r.has_value());
        for (auto& p : peers) {
            if (!(p.ep == tcp::endpoint{s.dst_addr, s.hdr.dst_port})) continue;
            if (s.hdr.flags.syn && s.hdr.flags.ack) {
                LISTENER_FUZZ_CHECK(s.payload.empty());
                LISTENER_FUZZ_CHECK(s.hdr.options.mss.has_value());
                p.have_syn_ack = true;
                p.syn_ack_seq = s.hdr.seq_number;
                p.syn_ack_ack = s.hdr.ack_number;
            }
        }
        if (s.hdr.flags.rst) LISTENER_FUZZ_CHECK(s.payload.empty());
    }

    void drain_and_check() {
        const auto& k = lst.settings();
        LISTENER_FUZZ_CHECK(lst.syn_queue_size() <= k.syn_backlog);
        LISTENER_FUZZ_CHECK(lst.accept_queue_size() <= k.accept_backlog);
        LISTENER_FUZZ_CHECK(lst.outbox_size() <= k.conn.max_outbox);
        const auto& n = lst.counters();
        LISTENER_FUZZ_CHECK(n.cookies_sent <= n.syn_queue_overflows);
        LISTENER_FUZZ_CHECK(n.syn_queue_overflows <= n.syns_received);
        while (auto s = lst.poll_transmit()) check_segment(*s);
        for (auto& c : accepted) {
            const auto& t = c.vars();
            LISTENER_FUZZ_CHECK(t.st == c.current());
            LISTENER_FUZZ_CHECK(seq_le(t.snd_una, t.snd_nxt));
            LISTENER_FUZZ_CHECK(seq_le(t.snd_nxt, t.snd_max));
            LISTENER_FUZZ_CHECK(t.outbox.size() <= t.cfg.max_outbox);
            while (auto s = c.poll_transmit()) check_segment(*s);
            while (c.poll_notice()) {
            }
        }
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    reader r{data, size};
    harness h(r.u8());
    std::array<std::byte, 1200> payload{};
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = std::byte(i * 31 + 7);
    for (int steps = 0; !r.empty() && steps < 512; ++steps) {
        const std::uint8_t opbyte = r.u8();
        const std::uint8_t op = opbyte & 7;
        peer& p = h.peers[(opbyte >> 4) & 7];
        if (op <= 3) {
            const std::uint8_t bits = r.u8();
            wirekit::tcp::control f;
            f.fin = bits & 1;
            f.syn = bits & 2;
            f.rst = bits & 4;
            f.psh = bits & 8;
            f.ack = bits & 16;
            std::uint32_t seq, ack;
            if ((bits & 32) && p.have_syn_ack) {  // near the handshake's numbers
                seq = p.syn_ack_ack + static_cast<std::uint32_t>(static_cast<std::int8_t>(r.u8()));
                ack = p.syn_ack_seq + 1 + static_cast<std::uint32_t>(static_cast<std::int8_t>(r.u8()));
            } else if (bits & 32) {  // a retransmitted SYN's number
                seq = p.last_syn_seq;
                ack = r.u32();
            } else {
                seq = r.u32();
                ack = r.u32();
            }
            const std::uint16_t wnd = r.u16();
            const std::size_t len = r.u8() * 5u;
            std::optional<std::uint16_t> mss;
            if (bits & 64) mss = r.u16();
            h.seg(p, seq, ack, f, wnd, wirekit::bytes_view(payload).first(std::min<std::size_t>(len, payload.size())),
                  mss);
        } else if (op == 4) {
            const std::size_t len = std::min<std::size_t>(r.u8() + 20u, size - std::min(r.at, size));
            const wirekit::bytes_view raw(reinterpret_cast<const std::byte*>(data + r.at), len);
            r.at += len;
            auto v = wirekit::tcp::segment::checked(raw);
            if (v) {
                auto rep = wirekit::tcp::repr::parse_unverified(*v);
                if (rep) {
                    tcp::segment_in in;
                    in.src_addr = h.peers[0].ep.addr;
                    in.dst_addr = server_addr;
                    in.hdr = *rep;
                    in.hdr.src_port = h.peers[0].ep.port;
                    in.hdr.dst_port = server_port;
                    in.payload = raw.subspan(v->header_length());
                    h.deliver(in);
                }
            }
        } else if (op == 5) {
            const std::uint8_t n = r.u8();
            h.now += (n & 0x80) ? std::chrono::seconds(5) * (n & 0x7f) : std::chrono::milliseconds(37) * n;
            h.tick();
        } else if (op == 6) {
            if (auto c = h.lst.accept()) {
                LISTENER_FUZZ_CHECK(c->current() != tcp::state::closed && c->current() != tcp::state::listen &&
                                    c->current() != tcp::state::syn_received);
                if (h.accepted.size() >= 4) h.accepted.erase(h.accepted.begin());
                h.accepted.push_back(std::move(*c));
            }
        } else {
            const std::uint8_t bits = r.u8();
            if (!p.have_syn_ack) continue;
            wirekit::tcp::control f;
            f.ack = true;
            f.fin = bits & 1;
            const std::size_t len = (bits >> 1) * 9u;
            h.seg(p, p.syn_ack_ack, p.syn_ack_seq + 1, f, 4096,
                  wirekit::bytes_view(payload).first(std::min<std::size_t>(len, payload.size())), std::nullopt);
        }
        h.drain_and_check();
        if (std::getenv("LISTENER_FUZZ_TRACE"))
            std::fprintf(stderr, "op %u peer %u -> SYN queue %zu, accept queue %zu, accepted %zu\n", op,
                         (opbyte >> 4) & 7, h.lst.syn_queue_size(), h.lst.accept_queue_size(), h.accepted.size());
    }
    if (std::getenv("LISTENER_FUZZ_TRACE")) {
        const auto& n = h.lst.counters();
        std::fprintf(stderr, "syns %llu overflows %llu cookies sent %llu accepted %llu rejected %llu accept-full %llu "
                             "timeouts %llu; accepted %zu\n",
                     (unsigned long long)n.syns_received, (unsigned long long)n.syn_queue_overflows,
                     (unsigned long long)n.cookies_sent, (unsigned long long)n.cookies_accepted,
                     (unsigned long long)n.cookies_rejected, (unsigned long long)n.accept_queue_overflows,
                     (unsigned long long)n.embryonic_timeouts, h.accepted.size());
    }
    return 0;
}
