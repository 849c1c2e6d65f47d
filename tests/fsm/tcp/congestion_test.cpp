// The congestion-control policies (Tahoe, Reno, NewReno), each driven
// through the same script: the textbook reaction to three duplicate ACKs,
// to further duplicates, to a partial ACK, and to a timeout.
//
// Setup: peer A, active OPEN with ISS 99; the peer's SYN,ACK (ISS 299)
// announces MSS 1000, so SMSS = 1000 and IW = 4 * SMSS = 4000 (RFC 5681
// §3.1, SMSS <= 1095). nodelay is set so Nagle does not hold back segments
// that the congestion window allows (it is tested in flow_test.cpp); the
// window of 65535 never limits. Expected values are computed from the RFC
// formulas next to each check.
#include "script.hpp"

using namespace tcpt;

namespace {

template <class Policy>
using ep = basic_endpoint_under_test<tcp::basic_connection<Policy>>;

/// ESTABLISHED at 100 ms, 10000 bytes queued at 200 ms: IW (4 segments,
/// 100..4100) goes out. Then the first segment is ACKed at 300 ms: slow
/// start, cwnd = 4000 + min(1000, SMSS) = 5000 (RFC 5681 eq. 2); the window
/// edge 1100 + 5000 = 6100 lets 4100 and 5100 go. FlightSize = 5000.
template <class Policy>
void start(ep<Policy>& a) {
    a.conn.vars_for_testing().cfg.nodelay = true;
    REQUIRE(a.conn.open(0s, true, a.peer()));
    a.arrive({.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1000}, 100ms);
    REQUIRE(a.state() == "ESTABLISHED");
    (void)a.sent();
    CHECK(a.conn.status().cwnd == 4000);
    const std::string d(10000, 'd');
    REQUIRE(a.conn.send(200ms, wirekit::as_bytes(d)));
    REQUIRE(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=1000>", "<SEQ=1100><ACK=300><CTL=ACK><DATA=1000>",
                              "<SEQ=2100><ACK=300><CTL=ACK><DATA=1000>", "<SEQ=3100><ACK=300><CTL=ACK><DATA=1000>"});
    a.arrive({.seq = 300, .ack = 1100, .ctl = "ACK"}, 300ms);
    REQUIRE(a.conn.status().cwnd == 5000);
    REQUIRE(a.sent() == lines{"<SEQ=4100><ACK=300><CTL=ACK><DATA=1000>", "<SEQ=5100><ACK=300><CTL=ACK><DATA=1000>"});
    REQUIRE(a.conn.vars().flight_size() == 5000);
}

/// Three duplicate ACKs of 1100 (RFC 5681 §2: same ACK, no data, same window, data outstanding).
template <class Policy>
void three_dup_acks(ep<Policy>& a) {
    for (int i = 0; i < 2; ++i) {
        a.arrive({.seq = 300, .ack = 1100, .ctl = "ACK"}, 310ms);
        CHECK(a.sent().empty());  // RFC 5681 §3.2: nothing before the third
    }
    a.arrive({.seq = 300, .ack = 1100, .ctl = "ACK"}, 310ms);
}

}  // namespace

TEST_CASE("Reno: 3 dup ACKs halve the window and start fast recovery - a partial ACK ends it (RFC 5681 §3.2)") {
    ep<tcp::reno> a(99);
    start(a);
    three_dup_acks(a);
    // §3.2 step 2: ssthresh = max(FlightSize / 2, 2*SMSS) = max(2500, 2000) = 2500;
    // step 3: retransmit the lost segment; step 4: cwnd = ssthresh + 3*SMSS = 5500.
    CHECK(a.conn.congestion_state() == tcp::cc_state::fast_recovery);
    CHECK(a.conn.status().congestion == tcp::cc_state::fast_recovery);
    CHECK(a.conn.status().ssthresh == 2500);
    CHECK(a.conn.status().cwnd == 5500);
    // The edge 1100 + 5500 = 6600 leaves 500 bytes: less than a segment, held (sender SWS, RFC 9293 §3.8.6.2.1).
    CHECK(a.sent() == lines{"<SEQ=1100><ACK=300><CTL=ACK><DATA=1000>"});
    // §3.2 step 5: each further duplicate ACK inflates cwnd by SMSS: 6500, edge 7600: one new segment.
    a.arrive({.seq = 300, .ack = 1100, .ctl = "ACK"}, 320ms);
    CHECK(a.conn.status().cwnd == 6500);
    CHECK(a.sent() == lines{"<SEQ=6100><ACK=300><CTL=ACK><DATA=1000>"});
    // §3.2 step 6: "When the next ACK arrives that acknowledges previously
    // unacknowledged data, a TCP MUST set cwnd to ssthresh". 2100 is only a
    // partial ACK (data up to 7100 was outstanding), yet Reno leaves.
    a.arrive({.seq = 300, .ack = 2100, .ctl = "ACK"}, 400ms);
    CHECK(a.conn.congestion_state() == tcp::cc_state::congestion_avoidance);
    CHECK(a.conn.status().cwnd == 2500);
    CHECK(a.sent().empty());  // edge 2100 + 2500 = 4600 < SND.NXT 7100: the next hole waits
    CHECK(a.conn.vars().fast_retransmits == 1);
}

TEST_CASE("NewReno: 3 dup ACKs halve the window - a partial ACK keeps recovering (RFC 6582 §3.2)") {
    ep<tcp::newreno> a(99);
    start(a);
    three_dup_acks(a);
    // RFC 6582 §3.2 step 2 (RFC 5681 §3.2 steps 2-4) and recover = the highest sequence number sent (6100).
    CHECK(a.conn.congestion_state() == tcp::cc_state::fast_recovery);
    CHECK(a.conn.status().ssthresh == 2500);
    CHECK(a.conn.status().cwnd == 5500);
    CHECK(a.conn.vars().recover == 6100);
    CHECK(a.sent() == lines{"<SEQ=1100><ACK=300><CTL=ACK><DATA=1000>"});
    a.arrive({.seq = 300, .ack = 1100, .ctl = "ACK"}, 320ms);  // step 3: inflate by SMSS
    CHECK(a.conn.status().cwnd == 6500);
    CHECK(a.sent() == lines{"<SEQ=6100><ACK=300><CTL=ACK><DATA=1000>"});
    // Step 4, partial acknowledgment (2100 < recover): retransmit the first
    // unacknowledged segment, deflate cwnd by the 1000 bytes acknowledged and
    // add back SMSS (6500), stay in fast recovery. Edge 2100 + 6500 = 8600
    // lets one new segment (7100) go too.
    a.arrive({.seq = 300, .ack = 2100, .ctl = "ACK"}, 400ms);
    CHECK(a.conn.congestion_state() == tcp::cc_state::fast_recovery);
    CHECK(a.conn.status().cwnd == 6500);
    CHECK(a.sent() == lines{"<SEQ=2100><ACK=300><CTL=ACK><DATA=1000>", "<SEQ=7100><ACK=300><CTL=ACK><DATA=1000>"});
    // Step 5, full acknowledgment (>= recover 6100): cwnd = min(ssthresh,
    // max(FlightSize, SMSS) + SMSS) = min(2500, 2000 + 1000) = 2500 (FlightSize = 8100 - 6100).
    a.arrive({.seq = 300, .ack = 6100, .ctl = "ACK"}, 500ms);
    CHECK(a.conn.congestion_state() == tcp::cc_state::congestion_avoidance);
    CHECK(a.conn.status().cwnd == 2500);
    CHECK(a.conn.vars().fast_retransmits == 2);
}

TEST_CASE("Tahoe: 3 dup ACKs: fast retransmit, then cwnd = 1 SMSS and slow start (RFC 5681 §3.2, Jacobson 1988)") {
    ep<tcp::tahoe> a(99);
    start(a);
    three_dup_acks(a);
    // ssthresh = max(FlightSize / 2, 2*SMSS) = 2500 (RFC 5681 eq. 4); cwnd =
    // the loss window, 1 SMSS; no fast recovery: slow start from SND.UNA.
    CHECK(a.conn.congestion_state() == tcp::cc_state::slow_start);
    CHECK(a.conn.status().ssthresh == 2500);
    CHECK(a.conn.status().cwnd == 1000);
    CHECK(a.sent() == lines{"<SEQ=1100><ACK=300><CTL=ACK><DATA=1000>"});
    // A fourth duplicate changes nothing (no inflation without fast recovery).
    a.arrive({.seq = 300, .ack = 1100, .ctl = "ACK"}, 320ms);
    CHECK(a.conn.status().cwnd == 1000);
    CHECK(a.sent().empty());
    // The retransmission is ACKed: slow start, cwnd = 2000 (eq. 2), two
    // segments from the new SND.UNA (go-back-N, as after a timeout).
    a.arrive({.seq = 300, .ack = 2100, .ctl = "ACK"}, 400ms);
    CHECK(a.conn.congestion_state() == tcp::cc_state::slow_start);
    CHECK(a.conn.status().cwnd == 2000);
    CHECK(a.sent() == lines{"<SEQ=2100><ACK=300><CTL=ACK><DATA=1000>", "<SEQ=3100><ACK=300><CTL=ACK><DATA=1000>"});
    CHECK(a.conn.vars().fast_retransmits == 1);
}

namespace {
/// RFC 5681 §3.1: on a retransmission timeout, ssthresh = max(FlightSize/2,
/// 2*SMSS) (eq. 4) and "cwnd MUST be set to no more than the loss window,
/// LW, which equals 1 full-sized segment"; slow start follows.
template <class Policy>
void timeout_from(bool after_dup_acks) {
    ep<Policy> a(99);
    start(a);
    if (after_dup_acks) {
        three_dup_acks(a);
        (void)a.sent();
    }
    const auto rto_at = a.conn.vars().rtx_deadline;
    REQUIRE(rto_at);
    a.conn.on_timer(*rto_at);
    CHECK(a.conn.congestion_state() == tcp::cc_state::slow_start);
    CHECK(a.conn.status().cwnd == 1000);
    CHECK(a.conn.status().ssthresh == 2500);  // FlightSize 5000 (1100..6100)
    CHECK(a.sent() == lines{"<SEQ=1100><ACK=300><CTL=ACK><DATA=1000>"});
}
}  // namespace

TEST_CASE("every policy falls to 1 SMSS on a retransmission timeout (RFC 5681 §3.1)") {
    SECTION("Tahoe") { timeout_from<tcp::tahoe>(false); }
    SECTION("Reno") { timeout_from<tcp::reno>(false); }
    SECTION("NewReno") { timeout_from<tcp::newreno>(false); }
    SECTION("Tahoe after a fast retransmit") { timeout_from<tcp::tahoe>(true); }
    SECTION("Reno from fast recovery") { timeout_from<tcp::reno>(true); }
    SECTION("NewReno from fast recovery") { timeout_from<tcp::newreno>(true); }
}

TEST_CASE("tcp::connection is NewReno - the policy is visible for tracing") {
    STATIC_REQUIRE(std::is_same_v<tcp::connection, tcp::basic_connection<tcp::newreno>>);
    STATIC_REQUIRE(std::is_same_v<tcp::connection::congestion_policy, tcp::newreno>);
    // Each policy is a checked wirekit::fsm table (exhaustive, no dead rows).
    STATIC_REQUIRE(wirekit::fsm::exhaustive<tcp::tahoe>);
    STATIC_REQUIRE(wirekit::fsm::exhaustive<tcp::reno>);
    STATIC_REQUIRE(wirekit::fsm::exhaustive<tcp::newreno>);
    ep<tcp::reno> a(99);
    start(a);
    three_dup_acks(a);
    const auto st = a.conn.status();
    CHECK(st.congestion == tcp::cc_state::fast_recovery);
    CHECK(st.cwnd == a.conn.vars().cwnd);
    CHECK(st.ssthresh == a.conn.vars().ssthresh);
}
