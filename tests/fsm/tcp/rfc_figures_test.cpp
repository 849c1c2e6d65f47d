// The sequence figures of RFC 9293 §3.5 and §3.6, replayed line by line
// against one endpoint at a time. Every expected segment and state is
// copied from the RFC's figure (the figures use ISS 100 and 300, hence
// config::fixed_iss). Segments are compared in the RFC's own notation.
#include "script.hpp"

using namespace tcpt;

TEST_CASE("RFC 9293 Figure 6: basic three-way handshake, active side (TCP Peer A)") {
    endpoint_under_test a(100);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    CHECK(a.state() == "SYN-SENT");                               // line 2
    CHECK(a.sent() == lines{"<SEQ=100><CTL=SYN>"});
    a.arrive({.seq = 300, .ack = 101, .ctl = "SYN"});            // line 3
    CHECK(a.state() == "ESTABLISHED");
    CHECK(a.sent() == lines{"<SEQ=101><ACK=301><CTL=ACK>"});      // line 4
    const std::string data = "hello";
    auto n = a.conn.send(a.now, wirekit::as_bytes(data));
    REQUIRE(n);
    CHECK(*n == 5);
    CHECK(a.sent() == lines{"<SEQ=101><ACK=301><CTL=ACK><DATA=5>"});  // line 5
    CHECK(a.notices() == std::vector<tcp::notice>{tcp::notice::established});
}

TEST_CASE("RFC 9293 Figure 6: basic three-way handshake, passive side (TCP Peer B)") {
    endpoint_under_test b(300, false);
    REQUIRE(b.conn.open(0s, false));
    CHECK(b.state() == "LISTEN");                                 // line 1
    CHECK(b.sent().empty());
    b.arrive({.seq = 100, .ctl = "SYN"});                         // line 2
    CHECK(b.state() == "SYN-RECEIVED");
    CHECK(b.sent() == lines{"<SEQ=300><ACK=101><CTL=SYN,ACK>"});  // line 3
    b.arrive({.seq = 101, .ack = 301, .ctl = "ACK"});             // line 4
    CHECK(b.state() == "ESTABLISHED");
    CHECK(b.sent().empty());
    b.arrive({.seq = 101, .ack = 301, .ctl = "ACK", .data = "hello"});  // line 5
    CHECK(b.sent() == lines{"<SEQ=301><ACK=106><CTL=ACK>"});
    std::array<std::byte, 16> buf{};
    auto r = b.conn.receive(b.now, buf);
    REQUIRE(r);
    CHECK(*r == 5);
    CHECK(std::string(reinterpret_cast<const char*>(buf.data()), 5) == "hello");
}

TEST_CASE("RFC 9293 Figure 7: simultaneous connection synchronization") {
    endpoint_under_test a(100);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    CHECK(a.sent() == lines{"<SEQ=100><CTL=SYN>"});               // line 2
    a.arrive({.seq = 300, .ctl = "SYN"});                         // line 3
    CHECK(a.state() == "SYN-RECEIVED");
    CHECK(a.sent() == lines{"<SEQ=100><ACK=301><CTL=SYN,ACK>"});  // line 5
    a.arrive({.seq = 300, .ack = 101, .ctl = "SYN"});             // line 6 (SYN,ACK)
    CHECK(a.state() == "ESTABLISHED");
    CHECK(a.sent().empty());
}

TEST_CASE("RFC 9293 Figure 8: recovery from an old duplicate SYN") {
    // TCP Peer A (active, ISS 100)
    endpoint_under_test a(100);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    CHECK(a.sent() == lines{"<SEQ=100><CTL=SYN>"});               // line 2
    a.arrive({.seq = 300, .ack = 91, .ctl = "SYN"});              // line 4
    CHECK(a.state() == "SYN-SENT");
    CHECK(a.sent() == lines{"<SEQ=91><CTL=RST>"});                // line 5
    a.arrive({.seq = 400, .ack = 101, .ctl = "SYN"});             // line 7
    CHECK(a.state() == "ESTABLISHED");
    CHECK(a.sent() == lines{"<SEQ=101><ACK=401><CTL=ACK>"});      // line 8

    // TCP Peer B (passive; ISS 300, then 400 for the second connection)
    endpoint_under_test b(300, false);
    REQUIRE(b.conn.open(0s, false));
    b.arrive({.seq = 90, .ctl = "SYN"});                          // line 3
    CHECK(b.state() == "SYN-RECEIVED");
    CHECK(b.sent() == lines{"<SEQ=300><ACK=91><CTL=SYN,ACK>"});   // line 4
    b.arrive({.seq = 91, .ctl = "RST"});                          // line 5
    CHECK(b.state() == "LISTEN");
    CHECK(b.sent().empty());
    b.conn.vars_for_testing().cfg.fixed_iss = 400;
    b.arrive({.seq = 100, .ctl = "SYN"});                         // line 6
    CHECK(b.state() == "SYN-RECEIVED");
    CHECK(b.sent() == lines{"<SEQ=400><ACK=101><CTL=SYN,ACK>"});  // line 7
    b.arrive({.seq = 101, .ack = 401, .ctl = "ACK"});             // line 8
    CHECK(b.state() == "ESTABLISHED");
}

namespace {
/// Drives `e` (ISS `iss`) to ESTABLISHED with a peer whose ISS is `peer_iss`.
void establish(endpoint_under_test& e, std::uint32_t peer_iss, bool active = true) {
    const std::uint32_t iss = *e.conn.vars().cfg.fixed_iss;
    if (active) {
        REQUIRE(e.conn.open(e.now, true, e.peer()));
        e.arrive({.seq = peer_iss, .ack = iss + 1, .ctl = "SYN"});
    } else {
        REQUIRE(e.conn.open(e.now, false));
        e.arrive({.seq = peer_iss, .ctl = "SYN"});
        e.arrive({.seq = peer_iss + 1, .ack = iss + 1, .ctl = "ACK"});
    }
    REQUIRE(e.state() == "ESTABLISHED");
    (void)e.sent();
    (void)e.notices();
}
}  // namespace

TEST_CASE("RFC 9293 Figure 9: half-open connection discovery") {
    // Peer B (ESTABLISHED; "send 300, receive 100") gets A's new SYN.
    endpoint_under_test b(299, false);
    establish(b, 99, false);
    b.arrive({.seq = 400, .ctl = "SYN"});                         // line 3
    CHECK(b.sent() == lines{"<SEQ=300><ACK=100><CTL=ACK>"});      // line 4 (a challenge ACK, RFC 5961 §4)
    CHECK(b.state() == "ESTABLISHED");
    b.arrive({.seq = 100, .ctl = "RST"});                         // line 5
    CHECK(b.state() == "CLOSED");                                 // line 6
    CHECK(b.notices() == std::vector<tcp::notice>{tcp::notice::reset, tcp::notice::closed});

    // Peer A (crashed, now SYN-SENT with ISS 400) gets B's ACK.
    endpoint_under_test a(400);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    CHECK(a.sent() == lines{"<SEQ=400><CTL=SYN>"});               // line 3
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK"});             // line 4
    CHECK(a.sent() == lines{"<SEQ=100><CTL=RST>"});               // line 5
    CHECK(a.state() == "SYN-SENT");                               // line 6
}

TEST_CASE("RFC 9293 Figure 10: active side causes half-open connection discovery") {
    // B rebooted: CLOSED. A's data segment gets <SEQ=SEG.ACK><CTL=RST>.
    endpoint_under_test b(0, false);
    b.arrive({.seq = 100, .ack = 300, .ctl = "ACK", .data = "0123456789"});  // line 3
    CHECK(b.sent() == lines{"<SEQ=300><CTL=RST>"});                           // line 4
    // A, ESTABLISHED (send 100, receive 300), aborts on that RST.
    endpoint_under_test a(99);
    establish(a, 299);
    a.arrive({.seq = 300, .ctl = "RST"});
    CHECK(a.state() == "CLOSED");                                             // line 5
}

TEST_CASE("RFC 9293 Figure 11: old duplicate SYN initiates a reset on two passive sockets") {
    // A: LISTEN gets the SYN,ACK and answers <SEQ=Z+1><CTL=RST>, staying in LISTEN.
    endpoint_under_test a(0);
    REQUIRE(a.conn.open(0s, false));
    const std::uint32_t z = 5000;
    a.arrive({.seq = 7000, .ack = z + 1, .ctl = "SYN"});          // line 3
    CHECK(a.sent() == lines{fmt::format("<SEQ={}><CTL=RST>", z + 1)});  // line 4
    CHECK(a.state() == "LISTEN");                                 // line 5
    // B: SYN-RECEIVED from the old SYN, the RST returns it to LISTEN.
    endpoint_under_test b(7000, false);
    REQUIRE(b.conn.open(0s, false));
    b.arrive({.seq = z, .ctl = "SYN"});                           // line 2
    CHECK(b.sent() == lines{fmt::format("<SEQ=7000><ACK={}><CTL=SYN,ACK>", z + 1)});
    b.arrive({.seq = z + 1, .ctl = "RST"});                       // line 4
    CHECK(b.state() == "LISTEN");                                 // line 5
}

TEST_CASE("RFC 9293 Figure 12: normal close sequence") {
    // TCP Peer A: ESTABLISHED with SND.NXT 100, RCV.NXT 300.
    endpoint_under_test a(99);
    establish(a, 299);
    REQUIRE(a.conn.close(a.now));                                 // line 2
    CHECK(a.state() == "FIN-WAIT-1");
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=FIN,ACK>"});
    a.arrive({.seq = 300, .ack = 101, .ctl = "ACK"});             // line 3
    CHECK(a.state() == "FIN-WAIT-2");
    CHECK(a.sent().empty());
    a.arrive({.seq = 300, .ack = 101, .ctl = "FIN"}, 1s);         // line 4
    CHECK(a.state() == "TIME-WAIT");
    CHECK(a.sent() == lines{"<SEQ=101><ACK=301><CTL=ACK>"});      // line 5
    // line 6: (2 MSL) CLOSED; MSL is 2 minutes (§3.4.2).
    REQUIRE(a.conn.next_deadline() == tcp::instant(1s + 4min));
    a.conn.on_timer(1s + 4min - 1us);
    CHECK(a.state() == "TIME-WAIT");
    a.conn.on_timer(1s + 4min);
    CHECK(a.state() == "CLOSED");

    // TCP Peer B: the other half.
    endpoint_under_test b(299, false);
    establish(b, 99, false);
    b.arrive({.seq = 100, .ack = 300, .ctl = "FIN"});             // line 2
    CHECK(b.state() == "CLOSE-WAIT");
    CHECK(b.sent() == lines{"<SEQ=300><ACK=101><CTL=ACK>"});      // line 3
    CHECK(b.notices() == std::vector<tcp::notice>{tcp::notice::peer_closed});
    REQUIRE(b.conn.close(b.now));                                 // line 4
    CHECK(b.state() == "LAST-ACK");
    CHECK(b.sent() == lines{"<SEQ=300><ACK=101><CTL=FIN,ACK>"});
    b.arrive({.seq = 101, .ack = 301, .ctl = "ACK"});             // line 5
    CHECK(b.state() == "CLOSED");
}

TEST_CASE("RFC 9293 Figure 13: simultaneous close sequence") {
    endpoint_under_test a(99);
    establish(a, 299);
    REQUIRE(a.conn.close(a.now));                                 // line 2
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=FIN,ACK>"});
    a.arrive({.seq = 300, .ack = 100, .ctl = "FIN"});
    CHECK(a.state() == "CLOSING");                                // line 3
    CHECK(a.sent() == lines{"<SEQ=101><ACK=301><CTL=ACK>"});
    a.arrive({.seq = 301, .ack = 101, .ctl = "ACK"}, 2s);
    CHECK(a.state() == "TIME-WAIT");                              // line 4
    a.conn.on_timer(2s + 4min);
    CHECK(a.state() == "CLOSED");
}

TEST_CASE("half-close: data still flows to the side that has not closed") {
    endpoint_under_test b(299, false);
    establish(b, 99, false);
    b.arrive({.seq = 100, .ack = 300, .ctl = "FIN"});
    CHECK(b.state() == "CLOSE-WAIT");
    (void)b.sent();
    const std::string more = "late data";
    auto n = b.conn.send(b.now, wirekit::as_bytes(more));
    REQUIRE(n);
    CHECK(b.sent() == lines{"<SEQ=300><ACK=101><CTL=ACK><DATA=9>"});
    // RECEIVE after the peer's FIN with nothing left: "connection closing" (§3.10.3).
    std::array<std::byte, 4> buf{};
    auto r = b.conn.receive(b.now, buf);
    REQUIRE_FALSE(r);
    CHECK(r.error().detail == "connection closing");
}
