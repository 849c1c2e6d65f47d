// TIME-WAIT reuse: a SYN arriving in TIME-WAIT for the same 4-tuple.
// RFC 9293 §3.10.7.4 fourth: "If the SYN bit is set in these synchronized
// states, it may be either a legitimate new connection attempt (e.g., in the
// case of TIME-WAIT) ... For the TIME-WAIT state, new connections can be
// accepted if the Timestamp Option is used and meets expectations (per
// [RFC6191]). For all other cases, RFC 5961 ... challenge ACK". RFC 6191 §2
// falls back to RFC 1122 §4.2.2.13's sequence-number test without
// timestamps: the SYN is new when SEG.SEQ is larger than the last sequence
// number of the old incarnation, and the new ISS must be larger than the
// largest sequence number used in it.
#include "script.hpp"

using namespace tcpt;

namespace {

/// Endpoint A (ISS 99) closed actively against a peer with ISS 299 and
/// sits in TIME-WAIT: SND.NXT 101, RCV.NXT 301 (script.hpp's numbers).
void reach_time_wait(endpoint_under_test& e) {
    REQUIRE(e.conn.open(e.now, true, e.peer()));
    e.arrive({.seq = 299, .ack = 100, .ctl = "SYN"});
    REQUIRE(e.conn.close(e.now));
    e.arrive({.seq = 300, .ack = 101, .ctl = "FIN"});
    REQUIRE(e.conn.current() == tcp::state::time_wait);
    REQUIRE(e.conn.vars().snd_nxt == 101);
    REQUIRE(e.conn.vars().rcv_nxt == 301);
    (void)e.sent();
    (void)e.notices();
}

/// A segment from the peer with TSopt (RFC 7323 §3) and `flags`.
tcp::segment_in with_ts(const endpoint_under_test& e, std::uint32_t seq, std::uint32_t ack, const char* flags,
                        std::uint32_t tsval, std::uint32_t tsecr) {
    tcp::segment_in in;
    const auto p = e.peer();
    in.src_addr = p.addr;
    in.dst_addr = e.conn.vars().cfg.local.addr;
    in.hdr.src_port = p.port;
    in.hdr.dst_port = e.conn.vars().cfg.local.port;
    in.hdr.seq_number = seq;
    in.hdr.ack_number = ack;
    in.hdr.flags = ctl(flags);
    in.hdr.window = 65535;
    in.hdr.options.ts = wirekit::tcp::timestamps{tsval, tsecr};
    return in;
}

}  // namespace

TEST_CASE("TIME-WAIT: a SYN above RCV.NXT opens a new incarnation (RFC 1122 §4.2.2.13)") {
    endpoint_under_test e(99);
    reach_time_wait(e);
    // SEG.SEQ 5000 > RCV.NXT 301: new. The new ISS must exceed every
    // sequence number of the old incarnation (SND.MAX 101); the fixed ISS
    // 99 does not, so SND.MAX + 1 = 102 is chosen.
    e.arrive({.seq = 5000, .ctl = "SYN"}, 10s);
    CHECK(e.conn.current() == tcp::state::syn_received);
    CHECK(e.sent() == lines{"<SEQ=102><ACK=5001><CTL=SYN,ACK>"});
    CHECK_FALSE(e.conn.next_deadline() == tcp::instant(0s + 4min));  // the 2 MSL timer is gone
    // The handshake completes as any passive open does (§3.10.7.4 fifth).
    e.arrive({.seq = 5001, .ack = 103, .ctl = "ACK"}, 10s);
    CHECK(e.conn.current() == tcp::state::established);
    CHECK(e.notices() == std::vector<tcp::notice>{tcp::notice::established});
    // And carries data.
    e.arrive({.seq = 5001, .ack = 103, .ctl = "ACK", .data = "again"}, 10s);
    CHECK(e.sent() == lines{"<SEQ=103><ACK=5006><CTL=ACK>"});
}

TEST_CASE("TIME-WAIT: an old SYN gets the challenge ACK and changes nothing (RFC 5961 §4.2)") {
    endpoint_under_test e(99);
    reach_time_wait(e);
    // SEG.SEQ 200 < RCV.NXT 301: an old duplicate.
    e.arrive({.seq = 200, .ctl = "SYN"}, 10s);
    CHECK(e.conn.current() == tcp::state::time_wait);
    CHECK(e.sent() == lines{"<SEQ=101><ACK=301><CTL=ACK>"});
    CHECK_FALSE(e.conn.accepts_new_syn([&] {
        tcp::segment_in in;
        in.src_addr = e.peer().addr;
        in.hdr.src_port = e.peer().port;
        in.hdr.seq_number = 200;
        in.hdr.flags.syn = true;
        return in;
    }()));
    // A SYN,ACK is never a new connection request.
    e.arrive({.seq = 5000, .ack = 101, .ctl = "SYN"}, 11s);
    CHECK(e.conn.current() == tcp::state::time_wait);
}

TEST_CASE("TIME-WAIT: reuse switched off leaves the SYN to the host (config::time_wait_reuse)") {
    auto cfg = endpoint_under_test::make_config(99, true, 65535);
    cfg.time_wait_reuse = false;
    endpoint_under_test e(99);
    e.conn = tcp::connection(cfg);
    reach_time_wait(e);
    tcp::segment_in syn;
    syn.src_addr = e.peer().addr;
    syn.hdr.src_port = e.peer().port;
    syn.hdr.seq_number = 5000;
    syn.hdr.flags.syn = true;
    CHECK(e.conn.accepts_new_syn(syn));  // a listener may take it
    e.arrive({.seq = 5000, .ctl = "SYN"}, 10s);
    CHECK(e.conn.current() == tcp::state::time_wait);
    CHECK(e.sent() == lines{"<SEQ=101><ACK=301><CTL=ACK>"});  // challenge ACK
}

TEST_CASE("TIME-WAIT with timestamps: TSval above TS.Recent decides (RFC 6191 §2)") {
    endpoint_under_test e(99);
    REQUIRE(e.conn.open(e.now, true, e.peer()));
    const auto syn = e.sent_raw();
    REQUIRE(syn.size() == 1);
    REQUIRE(syn.front().hdr.options.ts);  // we offer TSopt (RFC 7323 §3.2)
    const std::uint32_t our_ts = syn.front().hdr.options.ts->tsval;
    // The peer's SYN,ACK with TSopt: timestamps are in use; then the peer's FIN
    // after our CLOSE, all with TSval 1000..1002.
    e.conn.on_segment(0s, with_ts(e, 299, 100, "SYN,ACK", 1000, our_ts));
    REQUIRE(e.conn.current() == tcp::state::established);
    REQUIRE(e.conn.vars().ts.ok);
    REQUIRE(e.conn.close(0s));
    e.conn.on_segment(0s, with_ts(e, 300, 101, "FIN,ACK", 1002, our_ts));
    REQUIRE(e.conn.current() == tcp::state::time_wait);
    (void)e.sent();
    // A SYN whose SEG.SEQ is below RCV.NXT but whose TSval is newer than
    // TS.Recent (1002) is a new incarnation: RFC 6191 uses the timestamp
    // when both carry it, whatever the sequence number.
    CHECK(e.conn.accepts_new_syn(with_ts(e, 100, 0, "SYN", 1003, 0)));
    // An old SYN (TSval not above TS.Recent) is not, even with a larger SEG.SEQ.
    CHECK_FALSE(e.conn.accepts_new_syn(with_ts(e, 9000, 0, "SYN", 1002, 0)));
    e.conn.on_segment(1s, with_ts(e, 9000, 0, "SYN", 1002, 0));
    CHECK(e.conn.current() == tcp::state::time_wait);
    e.conn.on_segment(1s, with_ts(e, 100, 0, "SYN", 1003, 0));
    CHECK(e.conn.current() == tcp::state::syn_received);
    const auto out = e.sent_raw();
    REQUIRE_FALSE(out.empty());
    const auto& synack = out.back();
    CHECK(synack.hdr.flags.syn);
    CHECK(synack.hdr.flags.ack);
    CHECK(synack.hdr.ack_number == 101);
    REQUIRE(synack.hdr.options.ts);
    CHECK(synack.hdr.options.ts->tsecr == 1003);  // echoes the new SYN's TSval
    CHECK(wirekit::fsm::tcp::seq_gt(synack.hdr.seq_number, 101));  // ISS above the old SND.MAX
}
