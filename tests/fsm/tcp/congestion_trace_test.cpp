// Congestion-control traces from the simulation (sim.hpp): A sends a bulk
// stream to B over a clean 10 ms link (RTT 20 ms, no serialisation delay,
// so each round trip's ACKs arrive together), with segments dropped on
// purpose. The shape of cwnd over time is asserted against RFC 5681 and
// RFC 6582, with the loss response's FlightSize measured on the wire (from
// the segments A transmitted and the ACKs it received), not read from the TCB.
#include "script.hpp"
#include "sim.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace sim = wirekit::test::tcp_sim;
namespace tcp = wirekit::fsm::tcp;
using namespace std::chrono_literals;

namespace {

constexpr std::uint32_t smss = 1460;
constexpr tcp::duration rtt = 20ms;

/// One scripted run: A sends 2 MiB; the data segments at the given offsets
/// (bytes from the first data byte) are dropped the first time they are sent.
/// Both ends run the textbook configuration of RFC 5681's figures: every
/// segment ACKed (no delayed ACK), no SACK (RFC 6675 recovery has its own
/// shape, tested in options_test.cpp), no timestamps (so each segment
/// carries a full SMSS of 1460 bytes).
template <class Connection = tcp::connection>
struct basic_scripted_run {
    sim::outcome r;
    std::vector<std::pair<tcp::instant, std::uint32_t>> retransmitted;  ///< (time, offset) of resends of dropped segments
    struct entry {
        tcp::instant t;
        std::uint32_t flight;    ///< FlightSize on the wire when the third duplicate ACK arrived
        std::uint32_t ssthresh;  ///< after it
        std::uint32_t cwnd;
    };
    std::vector<entry> recoveries;  ///< each entry into fast recovery

    /// `drop_last`: also drop the segment that ends the stream (once).
    explicit basic_scripted_run(std::set<std::uint32_t> drop_offsets, bool drop_last = false) {
        sim::settings s;
        s.configure = [](char, tcp::config& c) {
            c.delayed_ack = false;
            c.sack = false;
            c.timestamps = false;
        };
        s.seed = 1;
        s.a_to_b.delay = s.b_to_a.delay = 10ms;
        s.a.send_bytes = 2u << 20;
        s.trace_congestion = true;
        sim::basic_simulation<Connection> run(s);
        using endpoint = typename sim::basic_simulation<Connection>::endpoint;
        std::set<std::uint32_t> dropped;
        std::uint32_t wire_snd_max = 0, wire_una = 0;  // relative to A's first data byte
        run.drop = [&](const endpoint& from, const tcp::segment_out& seg) {
            if (from.name != 'A' || seg.payload.empty()) return false;
            const std::uint32_t off = seg.hdr.seq_number - from.conn.vars().iss - 1;
            wire_snd_max = std::max<std::uint32_t>(wire_snd_max, off + static_cast<std::uint32_t>(seg.payload.size()));
            if (dropped.count(off)) retransmitted.emplace_back(run.now(), off);
            const bool is_last = off + seg.payload.size() == s.a.send_bytes;
            if ((drop_offsets.count(off) || (drop_last && is_last)) && !dropped.count(off)) {
                dropped.insert(off);
                return true;
            }
            return false;
        };
        tcp::cc_state before = tcp::cc_state::slow_start;
        std::uint32_t flight_before = 0;
        run.before_segment = [&](endpoint& to, const tcp::segment_in& seg, tcp::instant) {
            if (to.name != 'A' || !seg.hdr.flags.ack) return;
            const std::uint32_t ack = seg.hdr.ack_number - to.conn.vars().iss - 1;
            if (ack != 0xffffffffu && ack > wire_una) wire_una = ack;
            before = to.conn.congestion_state();
            flight_before = wire_snd_max - wire_una;
        };
        run.after_segment = [&](endpoint& to, const tcp::segment_in&, tcp::instant t) {
            if (to.name != 'A') return;
            if (before != tcp::cc_state::fast_recovery && to.conn.congestion_state() == tcp::cc_state::fast_recovery)
                recoveries.push_back({t, flight_before, to.conn.vars().ssthresh, to.conn.vars().cwnd});
        };
        r = run.run();
        REQUIRE(r.error.empty());
        REQUIRE(r.a_to_b.intact(2u << 20));
    }

    /// cwnd after everything that happened at time t (the last sample at or before t).
    [[nodiscard]] std::uint32_t cwnd_at(tcp::instant t) const { return sample_at(t).cwnd; }
    [[nodiscard]] const sim::cwnd_sample& sample_at(tcp::instant t) const {
        auto it = std::upper_bound(r.congestion_a.begin(), r.congestion_a.end(), t,
                                   [](tcp::instant x, const sim::cwnd_sample& s) { return x < s.t; });
        REQUIRE(it != r.congestion_a.begin());
        return *std::prev(it);
    }
};
using scripted_run = basic_scripted_run<>;

}  // namespace

TEST_CASE("congestion trace: slow start doubles cwnd per RTT, a loss halves it, then about one SMSS per RTT") {
    // The 31st data segment (offset 30 * SMSS) is lost. It belongs to the
    // fourth round of slow start, so three duplicate ACKs announce it.
    const scripted_run run({30 * smss});
    REQUIRE_FALSE(run.r.congestion_a.empty());

    // Slow start (RFC 5681 §3.1): IW = 3 SMSS for SMSS 1460 (eq. 1), and
    // cwnd += SMSS per ACK of a full segment, so cwnd doubles each round
    // trip. Rounds end at 20, 40, 60 and 80 ms (the handshake takes the first).
    CHECK(run.cwnd_at(20ms + 0 * rtt) == 3 * smss);
    for (int k = 1; k <= 3; ++k) {
        INFO("round " << k);
        CHECK(run.cwnd_at(tcp::instant(20ms + k * rtt)) == 2 * run.cwnd_at(tcp::instant(20ms + (k - 1) * rtt)));
        CHECK(run.sample_at(tcp::instant(20ms + k * rtt)).state == tcp::cc_state::slow_start);
    }

    // Fast retransmit (RFC 5681 §3.2): at the third duplicate ACK, one
    // recovery; ssthresh = max(FlightSize / 2, 2 SMSS) with FlightSize as
    // seen on the wire; cwnd = ssthresh + 3 SMSS; the lost segment is sent
    // again in that same instant, before any timeout.
    REQUIRE(run.recoveries.size() == 1);
    const auto& e = run.recoveries.front();
    CHECK(e.flight > 10 * smss);
    CHECK(e.ssthresh == std::max(e.flight / 2, 2 * smss));
    CHECK(e.cwnd == e.ssthresh + 3 * smss);
    REQUIRE(run.retransmitted.size() == 1);
    CHECK(run.retransmitted.front().first == e.t);
    CHECK(run.r.timeouts == 0);
    CHECK(run.r.fast_retransmits == 1);

    // After recovery: cwnd no larger than ssthresh (RFC 6582 §3.2 step 5),
    // then congestion avoidance (RFC 5681 eq. 3: SMSS*SMSS/cwnd per ACK)
    // adds about one SMSS per round trip, while cwnd (not the 65535-byte
    // receive window) limits the sender. The sum over a round's
    // floor(cwnd/SMSS) ACKs, each computed with a growing cwnd and rounded
    // down, is a little under SMSS; the round boundaries of the trace
    // (whole 20 ms steps) move it a little either way.
    auto it = std::find_if(run.r.congestion_a.begin(), run.r.congestion_a.end(), [&](const sim::cwnd_sample& s) {
        return s.t > e.t && s.state != tcp::cc_state::fast_recovery;
    });
    REQUIRE(it != run.r.congestion_a.end());
    CHECK(it->cwnd <= it->ssthresh);
    CHECK(it->ssthresh == e.ssthresh);
    int rounds = 0;
    for (tcp::instant t = it->t; run.cwnd_at(t + rtt) < 60000; t += rtt) {
        const auto& s0 = run.sample_at(t);
        if (s0.cwnd < s0.ssthresh) continue;  // still below ssthresh (slow start's territory)
        const auto& s1 = run.sample_at(t + rtt);
        INFO("t = " << t.count() << " us, cwnd " << s0.cwnd << " -> " << s1.cwnd);
        CHECK(s1.state == tcp::cc_state::congestion_avoidance);
        CHECK(s1.cwnd - s0.cwnd >= smss * 85 / 100);
        CHECK(s1.cwnd - s0.cwnd <= smss * 105 / 100);
        ++rounds;
    }
    CHECK(rounds >= 15);
}

TEST_CASE("congestion trace: NewReno stays in fast recovery across partial ACKs (RFC 6582)") {
    // Three segments of one window are lost: offsets 30, 34 and 38 SMSS.
    // NewReno enters fast recovery once, and each partial ACK (one round
    // trip after the previous retransmission) retransmits the next hole,
    // until the ACK that covers "recover" ends recovery. No timeout, and
    // ssthresh is halved once, not once per loss.
    const scripted_run run({30 * smss, 34 * smss, 38 * smss});
    REQUIRE(run.recoveries.size() == 1);
    const auto& e = run.recoveries.front();
    CHECK(e.ssthresh == std::max(e.flight / 2, 2 * smss));
    CHECK(run.r.timeouts == 0);
    CHECK(run.r.fast_retransmits == 3);
    REQUIRE(run.retransmitted.size() == 3);
    CHECK(run.retransmitted[0] == std::pair{e.t, 30 * smss});
    CHECK(run.retransmitted[1] == std::pair{e.t + rtt, 34 * smss});      // first partial ACK
    CHECK(run.retransmitted[2] == std::pair{e.t + 2 * rtt, 38 * smss});  // second partial ACK
    // From entry until the full ACK (one RTT after the last retransmission):
    // fast recovery throughout, with the same ssthresh.
    for (const auto& s : run.r.congestion_a) {
        if (s.t <= e.t || s.t >= e.t + 3 * rtt) continue;
        INFO("t = " << s.t.count() << " us");
        CHECK(s.state == tcp::cc_state::fast_recovery);
        CHECK(s.ssthresh == e.ssthresh);
    }
    // After the full ACK cwnd = min(ssthresh, FlightSize + SMSS) (RFC 6582
    // §3.2 step 5); when that is below ssthresh, slow start takes over
    // (RFC 5681 §3.1), otherwise congestion avoidance.
    const auto& after = run.sample_at(e.t + 3 * rtt);
    CHECK(after.cwnd <= e.ssthresh);
    CHECK(after.state == (after.cwnd < after.ssthresh ? tcp::cc_state::slow_start : tcp::cc_state::congestion_avoidance));
}

TEST_CASE("congestion trace: Reno leaves fast recovery at the first partial ACK (RFC 5681 §3.2)") {
    // The same three losses under Reno alone: the first new ACK, partial or
    // not, ends fast recovery with cwnd = ssthresh (step 6). The second and
    // third holes are then found again by three more duplicate ACKs (a
    // second halving) or by the retransmission timer: either way more than
    // the one reduction NewReno makes.
    const basic_scripted_run<tcp::basic_connection<tcp::reno>> run({30 * smss, 34 * smss, 38 * smss});
    REQUIRE_FALSE(run.recoveries.empty());
    const auto& e = run.recoveries.front();
    CHECK(e.ssthresh == std::max(e.flight / 2, 2 * smss));
    CHECK(e.cwnd == e.ssthresh + 3 * smss);
    // One RTT after entry the partial ACK arrives: Reno is out of recovery
    // with cwnd = ssthresh.
    const auto& after = run.sample_at(e.t + rtt);
    CHECK(after.state != tcp::cc_state::fast_recovery);
    CHECK(after.cwnd <= e.ssthresh);
    CHECK(run.recoveries.size() + run.r.timeouts >= 2);
    REQUIRE(run.retransmitted.size() >= 3);
}

TEST_CASE("congestion trace: Tahoe falls to one SMSS at the third duplicate ACK and slow-starts (RFC 5681 §3.1-3.2)") {
    // Tahoe has no fast recovery: the third duplicate ACK retransmits the
    // lost segment, sets ssthresh = max(FlightSize / 2, 2 SMSS) and cwnd =
    // 1 SMSS (the loss window), then slow start doubles cwnd per RTT again
    // up to ssthresh.
    const basic_scripted_run<tcp::basic_connection<tcp::tahoe>> run({30 * smss});
    CHECK(run.recoveries.empty());  // never in fast recovery
    REQUIRE(run.retransmitted.size() == 1);
    const tcp::instant at = run.retransmitted.front().first;
    const auto& s = run.sample_at(at);
    CHECK(s.cwnd == smss);
    CHECK(s.state == tcp::cc_state::slow_start);
    CHECK(s.ssthresh >= 5 * smss);  // half of a flight of more than 10 segments
    CHECK(run.r.timeouts == 0);
    // Slow start again: cwnd grows from 1 SMSS, at least doubling per RTT
    // (every segment is ACKed), until it reaches ssthresh.
    std::uint32_t prev = run.cwnd_at(at);
    for (int k = 1; k <= 2; ++k) {
        const auto& sk = run.sample_at(at + k * rtt);
        INFO("round " << k << " after the loss: cwnd " << prev << " -> " << sk.cwnd);
        if (sk.cwnd >= s.ssthresh) break;
        CHECK(sk.cwnd >= 2 * prev);
        CHECK(sk.state == tcp::cc_state::slow_start);
        prev = sk.cwnd;
    }
}

TEST_CASE("congestion trace: a timeout drops cwnd to one SMSS (RFC 5681 §3.1)") {
    // The last data segment of the transfer is lost: nothing follows it, so
    // no duplicate ACKs; the retransmission timer (RFC 6298, 1 s minimum)
    // recovers it. RFC 5681 §3.1: ssthresh = max(FlightSize / 2, 2 SMSS)
    // (eq. 4), cwnd = 1 SMSS (the loss window).
    constexpr std::uint32_t total = 2u << 20;
    const scripted_run run({}, true);
    CHECK(run.r.timeouts == 1);
    CHECK(run.r.fast_retransmits == 0);
    REQUIRE(run.retransmitted.size() == 1);
    const tcp::instant at = run.retransmitted.front().first;
    const auto& s = run.sample_at(at);
    CHECK(s.cwnd == smss);
    CHECK(s.state == tcp::cc_state::slow_start);
    // FlightSize at the timeout: only the lost segment (everything before it was ACKed).
    const std::uint32_t last = run.retransmitted.front().second;
    CHECK(s.ssthresh == std::max((total - last) / 2, 2 * smss));
}
