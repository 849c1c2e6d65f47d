// RFC 7323 (window scaling, timestamps, PAWS, RTTM) and RFC 2018 / RFC 6675
// (SACK) in the sans-I/O connection. Expected values come from the RFC text
// (the SACK block tables of RFC 2018 §5 are replayed verbatim), from
// arithmetic done by hand next to each check, from a real Linux SYN in
// tests/data/http-big.pcap with Wireshark's decoding of that conversation
// (window sizes after scaling), and from whole transfers over
// io::memory_pipe that must arrive intact.
#include "script.hpp"

#include <support/pcap_file.hpp>
#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/wire/dissect.hpp>
#include <wirekit/wire/tcp.hpp>

#include <array>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

using namespace tcpt;

namespace {

using opts = wirekit::tcp::option_set;

/// Delivers `s` with options `o` to `e` at `t`.
void arrive_with(endpoint_under_test& e, const seg& s, const opts& o, tcp::instant t) {
    e.now = t;
    tcp::segment_in in;
    const auto p = e.peer();
    in.src_addr = p.addr;
    in.dst_addr = e.conn.vars().cfg.local.addr;
    in.hdr.src_port = p.port;
    in.hdr.dst_port = e.conn.vars().cfg.local.port;
    in.hdr.seq_number = s.seq;
    in.hdr.ack_number = s.ack.value_or(0);
    in.hdr.flags = ctl(s.ctl);
    if (s.ack) in.hdr.flags.ack = true;
    in.hdr.window = s.wnd;
    in.hdr.options = o;
    if (s.mss) in.hdr.options.mss = s.mss;
    e.payloads.push_back(s.data);
    const auto& d = e.payloads.back();
    in.payload = wirekit::bytes_view(reinterpret_cast<const std::byte*>(d.data()), d.size());
    in.hdr.payload_len = d.size();
    e.conn.on_segment(t, in);
}

opts ts_opt(std::uint32_t tsval, std::uint32_t tsecr) {
    opts o;
    o.ts = wirekit::tcp::timestamps{tsval, tsecr};
    return o;
}

tcp::config cfg_with(bool is_a, bool ws, bool ts, bool sack, std::size_t rcv_buf = 65535) {
    tcp::config c = endpoint_under_test::make_config(is_a ? std::optional<std::uint32_t>(99) : std::optional<std::uint32_t>(299), is_a, rcv_buf);
    c.window_scale = ws;
    c.timestamps = ts;
    c.sack = sack;
    return c;
}

/// Segments between two connections, no impairment, until both are quiet.
void exchange(tcp::connection& a, tcp::connection& b, tcp::instant now, std::vector<tcp::segment_out>* a_out = nullptr,
              std::vector<tcp::segment_out>* b_out = nullptr) {
    for (int round = 0; round < 10000; ++round) {
        bool any = false;
        for (int side = 0; side < 2; ++side) {
            tcp::connection& from = side ? b : a;
            tcp::connection& to = side ? a : b;
            while (auto s = from.poll_transmit()) {
                any = true;
                if (auto* log = side ? b_out : a_out) log->push_back(*s);
                tcp::segment_in in;
                in.src_addr = s->src_addr;
                in.dst_addr = s->dst_addr;
                in.hdr = s->hdr;
                in.payload = wirekit::bytes_view(s->payload);
                to.on_segment(now, in);
            }
        }
        if (!any) return;
    }
    FAIL("the two connections never went quiet");
}

}  // namespace

// ---------------------------------------------------------------------------
// Negotiation (RFC 7323 §2.2, §3.2; RFC 2018 §2)

TEST_CASE("options: negotiation matrix, each option in effect only when both SYNs carry it") {
    for (int am = 0; am < 8; ++am) {
        for (int bm = 0; bm < 8; ++bm) {
            const bool aws = am & 1, ats = am & 2, asack = am & 4;
            const bool bws = bm & 1, bts = bm & 2, bsack = bm & 4;
            INFO("A ws/ts/sack " << aws << ats << asack << ", B " << bws << bts << bsack);
            // A: 1 MiB buffer (shift 5: 2^20 >> 4 = 65536 > 65535, 2^20 >> 5 = 32768);
            // B: 256 KiB (shift 3: 2^18 >> 2 = 65536, 2^18 >> 3 = 32768).
            tcp::connection a(cfg_with(true, aws, ats, asack, 1 << 20));
            tcp::connection b(cfg_with(false, bws, bts, bsack, 1 << 18));
            REQUIRE(b.open(0s, false));
            REQUIRE(a.open(0s, true, tcp::endpoint{addr_b, port_b}));
            std::vector<tcp::segment_out> from_a, from_b;
            exchange(a, b, 10ms, &from_a, &from_b);
            REQUIRE(a.current() == tcp::state::established);
            REQUIRE(b.current() == tcp::state::established);
            // A's SYN offers what A is configured for.
            REQUIRE(!from_a.empty());
            const auto& syn = from_a.front().hdr;
            REQUIRE(syn.flags.syn);
            CHECK(syn.options.window_scale.has_value() == aws);
            if (aws) CHECK(*syn.options.window_scale == 5);
            CHECK(syn.options.ts.has_value() == ats);
            if (ats) CHECK(syn.options.ts->tsecr == 0);  // §3.2: TSecr is 0 in a SYN
            CHECK(syn.options.sack_permitted == asack);
            // B's SYN,ACK carries an option only if A's SYN had it (and B offers it).
            const auto& synack = from_b.front().hdr;
            REQUIRE(synack.flags.syn);
            REQUIRE(synack.flags.ack);
            CHECK(synack.options.window_scale.has_value() == (aws && bws));
            CHECK(synack.options.ts.has_value() == (ats && bts));
            if (ats && bts) CHECK(synack.options.ts->tsecr == syn.options.ts->tsval);  // echo of A's TSval
            CHECK(synack.options.sack_permitted == (asack && bsack));
            const auto sa = a.status(), sb = b.status();
            CHECK(sa.snd_wscale == (aws && bws ? 3 : 0));
            CHECK(sa.rcv_wscale == (aws && bws ? 5 : 0));
            CHECK(sb.snd_wscale == (aws && bws ? 5 : 0));
            CHECK(sb.rcv_wscale == (aws && bws ? 3 : 0));
            CHECK(sa.timestamps == (ats && bts));
            CHECK(sb.timestamps == (ats && bts));
            CHECK(sa.sack == (asack && bsack));
            CHECK(sb.sack == (asack && bsack));
            // Without scaling neither window exceeds 65535; with it, each side
            // sees the other's whole buffer.
            CHECK(sa.snd_wnd == 65535u);  // from B's SYN,ACK: never scaled
            CHECK(sb.snd_wnd == (aws && bws ? (1u << 20) : 65535u));  // A's ACK: 32768 << 5
            // Every later segment carries TSopt exactly when negotiated (§3.2).
            for (std::size_t i = 1; i < from_a.size(); ++i) CHECK(from_a[i].hdr.options.ts.has_value() == (ats && bts));
            // Data flows both ways, intact.
            std::string da(300000, 'x'), db(200000, 'y');
            for (std::size_t i = 0; i < da.size(); ++i) da[i] = static_cast<char>('a' + i % 26);
            std::string got_a, got_b;
            std::size_t sent_a = 0, sent_b = 0;
            tcp::instant now = 20ms;
            for (int round = 0; round < 2000 && (got_b.size() < da.size() || got_a.size() < db.size()); ++round) {
                now += 1ms;
                if (sent_a < da.size()) sent_a += a.send(now, wirekit::as_bytes(std::string_view(da).substr(sent_a))).value_or(0);
                if (sent_b < db.size()) sent_b += b.send(now, wirekit::as_bytes(std::string_view(db).substr(sent_b))).value_or(0);
                exchange(a, b, now);
                std::array<std::byte, 65536> buf{};
                for (auto [c, out] : {std::pair{&a, &got_a}, std::pair{&b, &got_b}}) {
                    auto n = c->receive(now, buf);
                    if (n && *n) out->append(reinterpret_cast<const char*>(buf.data()), *n);
                }
                exchange(a, b, now);
            }
            CHECK(got_b == da);
            CHECK(got_a == db);
            if (aws && bws) CHECK(a.status().snd_wnd > 65535u);  // B's 256 KiB, announced >> 3
            else CHECK(a.status().snd_wnd <= 65535u);
        }
    }
}

TEST_CASE("options: a SYN,ACK answers a SYN only with the options the SYN carried (RFC 7323 §2.2, RFC 2018 §2)") {
    endpoint_under_test b(300, false);
    REQUIRE(b.conn.open(0s, false));
    opts o;  // the peer offers SACK only
    o.sack_permitted = true;
    arrive_with(b, {.seq = 99, .ctl = "SYN", .mss = 1460}, o, 0s);
    const auto out = b.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(out[0].hdr.flags.syn);
    CHECK_FALSE(out[0].hdr.options.window_scale.has_value());
    CHECK_FALSE(out[0].hdr.options.ts.has_value());
    CHECK(out[0].hdr.options.sack_permitted);
    CHECK(b.conn.status().sack);
    CHECK_FALSE(b.conn.status().timestamps);
    CHECK(b.conn.status().snd_wscale == 0);
}

// ---------------------------------------------------------------------------
// Window scaling arithmetic (RFC 7323 §2)

TEST_CASE("options: window shift arithmetic") {
    endpoint_under_test a(99, true, 1 << 20);
    a.conn.vars_for_testing().cfg.timestamps = false;
    a.conn.vars_for_testing().cfg.sack = false;
    REQUIRE(a.conn.open(0s, true, a.peer()));
    auto syn = a.sent_raw();
    REQUIRE(syn.size() == 1);
    CHECK(syn[0].hdr.options.window_scale == std::optional<std::uint8_t>(5));  // smallest s: 2^20 >> s <= 65535
    CHECK(syn[0].hdr.window == 65535);  // §2.2: the window in a SYN is never scaled

    opts ws;
    ws.window_scale = 7;
    arrive_with(a, {.seq = 299, .ack = 100, .ctl = "SYN", .wnd = 1000, .mss = 1460}, ws, 10ms);
    REQUIRE(a.state() == "ESTABLISHED");
    CHECK(a.conn.status().snd_wnd == 1000);  // the SYN,ACK's window is not scaled either
    auto ack = a.sent_raw();
    REQUIRE(ack.size() == 1);
    CHECK(ack[0].hdr.window == 32768);  // 2^20 >> 5
    arrive_with(a, {.seq = 300, .ack = 100, .ctl = "ACK", .wnd = 1000}, {}, 20ms);
    CHECK(a.conn.status().snd_wnd == 128000);  // SEG.WND << Snd.Wind.Shift = 1000 * 2^7

    // 100 bytes arrive: RCV.WND = 1048476 = 32764.875 * 32. Rounded up to
    // 32765, never down to 32764 (that would retract the right edge).
    arrive_with(a, {.seq = 300, .ack = 100, .ctl = "ACK", .data = std::string(100, 'd'), .wnd = 1000}, {}, 30ms);
    ack = a.sent_raw();
    REQUIRE(ack.size() == 1);
    CHECK(ack[0].hdr.ack_number == 400);
    CHECK(ack[0].hdr.window == 32765);

    SECTION("a shift above 14 counts as 14 (§2.3)") {
        endpoint_under_test c(99, true, 1 << 20);
        REQUIRE(c.conn.open(0s, true, c.peer()));
        opts big;
        big.window_scale = 15;
        arrive_with(c, {.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1460}, big, 10ms);
        CHECK(c.conn.status().snd_wscale == 14);
    }
    SECTION("a configured shift above 14 is offered as 14") {
        tcp::config k = endpoint_under_test::make_config(99, true, 1 << 20);
        k.rcv_wind_shift = 20;
        tcp::connection c(k);
        REQUIRE(c.open(0s, true, tcp::endpoint{addr_b, port_b}));
        auto s = c.poll_transmit();
        REQUIRE(s);
        CHECK(s->hdr.options.window_scale == std::optional<std::uint8_t>(14));
    }
    SECTION("without the peer's Window Scale option the window stays within 65535") {
        endpoint_under_test c(99, true, 1 << 20);
        REQUIRE(c.conn.open(0s, true, c.peer()));
        arrive_with(c, {.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1460}, {}, 10ms);
        CHECK(c.conn.status().rcv_wscale == 0);
        CHECK(c.conn.status().rcv_wnd == 65535);
        auto out = c.sent_raw();
        REQUIRE(!out.empty());
        CHECK(out.back().hdr.window == 65535);
    }
}

// ---------------------------------------------------------------------------
// Timestamps (RFC 7323 §3-§5)

namespace {
/// A active (ISS 99) with timestamps only (no WS, no SACK), established by a
/// SYN,ACK carrying TSval `peer_ts`; returns A's TSval in its SYN.
std::uint32_t establish_ts(endpoint_under_test& a, std::uint32_t peer_ts, tcp::instant at = 100ms) {
    auto& c = a.conn.vars_for_testing().cfg;
    c.window_scale = false;
    c.sack = false;
    REQUIRE(a.conn.open(0s, true, a.peer()));
    const auto syn = a.sent_raw();
    REQUIRE(syn.size() == 1);
    REQUIRE(syn[0].hdr.options.ts);
    const std::uint32_t tsval = syn[0].hdr.options.ts->tsval;
    arrive_with(a, {.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1460}, ts_opt(peer_ts, tsval), at);
    REQUIRE(a.state() == "ESTABLISHED");
    REQUIRE(a.conn.status().timestamps);
    const auto ack = a.sent_raw();
    REQUIRE(ack.size() == 1);
    REQUIRE(ack[0].hdr.options.ts);
    CHECK(ack[0].hdr.options.ts->tsecr == peer_ts);  // TS.Recent from the SYN,ACK
    return tsval;
}
}  // namespace

TEST_CASE("options: PAWS drops an old duplicate and acknowledges it (RFC 7323 §5.3 R1)") {
    endpoint_under_test a(99);
    establish_ts(a, 1000);
    arrive_with(a, {.seq = 300, .ack = 100, .ctl = "ACK", .data = "abc"}, ts_opt(1005, 0), 200ms);
    CHECK(a.conn.vars().rcv_nxt == 303);
    (void)a.sent();
    // An old duplicate: TSval 999 < TS.Recent 1005, although its sequence
    // numbers are acceptable. Dropped, and answered with an ACK.
    arrive_with(a, {.seq = 303, .ack = 100, .ctl = "ACK", .data = "def"}, ts_opt(999, 0), 300ms);
    CHECK(a.conn.vars().rcv_nxt == 303);
    CHECK(a.conn.vars().paws_drops == 1);
    auto out = a.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(rfc_text(out[0]) == "<SEQ=100><ACK=303><CTL=ACK>");
    CHECK(out[0].hdr.options.ts->tsecr == 1005);  // TS.Recent unchanged

    SECTION("a non-RST segment without TSopt is dropped silently (§3.2)") {
        arrive_with(a, {.seq = 303, .ack = 100, .ctl = "ACK", .data = "ghi"}, {}, 310ms);
        CHECK(a.conn.vars().rcv_nxt == 303);
        CHECK(a.sent().empty());
    }
    SECTION("an RST is not subject to PAWS (R1: 'if the RST bit is not set')") {
        arrive_with(a, {.seq = 303, .ctl = "RST"}, ts_opt(1, 0), 320ms);
        CHECK(a.state() == "CLOSED");
    }
    SECTION("after 24 days idle TS.Recent is no longer valid (§5.5)") {
        const tcp::instant later = 300ms + std::chrono::hours(24 * 24) + 1s;
        arrive_with(a, {.seq = 303, .ack = 100, .ctl = "ACK", .data = "def"}, ts_opt(7, 0), later);
        CHECK(a.conn.vars().rcv_nxt == 306);
        CHECK(a.conn.vars().paws_drops == 1);
        out = a.sent_raw();
        REQUIRE(out.size() == 1);
        CHECK(out[0].hdr.options.ts->tsecr == 7);
    }
}

TEST_CASE("options: TS.Recent follows SEG.SEQ <= Last.ACK.sent (RFC 7323 §4.3, §5.3 R3)") {
    endpoint_under_test a(99);
    establish_ts(a, 2000);
    // In order: TS.Recent = 2000 -> 2001, ACK 310 echoes it.
    arrive_with(a, {.seq = 300, .ack = 100, .ctl = "ACK", .data = std::string(10, 'a')}, ts_opt(2001, 0), 200ms);
    auto out = a.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(out[0].hdr.ack_number == 310);
    CHECK(out[0].hdr.options.ts->tsecr == 2001);
    // 310..319 lost; 320..329 arrives: SEG.SEQ 320 > Last.ACK.sent 310, so
    // its TSval is not recorded and the duplicate ACK still echoes 2001
    // (§4.3 (2): the RTT seen by the sender then includes the hole).
    arrive_with(a, {.seq = 320, .ack = 100, .ctl = "ACK", .data = std::string(10, 'c')}, ts_opt(2003, 0), 210ms);
    out = a.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(out[0].hdr.ack_number == 310);
    CHECK(out[0].hdr.options.ts->tsecr == 2001);
    // The hole fills: SEG.SEQ 310 <= Last.ACK.sent 310 -> TS.Recent = 2004.
    arrive_with(a, {.seq = 310, .ack = 100, .ctl = "ACK", .data = std::string(10, 'b')}, ts_opt(2004, 0), 220ms);
    out = a.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(out[0].hdr.ack_number == 330);
    CHECK(out[0].hdr.options.ts->tsecr == 2004);
}

TEST_CASE("options: RTT measurement from TSecr (RFC 7323 §4), also for a retransmission") {
    endpoint_under_test a(99);
    const std::uint32_t ts0 = establish_ts(a, 5000, 100ms);  // SYN timed: SRTT 100 ms, RTTVAR 50 ms
    CHECK(a.conn.vars().rtt.srtt == 100ms);
    REQUIRE(a.conn.send(1s, wirekit::as_bytes(std::string(100, 'x'))));
    auto out = a.sent_raw();
    REQUIRE(out.size() == 1);
    // §5.4: the clock ticks once per ms: 1000 ticks after the SYN at 0 s.
    CHECK(out[0].hdr.options.ts->tsval == ts0 + 1000);
    arrive_with(a, {.seq = 300, .ack = 200, .ctl = "ACK"}, ts_opt(5001, ts0 + 1000), 1300ms);
    // R = 300 ms, ExpectedSamples = ceil(100 / (2 * 1448)) = 1:
    // RTTVAR = 3/4 * 50 + 1/4 * |100 - 300| = 87.5 ms; SRTT = 7/8 * 100 + 1/8 * 300 = 125 ms.
    CHECK(a.conn.vars().rtt.srtt == 125ms);
    CHECK(a.conn.vars().rtt.rttvar == 87500us);

    // A retransmitted segment is timed too: its TSval names the transmission
    // the ACK answers, so Karn's rule is not needed (§4.1).
    REQUIRE(a.conn.send(2s, wirekit::as_bytes(std::string(100, 'y'))));
    (void)a.sent_raw();
    a.conn.on_timer(3s);  // RTO: 125 + 4 * 87.5 = 475 ms, raised to 1 s
    out = a.sent_raw();
    REQUIRE(out.size() == 1);
    CHECK(out[0].hdr.seq_number == 200);
    CHECK(out[0].hdr.options.ts->tsval == ts0 + 3000);
    arrive_with(a, {.seq = 300, .ack = 300, .ctl = "ACK"}, ts_opt(5002, ts0 + 3000), 3050ms);
    // R = 50 ms: RTTVAR = 3/4 * 87.5 + 1/4 * 75 = 84.375 ms; SRTT = 7/8 * 125 + 1/8 * 50 = 115.625 ms.
    CHECK(a.conn.vars().rtt.srtt == 115625us);
    CHECK(a.conn.vars().rtt.rttvar == 84375us);
}

// ---------------------------------------------------------------------------
// SACK blocks sent (RFC 2018 §4, the examples of §5)

namespace {
/// A active (ISS 99), peer ISS 4999, so RCV.NXT = 5000 as in RFC 2018 §5.
void establish_sack(endpoint_under_test& a, bool timestamps) {
    auto& c = a.conn.vars_for_testing().cfg;
    c.timestamps = timestamps;
    c.window_scale = false;
    REQUIRE(a.conn.open(0s, true, a.peer()));
    (void)a.sent();
    opts o;
    o.sack_permitted = true;
    if (timestamps) o.ts = wirekit::tcp::timestamps{1, 1};
    arrive_with(a, {.seq = 4999, .ack = 100, .ctl = "SYN", .mss = 1460}, o, 10ms);
    REQUIRE(a.state() == "ESTABLISHED");
    REQUIRE(a.conn.status().sack);
    (void)a.sent();
}
/// The 500-byte segment at `seq` arrives; returns "ACK a b-c d-e ..." of the answer.
std::string sack_answer(endpoint_under_test& a, std::uint32_t seq, bool timestamps) {
    arrive_with(a, {.seq = seq, .ack = 100, .ctl = "ACK", .data = std::string(500, 's')},
                timestamps ? ts_opt(2, 1) : opts{}, 20ms);
    const auto out = a.sent_raw();
    REQUIRE(out.size() == 1);
    std::string t = fmt::format("ACK {}", out[0].hdr.ack_number);
    for (std::size_t i = 0; i < out[0].hdr.options.sack_count; ++i)
        t += fmt::format(" {}-{}", out[0].hdr.options.sack[i].left, out[0].hdr.options.sack[i].right);
    return t;
}
}  // namespace

TEST_CASE("options: SACK blocks as in RFC 2018 §5") {
    for (bool timestamps : {false, true}) {
        DYNAMIC_SECTION("timestamps " << timestamps) {
            endpoint_under_test a(99);
            establish_sack(a, timestamps);
            SECTION("case 2: the first segment is dropped") {
                CHECK(sack_answer(a, 5500, timestamps) == "ACK 5000 5500-6000");
                CHECK(sack_answer(a, 6000, timestamps) == "ACK 5000 5500-6500");
                CHECK(sack_answer(a, 6500, timestamps) == "ACK 5000 5500-7000");
                CHECK(sack_answer(a, 7000, timestamps) == "ACK 5000 5500-7500");
                CHECK(sack_answer(a, 7500, timestamps) == "ACK 5000 5500-8000");
                CHECK(sack_answer(a, 8000, timestamps) == "ACK 5000 5500-8500");
                CHECK(sack_answer(a, 8500, timestamps) == "ACK 5000 5500-9000");
            }
            SECTION("case 3: the 2nd, 4th, 6th and 8th segments are dropped") {
                CHECK(sack_answer(a, 5000, timestamps) == "ACK 5500");
                CHECK(sack_answer(a, 6000, timestamps) == "ACK 5500 6000-6500");
                CHECK(sack_answer(a, 7000, timestamps) == "ACK 5500 7000-7500 6000-6500");
                CHECK(sack_answer(a, 8000, timestamps) == "ACK 5500 8000-8500 7000-7500 6000-6500");
                // "Suppose that the fourth packet is received out of order."
                CHECK(sack_answer(a, 6500, timestamps) == "ACK 5500 6000-7500 8000-8500");
                // "Suppose at this point, the 2nd segment is received."
                CHECK(sack_answer(a, 5500, timestamps) == "ACK 7500 8000-8500");
            }
            SECTION("at most 4 blocks without timestamps, 3 beside TSopt (40 bytes of options)") {
                for (std::uint32_t k = 0; k < 5; ++k) (void)sack_answer(a, 5500 + 1000 * k, timestamps);
                const std::string want = timestamps ? "ACK 5000 9500-10000 8500-9000 7500-8000"
                                                    : "ACK 5000 9500-10000 8500-9000 7500-8000 6500-7000";
                CHECK(sack_answer(a, 9500, timestamps) == want);  // (a duplicate: same blocks)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// SACK used by the sender (RFC 6675)

namespace {
struct sender_run {
    std::vector<std::uint32_t> retransmitted;  ///< sequence numbers sent again
    tcp::cc_state after_recovery{};
};
/// A sends ten 1000-byte segments; the peer loses the 2nd and 5th and
/// acknowledges the rest as a receiver does (with SACK blocks when
/// permitted); then the retransmissions are acknowledged.
sender_run lose_two_of_ten(bool sack) {
    endpoint_under_test a(99);
    auto& c = a.conn.vars_for_testing().cfg;
    c.timestamps = false;
    c.window_scale = false;
    c.sack = sack;
    REQUIRE(a.conn.open(0s, true, a.peer()));
    (void)a.sent();
    opts o;
    o.sack_permitted = true;
    arrive_with(a, {.seq = 299, .ack = 100, .ctl = "SYN", .mss = 1000}, o, 10ms);
    REQUIRE(a.state() == "ESTABLISHED");
    REQUIRE(a.conn.status().sack == sack);
    (void)a.sent();
    a.conn.vars_for_testing().cwnd = 10000;  // ten segments in flight at once
    REQUIRE(a.conn.send(20ms, wirekit::as_bytes(std::string(10000, 'z'))));
    const auto first = a.sent_raw();
    REQUIRE(first.size() == 10);
    // The receiver holds segments 3, 4 and 6..10 out of order (seq 1100.., 1400..).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> held;
    auto add = [&](std::uint32_t l, std::uint32_t r) {
        for (auto& h : held)
            if (h.second == l) {
                h.second = r;
                return h;
            }
        held.emplace_back(l, r);
        return held.back();
    };
    std::vector<std::uint32_t> rexmit;
    auto collect = [&] {
        for (const auto& s : a.sent_raw())
            if (!s.payload.empty() && wirekit::fsm::tcp::seq_lt(s.hdr.seq_number, a.conn.vars().snd_max)) rexmit.push_back(s.hdr.seq_number);
    };
    arrive_with(a, {.seq = 300, .ack = 1100, .ctl = "ACK"}, {}, 60ms);  // segment 1
    collect();
    for (int k : {3, 4, 6, 7, 8, 9, 10}) {
        const std::uint32_t l = 100 + 1000 * static_cast<std::uint32_t>(k - 1);
        const auto blk = add(l, l + 1000);
        opts so;
        if (sack) {  // most recent block first (RFC 2018 §4)
            so.sack_count = 0;
            so.sack[so.sack_count++] = {blk.first, blk.second};
            for (auto it = held.rbegin(); it != held.rend() && so.sack_count < 4; ++it)
                if (it->first != blk.first) so.sack[so.sack_count++] = {it->first, it->second};
        }
        arrive_with(a, {.seq = 300, .ack = 1100, .ctl = "ACK"}, so, 60ms + 1ms * k);
        collect();
    }
    rexmit.push_back(0);  // (marks the partial ACK below)
    // The retransmitted 2nd segment arrives: ACK up to the 5th (held 3, 4).
    opts so;
    if (sack) {
        so.sack_count = 1;
        so.sack[0] = {5100, 10100};
    }
    arrive_with(a, {.seq = 300, .ack = 4100, .ctl = "ACK"}, so, 100ms);
    collect();
    arrive_with(a, {.seq = 300, .ack = 10100, .ctl = "ACK"}, {}, 140ms);
    collect();
    return {rexmit, a.conn.congestion_state()};
}
}  // namespace

TEST_CASE("options: SACK recovery retransmits exactly the holes (RFC 6675)") {
    const auto with = lose_two_of_ten(true);
    // Segment 2 (seq 1100) at the third duplicate ACK; segment 5 (seq 4100)
    // as soon as IsLost(4100): three SACKed segments above it (6, 7, 8) are
    // more than (DupThresh - 1) * SMSS bytes. Both before the partial ACK
    // (0 in the list), and nothing that was SACKed is sent again.
    CHECK(with.retransmitted == std::vector<std::uint32_t>{1100, 4100, 0});
    // The ACK that ends recovery covers everything sent: FlightSize 0, so
    // cwnd = min(ssthresh, SMSS + SMSS) < ssthresh and, by RFC 5681 §3.1
    // (slow start while cwnd < ssthresh), recovery ends in slow start.
    CHECK(with.after_recovery == tcp::cc_state::slow_start);
    // NewReno (no SACK) also retransmits both holes, but the second only
    // after the partial ACK of the first (RFC 6582 §3.2 step 4): one round trip later.
    const auto without = lose_two_of_ten(false);
    CHECK(without.retransmitted == std::vector<std::uint32_t>{1100, 0, 4100});
    CHECK(without.after_recovery == tcp::cc_state::slow_start);
}

// ---------------------------------------------------------------------------
// Whole transfers over io::memory_pipe

namespace {
std::vector<std::byte> pattern(std::size_t n, std::uint64_t seed) {
    std::vector<std::byte> v(n);
    std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (auto& b : v) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = std::byte(x & 0xff);
    }
    return v;
}

struct transfer_result {
    bool intact = false;
    tcp::instant finished{};
    std::uint64_t retransmissions = 0;  ///< A's timeouts plus fast/SACK retransmissions
    std::uint64_t resent_segments = 0;  ///< data segments A sent below its highest sequence number sent (on the wire)
    std::uint64_t timeouts = 0;         ///< A's retransmission timeouts
    std::uint32_t max_snd_wnd = 0;      ///< largest send window A saw, bytes
    bool sack = false, timestamps = false;
    std::uint8_t snd_wscale = 0;
};

/// A sends `bytes` to B (which reads at once) over a memory_pipe with `imp`
/// both ways, then both close.
transfer_result transfer(const wirekit::io::impairments& imp, std::size_t bytes, std::uint64_t seed, bool options,
                         std::size_t buffer, tcp::instant limit) {
    wirekit::io::pipe_config pc;
    pc.seed = seed;
    pc.a_to_b = imp;
    pc.b_to_a = imp;
    wirekit::io::memory_pipe pipe(pc);
    tcp::config ca = endpoint_under_test::make_config(std::nullopt, true, buffer);
    tcp::config cb = endpoint_under_test::make_config(std::nullopt, false, buffer);
    for (auto* c : {&ca, &cb}) {
        c->msl = 1s;
        c->send_buffer = buffer;
        c->window_scale = c->timestamps = c->sack = options;
        // Segment counts below were measured without Nagle (RFC 1122
        // §4.2.3.4, added later by tcp-flow); Nagle coalesces the small
        // segments NewReno sends after recovery, which changes what a
        // "resent segment" counts (NewReno 106 -> 95 with it, SACK 96 both).
        c->nodelay = true;
    }
    tcp::connection a(ca), b(cb);
    const auto data = pattern(bytes, seed);
    std::vector<std::byte> got;
    std::size_t sent = 0;
    bool a_closed = false, b_closed = false;
    transfer_result r;

    std::optional<std::uint32_t> a_high;
    auto flush = [&](tcp::connection& c, wirekit::io::memory_pipe::end& dev) {
        std::array<std::byte, 1600> buf{};
        while (auto s = c.poll_transmit()) {
            if (&c == &a && !s->payload.empty()) {
                const std::uint32_t end = s->hdr.seq_number + static_cast<std::uint32_t>(s->payload.size());
                if (a_high && wirekit::fsm::tcp::seq_lt(s->hdr.seq_number, *a_high)) ++r.resent_segments;
                if (!a_high || wirekit::fsm::tcp::seq_gt(end, *a_high)) a_high = end;
            }
            auto n = s->emit(buf);
            REQUIRE(n);
            REQUIRE(dev.transmit(wirekit::bytes_view(buf).first(*n)));
        }
    };
    auto deliver = [&](tcp::connection& c, wirekit::io::memory_pipe::end& dev, tcp::instant now) {
        for (;;) {
            auto f = dev.receive();
            REQUIRE(f);
            if (!f->has_value()) break;
            const auto bytes_in = (*f)->data;
            auto v = wirekit::tcp::segment::checked(bytes_in);
            if (!v) continue;
            const auto local = c.vars().cfg.local.addr;
            const auto remote = local == addr_a ? addr_b : addr_a;
            auto h = wirekit::tcp::repr::parse(*v, wirekit::ipv4_pseudo{remote, local});
            if (!h) continue;
            tcp::segment_in in;
            in.src_addr = remote;
            in.dst_addr = local;
            in.hdr = *h;
            in.payload = bytes_in.subspan(v->header_length());
            c.on_segment(now, in);
        }
    };

    tcp::instant now{0};
    REQUIRE(b.open(now, false));
    REQUIRE(a.open(now, true, tcp::endpoint{addr_b, port_b}));
    flush(a, pipe.a());
    while (now <= limit) {
        pipe.set_time(std::chrono::duration_cast<wirekit::io::timestamp>(now));
        deliver(a, pipe.a(), now);
        deliver(b, pipe.b(), now);
        for (auto* c : {&a, &b})
            if (auto d = c->next_deadline(); d && *d <= now) c->on_timer(now);
        if (a.current() == tcp::state::established || a.current() == tcp::state::close_wait) {
            if (sent < data.size()) sent += a.send(now, wirekit::bytes_view(data).subspan(sent)).value_or(0);
            if (sent == data.size() && !a_closed) a_closed = a.close(now).has_value();
        }
        std::vector<std::byte> buf(1 << 16);
        for (;;) {
            auto n = b.receive(now, buf);
            if (!n || *n == 0) break;
            got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        if (b.current() == tcp::state::close_wait && !b_closed) b_closed = b.close(now).has_value();
        std::array<std::byte, 16> sink{};
        (void)a.receive(now, sink);
        r.max_snd_wnd = std::max(r.max_snd_wnd, a.status().snd_wnd);
        if (a.status().st == tcp::state::established) {
            r.sack = a.status().sack;
            r.timestamps = a.status().timestamps;
            r.snd_wscale = a.status().snd_wscale;
        }
        flush(a, pipe.a());
        flush(b, pipe.b());
        if (a.current() == tcp::state::closed && b.current() == tcp::state::closed) break;
        std::optional<tcp::instant> next;
        auto consider = [&](std::optional<tcp::instant> t) {
            if (t && (!next || *t < *next)) next = t;
        };
        if (auto d = pipe.next_delivery()) consider(std::chrono::ceil<tcp::instant>(*d));
        consider(a.next_deadline());
        consider(b.next_deadline());
        if (!next) break;
        now = std::max(*next, now + 1us);
    }
    r.finished = now;
    r.intact = got == data;
    r.retransmissions = a.vars().retransmissions + a.vars().fast_retransmits;
    r.timeouts = a.vars().retransmissions;
    CHECK(a.current() == tcp::state::closed);
    CHECK(b.current() == tcp::state::closed);
    return r;
}
}  // namespace

TEST_CASE("options: under loss, SACK recovery resends less than NewReno") {
    // 512 KiB one way at 3% loss both ways (ACKs too), eight seeds each.
    std::uint64_t with_sack = 0, without = 0, to_sack = 0, to_without = 0;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        INFO("seed " << seed);
        wirekit::io::impairments imp;
        imp.loss = 0.03;
        imp.delay = 10ms;
        const auto s = transfer(imp, 512 * 1024, seed, true, 65535, std::chrono::hours(1));
        const auto n = transfer(imp, 512 * 1024, seed, false, 65535, std::chrono::hours(1));
        CHECK(s.intact);
        CHECK(n.intact);
        CHECK(s.sack);
        CHECK_FALSE(n.sack);
        with_sack += s.resent_segments;
        without += n.resent_segments;
        to_sack += s.timeouts;
        to_without += n.timeouts;
        if (std::getenv("WIREKIT_SIM_TRACE"))
            fmt::print("seed {}: SACK {} resent, {} RTOs, {} us; NewReno {} resent, {} RTOs, {} us\n", seed, s.resent_segments,
                       s.timeouts, s.finished.count(), n.resent_segments, n.timeouts, n.finished.count());
    }
    if (std::getenv("WIREKIT_SIM_TRACE"))
        fmt::print("resent segments: SACK {}, NewReno {}; RTOs: SACK {}, NewReno {}\n", with_sack, without, to_sack, to_without);
    // Fewer segments sent twice, and far fewer timeouts: recovery repairs
    // several holes per round trip instead of one (or an RTO). On these
    // seeds: 96 vs 106 resent segments, 12 vs 24 RTOs.
    CHECK(with_sack < without);
    CHECK(to_sack < to_without);
}

TEST_CASE("options: 10 MiB with window scaling and a 1 MiB receive buffer arrives intact") {
    wirekit::io::impairments imp;
    imp.loss = 0.002;
    imp.delay = 10ms;
    const auto r = transfer(imp, 10 << 20, 3, true, 1 << 20, std::chrono::hours(1));
    CHECK(r.intact);
    CHECK(r.snd_wscale == 5);
    CHECK(r.timestamps);
    CHECK(r.sack);
    CHECK(r.max_snd_wnd > 65535);      // the window really grew past 16 bits
    CHECK(r.max_snd_wnd <= (1u << 20));  // and never past the buffer
    // 10 MiB through a 1 MiB window at 20 ms RTT: about 10 round trips once
    // the window is open; loss recovery and slow start add a few seconds.
    CHECK(r.finished < tcp::instant(60s));
    if (std::getenv("WIREKIT_SIM_TRACE"))
        fmt::print("10 MiB: finished at {} us, {} retransmissions, max snd_wnd {}\n", r.finished.count(), r.retransmissions,
                   r.max_snd_wnd);
}

// ---------------------------------------------------------------------------
// A real Linux SYN (tests/data/http-big.pcap: curl on Linux to nginx)

TEST_CASE("options: a listening connection answers the Linux SYN of http-big.pcap") {
    // Frames 2 (SYN), 4 (ACK) and 5 (the GET request) come from the Linux
    // client 10.66.0.1:42982. Wireshark (tshark -V) decodes the SYN as
    // MSS 1460, SACK permitted, TSval 743180581, TSecr 0, window scale 10
    // (multiply by 1024), window 64240; frame 4 as window 63, "calculated
    // window size: 64512"; frame 5 as 80 bytes with TSval 743180581.
    const auto frames = wirekit::test::read_pcap("http-big.pcap");
    REQUIRE(frames.size() > 5);
    auto segment_of = [&](std::size_t frame_number, std::vector<std::byte>& keep) {
        keep = frames[frame_number - 1].data;
        auto d = wirekit::dissect(wirekit::bytes_view(keep));
        REQUIRE(d);
        REQUIRE(d->ipv4);
        REQUIRE(d->tcp);
        const auto src = d->ipv4->src_addr(), dst = d->ipv4->dst_addr();
        auto h = wirekit::tcp::repr::parse(*d->tcp, wirekit::ipv4_pseudo{src, dst});
        REQUIRE(h);
        tcp::segment_in in;
        in.src_addr = src;
        in.dst_addr = dst;
        in.hdr = *h;
        in.payload = d->tcp->bytes().subspan(d->tcp->header_length());
        return in;
    };
    tcp::config c;
    c.local = {wirekit::ipv4_address::of(10, 66, 0, 2), 80};
    c.fixed_iss = 1477006170;  // the server's ISS in frame 3, so the client's ACKs fit
    c.receive_buffer = 1 << 20;
    // Linux acknowledges the first data segments of a new connection at once
    // (its quick-ACK mode); wirekit's delayed ACK (RFC 1122 §4.2.3.2) would
    // hold this ACK for up to ack_delay, so it is off here.
    c.delayed_ack = false;
    tcp::connection srv(c);
    REQUIRE(srv.open(0s, false));
    std::vector<std::byte> k2, k4, k5;
    const auto syn = segment_of(2, k2);
    CHECK(syn.hdr.options.window_scale == std::optional<std::uint8_t>(10));
    CHECK(syn.hdr.options.ts->tsval == 743180581u);
    CHECK(syn.hdr.options.sack_permitted);
    srv.on_segment(1s, syn);
    auto synack = srv.poll_transmit();
    REQUIRE(synack);
    CHECK(synack->hdr.flags.syn);
    CHECK(synack->hdr.flags.ack);
    CHECK(synack->hdr.ack_number == 772875446u);  // the client's ISS + 1
    CHECK(synack->hdr.options.mss == std::optional<std::uint16_t>(1460));
    CHECK(synack->hdr.options.window_scale == std::optional<std::uint8_t>(5));  // 2^20 >> 5 fits 16 bits
    CHECK(synack->hdr.options.sack_permitted);
    REQUIRE(synack->hdr.options.ts);
    CHECK(synack->hdr.options.ts->tsecr == 743180581u);  // RFC 7323 §3.2: echo of the SYN's TSval
    CHECK(synack->hdr.window == 65535);                  // unscaled in a SYN,ACK
    CHECK(srv.status().snd_wscale == 10);
    CHECK(srv.status().snd_wnd == 64240);  // the SYN's window, unscaled (§2.2)
    CHECK(srv.status().timestamps);
    CHECK(srv.status().sack);

    srv.on_segment(1001ms, segment_of(4, k4));
    CHECK(srv.current() == tcp::state::established);
    CHECK(srv.status().snd_wnd == 64512);  // Wireshark's calculated window: 63 << 10

    srv.on_segment(1002ms, segment_of(5, k5));
    std::array<std::byte, 200> buf{};
    auto n = srv.receive(1002ms, buf);
    REQUIRE(n);
    REQUIRE(*n == 80);
    CHECK(std::string(reinterpret_cast<const char*>(buf.data()), 4) == "GET ");
    auto ack = srv.poll_transmit();
    REQUIRE(ack);
    CHECK(ack->hdr.ack_number == 772875526u);  // = frame 6's ACK from the real server
    REQUIRE(ack->hdr.options.ts);
    CHECK(ack->hdr.options.ts->tsecr == 743180581u);  // = frame 6's TSecr from the real server
}

TEST_CASE("options: as the receiver of tcp-lossy.pcap, the ACKs and SACK blocks match Linux's") {
    // tests/data/tcp-lossy.pcap: a 400 KB download to a Linux client
    // (10.66.0.1) through a queue that drops segments; the capture was taken
    // at the client. A wirekit connection plays the client: it opens with
    // the client's ISS, sends the same 80-byte request, and receives the
    // server's segments in capture order. Whenever the real client sent a
    // pure ACK, wirekit's latest ACK must carry the same acknowledgment
    // number and, where Linux sent SACK blocks (no D-SACK, RFC 2883), the
    // same blocks in the same order (RFC 2018 §4).
    const auto frames = wirekit::test::read_pcap("tcp-lossy.pcap");
    struct parsed {
        bool from_client = false;
        tcp::segment_in in;
        std::vector<std::byte> bytes;
    };
    std::vector<parsed> segs;
    for (const auto& f : frames) {
        auto d = wirekit::dissect(wirekit::bytes_view(f.data));
        if (!d || !d->ipv4 || !d->tcp) continue;
        parsed p;
        p.bytes = f.data;
        auto d2 = wirekit::dissect(wirekit::bytes_view(p.bytes));
        REQUIRE(d2);
        const auto src = d2->ipv4->src_addr(), dst = d2->ipv4->dst_addr();
        auto h = wirekit::tcp::repr::parse(*d2->tcp, wirekit::ipv4_pseudo{src, dst});
        REQUIRE(h);
        p.from_client = src == wirekit::ipv4_address::of(10, 66, 0, 1);
        p.in.src_addr = src;
        p.in.dst_addr = dst;
        p.in.hdr = *h;
        p.in.payload = d2->tcp->bytes().subspan(d2->tcp->header_length());
        segs.push_back(std::move(p));
        segs.back().in.payload = wirekit::tcp::segment::checked(wirekit::bytes_view(segs.back().bytes).subspan(
                                                                     d2->transport_offset))
                                     ->payload();
    }
    REQUIRE(segs.size() > 100);
    REQUIRE(segs[0].from_client);
    REQUIRE(segs[0].in.hdr.flags.syn);
    tcp::config c;
    c.local = {wirekit::ipv4_address::of(10, 66, 0, 1), segs[0].in.hdr.src_port};
    c.fixed_iss = segs[0].in.hdr.seq_number;
    c.receive_buffer = 8 << 20;
    // The Linux client acknowledged every segment (frames 8, 10, 12, ...:
    // one pure ACK per 1448-byte segment, its quick-ACK mode), so wirekit's
    // delayed ACK (RFC 1122 §4.2.3.2, one ACK per two segments) is off here.
    c.delayed_ack = false;
    tcp::connection cli(c);
    REQUIRE(cli.open(0s, true, tcp::endpoint{wirekit::ipv4_address::of(10, 66, 0, 2), segs[0].in.hdr.dst_port}));
    std::optional<tcp::segment_out> last_ack;
    auto drain = [&] {
        while (auto s = cli.poll_transmit())
            if (!s->hdr.flags.syn) last_ack = std::move(*s);
    };
    drain();
    std::size_t compared = 0, compared_sack = 0;
    std::vector<std::byte> sink(1 << 20);
    tcp::instant now = 1s;
    for (std::size_t i = 1; i < segs.size(); ++i) {
        now += 100us;
        const auto& p = segs[i];
        if (!p.from_client) {
            cli.on_segment(now, p.in);
            while (cli.receive(now, sink).value_or(0) > 0) {
            }
            drain();
            continue;
        }
        if (!p.in.payload.empty()) {  // the request: wirekit sends the same bytes
            REQUIRE(cli.send(now, p.in.payload));
            drain();
            continue;
        }
        if (p.in.hdr.flags.fin) {  // the client closes: so does wirekit
            REQUIRE(cli.close(now));
            drain();
            continue;
        }
        if (p.in.hdr.flags.syn || !last_ack) continue;
        INFO("segment " << i + 1 << " of the capture");
        CHECK(last_ack->hdr.ack_number == p.in.hdr.ack_number);
        ++compared;
        const auto& lo = p.in.hdr.options;
        if (lo.sack_count && !wirekit::fsm::tcp::seq_lt(lo.sack[0].left, p.in.hdr.ack_number)) {
            const auto& wo = last_ack->hdr.options;
            REQUIRE(wo.sack_count == lo.sack_count);
            for (std::size_t k = 0; k < lo.sack_count; ++k) {
                CHECK(wo.sack[k].left == lo.sack[k].left);
                CHECK(wo.sack[k].right == lo.sack[k].right);
            }
            ++compared_sack;
        }
    }
    if (std::getenv("WIREKIT_SIM_TRACE")) fmt::print("tcp-lossy: {} ACKs compared, {} with SACK blocks\n", compared, compared_sack);
    CHECK(compared > 100);
    CHECK(compared_sack > 50);
    CHECK(cli.current() == tcp::state::time_wait);  // FIN sent, the server's FIN acknowledged
}
