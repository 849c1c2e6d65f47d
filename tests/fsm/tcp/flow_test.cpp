// Delayed ACK, Nagle and keep-alive, scripted: "at time t this segment
// arrives / expect this segment out". The expected behaviour is the RFC
// text cited at each test (RFC 9293, RFC 1122, RFC 5681, RFC 896).
//
// Every test runs peer A: active OPEN with ISS 99; the peer's SYN,ACK has
// ISS 299, an MSS option of 1460 and a 65535-byte window, so after the
// handshake SND.NXT = 100, RCV.NXT = 300 and Eff.snd.MSS = 1460.
#include "script.hpp"

using namespace tcpt;

namespace {

const std::string full(1460, 'x');  // one full-sized segment (MSS 1460)

/// A active (ISS 99) to ESTABLISHED at 100 ms. `setup` adjusts the config first.
template <class F>
void establish(endpoint_under_test& a, F setup) {
    setup(a.conn.vars_for_testing().cfg);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    a.arrive({.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1460}, 100ms);
    REQUIRE(a.state() == "ESTABLISHED");
    REQUIRE(a.sent() == lines{"<SEQ=99><CTL=SYN>", "<SEQ=100><ACK=300><CTL=ACK>"});  // that ACK is not delayed
    (void)a.notices();
}

void delayed(tcp::config& c) { c.delayed_ack = true; }

}  // namespace

// ---------------------------------------------------------------------------
// Delayed ACK: RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3, RFC 5681 §4.2

TEST_CASE("delayed ACK: a single segment is acknowledged when the delay expires (RFC 1122 §4.2.3.2)") {
    endpoint_under_test a(99);
    establish(a, delayed);
    CHECK(a.conn.vars().cfg.ack_delay == 200ms);  // the default; RFC 1122: "MUST be less than 0.5 seconds"
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = full}, 1s);
    CHECK(a.sent().empty());
    REQUIRE(a.conn.next_deadline() == tcp::instant(1200ms));
    a.conn.on_timer(1199ms);
    CHECK(a.sent().empty());
    a.conn.on_timer(1200ms);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=1760><CTL=ACK>"});
    CHECK(!a.conn.next_deadline());  // nothing else is pending
}

TEST_CASE("delayed ACK: at least every second full-sized segment is acknowledged at once (RFC 1122 §4.2.3.2)") {
    endpoint_under_test a(99);
    establish(a, delayed);
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = full}, 1s);
    CHECK(a.sent().empty());
    a.arrive({.seq = 1760, .ack = 100, .ctl = "ACK", .data = full}, 1010ms);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=3220><CTL=ACK>"});
    CHECK(!a.conn.next_deadline());  // the delayed-ACK timer went with the ACK
    // The count starts again: the third segment waits.
    a.arrive({.seq = 3220, .ack = 100, .ctl = "ACK", .data = full}, 1020ms);
    CHECK(a.sent().empty());
    CHECK(a.conn.next_deadline() == tcp::instant(1220ms));
}

TEST_CASE("delayed ACK: out-of-order segments and the segment filling the hole are ACKed at once (RFC 5681 §4.2)") {
    endpoint_under_test a(99);
    establish(a, delayed);
    // "an immediate ACK SHOULD be generated when an out-of-order segment arrives" (a duplicate ACK)
    a.arrive({.seq = 1760, .ack = 100, .ctl = "ACK", .data = full}, 1s);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK>"});
    // "... when the incoming segment fills in all or part of a gap in the sequence space"
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = std::string(100, 'y')}, 1100ms);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=400><CTL=ACK>"});  // part of the gap
    a.arrive({.seq = 400, .ack = 100, .ctl = "ACK", .data = std::string(1360, 'y')}, 1200ms);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=3220><CTL=ACK>"});  // the rest: the held segment is delivered too
    CHECK(!a.conn.next_deadline());
}

TEST_CASE("delayed ACK: a FIN is acknowledged at once, covering the delayed data (RFC 9293 §3.10.7.4 eighth)") {
    endpoint_under_test a(99);
    establish(a, delayed);
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = "hello"}, 1s);
    CHECK(a.sent().empty());
    a.arrive({.seq = 305, .ack = 100, .ctl = "FIN,ACK"}, 1050ms);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=306><CTL=ACK>"});
    CHECK(a.state() == "CLOSE-WAIT");
    CHECK(!a.conn.next_deadline());
}

TEST_CASE("delayed ACK: data we send carries the ACK, and no separate ACK follows (RFC 1122 §4.2.3.2)") {
    endpoint_under_test a(99);
    establish(a, delayed);
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = "request"}, 1s);
    CHECK(a.sent().empty());
    const std::string reply = "reply";
    REQUIRE(a.conn.send(1050ms, wirekit::bytes_view(reinterpret_cast<const std::byte*>(reply.data()), reply.size())));
    CHECK(a.sent() == lines{"<SEQ=100><ACK=307><CTL=ACK><DATA=5>"});
    // Only the retransmission timer is left (RTO 1 s after the reply, RFC 6298 §5.1).
    CHECK(a.conn.next_deadline() == tcp::instant(2050ms));
    a.conn.on_timer(1250ms);
    CHECK(a.sent().empty());
}

TEST_CASE("delayed ACK: a window update is not delayed (RFC 9293 §3.8.6.3)") {
    endpoint_under_test a(99, true, 2000);  // 2000-byte receive buffer
    establish(a, delayed);
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = full}, 1s);
    CHECK(a.sent().empty());  // delayed: one segment
    CHECK(a.conn.vars().rcv_wnd == 540);
    std::array<std::byte, 2000> buf{};
    REQUIRE(a.conn.receive(1010ms, buf).value() == 1460);
    // The window opens by 1460 >= min(RCV.BUFF/2, MSS) = 1000 (§3.8.6.2.2) and
    // the update goes out at once, acknowledging the delayed data too.
    const auto out = a.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(rfc_text(out[0]) == "<SEQ=100><ACK=1760><CTL=ACK>");
    CHECK(out[0].hdr.window == 2000);
    CHECK(!a.conn.next_deadline());
}

TEST_CASE("delayed ACK: ack_delay is kept below 500 ms - delayed_ack = false acknowledges every segment") {
    SECTION("an ack_delay of 2 s is used as 499.999 ms (RFC 1122 §4.2.3.2 MUST)") {
        endpoint_under_test a(99);
        establish(a, [](tcp::config& c) {
            c.delayed_ack = true;
            c.ack_delay = 2s;
        });
        a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = "x"}, 1s);
        CHECK(a.conn.next_deadline() == tcp::instant(1s + 500ms - 1us));
    }
    SECTION("quickack") {
        endpoint_under_test a(99);
        establish(a, [](tcp::config& c) { c.delayed_ack = false; });
        a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = "x"}, 1s);
        CHECK(a.sent() == lines{"<SEQ=100><ACK=301><CTL=ACK>"});
    }
}

// ---------------------------------------------------------------------------
// Nagle: RFC 896, RFC 9293 §3.7.4, RFC 1122 §4.2.3.4

namespace {
void send_text(endpoint_under_test& a, tcp::instant t, const std::string& s) {
    REQUIRE(a.conn.send(t, wirekit::bytes_view(reinterpret_cast<const std::byte*>(s.data()), s.size())).value() ==
            s.size());
}
}  // namespace

TEST_CASE("Nagle: small writes wait while data is unacknowledged (RFC 9293 §3.7.4, RFC 1122 §4.2.3.4)") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config&) {});
    CHECK(!a.conn.vars().cfg.nodelay);  // Nagle is on by default (RFC 1122 §4.2.3.4 SHOULD)
    send_text(a, 1s, "a");
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=1>"});  // nothing in flight: goes at once
    send_text(a, 1010ms, "b");
    send_text(a, 1020ms, "c");
    CHECK(a.sent().empty());  // "a" is unacknowledged: "b" and "c" are buffered
    a.arrive({.seq = 300, .ack = 101, .ctl = "ACK"}, 1100ms);
    CHECK(a.sent() == lines{"<SEQ=101><ACK=300><CTL=ACK><DATA=2>"});  // coalesced into one segment
}

TEST_CASE("Nagle: a full-sized segment is not held - the small rest is (RFC 1122 §4.2.3.4)") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config&) {});
    send_text(a, 1s, "a");
    (void)a.sent();
    send_text(a, 1010ms, std::string(1500, 'z'));
    // "until the outstanding data has been acknowledged or until the TCP can send a full-sized segment"
    CHECK(a.sent() == lines{"<SEQ=101><ACK=300><CTL=ACK><DATA=1460>"});
    a.arrive({.seq = 300, .ack = 101, .ctl = "ACK"}, 1100ms);
    CHECK(a.sent().empty());  // 1460 bytes are still in flight
    a.arrive({.seq = 300, .ack = 1561, .ctl = "ACK"}, 1200ms);
    CHECK(a.sent() == lines{"<SEQ=1561><ACK=300><CTL=ACK><DATA=40>"});
}

TEST_CASE("Nagle: the segment carrying the FIN is not held") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config&) {});
    send_text(a, 1s, "a");
    (void)a.sent();
    send_text(a, 1010ms, "b");
    CHECK(a.sent().empty());
    REQUIRE(a.conn.close(1020ms));  // CLOSE: "b" and the FIN go together (as Linux's tcp_nagle_test)
    CHECK(a.sent() == lines{"<SEQ=101><ACK=300><CTL=FIN,ACK><DATA=1>"});
}

TEST_CASE("nodelay: small writes go out at once - the sender SWS rule still holds (RFC 9293 §3.8.6.2.1)") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config& c) { c.nodelay = true; });
    send_text(a, 1s, "a");
    send_text(a, 1010ms, "b");
    send_text(a, 1020ms, "c");
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=1>", "<SEQ=101><ACK=300><CTL=ACK><DATA=1>",
                            "<SEQ=102><ACK=300><CTL=ACK><DATA=1>"});
    // The peer's window is 1500 bytes: after 1460 more, only 40 would fit.
    // With data in flight a piece that is neither full-sized nor all of the
    // queued data is silly-window sending, with or without nodelay.
    a.arrive({.seq = 300, .ack = 103, .ctl = "ACK", .wnd = 1500}, 1100ms);
    send_text(a, 1200ms, std::string(2000, 'z'));
    CHECK(a.sent() == lines{"<SEQ=103><ACK=300><CTL=ACK><DATA=1460>"});
}

// ---------------------------------------------------------------------------
// Keep-alive: RFC 9293 §3.8.4, RFC 1122 §4.2.3.6

TEST_CASE("keep-alive is off by default (RFC 1122 §4.2.3.6 MUST)") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config&) {});
    CHECK(!a.conn.vars().cfg.keepalive.enabled);
    CHECK(!a.conn.next_deadline());  // an idle connection has no timer at all
}

TEST_CASE("keep-alive: probe <SEQ=SND.NXT-1><ACK=RCV.NXT> after 2 h idle - an answer restarts the idle time") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config& c) { c.keepalive.enabled = true; });
    // RFC 9293 §3.8.4: the interval "MUST default to no less than two hours".
    REQUIRE(a.conn.next_deadline() == tcp::instant(100ms + 2h));
    a.conn.on_timer(100ms + 2h - 1us);
    CHECK(a.sent().empty());
    a.conn.on_timer(100ms + 2h);
    const auto probe = a.sent_raw();
    REQUIRE(probe.size() == 1);
    CHECK(rfc_text(probe[0]) == "<SEQ=99><ACK=300><CTL=ACK>");  // SND.NXT - 1 = 99, no data
    CHECK(probe[0].payload.empty());
    CHECK(a.conn.next_deadline() == tcp::instant(100ms + 2h + 75s));
    // The peer finds the probe old and answers <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK"}, 100ms + 2h + 50ms);
    CHECK(a.sent().empty());
    CHECK(a.conn.next_deadline() == tcp::instant(100ms + 2h + 50ms + 2h));
    CHECK(a.state() == "ESTABLISHED");
}

TEST_CASE("keep-alive: received data restarts the idle time (RFC 1122 §4.2.3.6)") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config& c) {
        c.keepalive.enabled = true;
        c.keepalive.idle = 60s;
    });
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = "ping"}, 30s);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=304><CTL=ACK>"});
    CHECK(a.conn.next_deadline() == tcp::instant(90s));
    a.conn.on_timer(60s + 100ms);  // the old deadline passes quietly
    CHECK(a.sent().empty());
}

TEST_CASE("keep-alive: no probe while data is outstanding (RFC 9293 §3.8.4)") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config& c) {
        c.keepalive.enabled = true;
        c.keepalive.idle = 10min;
        c.user_timeout = 1h;
    });
    send_text(a, 100ms, "a");
    CHECK(a.sent().size() == 1);
    // Retransmissions only (the retransmission timer watches the peer), never a keep-alive probe.
    for (auto t = tcp::instant(100ms); t < tcp::instant(11min);) {
        t = *a.conn.next_deadline();
        a.conn.on_timer(t);
        for (const auto& s : a.sent_raw()) CHECK(s.payload.size() == 1);
    }
}

TEST_CASE("keep-alive: after `probes` unanswered probes the connection is aborted") {
    endpoint_under_test a(99);
    establish(a, [](tcp::config& c) {
        c.keepalive.enabled = true;
        c.keepalive.idle = 60s;
        c.keepalive.interval = 10s;
        c.keepalive.probes = 3;
    });
    const tcp::instant t0 = 100ms;
    for (int i = 0; i < 3; ++i) {
        const tcp::instant due = t0 + 60s + i * 10s;
        REQUIRE(a.conn.next_deadline() == due);
        a.conn.on_timer(due);
        CHECK(a.sent() == lines{"<SEQ=99><ACK=300><CTL=ACK>"});
        CHECK(a.state() == "ESTABLISHED");
    }
    REQUIRE(a.conn.next_deadline() == t0 + 90s);
    a.conn.on_timer(t0 + 90s);
    CHECK(a.sent() == lines{"<SEQ=100><CTL=RST>"});  // abort: <SEQ=SND.NXT><CTL=RST> (§3.10.5)
    CHECK(a.state() == "CLOSED");
    const auto n = a.notices();
    CHECK(std::find(n.begin(), n.end(), tcp::notice::timed_out) != n.end());
    CHECK(!a.conn.next_deadline());
}
