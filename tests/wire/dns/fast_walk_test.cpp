// The fast name walk (detail::scan_name_into, which folds each label's checks
// into one comparison and records the name's first two runs) against the
// reference walk (detail::scan_name_exact, one check per RFC 1035 rule), and
// name_view::copy_wire's block copies (driven by the recorded runs) against
// the name's labels as the label iterator reads them. Inputs: every offset of
// every DNS message in dns-queries.pcap, the same messages with random bytes
// changed (deterministic), and hand-made names of 0..3 pointers.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <vector>

#include "dns_test_util.hpp"
#include "wirekit/wire/dns/dns.hpp"

namespace dns = wirekit::dns;
using wirekit::bytes_view;

namespace {

// The uncompressed wire form as the label iterator yields it (it follows
// pointers one by one and never uses the recorded runs).
std::vector<std::byte> wire_by_labels(const dns::name_view& v) {
    std::vector<std::byte> out;
    for (std::string_view l : v) {
        out.push_back(static_cast<std::byte>(l.size()));
        for (char c : l) out.push_back(static_cast<std::byte>(c));
    }
    out.push_back(std::byte{0});
    return out;
}

// Scans every offset of `m` with both walks (each with its own suffix cache,
// and without one) and checks they agree; for each good name, that both
// copy_wire forms give the labels' wire form. Returns the names accepted.
std::size_t check_message(bytes_view m) {
    std::size_t good = 0;
    dns::detail::suffix_cache cache_fast, cache_exact;
    for (std::size_t i = 0; i < m.size(); ++i) {
        for (int use_cache = 0; use_cache < 2; ++use_cache) {
            dns::detail::name_scan a, b;
            wirekit::wire_error ea, eb;
            const bool ok_a = dns::detail::scan_name_into(m, i, m.size(), a, ea, use_cache ? &cache_fast : nullptr);
            const bool ok_b = dns::detail::scan_name_exact(m, i, m.size(), b, eb, use_cache ? &cache_exact : nullptr);
            INFO("offset " << i << " cache " << use_cache);
            REQUIRE(ok_a == ok_b);
            if (!ok_a) {
                CHECK(ea == eb);
                continue;
            }
            REQUIRE((a.end == b.end && a.length == b.length && a.labels == b.labels));
            ++good;
            const dns::name_view v{m, i, a};
            const auto want = wire_by_labels(v);
            REQUIRE(want.size() == a.length);
            std::vector<std::byte> exact(v.wire_length());
            REQUIRE(v.copy_wire(exact.data()) == want.size());
            CHECK(exact == want);
            std::array<std::byte, dns::max_name_len> any{};
            REQUIRE(v.copy_wire(any) == want.size());
            CHECK(std::equal(want.begin(), want.end(), any.begin()));
        }
    }
    return good;
}

std::vector<std::vector<std::byte>> capture_messages() {
    std::vector<std::vector<std::byte>> out;
    for (auto& p : wirekit::test::dns::transport_payloads("dns-queries.pcap"))
        if (!p.tcp && (p.src_port == 53 || p.dst_port == 53)) out.push_back(p.bytes);
    return out;
}

}  // namespace

TEST_CASE("dns name: the fast walk agrees with the exact walk on every capture offset", "[dns][name][capture]") {
    const auto msgs = capture_messages();
    REQUIRE(msgs.size() > 4);
    std::size_t good = 0;
    for (const auto& m : msgs) good += check_message(m);
    CHECK(good > msgs.size());  // at least the QNAMEs
}

TEST_CASE("dns name: the fast walk agrees with the exact walk on damaged messages", "[dns][name][hostile]") {
    std::uint32_t x = 0x2545F491u;  // xorshift32, fixed seed: the same mutants every run
    auto next = [&] {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return x;
    };
    for (const auto& m : capture_messages()) {
        for (int k = 0; k < 12; ++k) {
            auto d = m;
            const int flips = 1 + static_cast<int>(next() % 4);
            for (int f = 0; f < flips; ++f) {
                const std::size_t at = next() % d.size();
                // Bias towards the bytes that matter to names: pointers,
                // reserved label types, short lengths, the root.
                static constexpr std::uint8_t pick[] = {0xC0, 0xC0, 0x40, 0x80, 0x00, 0x01, 0x3F, 0xFF};
                const std::uint32_t r = next();
                d[at] = static_cast<std::byte>(r % 3 == 0 ? (r >> 8) & 0xFF : pick[(r >> 8) % 8]);
            }
            if (next() % 4 == 0) d.resize(d.size() - next() % d.size());  // also cut short
            check_message(d);
        }
    }
}

TEST_CASE("dns name: copy_wire through 0 to 3 pointers (RFC 1035 4.1.4 layout)", "[dns][name]") {
    // 12: "c" root; 15: "bb" -> 12; 20: "a" -> 15; 24: "xyz" -> 20; 30: -> 24;
    // 32: -> 30 (a pointer to a pointer).
    std::vector<std::byte> m(12);
    for (unsigned v : std::initializer_list<unsigned>{1u, 'c', 0u, 2u, 'b', 'b', 0xC0u, 12u, 1u, 'a', 0xC0u, 15u, 3u, 'x', 'y', 'z', 0xC0u, 20u,
                       0xC0u, 24u, 0xC0u, 30u})
        m.push_back(static_cast<std::byte>(v));
    struct { std::size_t off; std::vector<unsigned> want; } cases[] = {
        {12, {1, 'c', 0}},
        {15, {2, 'b', 'b', 1, 'c', 0}},
        {20, {1, 'a', 2, 'b', 'b', 1, 'c', 0}},
        {24, {3, 'x', 'y', 'z', 1, 'a', 2, 'b', 'b', 1, 'c', 0}},
        {30, {3, 'x', 'y', 'z', 1, 'a', 2, 'b', 'b', 1, 'c', 0}},
        {32, {3, 'x', 'y', 'z', 1, 'a', 2, 'b', 'b', 1, 'c', 0}},
    };
    for (int use_cache = 0; use_cache < 2; ++use_cache) {
        dns::detail::suffix_cache cache;
        for (const auto& c : cases) {
            INFO("offset " << c.off << " cache " << use_cache);
            std::vector<std::byte> want;
            for (unsigned v : c.want) want.push_back(static_cast<std::byte>(v));
            dns::detail::name_scan s;
            wirekit::wire_error e;
            REQUIRE(dns::detail::scan_name_into(m, c.off, m.size(), s, e, use_cache ? &cache : nullptr));
            REQUIRE(s.length == want.size());
            const dns::name_view v{m, c.off, s};
            std::vector<std::byte> exact(v.wire_length());
            REQUIRE(v.copy_wire(exact.data()) == want.size());
            CHECK(exact == want);
            std::array<std::byte, dns::max_name_len> any{};
            REQUIRE(v.copy_wire(any) == want.size());
            CHECK(std::equal(want.begin(), want.end(), any.begin()));
        }
    }
    check_message(m);
}
