// memory_pipe: impairments tested statistically with fixed seeds. Tolerances
// are five binomial standard deviations, so a correct pipe fails with
// probability below 1e-6 per assertion for any seed, while a pipe that
// ignores a setting misses by far more.
#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "wirekit/io/memory_pipe.hpp"

using namespace std::chrono_literals;
using wirekit::bytes_view;
namespace io = wirekit::io;

namespace {

// A 64-byte frame carrying its sequence number in bytes 14..21.
std::vector<std::byte> numbered(std::uint64_t n, std::size_t size = 64) {
    std::vector<std::byte> f(size, std::byte{0x5a});
    for (int i = 0; i < 8; ++i) f[14 + static_cast<std::size_t>(i)] = std::byte(static_cast<unsigned char>(n >> (8 * i)));
    return f;
}
std::uint64_t number_of(bytes_view f) {
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= std::uint64_t(std::to_integer<unsigned>(f[14 + static_cast<std::size_t>(i)])) << (8 * i);
    return n;
}
// Sends `count` numbered frames from a to b at 1 µs spacing, then drains b.
std::vector<std::uint64_t> run(io::memory_pipe& p, std::size_t count) {
    std::vector<std::uint64_t> got;
    io::timestamp t{};
    for (std::size_t i = 0; i < count; ++i) {
        p.set_time(t);
        REQUIRE(p.a().transmit(numbered(i)));
        t += 1us;
    }
    p.set_time(t + 10s);
    for (;;) {
        auto r = p.b().receive();
        REQUIRE(r);
        if (!*r) break;
        got.push_back(number_of((*r)->data));
    }
    return got;
}
double tolerance(double p, double n) { return 5.0 * std::sqrt(p * (1 - p) / n); }

}  // namespace

TEST_CASE("memory_pipe: a perfect link delivers everything in order, at once", "[io][memory_pipe]") {
    io::memory_pipe p;
    const auto got = run(p, 1000);
    REQUIRE(got.size() == 1000);
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == i);
    CHECK(p.a().stats().delivered == 1000);
    // Nothing flows the other way.
    auto r = p.a().receive();
    REQUIRE(r);
    CHECK(!*r);
}

TEST_CASE("memory_pipe: loss rate within tolerance, per direction", "[io][memory_pipe]") {
    const double rate = GENERATE(0.01, 0.1, 0.5);
    const std::uint64_t seed = GENERATE(1u, 42u, 977u);
    io::pipe_config cfg;
    cfg.seed = seed;
    cfg.a_to_b.loss = rate;
    io::memory_pipe p(cfg);
    constexpr std::size_t n = 20000;
    const auto got = run(p, n);
    const double observed = 1.0 - static_cast<double>(got.size()) / n;
    CHECK(std::abs(observed - rate) < tolerance(rate, n));
    CHECK(p.a().stats().lost == n - got.size());
    // Survivors keep their order (loss alone never reorders).
    for (std::size_t i = 1; i < got.size(); ++i) CHECK(got[i] > got[i - 1]);
    // The other direction is unimpaired.
    p.set_time(p.now());
    REQUIRE(p.b().transmit(numbered(7)));
    auto back = p.a().receive();
    REQUIRE((back && *back));
}

TEST_CASE("memory_pipe: the same seed replays the same run, another seed does not", "[io][memory_pipe]") {
    auto once = [](std::uint64_t seed) {
        io::pipe_config cfg;
        cfg.seed = seed;
        cfg.a_to_b = {.loss = 0.2, .duplicate = 0.1, .reorder = 0.1, .reorder_delay = 50us, .corrupt = 0.05};
        io::memory_pipe p(cfg);
        return run(p, 5000);
    };
    CHECK(once(7) == once(7));
    CHECK(once(7) != once(8));
}

TEST_CASE("memory_pipe: duplication rate, each copy right after its original", "[io][memory_pipe]") {
    io::pipe_config cfg;
    cfg.seed = 3;
    cfg.a_to_b.duplicate = 0.2;
    io::memory_pipe p(cfg);
    constexpr std::size_t n = 20000;
    const auto got = run(p, n);
    const double dup = static_cast<double>(got.size() - n) / n;
    CHECK(std::abs(dup - 0.2) < tolerance(0.2, n));
    // Every number appears once or twice, in order, copies adjacent.
    std::size_t expect = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (i > 0 && got[i] == got[i - 1]) continue;
        REQUIRE(got[i] == expect);
        ++expect;
    }
    CHECK(expect == n);
    CHECK(p.a().stats().duplicated == got.size() - n);
}

TEST_CASE("memory_pipe: reordering holds back the configured fraction", "[io][memory_pipe]") {
    io::pipe_config cfg;
    cfg.seed = 11;
    cfg.a_to_b.reorder = 0.05;
    cfg.a_to_b.reorder_delay = 20us;  // 20 frames at 1 µs spacing overtake a held-back one
    io::memory_pipe p(cfg);
    constexpr std::size_t n = 20000;
    const auto got = run(p, n);
    REQUIRE(got.size() == n);  // nothing lost
    // A frame is "late" if a higher number arrived before it.
    std::size_t late = 0;
    std::uint64_t highest = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (i > 0 && got[i] < highest) ++late;
        highest = std::max(highest, got[i]);
    }
    const double frac = static_cast<double>(late) / n;
    CHECK(std::abs(frac - 0.05) < tolerance(0.05, n) + 0.002);  // +: a held frame right before another held one can tie
    CHECK(p.a().stats().reordered > 0);
    std::vector<std::uint64_t> sorted = got;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < n; ++i) REQUIRE(sorted[i] == i);
}

TEST_CASE("memory_pipe: corruption flips exactly one bit of the chosen frames", "[io][memory_pipe]") {
    io::pipe_config cfg;
    cfg.seed = 5;
    cfg.a_to_b.corrupt = 0.3;
    io::memory_pipe p(cfg);
    constexpr std::size_t n = 5000;
    const std::vector<std::byte> pattern(128, std::byte{0xa5});
    for (std::size_t i = 0; i < n; ++i) REQUIRE(p.a().transmit(pattern));
    std::size_t corrupted = 0, total = 0;
    for (;;) {
        auto r = p.b().receive();
        REQUIRE(r);
        if (!*r) break;
        ++total;
        int bits = 0;
        for (std::size_t i = 0; i < pattern.size(); ++i)
            bits += std::popcount(std::to_integer<unsigned>((*r)->data[i] ^ pattern[i]));
        REQUIRE(bits <= 1);
        corrupted += static_cast<std::size_t>(bits);
    }
    CHECK(total == n);
    CHECK(std::abs(static_cast<double>(corrupted) / n - 0.3) < tolerance(0.3, n));
    CHECK(p.a().stats().corrupted == corrupted);
}

TEST_CASE("memory_pipe: delay — nothing arrives early, everything on time", "[io][memory_pipe]") {
    io::pipe_config cfg;
    cfg.a_to_b.delay = 5ms;
    io::memory_pipe p(cfg);
    p.set_time(1s);
    REQUIRE(p.a().transmit(numbered(1)));
    CHECK(p.next_delivery() == io::timestamp(1s + 5ms));
    p.set_time(1s + 5ms - 1ns);
    auto early = p.b().receive();
    REQUIRE(early);
    CHECK(!*early);
    p.set_time(1s + 5ms);
    auto on_time = p.b().receive();
    REQUIRE((on_time && *on_time));
    CHECK((*on_time)->time == io::timestamp(1s + 5ms));
    CHECK(!p.next_delivery());
}

TEST_CASE("memory_pipe: rate limit spaces frames by their serialisation time", "[io][memory_pipe]") {
    io::pipe_config cfg;
    cfg.a_to_b.rate_bps = 1'000'000;  // 1 Mbit/s: 1000 bytes take 8 ms
    io::memory_pipe p(cfg);
    const std::vector<std::byte> f(1000, std::byte{1});
    for (int i = 0; i < 10; ++i) REQUIRE(p.a().transmit(f));  // all at t = 0
    std::vector<io::timestamp> arrivals;
    for (auto t = 0ms; t <= 100ms; t += 1ms) {
        p.set_time(t);
        while (true) {
            auto r = p.b().receive();
            REQUIRE(r);
            if (!*r) break;
            arrivals.push_back((*r)->time);
        }
    }
    REQUIRE(arrivals.size() == 10);
    for (std::size_t i = 0; i < arrivals.size(); ++i) CHECK(arrivals[i] == io::timestamp(8ms * (i + 1)));
}

TEST_CASE("memory_pipe: queue limit tail-drops what does not fit", "[io][memory_pipe]") {
    io::pipe_config cfg;
    cfg.a_to_b.rate_bps = 1'000'000;
    cfg.a_to_b.queue_limit = 4;
    io::memory_pipe p(cfg);
    const std::vector<std::byte> f(1000, std::byte{1});
    for (int i = 0; i < 10; ++i) REQUIRE(p.a().transmit(f));  // burst at t = 0
    CHECK(p.a().stats().queue_dropped == 6);
    p.set_time(8ms);  // the first one has been serialised: room for one more
    REQUIRE(p.a().transmit(f));
    CHECK(p.a().stats().queue_dropped == 6);
    REQUIRE(p.a().transmit(f));
    CHECK(p.a().stats().queue_dropped == 7);
    p.set_time(1s);
    std::size_t got = 0;
    while (true) {
        auto r = p.b().receive();
        REQUIRE(r);
        if (!*r) break;
        ++got;
    }
    CHECK(got == 5);
}

TEST_CASE("memory_pipe: frames beyond MTU + 18 are refused", "[io][memory_pipe]") {
    io::memory_pipe p;
    const std::vector<std::byte> big(1519);
    auto r = p.a().transmit(big);
    REQUIRE(!r);
    CHECK(r.error().kind == io::io_errc::too_big);
    CHECK(p.a().transmit(std::vector<std::byte>(1518)));
}
