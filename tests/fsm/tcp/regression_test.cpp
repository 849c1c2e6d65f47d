// Scripted regression tests for connection.hpp faults the simulation
// (sim.hpp, simulation_test.cpp) found. Each replays the smallest exchange
// that shows the fault, in the RFC's segment notation.
#include "script.hpp"

#include <array>
#include <string>

using namespace tcpt;

namespace {
/// B: passive OPEN, the peer's SYN (MSS 1460) and the ACK of our SYN,ACK.
void established_b(endpoint_under_test& b) {
    REQUIRE(b.conn.open(0s, false));
    b.arrive({.seq = 99, .ctl = "SYN", .mss = 1460}, 0s);
    b.arrive({.seq = 100, .ack = 300, .ctl = "ACK"}, 0s);
    REQUIRE(b.state() == "ESTABLISHED");
    (void)b.sent();
}
}  // namespace

TEST_CASE("regression: a RECEIVE that opens the window by two segments sends a window update") {
    // Found by the loss-free 10 MiB simulation: the receiver told the sender
    // about space freed by RECEIVE only when the window had been smaller
    // than a segment, so a sender with its whole window in flight learned of
    // the space only with the next data ACK and moved half a window per
    // round trip. 4.4BSD's tcp_output sends the update when the window opens
    // by two segments or half the buffer; RFC 9293 §3.8.6.2.2 still governs
    // how far it opens (at least min(RCV.BUFF/2, MSS)).
    endpoint_under_test b(299, false);  // 65535-byte buffer, MSS 1460
    established_b(b);
    for (std::uint32_t i = 0; i < 10; ++i)
        b.arrive({.seq = 100 + i * 1460, .ack = 300, .ctl = "ACK", .data = std::string(1460, 'd')}, 10ms);
    auto acks = b.sent_raw();
    REQUIRE(acks.size() == 10);
    CHECK(acks.back().hdr.ack_number == 14700);
    CHECK(acks.back().hdr.window == 65535 - 14600);

    std::array<std::byte, 14600> buf{};
    // One segment's worth: the window grows (SWS allows it) but one
    // segment is not worth a segment of its own.
    auto n = b.conn.receive(20ms, std::span(buf).first(1460));
    REQUIRE(n);
    CHECK(*n == 1460);
    CHECK(b.sent().empty());
    // The rest: the window opens by 13140 bytes, and the peer hears of it.
    n = b.conn.receive(20ms, std::span(buf).first(13140));
    REQUIRE(n);
    CHECK(*n == 13140);
    const auto update = b.sent_raw();
    REQUIRE(update.size() == 1);
    CHECK(rfc_text(update[0]) == "<SEQ=300><ACK=14700><CTL=ACK>");
    CHECK(update[0].hdr.window == 65535);
}

TEST_CASE("regression: a zero-window probe leaves SND.NXT and the congestion window alone") {
    // Found by the slow-reader simulation. The persist timer's one-byte
    // probe (§3.8.6.1) advanced SND.NXT past a byte the receiver refused and
    // went through the congestion region as a loss (cwnd = 1 SMSS, ssthresh
    // = 2 SMSS, RFC 5681 §3.1). When the window opened, the sender could not
    // send a full segment beyond the refused byte (sender SWS avoidance with
    // one byte "in flight") and waited for the next timeout. Now the probe
    // advances only SND.MAX (as 4.4BSD's persist output) and congestion
    // state is kept, since nothing was lost.
    endpoint_under_test a(99);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    a.arrive({.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1000}, 0s);  // SMSS 1000: IW = 4000
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .wnd = 0}, 0s);     // the window closes
    (void)a.sent();
    const std::string data(5000, 'p');
    const auto queued = a.conn.send(0s, wirekit::as_bytes(data));
    REQUIRE(queued);
    CHECK(*queued == 5000);
    CHECK(a.sent().empty());
    const auto cwnd = a.conn.status().cwnd;
    const auto ssthresh = a.conn.status().ssthresh;
    CHECK(cwnd == 4000);

    a.conn.on_timer(1s);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=1>"});  // the probe
    CHECK(a.conn.vars().snd_nxt == 100);
    CHECK(a.conn.vars().snd_max == 101);
    CHECK(a.conn.status().cwnd == cwnd);
    CHECK(a.conn.status().ssthresh == ssthresh);
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .wnd = 0}, 1100ms);  // refused
    CHECK(a.sent().empty());

    // The reader catches up: the window opens and a full cwnd of full-sized
    // segments goes out, starting with the byte that was probed.
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .wnd = 8000}, 1500ms);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=1000>", "<SEQ=1100><ACK=300><CTL=ACK><DATA=1000>",
                            "<SEQ=2100><ACK=300><CTL=ACK><DATA=1000>", "<SEQ=3100><ACK=300><CTL=ACK><DATA=1000>"});
}

TEST_CASE("regression: during a zero window, pure ACKs carry SND.NXT and probe answers are not duplicate ACKs") {
    // Found by the slow-reader simulation with data in both directions.
    // After a probe, pure ACKs carried SND.MAX (one past the refused byte),
    // which a zero-window receiver must find unacceptable (§3.10.7.4: only
    // SEQ = RCV.NXT), so it answered each with an ACK; those answers, and
    // the answers to the probes themselves, counted as duplicate ACKs
    // (RFC 5681 §2), and the third started a spurious fast retransmit.
    endpoint_under_test a(99);
    REQUIRE(a.conn.open(0s, true, a.peer()));
    a.arrive({.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1000}, 0s);
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .wnd = 0}, 0s);  // the window closes
    (void)a.sent();
    const std::string data(3000, 'p');
    REQUIRE(a.conn.send(0s, wirekit::as_bytes(data)));
    a.conn.on_timer(1s);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=1>"});  // probe

    // The peer still sends us data: our ACK must be at SEQ=100, the peer's RCV.NXT.
    a.arrive({.seq = 300, .ack = 100, .ctl = "ACK", .data = "hello", .wnd = 0}, 1100ms);
    CHECK(a.sent() == lines{"<SEQ=100><ACK=305><CTL=ACK>"});

    // Three answers to probes (ACK = SND.UNA, the same zero window): not a loss signal.
    for (auto t : {3s, 7s, 15s}) {
        a.conn.on_timer(t);
        CHECK(a.sent() == lines{"<SEQ=100><ACK=305><CTL=ACK><DATA=1>"});
        a.arrive({.seq = 305, .ack = 100, .ctl = "ACK", .wnd = 0}, t + 10ms);
        CHECK(a.sent().empty());
    }
    CHECK(a.conn.vars().fast_retransmits == 0);
    CHECK(a.conn.vars().dup_acks == 0);
    CHECK(a.conn.congestion_state() == tcp::cc_state::slow_start);
    CHECK(a.conn.status().cwnd == 4000);
}
