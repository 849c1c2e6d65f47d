// docs/diagrams/tcp-cwnd.svg and docs/tcp-goodput.md are the output of
// examples/tcp_trace.cpp. This test runs the same generator (the example's
// own source) and compares byte for byte, so the committed plot and table
// are what the code produces today; it also checks both against numbers
// computed from the link alone. Refresh with:  tcp-trace docs
#include <catch2/catch.hpp>

#define WIREKIT_TCP_TRACE_NO_MAIN
#include "../../../examples/tcp_trace.cpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace {
std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST_CASE("docs: tcp-cwnd.svg and tcp-goodput.md match tcp-trace (run tcp-trace docs to refresh)") {
    const std::filesystem::path docs = std::filesystem::path(WIREKIT_SOURCE_DIR) / "docs";
    const auto generated = wirekit_examples::tcp_trace_documents();
    REQUIRE(generated.size() == 2);
    for (const auto& [name, text] : generated) {
        INFO("docs/" << name);
        REQUIRE(std::filesystem::exists(docs / name));
        CHECK(slurp(docs / name) == text);
    }
}

TEST_CASE("tcp-trace: the bottleneck run has the sawtooth the link predicts") {
    namespace tt = wirekit_examples::tcp_trace;
    const auto r = tt::bottleneck_run(12);
    REQUIRE(r.error.empty());
    REQUIRE(r.a_to_b.delivered > 0);
    // The path holds BDP + queue: 4 Mbit/s x 40 ms RTT = 20000 bytes in
    // flight on the links, plus 12 frames of 1480 bytes (TCP header + MSS)
    // in the queue. A Reno sender loses a segment when its flight exceeds
    // that and halves: each congestion-avoidance loss sets ssthresh to about
    // half of it (RFC 5681 eq. 4), well below the 65535-byte receive window.
    // The first loss ends slow start, whose flight (the whole 65535-byte
    // window) overshoots the path by far; the teeth after it are counted.
    const double path = 4e6 / 8 * 0.040 + 12 * 1480;
    int losses = 0;
    bool first = true;
    for (std::size_t i = 1; i < r.congestion_a.size(); ++i) {
        const auto& prev = r.congestion_a[i - 1];
        const auto& s = r.congestion_a[i];
        if (prev.state == wirekit::fsm::tcp::cc_state::fast_recovery ||
            s.state != wirekit::fsm::tcp::cc_state::fast_recovery)
            continue;
        if (std::exchange(first, false)) continue;
        INFO("loss at " << s.t.count() << " us, ssthresh " << s.ssthresh);
        CHECK(s.ssthresh >= 0.4 * path);
        CHECK(s.ssthresh <= 0.6 * path);
        ++losses;
    }
    // Sawtooth period: from about ssthresh to the path size, one SMSS per
    // RTT, i.e. roughly (path / 2) / 1460 round trips of 40-80 ms: about a
    // second. Twelve seconds hold ten teeth or so.
    CHECK(losses >= 8);
    CHECK(losses <= 14);
    CHECK(r.timeouts == 0);
}

TEST_CASE("tcp-trace: without loss, goodput approaches the window limit, buffer / RTT") {
    namespace tt = wirekit_examples::tcp_trace;
    for (std::size_t buffer : tt::sweep_buffer) {
        INFO("buffer " << buffer);
        const double g = tt::goodput(0.0, buffer, 1, tt::sweep_bytes);
        const double limit = static_cast<double>(buffer) / 0.020;
        CHECK(g <= limit);
        // Slow start and the handshake cost a few round trips of the
        // transfer's 16-128; never more than 30% here.
        CHECK(g >= 0.7 * limit);
    }
    CHECK(tt::goodput(0.10, 65535, 1, tt::sweep_bytes) < 0.1 * tt::goodput(0.0, 65535, 1, tt::sweep_bytes));
}
