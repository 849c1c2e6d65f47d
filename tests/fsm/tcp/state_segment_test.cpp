// Each state x each segment kind, RST in every state, SYN in every state,
// unacceptable segments, FIN in every state. Expected values follow the
// rules of RFC 9293 §3.10.7 (and RFC 5961 §3.2, §4.2, §5.2), quoted next to
// each expectation.
//
// Every connection under test is endpoint A with ISS 99 talking to a peer
// with ISS 299, so in the synchronized states SND.NXT is 100 (101 after our
// FIN) and RCV.NXT is 300 (301 after the peer's FIN).
#include "script.hpp"

using namespace tcpt;

namespace {

struct reached {
    endpoint_under_test e{99};
    std::uint32_t snd_nxt = 0;
    std::uint32_t rcv_nxt = 0;
};

/// Drives a fresh endpoint into `target` through real inputs only.
void reach(reached& r, tcp::state target, bool passive = false) {
    auto& e = r.e;
    using S = tcp::state;
    auto established = [&] {
        if (passive) {
            REQUIRE(e.conn.open(e.now, false));
            e.arrive({.seq = 299, .ctl = "SYN"});
            e.arrive({.seq = 300, .ack = 100, .ctl = "ACK"});
        } else {
            REQUIRE(e.conn.open(e.now, true, e.peer()));
            e.arrive({.seq = 299, .ack = 100, .ctl = "SYN"});
        }
    };
    switch (target) {
        case S::closed: break;
        case S::listen: REQUIRE(e.conn.open(e.now, false)); break;
        case S::syn_sent: REQUIRE(e.conn.open(e.now, true, e.peer())); break;
        case S::syn_received:
            if (passive) {
                REQUIRE(e.conn.open(e.now, false));
            } else {
                REQUIRE(e.conn.open(e.now, true, e.peer()));
            }
            e.arrive({.seq = 299, .ctl = "SYN"});
            break;
        case S::established: established(); break;
        case S::fin_wait_1:
            established();
            REQUIRE(e.conn.close(e.now));
            break;
        case S::fin_wait_2:
            established();
            REQUIRE(e.conn.close(e.now));
            e.arrive({.seq = 300, .ack = 101, .ctl = "ACK"});
            break;
        case S::close_wait:
            established();
            e.arrive({.seq = 300, .ack = 100, .ctl = "FIN"});
            break;
        case S::closing:
            established();
            REQUIRE(e.conn.close(e.now));
            e.arrive({.seq = 300, .ack = 100, .ctl = "FIN"});
            break;
        case S::last_ack:
            established();
            e.arrive({.seq = 300, .ack = 100, .ctl = "FIN"});
            REQUIRE(e.conn.close(e.now));
            break;
        case S::time_wait:
            established();
            REQUIRE(e.conn.close(e.now));
            e.arrive({.seq = 300, .ack = 101, .ctl = "FIN"});
            break;
    }
    REQUIRE(e.conn.current() == target);
    r.snd_nxt = e.conn.vars().snd_nxt;
    r.rcv_nxt = e.conn.vars().rcv_nxt;
    (void)e.sent();
    (void)e.notices();
}

const std::vector<tcp::state> all_states{
    tcp::state::closed,     tcp::state::listen,     tcp::state::syn_sent,   tcp::state::syn_received,
    tcp::state::established, tcp::state::fin_wait_1, tcp::state::fin_wait_2, tcp::state::close_wait,
    tcp::state::closing,    tcp::state::last_ack,   tcp::state::time_wait};

bool synchronized_or_syn_received(tcp::state s) { return tcp::synchronized(s) || s == tcp::state::syn_received; }

}  // namespace

TEST_CASE("reach: the helper reaches every state with the RFC's numbers") {
    for (auto s : all_states) {
        reached r;
        reach(r, s);
        INFO(fmt::format("{}", s));
        if (tcp::synchronized(s)) {
            const bool our_fin = s == tcp::state::fin_wait_1 || s == tcp::state::fin_wait_2 ||
                                 s == tcp::state::closing || s == tcp::state::last_ack || s == tcp::state::time_wait;
            const bool their_fin = s == tcp::state::close_wait || s == tcp::state::closing ||
                                   s == tcp::state::last_ack || s == tcp::state::time_wait;
            CHECK(r.snd_nxt == (our_fin ? 101u : 100u));
            CHECK(r.rcv_nxt == (their_fin ? 301u : 300u));
        }
    }
}

TEST_CASE("RST with SEG.SEQ == RCV.NXT in every state") {
    // §3.10.7.1 CLOSED: "An incoming segment containing a RST is discarded."
    // §3.10.7.2 LISTEN: "An incoming RST segment could not be valid ... ignore it."
    // §3.10.7.3 SYN-SENT: without an acceptable ACK, "drop the segment".
    // §3.10.7.4 second: SYN-RECEIVED passive -> LISTEN, active -> CLOSED
    //   ("connection refused"); ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT ->
    //   CLOSED ("connection reset"); CLOSING, LAST-ACK, TIME-WAIT -> CLOSED.
    using S = tcp::state;
    const std::vector<std::pair<S, S>> expect{
        {S::closed, S::closed},         {S::listen, S::listen},         {S::syn_sent, S::syn_sent},
        {S::syn_received, S::closed},   {S::established, S::closed},    {S::fin_wait_1, S::closed},
        {S::fin_wait_2, S::closed},     {S::close_wait, S::closed},     {S::closing, S::closed},
        {S::last_ack, S::closed},       {S::time_wait, S::closed}};
    for (auto [from, to] : expect) {
        reached r;
        reach(r, from);
        INFO(fmt::format("{} + RST", from));
        r.e.arrive({.seq = r.rcv_nxt, .ctl = "RST"});
        CHECK(r.e.conn.current() == to);
        CHECK(r.e.sent().empty());  // no reply to a RST, ever
        const auto n = r.e.notices();
        const bool reset_notice = std::find(n.begin(), n.end(), tcp::notice::reset) != n.end();
        CHECK(reset_notice == (from == S::established || from == S::fin_wait_1 || from == S::fin_wait_2 ||
                               from == S::close_wait));
    }
    // SYN-RECEIVED from a passive OPEN returns to LISTEN.
    reached p;
    reach(p, S::syn_received, true);
    p.e.arrive({.seq = p.rcv_nxt, .ctl = "RST"});
    CHECK(p.e.conn.current() == S::listen);
    // SYN-SENT with an acceptable ACK: "connection reset", CLOSED.
    reached s;
    reach(s, S::syn_sent);
    s.e.arrive({.seq = 0, .ack = 100, .ctl = "RST"});
    CHECK(s.e.conn.current() == S::closed);
    CHECK(s.e.notices() == std::vector<tcp::notice>{tcp::notice::refused, tcp::notice::closed});
}

TEST_CASE("RST inside the window but not at RCV.NXT: challenge ACK (RFC 5961 §3.2)") {
    for (auto from : all_states) {
        if (!synchronized_or_syn_received(from)) continue;
        reached r;
        reach(r, from);
        INFO(fmt::format("{}", from));
        r.e.arrive({.seq = r.rcv_nxt + 10, .ctl = "RST"});
        CHECK(r.e.conn.current() == from);
        // "<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>"
        CHECK(r.e.sent() == lines{fmt::format("<SEQ={}><ACK={}><CTL=ACK>", r.snd_nxt, r.rcv_nxt)});
        CHECK(r.e.conn.vars().challenge_acks == 1);
    }
}

TEST_CASE("RST outside the window: dropped silently") {
    for (auto from : all_states) {
        if (!synchronized_or_syn_received(from)) continue;
        reached r;
        reach(r, from);
        INFO(fmt::format("{}", from));
        r.e.arrive({.seq = r.rcv_nxt + 200000, .ctl = "RST"});
        CHECK(r.e.conn.current() == from);
        CHECK(r.e.sent().empty());  // §3.10.7.4 first: unacceptable, and "If the RST bit is set ... drop it and return"
    }
}

TEST_CASE("SYN in every state") {
    using S = tcp::state;
    for (auto from : all_states) {
        reached r;
        reach(r, from);
        INFO(fmt::format("{} + SYN", from));
        const std::uint32_t seq = from == S::closed || from == S::listen || from == S::syn_sent ? 5000 : r.rcv_nxt;
        r.e.arrive({.seq = seq, .ctl = "SYN"});
        const auto out = r.e.sent();
        switch (from) {
            case S::closed:  // §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
                CHECK(out == lines{"<SEQ=0><ACK=5001><CTL=RST,ACK>"});
                CHECK(r.e.conn.current() == S::closed);
                break;
            case S::listen:  // §3.10.7.2 third: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>, SYN-RECEIVED
                CHECK(out == lines{"<SEQ=99><ACK=5001><CTL=SYN,ACK>"});
                CHECK(r.e.conn.current() == S::syn_received);
                break;
            case S::syn_sent:  // §3.10.7.3 fourth, simultaneous open
                CHECK(out == lines{"<SEQ=99><ACK=5001><CTL=SYN,ACK>"});
                CHECK(r.e.conn.current() == S::syn_received);
                break;
            default:  // §3.10.7.4 fourth (RFC 5961 §4.2): challenge ACK, stay
                CHECK(out == lines{fmt::format("<SEQ={}><ACK={}><CTL=ACK>", r.snd_nxt, r.rcv_nxt)});
                CHECK(r.e.conn.current() == from);
                break;
        }
    }
    // SYN-RECEIVED after a passive OPEN: "return this connection to the LISTEN state".
    reached p;
    reach(p, S::syn_received, true);
    p.e.arrive({.seq = p.rcv_nxt, .ctl = "SYN"});
    CHECK(p.e.conn.current() == S::listen);
}

TEST_CASE("unacceptable segments get <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and change nothing") {
    for (auto from : all_states) {
        if (!synchronized_or_syn_received(from)) continue;
        reached r;
        reach(r, from);
        INFO(fmt::format("{}", from));
        const auto before = r.e.conn.vars();
        r.e.arrive({.seq = r.rcv_nxt - 100, .ack = r.snd_nxt, .ctl = "ACK", .data = "old bytes"});
        CHECK(r.e.sent() == lines{fmt::format("<SEQ={}><ACK={}><CTL=ACK>", r.snd_nxt, r.rcv_nxt)});
        CHECK(r.e.conn.current() == from);
        CHECK(r.e.conn.vars().rcv_nxt == before.rcv_nxt);
        CHECK(r.e.conn.vars().rcv_buf.size() == before.rcv_buf.size());
    }
}

TEST_CASE("ACK of something not yet sent: ACK back, drop (RFC 5961 §5.2)") {
    for (auto from : {tcp::state::established, tcp::state::fin_wait_2, tcp::state::close_wait}) {
        reached r;
        reach(r, from);
        INFO(fmt::format("{}", from));
        r.e.arrive({.seq = r.rcv_nxt, .ack = r.snd_nxt + 1000, .ctl = "ACK", .data = "xyz"});
        CHECK(r.e.sent() == lines{fmt::format("<SEQ={}><ACK={}><CTL=ACK>", r.snd_nxt, r.rcv_nxt)});
        CHECK(r.e.conn.vars().snd_una == r.snd_nxt);
        CHECK(r.e.conn.vars().rcv_buf.empty());  // the text was dropped with the segment
    }
}

TEST_CASE("segments without ACK in synchronized states are dropped (§3.10.7.4 fifth)") {
    reached r;
    reach(r, tcp::state::established);
    r.e.arrive({.seq = r.rcv_nxt, .ctl = "", .data = "no ack bit"});
    CHECK(r.e.sent().empty());
    CHECK(r.e.conn.vars().rcv_nxt == r.rcv_nxt);
}

TEST_CASE("data in every state that accepts text, ignored in the others") {
    using S = tcp::state;
    for (auto from : all_states) {
        if (!tcp::synchronized(from)) continue;
        reached r;
        reach(r, from);
        INFO(fmt::format("{} + data", from));
        // SEG.ACK = SND.UNA: acknowledges nothing new, so the state stays.
        r.e.arrive({.seq = r.rcv_nxt, .ack = r.e.conn.vars().snd_una, .ctl = "ACK", .data = "12345"});
        const bool accepts = from == S::established || from == S::fin_wait_1 || from == S::fin_wait_2;
        if (accepts) {  // §3.10.7.4 seventh: RCV.NXT advances, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
            CHECK(r.e.conn.vars().rcv_nxt == r.rcv_nxt + 5);
            CHECK(r.e.sent() == lines{fmt::format("<SEQ={}><ACK={}><CTL=ACK>", r.snd_nxt, r.rcv_nxt + 5)});
        } else {  // "This should not occur, since a FIN has been received": ignore the text
            CHECK(r.e.conn.vars().rcv_nxt == r.rcv_nxt);
            CHECK(r.e.conn.vars().rcv_buf.empty());
        }
        CHECK(r.e.conn.current() == from);
    }
}

TEST_CASE("FIN in every state") {
    using S = tcp::state;
    // §3.10.7.4 eighth: ESTABLISHED -> CLOSE-WAIT; FIN-WAIT-1 -> CLOSING (or
    // TIME-WAIT when the FIN is ACKed in this segment); FIN-WAIT-2 -> TIME-WAIT.
    struct row {
        S from;
        std::uint32_t ack_delta;  // SEG.ACK = SND.NXT - ack_delta
        S to;
    };
    for (const row& x : {row{S::established, 0, S::close_wait}, row{S::fin_wait_1, 1, S::closing},
                         row{S::fin_wait_1, 0, S::time_wait}, row{S::fin_wait_2, 0, S::time_wait}}) {
        reached r;
        reach(r, x.from);
        INFO(fmt::format("{} + FIN", x.from));
        r.e.arrive({.seq = r.rcv_nxt, .ack = r.snd_nxt - x.ack_delta, .ctl = "FIN"});
        CHECK(r.e.conn.current() == x.to);
        CHECK(r.e.conn.vars().rcv_nxt == r.rcv_nxt + 1);
        CHECK(r.e.sent() == lines{fmt::format("<SEQ={}><ACK={}><CTL=ACK>", r.snd_nxt, r.rcv_nxt + 1)});
    }
    // CLOSED, LISTEN, SYN-SENT: "drop the segment and return" (CLOSED answers with RST).
    for (auto from : {S::listen, S::syn_sent}) {
        reached r;
        reach(r, from);
        r.e.arrive({.seq = 5000, .ctl = "FIN"});
        CHECK(r.e.conn.current() == from);
        CHECK(r.e.sent().empty());
    }
    // CLOSE-WAIT, CLOSING, LAST-ACK: a retransmitted FIN is old; ACK it, remain.
    for (auto from : {S::close_wait, S::closing, S::last_ack}) {
        reached r;
        reach(r, from);
        INFO(fmt::format("{} + old FIN", from));
        r.e.arrive({.seq = r.rcv_nxt - 1, .ack = r.snd_nxt - 1, .ctl = "FIN"});
        CHECK(r.e.conn.current() == from);
        CHECK(r.e.sent() == lines{fmt::format("<SEQ={}><ACK={}><CTL=ACK>", r.snd_nxt, r.rcv_nxt)});
    }
    // TIME-WAIT: "Acknowledge it, and restart the 2 MSL timeout."
    reached t;
    reach(t, S::time_wait);
    REQUIRE(t.e.conn.next_deadline() == tcp::instant(0s + 4min));
    t.e.arrive({.seq = t.rcv_nxt - 1, .ack = t.snd_nxt, .ctl = "FIN"}, 30s);
    CHECK(t.e.sent() == lines{fmt::format("<SEQ={}><ACK={}><CTL=ACK>", t.snd_nxt, t.rcv_nxt)});
    CHECK(t.e.conn.next_deadline() == tcp::instant(30s + 4min));
    CHECK(t.e.conn.current() == S::time_wait);
}

TEST_CASE("ABORT in every state (§3.10.5)") {
    using S = tcp::state;
    for (auto from : all_states) {
        reached r;
        reach(r, from);
        INFO(fmt::format("ABORT in {}", from));
        auto res = r.e.conn.abort(r.e.now);
        if (from == S::closed) {
            REQUIRE_FALSE(res);
            CHECK(res.error().detail == "connection does not exist");
            continue;
        }
        CHECK(res);
        CHECK(r.e.conn.current() == S::closed);
        // "send a reset segment: <SEQ=SND.NXT><CTL=RST>" in SYN-RECEIVED,
        // ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT; nothing in the others.
        const bool rst = from == S::syn_received || from == S::established || from == S::fin_wait_1 ||
                         from == S::fin_wait_2 || from == S::close_wait;
        CHECK(r.e.sent() == (rst ? lines{fmt::format("<SEQ={}><CTL=RST>", r.snd_nxt)} : lines{}));
    }
}

TEST_CASE("user calls in the wrong state return the RFC's error texts") {
    using S = tcp::state;
    const std::string d = "x";
    {
        reached r;  // CLOSED
        CHECK(r.e.conn.send(0s, wirekit::as_bytes(d)).error().detail == "connection does not exist");
        CHECK(r.e.conn.close(0s).error().detail == "connection does not exist");
        std::array<std::byte, 1> b{};
        CHECK(r.e.conn.receive(0s, b).error().detail == "connection does not exist");
    }
    {
        reached r;
        reach(r, S::established);
        CHECK(r.e.conn.open(0s, false).error().detail == "connection already exists");
    }
    {
        reached r;
        reach(r, S::listen);  // no foreign socket given
        CHECK(r.e.conn.send(0s, wirekit::as_bytes(d)).error().detail == "foreign socket unspecified");
    }
    for (auto from : {S::fin_wait_1, S::fin_wait_2, S::closing, S::last_ack, S::time_wait}) {
        reached r;
        reach(r, from);
        INFO(fmt::format("{}", from));
        CHECK(r.e.conn.send(0s, wirekit::as_bytes(d)).error().detail == "connection closing");
        CHECK(r.e.conn.close(0s).error().detail == "connection closing");
    }
    {  // CLOSE in LISTEN and SYN-SENT: delete the TCB, CLOSED.
        reached r;
        reach(r, S::listen);
        CHECK(r.e.conn.close(0s));
        CHECK(r.e.conn.current() == S::closed);
    }
}

TEST_CASE("SEND in LISTEN with the foreign socket known turns the connection active (§3.10.2)") {
    endpoint_under_test e(99);
    REQUIRE(e.conn.open(0s, false, e.peer()));
    CHECK(e.state() == "LISTEN");
    const std::string d = "early";
    auto n = e.conn.send(0s, wirekit::as_bytes(d));
    REQUIRE(n);
    CHECK(*n == 5);
    CHECK(e.state() == "SYN-SENT");
    CHECK(e.sent() == lines{"<SEQ=99><CTL=SYN>"});
    e.arrive({.seq = 299, .ack = 100, .ctl = "SYN"});
    CHECK(e.sent() == lines{"<SEQ=100><ACK=300><CTL=ACK><DATA=5>"});  // the queued data rides with the ACK
}

TEST_CASE("a new OPEN starts from a clean TCB (found by fuzz/fsm_tcp)") {
    // §3.10.7.4 second: on a reset "all segment queues should be flushed";
    // a later OPEN creates a new connection.
    reached r;
    reach(r, tcp::state::established);
    r.e.arrive({.seq = r.rcv_nxt + 10, .ack = r.snd_nxt, .ctl = "ACK", .data = "held out of order"});
    r.e.arrive({.seq = r.rcv_nxt, .ack = r.snd_nxt, .ctl = "ACK", .data = "abc"});  // in order, hole remains
    CHECK(r.e.conn.vars().ooo_count == 17);
    CHECK(r.e.conn.vars().rcv_buf.size() == 3);
    r.e.arrive({.seq = r.rcv_nxt + 3, .ctl = "RST"});
    REQUIRE(r.e.conn.current() == tcp::state::closed);
    REQUIRE(r.e.conn.open(r.e.now, false));
    CHECK(r.e.conn.vars().ooo_count == 0);
    CHECK(r.e.conn.vars().rcv_buf.empty());
    CHECK(r.e.conn.vars().snd_buf.empty());
    CHECK_FALSE(r.e.conn.next_deadline().has_value());
}
