// Retransmission (RFC 6298), zero-window probing, the user timeout, and the
// ISN generator (RFC 6528 with SipHash-2-4). Expected RTO values are worked
// out by hand from the RFC 6298 §2 formulas (shown next to each); SipHash
// values are the published test vectors of the reference implementation
// (key 00..0f, message 00..len-1; Aumasson & Bernstein 2012, Appendix A).
#include "script.hpp"

#include <wirekit/fsm/tcp/isn.hpp>
#include <wirekit/fsm/tcp/rto.hpp>

using namespace tcpt;

TEST_CASE("SipHash-2-4 published test vectors") {
    tcp::siphash_key key{};
    for (std::size_t i = 0; i < 16; ++i) key[i] = std::byte(i);
    std::array<std::byte, 64> msg{};
    for (std::size_t i = 0; i < msg.size(); ++i) msg[i] = std::byte(i);
    const std::vector<std::pair<std::size_t, std::uint64_t>> vectors{
        {0, 0x726fdb47dd0e0e31}, {1, 0x74f839c593dc67fd},  {7, 0xab0200f58b01d137}, {8, 0x93f5f5799a932462},
        {15, 0xa129ca6149be45e5}, {16, 0x3f2acc7f57c29bdb}, {19, 0xbb6dc91da77961bd}, {63, 0x958a324ceb064572}};
    for (auto [len, want] : vectors) {
        INFO("length " << len);
        CHECK(tcp::siphash24(key, wirekit::bytes_view(msg).first(len)) == want);
    }
    static_assert(tcp::siphash24(tcp::siphash_key{}, {}) != 0);  // usable at compile time
}

TEST_CASE("RFC 6528 ISN: M advances every 4 us, F depends on the 4-tuple and the key") {
    tcp::siphash_key key{};
    key[0] = std::byte{1};
    const tcp::endpoint a{addr_a, port_a}, b{addr_b, port_b};
    const auto i0 = tcp::initial_sequence_number(key, a, b, 0us);
    CHECK(tcp::initial_sequence_number(key, a, b, 4us) == i0 + 1);
    CHECK(tcp::initial_sequence_number(key, a, b, 4s) == i0 + 1000000);  // 4 s = 10^6 ticks of 4 us
    CHECK(tcp::initial_sequence_number(key, a, tcp::endpoint{addr_b, 81}, 0us) != i0);
    CHECK(tcp::initial_sequence_number(key, b, a, 0us) != i0);
    tcp::siphash_key other = key;
    other[15] = std::byte{9};
    CHECK(tcp::initial_sequence_number(other, a, b, 0us) != i0);
    // F is SipHash-2-4 over local addr, local port, remote addr, remote port (12 bytes).
    const std::array<std::byte, 12> m{std::byte{10}, std::byte{0}, std::byte{0}, std::byte{1}, std::byte{0x9c},
                                      std::byte{0x40}, std::byte{10}, std::byte{0}, std::byte{0}, std::byte{2},
                                      std::byte{0},    std::byte{80}};
    CHECK(i0 == static_cast<std::uint32_t>(tcp::siphash24(key, m)));
}

TEST_CASE("RFC 6298 estimator arithmetic") {
    tcp::rtt_estimator r;
    CHECK(r.rto == 1s);  // §2.1
    r.sample(2s);        // §2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR = 2 + 4 = 6 s
    CHECK(r.srtt == 2s);
    CHECK(r.rttvar == 1s);
    CHECK(r.rto == 6s);
    r.sample(1s);  // §2.3: RTTVAR = 3/4*1 + 1/4*|2-1| = 1 s; SRTT = 7/8*2 + 1/8*1 = 1.875 s
    CHECK(r.rttvar == 1s);
    CHECK(r.srtt == 1875ms);
    CHECK(r.rto == 5875ms);
    r.backoff();  // §5.5
    CHECK(r.rto == 11750ms);
    for (int i = 0; i < 10; ++i) r.backoff();
    CHECK(r.rto == 60s);  // §2.5 maximum

    tcp::rtt_estimator s;
    s.sample(100ms);  // RTO = 100 + 4*50 = 300 ms, below the 1 s minimum (§2.4)
    CHECK(s.rto == 1s);
}

namespace {
/// A active (ISS 99) to ESTABLISHED, the SYN,ACK arriving at `syn_ack_at`.
void establish_at(endpoint_under_test& a, tcp::instant syn_ack_at) {
    REQUIRE(a.conn.open(0s, true, a.peer()));
    a.arrive({.seq = 299, .ack = 100, .ctl = "SYN"}, syn_ack_at);
    REQUIRE(a.state() == "ESTABLISHED");
    (void)a.sent();
}
}  // namespace

TEST_CASE("SYN retransmission: 1 s, then doubling (RFC 6298 §2.1, §5.5)") {
    endpoint_under_test a(99);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    CHECK(a.sent() == lines{"<SEQ=99><CTL=SYN>"});
    CHECK(a.conn.next_deadline() == tcp::instant(1s));
    a.conn.on_timer(999ms);
    CHECK(a.sent().empty());
    a.conn.on_timer(1s);
    CHECK(a.sent() == lines{"<SEQ=99><CTL=SYN>"});
    CHECK(a.conn.next_deadline() == tcp::instant(3s));  // RTO 2 s
    a.conn.on_timer(3s);
    CHECK(a.sent() == lines{"<SEQ=99><CTL=SYN>"});
    CHECK(a.conn.next_deadline() == tcp::instant(7s));  // RTO 4 s
    CHECK(a.conn.vars().retransmissions == 2);
}

TEST_CASE("RFC 6298 §5.7: after a SYN retransmission, RTO becomes 3 s once established") {
    endpoint_under_test a(99);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    a.conn.on_timer(1s);  // RTO 2 s now
    a.arrive({.seq = 299, .ack = 100, .ctl = "SYN"}, 1500ms);
    REQUIRE(a.state() == "ESTABLISHED");
    CHECK_FALSE(a.conn.vars().rtt.has_sample);  // Karn: the retransmitted SYN is not timed
    CHECK(a.conn.status().rto == 3s);
}

TEST_CASE("RTT samples, retransmission with backoff, and Karn's algorithm") {
    endpoint_under_test a(99);
    establish_at(a, 100ms);  // SYN timed: R = 100 ms
    CHECK(a.conn.vars().rtt.srtt == 100ms);
    CHECK(a.conn.vars().rtt.rttvar == 50ms);
    CHECK(a.conn.status().rto == 1s);  // 300 ms, raised to the 1 s minimum

    const std::string d1(100, 'a');
    a.now = 1s;
    REQUIRE(a.conn.send(1s, wirekit::as_bytes(d1)));
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=100>"});
    CHECK(a.conn.next_deadline() == tcp::instant(2s));  // §5.1: timer started at RTO
    a.arrive({.seq = 300, .ack = 200, .ctl = "ACK"}, 1200ms);
    // R' = 200 ms: RTTVAR = 3/4*50 + 1/4*|100-200| = 62.5 ms; SRTT = 7/8*100 + 1/8*200 = 112.5 ms
    CHECK(a.conn.vars().rtt.rttvar == 62500us);
    CHECK(a.conn.vars().rtt.srtt == 112500us);
    CHECK_FALSE(a.conn.next_deadline().has_value());  // §5.2: all data acknowledged, timer off

    const std::string d2(50, 'b');
    REQUIRE(a.conn.send(2s, wirekit::as_bytes(d2)));
    CHECK(a.sent() == lines{"<SEQ=200><ACK=300><CTL=ACK><DATA=50>"});
    a.conn.on_timer(3s);  // §5.4: retransmit the earliest unacknowledged segment
    CHECK(a.sent() == lines{"<SEQ=200><ACK=300><CTL=ACK><DATA=50>"});
    CHECK(a.conn.status().rto == 2s);                   // §5.5: doubled
    CHECK(a.conn.next_deadline() == tcp::instant(5s));  // §5.6: restarted
    a.conn.on_timer(5s);
    CHECK(a.sent() == lines{"<SEQ=200><ACK=300><CTL=ACK><DATA=50>"});
    CHECK(a.conn.status().rto == 4s);
    a.arrive({.seq = 300, .ack = 250, .ctl = "ACK"}, 5500ms);
    // Karn: no sample from the retransmitted segment; the backed-off RTO stays.
    CHECK(a.conn.vars().rtt.srtt == 112500us);
    CHECK(a.conn.status().rto == 4s);
    CHECK_FALSE(a.conn.next_deadline().has_value());
}

TEST_CASE("zero window: the sender probes with one byte, backing off") {
    endpoint_under_test a(99);
    establish_at(a, 0s);
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .wnd = 0}, 0s);  // window closes
    CHECK(a.conn.vars().snd_wnd == 0);
    const std::string d(10, 'z');
    REQUIRE(a.conn.send(0s, wirekit::as_bytes(d)));
    CHECK(a.sent().empty());  // nothing fits
    REQUIRE(a.conn.next_deadline() == tcp::instant(1s));
    a.conn.on_timer(1s);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=1>"});  // the probe
    // The receiver's window is still zero: it does not take the byte and ACKs 100.
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .wnd = 0}, 1100ms);
    REQUIRE(a.conn.next_deadline() == tcp::instant(3s));  // backed off: 2 s
    a.conn.on_timer(3s);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=1>"});
    // The window opens: the probe byte is acknowledged and the rest flows.
    a.arrive({.seq = 300, .ack = 101, .ctl = "ACK", .wnd = 1000}, 3100ms);
    CHECK(a.sent() == lines{"<SEQ=101><ACK=300><CTL=ACK><DATA=9>"});
}

TEST_CASE("zero receive window: data is refused and the window reopens by at least an MSS") {
    endpoint_under_test b(299, false, 4000);  // 4000-byte receive buffer, MSS 1460
    REQUIRE(b.conn.open(0s, false));
    b.arrive({.seq = 99, .ctl = "SYN"});
    CHECK(b.sent_raw().front().hdr.window == 4000);
    b.arrive({.seq = 100, .ack = 300, .ctl = "ACK"});
    b.arrive({.seq = 100, .ack = 300, .ctl = "ACK", .data = std::string(4000, 'q')});
    auto out = b.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(out[0].hdr.ack_number == 4100);
    CHECK(out[0].hdr.window == 0);
    b.arrive({.seq = 4100, .ack = 300, .ctl = "ACK", .data = "x"});  // §3.10.7.4: zero window, len > 0: unacceptable
    CHECK(b.sent() == lines{"<SEQ=300><ACK=4100><CTL=ACK>"});
    // Reading 1500 bytes: 1500 >= min(4000/2, 1460) opens the window with an update.
    std::array<std::byte, 1500> buf{};
    REQUIRE(b.conn.receive(b.now, buf));
    out = b.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(out[0].hdr.window == 1500);
}

TEST_CASE("receiver SWS avoidance: small reads do not reopen the window (§3.8.6.2.2)") {
    endpoint_under_test b(299, false, 4000);
    REQUIRE(b.conn.open(0s, false));
    b.arrive({.seq = 99, .ctl = "SYN"});
    b.arrive({.seq = 100, .ack = 300, .ctl = "ACK"});
    b.arrive({.seq = 100, .ack = 300, .ctl = "ACK", .data = std::string(4000, 'q')});
    (void)b.sent();
    std::array<std::byte, 100> buf{};
    REQUIRE(b.conn.receive(b.now, buf));  // 100 free bytes < min(4000/2, 1460)
    CHECK(b.sent().empty());
    CHECK(b.conn.vars().rcv_wnd == 0);
}

TEST_CASE("user timeout: unacknowledged data for 5 minutes aborts the connection (§3.10.8)") {
    endpoint_under_test a(99);
    establish_at(a, 0s);
    const std::string d = "never acked";
    REQUIRE(a.conn.send(0s, wirekit::as_bytes(d)));
    (void)a.notices();
    tcp::instant t = 0s;
    while (a.state() != "CLOSED") {
        auto dl = a.conn.next_deadline();
        REQUIRE(dl.has_value());
        t = *dl;
        REQUIRE(t <= tcp::instant(5min));
        a.conn.on_timer(t);
    }
    CHECK(t == tcp::instant(5min));
    const auto out = a.sent();
    CHECK(a.conn.vars().snd_nxt == 111);           // the last retransmission of the 11 bytes
    CHECK(out.back() == "<SEQ=111><CTL=RST>");  // <SEQ=SND.NXT><CTL=RST>
    const auto n = a.notices();
    CHECK(n == std::vector<tcp::notice>{tcp::notice::timed_out, tcp::notice::closed});
}

TEST_CASE("CLOSE in SYN-RECEIVED, then a timeout: the unacknowledged SYN,ACK is what gets resent") {
    // Found by fuzz/fsm_tcp: FIN-WAIT-1 entered from SYN-RECEIVED still has
    // its SYN outstanding; §3.10.4 sends the FIN at once, RFC 6298 §5.4
    // retransmits the earliest unacknowledged segment: the SYN,ACK.
    endpoint_under_test a(99);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    CHECK(a.sent() == lines{"<SEQ=99><CTL=SYN>"});
    a.arrive({.seq = 299, .ctl = "SYN"});  // simultaneous open
    CHECK(a.sent() == lines{"<SEQ=99><ACK=300><CTL=SYN,ACK>"});
    REQUIRE(a.conn.close(0s));
    CHECK(a.state() == "FIN-WAIT-1");
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=FIN,ACK>"});
    a.conn.on_timer(*a.conn.next_deadline());
    CHECK(a.sent() == lines{"<SEQ=99><ACK=300><CTL=SYN,ACK>"});
    // The peer's ACK of the SYN and the FIN completes the close.
    a.arrive({.seq = 300, .ack = 101, .ctl = "ACK"});
    CHECK(a.state() == "FIN-WAIT-2");
}

TEST_CASE("out-of-order segments are held and delivered once the hole fills") {
    endpoint_under_test b(299, false);
    REQUIRE(b.conn.open(0s, false));
    b.arrive({.seq = 99, .ctl = "SYN"});
    b.arrive({.seq = 100, .ack = 300, .ctl = "ACK"});
    (void)b.sent();
    b.arrive({.seq = 105, .ack = 300, .ctl = "ACK", .data = "world"});  // bytes 105..109 before 100..104
    CHECK(b.sent() == lines{"<SEQ=300><ACK=100><CTL=ACK>"});        // a duplicate ACK: still expecting 100
    CHECK(b.conn.vars().rcv_nxt == 100);
    b.arrive({.seq = 100, .ack = 300, .ctl = "ACK", .data = "hello"});
    CHECK(b.sent() == lines{"<SEQ=300><ACK=110><CTL=ACK>"});
    std::array<std::byte, 16> buf{};
    auto n = b.conn.receive(b.now, buf);
    REQUIRE(n);
    CHECK(std::string(reinterpret_cast<const char*>(buf.data()), *n) == "helloworld");
}

TEST_CASE("congestion control: IW, slow start, fast retransmit, NewReno recovery (RFC 5681, RFC 6582)") {
    // SMSS = 536 (the peer announced no MSS, RFC 9293 §3.7.1).
    endpoint_under_test a(99);
    // Nagle (RFC 1122 §4.2.3.4) would hold back the 248-byte tail below
    // while data is in flight; this script follows the sender SWS rule
    // (RFC 9293 §3.8.6.2.1) alone. flow_test.cpp covers Nagle.
    a.conn.vars_for_testing().cfg.nodelay = true;
    establish_at(a, 0s);
    CHECK(a.conn.congestion_state() == tcp::cc_state::slow_start);
    CHECK(a.conn.status().cwnd == 4 * 536);  // RFC 5681 §3.1: IW = 4*SMSS for SMSS <= 1095
    const std::string d(4000, 'd');
    REQUIRE(a.conn.send(0s, wirekit::as_bytes(d)));
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=536>", "<SEQ=636><ACK=300><CTL=ACK><DATA=536>",
                            "<SEQ=1172><ACK=300><CTL=ACK><DATA=536>", "<SEQ=1708><ACK=300><CTL=ACK><DATA=536>"});
    // The first segment is ACKed: slow start, cwnd += min(N, SMSS) = 2680, window edge 636 + 2680 = 3316.
    a.arrive({.seq = 300, .ack = 636, .ctl = "ACK"}, 10ms);
    CHECK(a.conn.status().cwnd == 2680);
    CHECK(a.sent() == lines{"<SEQ=2244><ACK=300><CTL=ACK><DATA=536>", "<SEQ=2780><ACK=300><CTL=ACK><DATA=536>"});
    for (int i = 0; i < 2; ++i) a.arrive({.seq = 300, .ack = 636, .ctl = "ACK"}, 11ms);
    CHECK(a.sent().empty());  // two duplicates: nothing yet
    CHECK(a.conn.congestion_state() == tcp::cc_state::slow_start);
    // The third duplicate: ssthresh = max(FlightSize/2, 2*SMSS) = max(2680/2, 1072) = 1340;
    // retransmit 636; cwnd = ssthresh + 3*SMSS = 2948. The window edge 636 + 2948 = 3584
    // would allow 268 new bytes, less than a segment with more queued: sender SWS
    // avoidance (RFC 9293 §3.8.6.2.1) holds them back.
    a.arrive({.seq = 300, .ack = 636, .ctl = "ACK"}, 12ms);
    CHECK(a.conn.congestion_state() == tcp::cc_state::fast_recovery);
    CHECK(a.conn.status().ssthresh == 1340);
    CHECK(a.conn.status().cwnd == 2948);
    CHECK(a.sent() == lines{"<SEQ=636><ACK=300><CTL=ACK><DATA=536>"});
    // A partial ACK (RFC 6582 §3.2 step 4): retransmit the next hole (1172);
    // cwnd = 2948 - 536 + 536 = 2948; edge 1172 + 2948 = 4120 > the data's end 4100,
    // so a full segment and then the rest of the data go out.
    a.arrive({.seq = 300, .ack = 1172, .ctl = "ACK"}, 20ms);
    CHECK(a.sent() == lines{"<SEQ=1172><ACK=300><CTL=ACK><DATA=536>", "<SEQ=3316><ACK=300><CTL=ACK><DATA=536>",
                            "<SEQ=3852><ACK=300><CTL=ACK><DATA=248>"});
    CHECK(a.conn.congestion_state() == tcp::cc_state::fast_recovery);
    // The full ACK (>= recover = 3316): cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
    // = min(1340, max(4100 - 3400, 536) + 536) = 1236. That is below
    // ssthresh, and RFC 5681 §3.1 uses slow start while cwnd < ssthresh.
    a.arrive({.seq = 300, .ack = 3400, .ctl = "ACK"}, 30ms);
    CHECK(a.conn.congestion_state() == tcp::cc_state::slow_start);
    CHECK(a.conn.status().cwnd == 1236);
    // Slow start: cwnd += min(N, SMSS) = 200 (RFC 5681 eq. 2) gives 1436,
    // past ssthresh: congestion avoidance from here on.
    a.arrive({.seq = 300, .ack = 3600, .ctl = "ACK"}, 40ms);
    CHECK(a.conn.status().cwnd == 1236 + 200);
    CHECK(a.conn.congestion_state() == tcp::cc_state::congestion_avoidance);
    CHECK(a.conn.vars().fast_retransmits == 2);
}

TEST_CASE("congestion control: a timeout drops cwnd to one segment (RFC 5681 §3.1)") {
    endpoint_under_test a(99);
    establish_at(a, 0s);
    const std::string d(2000, 'd');
    REQUIRE(a.conn.send(0s, wirekit::as_bytes(d)));
    (void)a.sent();
    a.conn.on_timer(1s);
    // ssthresh = max(FlightSize/2, 2*SMSS) = max(1000, 1072) = 1072; cwnd = 1 SMSS (the loss window).
    CHECK(a.conn.status().ssthresh == 1072);
    CHECK(a.conn.status().cwnd == 536);
    CHECK(a.conn.congestion_state() == tcp::cc_state::slow_start);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=536>"});
}

TEST_CASE("congestion trace shape: cwnd doubles per RTT in slow start, then grows by about SMSS per RTT") {
    // A receiver that ACKs every segment, one round trip at a time; the
    // sender always has data. RFC 5681 §3.1: slow start adds SMSS per ACK, so
    // cwnd doubles per round; above ssthresh, congestion avoidance adds
    // about SMSS per round.
    endpoint_under_test a(99);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    a.arrive({.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1000}, 0s);
    (void)a.sent();
    a.conn.vars_for_testing().ssthresh = 20000;  // a finite threshold to cross
    const std::string block(60000, 'x');
    REQUIRE(a.conn.send(0s, wirekit::as_bytes(block)));
    std::vector<std::uint32_t> cwnd_per_round;
    tcp::instant t = 0s;
    for (int round = 0; round < 8; ++round) {
        cwnd_per_round.push_back(a.conn.status().cwnd);
        (void)a.conn.send(t, wirekit::as_bytes(block));  // keep the send buffer full
        const auto out = a.sent_raw();
        REQUIRE_FALSE(out.empty());
        t += 100ms;
        for (const auto& s : out)
            a.arrive({.seq = 300, .ack = s.hdr.seq_number + s.seg_len(), .ctl = "ACK"}, t);
    }
    // IW = 4 * 1000 (SMSS <= 1095); rounds: 4000, 8000, 16000, then past
    // ssthresh (20000) only linear growth of about SMSS (1000) per round.
    CHECK(cwnd_per_round[0] == 4000);
    CHECK(cwnd_per_round[1] == 8000);
    CHECK(cwnd_per_round[2] == 16000);
    for (std::size_t r = 4; r + 1 < cwnd_per_round.size(); ++r) {
        INFO("round " << r);
        const auto growth = cwnd_per_round[r + 1] - cwnd_per_round[r];
        CHECK(growth >= 800);
        CHECK(growth <= 1200);
    }
    CHECK(a.conn.congestion_state() == tcp::cc_state::congestion_avoidance);
}
