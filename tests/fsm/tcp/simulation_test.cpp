// Deterministic simulation (sim.hpp): two connections joined by
// io::memory_pipe with seeded impairments, on a virtual clock. Both sides
// send 10 MiB to each other at once and close; the SHA-256 of what each
// application received must equal the SHA-256 of what the other sent, and
// both connections must reach CLOSED within a bounded virtual time.
#include "script.hpp"
#include "sim.hpp"

#include <wirekit/io/pcap.hpp>

#include "support/run_command.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

namespace sim = wirekit::test::tcp_sim;
namespace tcp = wirekit::fsm::tcp;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t mib10 = 10u << 20;

/// The 10 MiB-each-way settings over a link of 10 ms one-way delay (RTT 20 ms).
sim::settings ten_mib(std::uint64_t seed, const wirekit::io::impairments& both) {
    sim::settings s;
    s.seed = seed;
    s.a_to_b = both;
    s.b_to_a = both;
    s.a_to_b.delay = s.b_to_a.delay = 10ms;
    s.a.send_bytes = mib10;
    s.b.send_bytes = mib10;
    s.limit = std::chrono::hours(2);
    return s;
}

double seconds(tcp::instant t) { return static_cast<double>(t.count()) / 1e6; }

void print_outcome(const char* what, const sim::outcome& r) {
    if (!std::getenv("WIREKIT_SIM_TRACE")) return;
    fmt::print(
        "{}: finished {:.3f} s, delivered A->B at {:.3f} s, B->A at {:.3f} s; {} steps, {} segments, {} timeouts, "
        "{} fast retransmits, {} bad checksums, {} zero windows; link a->b lost {} dup {} reord {} corrupt {}\n",
        what, seconds(r.finished), seconds(r.a_to_b.delivered_at.value_or(tcp::instant{-1})),
        seconds(r.b_to_a.delivered_at.value_or(tcp::instant{-1})), r.steps, r.segments, r.timeouts,
        r.fast_retransmits, r.bad_checksum, r.zero_windows, r.a_to_b_link.lost, r.a_to_b_link.duplicated,
        r.a_to_b_link.reordered, r.a_to_b_link.corrupted);
}

/// The checks every transfer must pass: intact in both directions (same
/// SHA-256 and byte count, no differing offset, FIN seen after the data),
/// both ends CLOSED, before `bound` of virtual time.
void check_intact(const sim::outcome& r, tcp::instant bound) {
    INFO("A " << fmt::format("{}", r.a_state) << ", B " << fmt::format("{}", r.b_state) << ", A->B " << r.a_to_b.delivered
              << "/" << r.a_to_b.sent << " B->A " << r.b_to_a.delivered << "/" << r.b_to_a.sent << ", finished at "
              << r.finished.count() << " us");
    CHECK(r.error.empty());
    CHECK(r.a_to_b.sent == mib10);
    CHECK(r.b_to_a.sent == mib10);
    CHECK(r.a_to_b.delivered_sha256 == r.a_to_b.sent_sha256);
    CHECK(r.b_to_a.delivered_sha256 == r.b_to_a.sent_sha256);
    CHECK(r.a_to_b.intact(mib10));
    CHECK(r.b_to_a.intact(mib10));
    CHECK_FALSE(r.a_to_b.first_mismatch.has_value());
    CHECK_FALSE(r.b_to_a.first_mismatch.has_value());
    CHECK(r.both_closed);
    CHECK(r.finished < bound);
}

/// Seconds Padhye et al.'s TCP Reno model ("Modeling TCP Throughput: A
/// Simple Model and its Empirical Validation", SIGCOMM 1998, eq. 32) gives
/// for `bytes` at loss rate p on this link: RTT 20 ms, an ACK per segment
/// (b = 1), T0 = 1 s (RFC 6298's minimum RTO), MSS 1460 bytes and a
/// receive window of 65535 bytes. `timeouts` = false drops the timeout term
/// (for impairments that look like loss to the sender but lose nothing).
double model_seconds(double p, std::size_t bytes, bool timeouts = true) {
    const double rtt = 0.020, t0 = 1.0, b = 1.0, mss = 1460.0, wmax = 65535.0 / mss;
    double per_segment = rtt * std::sqrt(2 * b * p / 3);
    if (timeouts) per_segment += t0 * std::min(1.0, 3 * std::sqrt(3 * b * p / 8)) * p * (1 + 32 * p * p);
    const double rate = per_segment > 0 ? std::min(wmax / rtt, 1 / per_segment) : wmax / rtt;  // segments/s
    return static_cast<double>(bytes) / mss / rate;
}
/// The bound for a lossy run: twice the model's time (seed-to-seed
/// variation, ACK loss, which the model ignores) plus TIME-WAIT (2 s). A
/// recovery that stalls, or a retransmission storm, exceeds it.
tcp::instant model_bound(double p, bool timeouts = true) {
    return tcp::instant(static_cast<std::int64_t>((2 * model_seconds(p, mib10, timeouts) + 2) * 1e6));
}

}  // namespace

TEST_CASE("simulation: the throughput model behind the time bounds") {
    // Window-limited without loss: 65535 bytes per 20 ms round trip.
    CHECK(model_seconds(0, mib10) == Approx(10485760.0 / 65535 * 0.020));
    // eq. 32 by hand at p = 1%: 0.02*sqrt(0.02/3) + 1*3*sqrt(0.03/8)*0.01*1.0032 = 0.0034760 s per segment.
    CHECK(model_seconds(0.01, mib10) == Approx(10485760.0 / 1460 * 0.0034760).epsilon(0.0001));
}

TEST_CASE("simulation: 10 MiB each way, no impairment") {
    const auto r = sim::simulate(ten_mib(1, {}));
    print_outcome("0% loss", r);
    check_intact(r, tcp::instant(6s));
    CHECK(r.timeouts == 0);
    CHECK(r.fast_retransmits == 0);
    // Window-limited: 160 full windows of 65535 bytes at one per 20 ms
    // round trip is 3.2 s; slow start and the handshake add a few rounds.
    CHECK(*r.a_to_b.delivered_at >= tcp::instant(3200ms));
    CHECK(*r.a_to_b.delivered_at < tcp::instant(3500ms));
    CHECK(*r.b_to_a.delivered_at < tcp::instant(3500ms));
}

TEST_CASE("simulation: 10 MiB each way, 1% loss") {
    wirekit::io::impairments imp;
    imp.loss = 0.01;
    const auto r = sim::simulate(ten_mib(2, imp));
    print_outcome("1% loss", r);
    check_intact(r, model_bound(0.01));
    CHECK(r.a_to_b_link.lost > 0);
    CHECK(r.fast_retransmits > 0);
}

TEST_CASE("simulation: 10 MiB each way, 5% loss") {
    wirekit::io::impairments imp;
    imp.loss = 0.05;
    const auto r = sim::simulate(ten_mib(3, imp));
    print_outcome("5% loss", r);
    check_intact(r, model_bound(0.05));
    CHECK(r.a_to_b_link.lost > 0);
    CHECK(r.timeouts > 0);
}

TEST_CASE("simulation: 10 MiB each way, 10% loss") {
    wirekit::io::impairments imp;
    imp.loss = 0.10;
    const auto r = sim::simulate(ten_mib(4, imp));
    print_outcome("10% loss", r);
    check_intact(r, model_bound(0.10));
    CHECK(r.a_to_b_link.lost > 0);
    CHECK(r.timeouts > 0);
}

TEST_CASE("simulation: 10 MiB each way, 10% reordering") {
    // A segment held back 5 ms arrives after the rest of its window: three
    // duplicate ACKs, a (spurious) fast retransmit and a halved cwnd, but
    // nothing is lost, so the bound is the model's without its timeout term.
    wirekit::io::impairments imp;
    imp.reorder = 0.10;
    imp.reorder_delay = 5ms;
    const auto r = sim::simulate(ten_mib(5, imp));
    print_outcome("10% reordering", r);
    check_intact(r, model_bound(0.10, false));
    CHECK(r.a_to_b_link.reordered > 0);
}

TEST_CASE("simulation: 10 MiB each way, 5% duplication") {
    // A duplicate is old data: ACKed again and dropped. Nothing is lost, so
    // the loss-free bound applies.
    wirekit::io::impairments imp;
    imp.duplicate = 0.05;
    const auto r = sim::simulate(ten_mib(6, imp));
    print_outcome("5% duplication", r);
    check_intact(r, tcp::instant(6s));
    CHECK(r.a_to_b_link.duplicated > 0);
}

TEST_CASE("simulation: 10 MiB each way, 1% corruption caught by the checksum") {
    wirekit::io::impairments imp;
    imp.corrupt = 0.01;
    const auto r = sim::simulate(ten_mib(7, imp));
    print_outcome("1% corruption", r);
    // A corrupted segment is a lost one to TCP: the 1% loss bound.
    check_intact(r, model_bound(0.01));
    // The Internet checksum detects every single-bit error (RFC 1071 §1):
    // each frame the pipe corrupted was rejected, and no other frame.
    CHECK(r.a_to_b_link.corrupted > 0);
    CHECK(r.bad_checksum == r.a_to_b_link.corrupted + r.b_to_a_link.corrupted);
}

TEST_CASE("simulation: 10 MiB each way, receivers that read slowly") {
    // A's application reads at most 8 KiB every 10 ms (800 KiB/s, a quarter
    // of what the window allows): B's window hovers near zero. B's reads
    // 64 KiB every 1.5 s, longer than the RTO: B's buffer fills, its window
    // closes, and A probes it with the persist timer (§3.8.6.1) until B reads.
    auto s = ten_mib(8, {});
    s.a.read_bytes = 8192;
    s.a.read_interval = 10ms;
    s.b.read_bytes = 65536;
    s.b.read_interval = 1500ms;
    const auto r = sim::simulate(s);
    print_outcome("slow reader", r);
    // The readers set the pace. B takes at most 65535 bytes (its buffer)
    // per read, so A->B needs 161 reads, the last at 160 x 1.5 s = 240 s;
    // B->A needs 10 MiB / 800 KiB/s = 12.8 s. Bound: 240 s + 5 s (the first
    // read, one round trip and TIME-WAIT).
    check_intact(r, tcp::instant(245s));
    CHECK(*r.a_to_b.delivered_at >= tcp::instant(240s));
    CHECK(*r.b_to_a.delivered_at >= tcp::instant(12800ms));
    CHECK(*r.b_to_a.delivered_at < tcp::instant(14s));
    CHECK(r.zero_windows > 0);
    CHECK(r.timeouts > 0);  // the probes
    CHECK(r.fast_retransmits == 0);
}

TEST_CASE("simulation: the conversation, written as pcap, dissects cleanly in tshark") {
    // Independent truth: Wireshark's TCP dissector and sequence analysis
    // (tshark, run now) on every segment both endpoints transmitted.
    if (std::system("tshark --version > /dev/null 2>&1") != 0) {
        WARN("tshark not installed: skipped");
        return;
    }
    const std::string path = std::string(WIREKIT_BINARY_DIR) + "/fsm_tcp_simulation.pcap";
    const std::size_t n = 200000;
    {
        auto w = wirekit::io::pcap_writer::open(path);
        REQUIRE(w);
        sim::settings s;
        s.seed = 5;
        s.a_to_b.delay = s.b_to_a.delay = 10ms;
        s.a.send_bytes = n;
        s.b.send_bytes = n + 777;
        sim::simulation run(s);
        run.on_frame = [&](wirekit::bytes_view f, tcp::instant t) {
            w->write(f, std::chrono::duration_cast<wirekit::io::timestamp>(t));
        };
        const auto r = run.run();
        REQUIRE(r.a_to_b.intact(n));
        REQUIRE(r.b_to_a.intact(n + 777));
        REQUIRE(w->flush());
    }
    auto run = [](const std::string& cmd) { return wirekit::test::run_command(cmd + " 2>/dev/null").out; };
    // One tshark pass: the fields every check below needs, one line per frame.
    const std::string rows = run("tshark -n -r " + path +
                                 " --disable-protocol http -o tcp.check_checksum:TRUE"
                                 " -o tcp.relative_sequence_numbers:FALSE -T fields -E separator=/t"
                                 " -e tcp.checksum.status -e ip.checksum.status -e tcp.analysis.flags"
                                 " -e tcp.analysis.zero_window -e tcp.analysis.window_full -e tcp.analysis.window_update"
                                 " -e tcp.flags.syn -e tcp.flags.fin -e tcp.flags.reset -e tcp.stream -e tcp.srcport"
                                 " -e tcp.len");
    std::size_t frames = 0, syn = 0, fin = 0, rst = 0, bad_tcp = 0, bad_ip = 0, flagged = 0, from_a = 0, from_b = 0;
    std::set<std::string> streams;
    std::size_t at = 0;
    while (at < rows.size()) {
        const auto nl = rows.find('\n', at);
        const std::string line = rows.substr(at, nl - at);
        at = nl + 1;
        std::vector<std::string> f;
        std::size_t p = 0;
        for (;;) {
            const auto tab = line.find('\t', p);
            f.push_back(line.substr(p, tab - p));
            if (tab == std::string::npos) break;
            p = tab + 1;
        }
        REQUIRE(f.size() >= 12);
        ++frames;
        bad_tcp += f[0] != "1";  // 1 = good (checksum verified)
        bad_ip += f[1] != "1" && f[1] != "2";
        // Analysis flags other than the window notes that a full window
        // legitimately produces (a window lands before the application reads).
        flagged += !f[2].empty() && f[3].empty() && f[4].empty() && f[5].empty();
        syn += f[6] == "1" || f[6] == "True";
        fin += f[7] == "1" || f[7] == "True";
        rst += f[8] == "1" || f[8] == "True";
        streams.insert(f[9]);
        (f[10] == "40000" ? from_a : from_b) += std::stoul(f[11]);
    }
    CHECK(frames > 100);
    CHECK(bad_tcp == 0);
    CHECK(bad_ip == 0);
    // No loss on this link: Wireshark must see no retransmission, lost
    // segment, out-of-order segment or duplicate ACK, and the sequence
    // numbers of every frame must add up.
    CHECK(flagged == 0);
    // One connection: two SYNs (SYN, SYN,ACK), two FINs, no RST.
    CHECK(syn == 2);
    CHECK(fin == 2);
    CHECK(rst == 0);
    CHECK(streams == std::set<std::string>{"0"});
    // Payload bytes per direction, summed from tshark's tcp.len.
    CHECK(from_a == n);
    CHECK(from_b == n + 777);
}

TEST_CASE("simulation: many seeds with combined impairments") {
    // 5% loss, 5% reordering and 2% duplication at once, both directions,
    // fifty seeds: every run delivers identical bytes and closes cleanly.
    for (std::uint64_t seed = 100; seed < 150; ++seed) {
        INFO("seed " << seed);
        sim::settings s;
        s.seed = seed;
        s.a_to_b.loss = s.b_to_a.loss = 0.05;
        s.a_to_b.reorder = s.b_to_a.reorder = 0.05;
        s.a_to_b.reorder_delay = s.b_to_a.reorder_delay = 3ms;
        s.a_to_b.duplicate = s.b_to_a.duplicate = 0.02;
        s.a_to_b.delay = s.b_to_a.delay = 10ms;
        s.a.send_bytes = 128 * 1024;
        s.b.send_bytes = 128 * 1024;
        const auto r = sim::simulate(s);
        CHECK(r.error.empty());
        CHECK(r.a_to_b.intact(128 * 1024));
        CHECK(r.b_to_a.intact(128 * 1024));
        CHECK(r.both_closed);
        CHECK(r.finished < tcp::instant(300s));
    }
}

TEST_CASE("simulation: Tahoe and Reno transfer identical bytes under loss and reordering") {
    // The other policies' loss reactions (Tahoe: back to SND.UNA and slow
    // start from 1 SMSS after 3 duplicate ACKs, RFC 5681 §3.1's loss window;
    // Reno: leaves fast recovery at the first partial ACK, RFC 5681 §3.2
    // step 6) must still deliver every byte, both ways, and close.
    constexpr std::size_t n = 256 * 1024;
    for (double loss : {0.01, 0.05, 0.10}) {
        wirekit::io::impairments imp;
        imp.loss = loss;
        imp.reorder = 0.05;
        imp.reorder_delay = 5ms;
        auto s = ten_mib(31, imp);
        s.a.send_bytes = s.b.send_bytes = n;
        const auto check = [&](const sim::outcome& r) {
            INFO("loss " << loss << ": A->B " << r.a_to_b.delivered << "/" << r.a_to_b.sent << ", B->A "
                         << r.b_to_a.delivered << "/" << r.b_to_a.sent << ", finished at " << r.finished.count() << " us");
            CHECK(r.error.empty());
            CHECK(r.a_to_b.sent == n);
            CHECK(r.b_to_a.sent == n);
            CHECK(r.a_to_b.intact(n));
            CHECK(r.b_to_a.intact(n));
            CHECK(r.a_to_b.delivered_sha256 == r.a_to_b.sent_sha256);
            CHECK(r.b_to_a.delivered_sha256 == r.b_to_a.sent_sha256);
            CHECK(r.both_closed);
            CHECK(r.finished < tcp::instant(300s));
        };
        DYNAMIC_SECTION("Tahoe, loss " << loss) { check(sim::simulate<tcp::basic_connection<tcp::tahoe>>(s)); }
        DYNAMIC_SECTION("Reno, loss " << loss) { check(sim::simulate<tcp::basic_connection<tcp::reno>>(s)); }
    }
}
