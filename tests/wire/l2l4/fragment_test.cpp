// IPv4 fragmentation and RFC 815 reassembly, against the fragments Linux
// produced in icmp-frag.pcap (`ping -s 4000` over MTU 1500), and under the
// documented duplicate/overlap/limit/timeout policy.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <vector>

#include "l2l4_test_util.hpp"
#include "wirekit/wire/reassembly.hpp"

using namespace wirekit;
using namespace std::chrono_literals;
using bytes = std::vector<std::byte>;

namespace {

/// The IPv4 packets (without Ethernet) of icmp-frag.pcap, in capture order.
std::vector<bytes> capture_fragments() {
    std::vector<bytes> out;
    for (const auto& f : test::read_pcap("icmp-frag.pcap")) out.emplace_back(f.data.begin() + 14, f.data.end());
    return out;
}

ipv4::packet pkt(const bytes& b) {
    auto p = ipv4::packet::checked(bytes_view(b));
    REQUIRE(p);
    return *p;
}

/// Builds one fragment: `len` data bytes of value `fill` at byte offset `off`.
bytes make_fragment(std::uint16_t id, std::size_t off, std::size_t len, bool more, std::uint8_t fill,
                    std::uint8_t proto = ip_protocol::udp) {
    ipv4::repr r;
    r.src_addr = ipv4_address::of(10, 0, 0, 1);
    r.dst_addr = ipv4_address::of(10, 0, 0, 2);
    r.protocol = proto;
    r.identification = id;
    r.more_fragments = more;
    r.fragment_offset = static_cast<std::uint16_t>(off / 8);
    r.payload_len = len;
    bytes b(r.buffer_len(), std::byte{fill});
    r.emit(ipv4::mutable_packet::unchecked(mutable_bytes(b)));
    return b;
}

}  // namespace

TEST_CASE("reassembly: icmp-frag.pcap gives the exact 4008-byte ICMP messages", "[wire][reassembly]") {
    const auto frags = capture_fragments();
    REQUIRE(frags.size() == 12);
    ipv4::reassembler ra;
    std::vector<bytes> datagrams;
    for (std::size_t i = 0; i < frags.size(); ++i) {
        auto r = ra.push(pkt(frags[i]), std::chrono::microseconds(i * 1000));
        if (!r) FAIL(fmt::format("{}", r.error()));
        CHECK(r->has_value() == (i % 3 == 2));  // every third fragment completes one
        if (*r) datagrams.emplace_back((*r)->begin(), (*r)->end());
    }
    REQUIRE(datagrams.size() == 4);
    CHECK(ra.in_flight() == 0);
    CHECK(ra.memory() == 0);
    for (std::size_t k = 0; k < datagrams.size(); ++k) {
        INFO("datagram " << k);
        auto p = ipv4::packet::checked(bytes_view(datagrams[k]));
        REQUIRE(p);
        CHECK(p->verify_checksum());
        CHECK(!p->is_fragment());
        CHECK(p->payload().size() == 4008);  // 8-byte ICMP header + 4000 bytes of `ping -s 4000`
        auto m = icmpv4::message::checked(p->payload());
        REQUIRE(m);
        // The ICMP checksum Linux computed over the whole 4008-byte message verifies.
        auto rep = icmpv4::repr::parse(*m);
        REQUIRE(rep);
        CHECK((rep->type == icmpv4::type::echo_request) == (k % 2 == 0));
        CHECK(rep->data.size() == 4000);
        // The data is exactly the concatenation of the captured fragments' data.
        bytes joined;
        for (std::size_t j = 0; j < 3; ++j) {
            auto f = pkt(frags[3 * k + j]);
            joined.insert(joined.end(), f.payload().begin(), f.payload().end());
        }
        CHECK(std::equal(joined.begin(), joined.end(), p->payload().begin(), p->payload().end()));
    }
}

TEST_CASE("fragmentation: a 4000-byte datagram at MTU 1500 matches Linux's fragments byte for byte", "[wire][fragment]") {
    const auto frags = capture_fragments();
    ipv4::reassembler ra;
    bytes whole;
    for (std::size_t j = 0; j < 3; ++j) {
        auto r = ra.push(pkt(frags[j]), 0us);
        REQUIRE(r);
        if (*r) whole.assign((*r)->begin(), (*r)->end());
    }
    REQUIRE(whole.size() == 4028);
    auto p = pkt(whole);
    auto rep = ipv4::repr::parse(p);
    REQUIRE(rep);
    std::vector<bytes> out;
    bytes scratch(1500);
    auto n = ipv4::fragment(*rep, p.payload(), 1500, mutable_bytes(scratch),
                            [&](bytes_view f) { out.emplace_back(f.begin(), f.end()); });
    REQUIRE(n);
    REQUIRE(*n == 3);
    std::vector<unsigned> offsets;
    for (std::size_t j = 0; j < 3; ++j) {
        INFO("fragment " << j);
        offsets.push_back(pkt(out[j]).fragment_offset());
        CHECK(out[j] == frags[j]);  // identical to what the kernel sent, checksum included
    }
    CHECK(offsets == std::vector<unsigned>{0, 185, 370});

    SECTION("a fresh 4000-byte datagram (20 + 3980) gives offsets 0, 185, 370") {
        ipv4::repr r;
        r.protocol = ip_protocol::udp;
        r.payload_len = 3980;
        bytes data(3980);
        std::iota(reinterpret_cast<unsigned char*>(data.data()), reinterpret_cast<unsigned char*>(data.data()) + data.size(),
                  static_cast<unsigned char>(0));
        std::vector<bytes> fs;
        auto k = ipv4::fragment(r, bytes_view(data), 1500, mutable_bytes(scratch), [&](bytes_view f) { fs.emplace_back(f.begin(), f.end()); });
        REQUIRE(k);
        REQUIRE(fs.size() == 3);
        CHECK(pkt(fs[0]).fragment_offset() == 0);
        CHECK(pkt(fs[1]).fragment_offset() == 185);
        CHECK(pkt(fs[2]).fragment_offset() == 370);
        CHECK(pkt(fs[0]).more_fragments());
        CHECK(!pkt(fs[2]).more_fragments());
        CHECK(fs[0].size() == 1500);
        CHECK(fs[2].size() == 20 + 3980 - 2 * 1480);
    }
    SECTION("DF forbids fragmentation") {
        auto r = *rep;
        r.dont_fragment = true;
        auto k = ipv4::fragment(r, p.payload(), 1500, mutable_bytes(scratch), [](bytes_view) {});
        REQUIRE(!k);
        CHECK(k.error().kind == errc::limit_exceeded);
    }
    SECTION("only copied options go into later fragments (RFC 791 §3.1)") {
        auto r = *rep;
        // Router Alert (copied) and a Record Route (not copied), then EOL padding.
        const std::uint8_t opt[] = {148, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0};
        r.options_len = sizeof opt;
        for (std::size_t i = 0; i < sizeof opt; ++i) r.options[i] = std::byte{opt[i]};
        std::vector<bytes> fs;
        auto k = ipv4::fragment(r, p.payload(), 1500, mutable_bytes(scratch), [&](bytes_view f) { fs.emplace_back(f.begin(), f.end()); });
        REQUIRE(k);
        REQUIRE(fs.size() >= 3);
        CHECK(pkt(fs[0]).header_length() == 32);
        CHECK(pkt(fs[1]).header_length() == 24);
        auto l = ipv4::parse_options(pkt(fs[1]).options());
        REQUIRE(l);
        CHECK(l->find(ipv4::option_type::router_alert));
        CHECK(!l->find(ipv4::option_type::record_route));
        // And it all reassembles to the original payload.
        ipv4::reassembler ra2;
        bytes back;
        for (auto& f : fs) {
            auto res = ra2.push(pkt(f), 0us);
            REQUIRE(res);
            if (*res) back.assign((*res)->begin(), (*res)->end());
        }
        auto bp = pkt(back);
        CHECK(std::equal(bp.payload().begin(), bp.payload().end(), p.payload().begin(), p.payload().end()));
        CHECK(bp.header_length() == 32);
    }
}

TEST_CASE("reassembly: every order and duplicates give the same datagram", "[wire][reassembly]") {
    const auto frags = capture_fragments();
    bytes expect;
    {
        ipv4::reassembler ra;
        for (std::size_t j = 0; j < 3; ++j) {
            auto r = ra.push(pkt(frags[j]), 0us);
            if (*r) expect.assign((*r)->begin(), (*r)->end());
        }
    }
    std::vector<std::size_t> order = {0, 1, 2};
    do {
        ipv4::reassembler ra;
        bytes got;
        for (std::size_t j : order) {
            // Each fragment twice: the duplicate is ignored (policy).
            for (int rep = 0; rep < 2 && got.empty(); ++rep) {
                auto r = ra.push(pkt(frags[j]), 0us);
                REQUIRE(r);
                if (*r) got.assign((*r)->begin(), (*r)->end());
            }
        }
        CHECK(got == expect);
        CHECK(ra.stats().duplicates >= 2);
    } while (std::next_permutation(order.begin(), order.end()));
}

TEST_CASE("reassembly: overlapping fragments drop the datagram", "[wire][reassembly]") {
    ipv4::reassembler ra;
    REQUIRE(ra.push(pkt(make_fragment(7, 0, 16, true, 0xaa)), 0us));
    // Overlaps bytes 8..23 with different data.
    auto r = ra.push(pkt(make_fragment(7, 8, 16, true, 0xbb)), 0us);
    REQUIRE(!r);
    CHECK(r.error().kind == errc::malformed);
    CHECK(r.error().layer == "ipv4-reassembly");
    CHECK(ra.in_flight() == 0);
    CHECK(ra.stats().dropped_overlap == 1);
    // Same range, different bytes: also dropped (not a duplicate).
    REQUIRE(ra.push(pkt(make_fragment(8, 0, 16, true, 0xaa)), 0us));
    CHECK(!ra.push(pkt(make_fragment(8, 0, 16, true, 0xcc)), 0us));
    // The classic TCP tiny-fragment overwrite (RFC 1858 §3.2): offset 1 refused.
    CHECK(!ra.push(pkt(make_fragment(9, 8, 8, true, 0, ip_protocol::tcp)), 0us));
}

TEST_CASE("reassembly: limits, sizes above 65535 and timeouts", "[wire][reassembly]") {
    ipv4::reassembly_config cfg;
    cfg.max_datagrams = 2;
    cfg.max_fragments = 4;
    cfg.timeout = 30s;
    ipv4::reassembler ra(cfg);
    SECTION("datagrams in flight") {
        REQUIRE(ra.push(pkt(make_fragment(1, 0, 8, true, 1)), 0us));
        REQUIRE(ra.push(pkt(make_fragment(2, 0, 8, true, 1)), 0us));
        auto r = ra.push(pkt(make_fragment(3, 0, 8, true, 1)), 0us);
        REQUIRE(!r);
        CHECK(r.error().kind == errc::limit_exceeded);
        CHECK(ra.in_flight() == 2);
    }
    SECTION("fragments per datagram (tiny fragments)") {
        for (std::size_t k = 0; k < 4; ++k) REQUIRE(ra.push(pkt(make_fragment(1, 8 * k, 8, true, 1)), 0us));
        auto r = ra.push(pkt(make_fragment(1, 32, 8, true, 1)), 0us);
        REQUIRE(!r);
        CHECK(r.error().kind == errc::limit_exceeded);
        CHECK(ra.in_flight() == 0);
        CHECK(ra.memory() == 0);
    }
    SECTION("a reassembled size above 65535") {
        auto r = ra.push(pkt(make_fragment(1, 65520, 8, false, 1)), 0us);  // 20 + 65520 + 8 > 65535
        REQUIRE(!r);
        CHECK(r.error().kind == errc::bad_length);
    }
    SECTION("non-last fragment not a multiple of 8") {
        CHECK(ra.push(pkt(make_fragment(1, 0, 12, true, 1)), 0us).error().kind == errc::malformed);
    }
    SECTION("data past the end fixed by the last fragment") {
        REQUIRE(ra.push(pkt(make_fragment(1, 16, 8, false, 1)), 0us));
        CHECK(!ra.push(pkt(make_fragment(1, 24, 8, true, 1)), 0us));
    }
    SECTION("timeout: time is passed in") {
        REQUIRE(ra.push(pkt(make_fragment(1, 0, 8, true, 1)), 1s));
        CHECK(ra.next_deadline() == std::chrono::microseconds(31s));
        CHECK(ra.expire(30s) == 0);
        CHECK(ra.in_flight() == 1);
        // The last fragment arrives too late: the first was dropped, so it starts a new datagram.
        auto r = ra.push(pkt(make_fragment(1, 8, 8, false, 1)), 31s);
        REQUIRE(r);
        CHECK(!r->has_value());
        CHECK(ra.stats().timed_out == 1);
        CHECK(ra.expire(61s) == 1);
        CHECK(ra.in_flight() == 0);
        CHECK(!ra.next_deadline());
    }
    SECTION("memory bound") {
        ipv4::reassembly_config small;
        small.max_memory = 1000;
        ipv4::reassembler rb(small);
        auto r = rb.push(pkt(make_fragment(1, 2000, 8, true, 1)), 0us);
        REQUIRE(!r);
        CHECK(r.error().kind == errc::limit_exceeded);
        CHECK(rb.memory() == 0);
    }
    SECTION("a non-fragment passes through") {
        ipv4::repr r;
        r.payload_len = 10;
        bytes b(r.buffer_len());
        r.emit(ipv4::mutable_packet::unchecked(mutable_bytes(b)));
        auto res = ra.push(pkt(b), 0us);
        REQUIRE(res);
        REQUIRE(res->has_value());
        CHECK((*res)->size() == 30);
    }
}
