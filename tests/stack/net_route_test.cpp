// Routing table: longest-prefix match against the textbook forwarding
// tables, and ipv4_cidr / ipv4_interface parsing.
//
// Source of truth: J. F. Kurose, K. W. Ross, "Computer Networking: A
// Top-Down Approach", 7th edition (Pearson, 2017):
//  * §4.2.1 "Input Port Processing and Destination-Based Forwarding": the
//    router with four links, given first as a table of destination-address
//    ranges and then as the equivalent prefix table
//        11001000 00010111 00010      -> 0
//        11001000 00010111 00011000   -> 1
//        11001000 00010111 00011      -> 2
//        otherwise                    -> 3
//    with the book's worked answers: 11001000 00010111 00010110 10100001
//    goes to link 0; 11001000 00010111 00011000 10101010 matches entries 2
//    and 3 and, by the longest prefix matching rule, goes to link 1.
//  * §4.3.3 "IPv4 Datagram Format / IPv4 Addressing", route aggregation:
//    Fly-By-Night-ISP advertises 200.23.16.0/20; ISPs-R-Us advertises
//    199.31.0.0/16 and, after Organization 1 moves to it, the more specific
//    200.23.18.0/23, which wins for Organization 1's addresses.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string_view>

#include "wirekit/stack/route.hpp"

using namespace wirekit;
using namespace wirekit::stack;

namespace {

// "11001000 00010111 00010110 10100001" (spaces ignored) -> the 32-bit
// value with those leading bits, and the number of bits written.
struct bits {
    std::uint32_t value = 0;
    std::uint8_t count = 0;
};
constexpr bits parse_bits(std::string_view s) {
    bits b;
    for (char c : s) {
        if (c == ' ') continue;
        b.value = (b.value << 1) | (c == '1' ? 1u : 0u);
        ++b.count;
    }
    b.value = b.count == 0 ? 0 : b.value << (32 - b.count);
    return b;
}
ipv4_address address_bits(std::string_view s) {
    const bits b = parse_bits(s);
    REQUIRE(b.count == 32);
    return ipv4_address::from_uint(b.value);
}
ipv4_cidr prefix_bits(std::string_view s) {
    const bits b = parse_bits(s);
    auto c = ipv4_cidr::make(ipv4_address::from_uint(b.value), b.count);
    REQUIRE(c);
    return *c;
}
ipv4_cidr cidr(std::string_view s) {
    auto c = ipv4_cidr::parse(s);
    REQUIRE(c);
    return *c;
}
ipv4_address ip(std::string_view s) {
    auto a = ipv4_address::parse(s);
    REQUIRE(a);
    return *a;
}
std::optional<std::size_t> link(const routing_table<8>& t, ipv4_address a) {
    auto r = t.lookup(a);
    if (!r) return std::nullopt;
    return r->iface;
}

// Kurose & Ross 7th ed. §4.2.1, the prefix table, entered as the book
// prints it (bit strings).
routing_table<8> kurose_ross_prefix_table() {
    routing_table<8> t;
    REQUIRE(t.add(prefix_bits("11001000 00010111 00010"), std::nullopt, 0));
    REQUIRE(t.add(prefix_bits("11001000 00010111 00011000"), std::nullopt, 1));
    REQUIRE(t.add(prefix_bits("11001000 00010111 00011"), std::nullopt, 2));
    REQUIRE(t.add(prefix_bits(""), std::nullopt, 3));  // "otherwise"
    return t;
}

}  // namespace

TEST_CASE("Kurose & Ross §4.2.1 prefix table: the book's worked answers") {
    const auto t = kurose_ross_prefix_table();
    // "the router forwards the packet to link interface 0"
    CHECK(link(t, address_bits("11001000 00010111 00010110 10100001")) == 0u);
    // Matches the 24-bit entry and the 21-bit entry; longest prefix -> 1.
    CHECK(link(t, address_bits("11001000 00010111 00011000 10101010")) == 1u);
    // Only the 21-bit third entry matches (third range of the book's range table).
    CHECK(link(t, address_bits("11001000 00010111 00011001 10101010")) == 2u);
    // No prefix matches: "otherwise" -> 3.
    CHECK(link(t, address_bits("11001000 00010111 00001000 00000001")) == 3u);
    CHECK(link(t, address_bits("00000000 00000000 00000000 00000000")) == 3u);
}

TEST_CASE("Kurose & Ross §4.2.1: LPM over the prefix table equals the book's address-range table") {
    // The book's first form of the same router (destination address range
    // -> link interface). Every address of 200.23.0.0/16 must get the same
    // link from longest-prefix match as from this range table.
    struct range {
        std::uint32_t first, last;
        std::size_t link;
    };
    const range ranges[] = {
        {parse_bits("11001000 00010111 00010000 00000000").value, parse_bits("11001000 00010111 00010111 11111111").value, 0},
        {parse_bits("11001000 00010111 00011000 00000000").value, parse_bits("11001000 00010111 00011000 11111111").value, 1},
        {parse_bits("11001000 00010111 00011001 00000000").value, parse_bits("11001000 00010111 00011111 11111111").value, 2},
    };
    const auto t = kurose_ross_prefix_table();
    std::size_t mismatches = 0;
    for (std::uint32_t low = 0; low <= 0xffff; ++low) {
        const std::uint32_t a = 0xc8170000u | low;  // 200.23.x.y
        std::size_t want = 3;                       // otherwise
        for (const auto& r : ranges)
            if (a >= r.first && a <= r.last) want = r.link;
        if (link(t, ipv4_address::from_uint(a)) != want) ++mismatches;
    }
    CHECK(mismatches == 0);
}

TEST_CASE("the same table in CIDR notation, /21 to /24, in any insertion order") {
    // 11001000 00010111 00010*** = 200.23.16.0/21, 11001000 00010111
    // 00011000 = 200.23.24.0/24, 11001000 00010111 00011*** = 200.23.24.0/21.
    CHECK(cidr("200.23.16.0/21") == prefix_bits("11001000 00010111 00010"));
    CHECK(cidr("200.23.24.0/24") == prefix_bits("11001000 00010111 00011000"));
    CHECK(cidr("200.23.24.0/21") == prefix_bits("11001000 00010111 00011"));
    // Insertion order must not matter: add the /21 covering the /24 first.
    routing_table<8> t;
    REQUIRE(t.add(cidr("0.0.0.0/0"), ip("10.0.0.254"), 3));
    REQUIRE(t.add(cidr("200.23.24.0/21"), std::nullopt, 2));
    REQUIRE(t.add(cidr("200.23.24.0/24"), std::nullopt, 1));
    REQUIRE(t.add(cidr("200.23.16.0/21"), std::nullopt, 0));
    CHECK(link(t, ip("200.23.22.161")) == 0u);   // 11001000 00010111 00010110 10100001
    CHECK(link(t, ip("200.23.24.170")) == 1u);   // 11001000 00010111 00011000 10101010
    CHECK(link(t, ip("200.23.25.170")) == 2u);
    CHECK(link(t, ip("200.23.31.255")) == 2u);
    CHECK(link(t, ip("200.23.15.255")) == 3u);
    CHECK(link(t, ip("200.23.32.0")) == 3u);
    // The default route has a gateway: the next hop is the router, while
    // on-link routes resolve the destination itself.
    CHECK(t.lookup(ip("8.8.8.8"))->next_hop(ip("8.8.8.8")) == ip("10.0.0.254"));
    CHECK(t.lookup(ip("200.23.24.170"))->next_hop(ip("200.23.24.170")) == ip("200.23.24.170"));
}

TEST_CASE("Kurose & Ross §4.3.3 route aggregation: the more specific route wins") {
    routing_table<4> t;
    REQUIRE(t.add(cidr("200.23.16.0/20"), ip("192.0.2.1"), 0));  // Fly-By-Night-ISP
    REQUIRE(t.add(cidr("199.31.0.0/16"), ip("192.0.2.2"), 1));   // ISPs-R-Us
    REQUIRE(t.add(cidr("200.23.18.0/23"), ip("192.0.2.2"), 1));  // ISPs-R-Us, Organization 1
    CHECK(t.lookup(ip("200.23.18.7"))->iface == 1);   // Organization 1 (moved)
    CHECK(t.lookup(ip("200.23.19.250"))->iface == 1);
    CHECK(t.lookup(ip("200.23.16.7"))->iface == 0);   // Organization 0
    CHECK(t.lookup(ip("200.23.20.7"))->iface == 0);   // Organization 2
    CHECK(t.lookup(ip("200.23.30.7"))->iface == 0);   // Organization 7
    CHECK(t.lookup(ip("199.31.5.5"))->iface == 1);
    CHECK_FALSE(t.lookup(ip("200.23.32.1")));          // no default route: no match
}

TEST_CASE("routing_table bounds: full table, duplicate prefix, replace and remove") {
    routing_table<2> t;
    CHECK(t.add(cidr("10.0.0.0/8")));
    CHECK_FALSE(t.add(cidr("10.0.0.0/8"), ip("10.0.0.1")));  // duplicate prefix
    CHECK(t.add(cidr("10.1.0.0/16"), std::nullopt, 1));
    CHECK_FALSE(t.add(cidr("0.0.0.0/0")));                    // full
    CHECK(t.size() == 2);
    CHECK(t.replace(cidr("10.0.0.0/8"), ip("10.9.9.9"), 4));
    CHECK(t.lookup(ip("10.2.3.4"))->gateway == ip("10.9.9.9"));
    CHECK(t.lookup(ip("10.1.3.4"))->iface == 1);
    CHECK(t.remove(cidr("10.1.0.0/16")));
    CHECK_FALSE(t.remove(cidr("10.1.0.0/16")));
    CHECK(t.lookup(ip("10.1.3.4"))->iface == 4);
    CHECK(t.add(cidr("0.0.0.0/0"), ip("10.0.0.1")));
    CHECK(t.lookup(ip("192.0.2.1"))->gateway == ip("10.0.0.1"));
    // /32 host route beats everything.
    routing_table<3> h;
    CHECK(h.add(cidr("0.0.0.0/0"), std::nullopt, 0));
    CHECK(h.add(cidr("192.0.2.7/32"), std::nullopt, 2));
    CHECK(h.add(cidr("192.0.2.0/31"), std::nullopt, 1));
    CHECK(h.lookup(ip("192.0.2.7"))->iface == 2);
    CHECK(h.lookup(ip("192.0.2.6"))->iface == 0);
    CHECK(h.lookup(ip("192.0.2.1"))->iface == 1);
}

TEST_CASE("ipv4_cidr and ipv4_interface parsing") {
    // RFC 4632 §3.1 examples of prefixes and their masks.
    CHECK(cidr("10.0.0.0/8").netmask() == ip("255.0.0.0"));
    CHECK(cidr("200.23.16.0/21").netmask() == ip("255.255.248.0"));
    CHECK(cidr("200.23.16.0/21").broadcast() == ip("200.23.23.255"));
    CHECK(cidr("0.0.0.0/0").contains(ip("1.2.3.4")));
    CHECK(cidr("1.2.3.4/32").contains(ip("1.2.3.4")));
    CHECK_FALSE(cidr("1.2.3.4/32").contains(ip("1.2.3.5")));
    // Host bits set, bad lengths, bad text.
    CHECK_FALSE(ipv4_cidr::parse("200.23.16.1/21"));
    CHECK_FALSE(ipv4_cidr::parse("200.23.17.0/21"));
    CHECK_FALSE(ipv4_cidr::parse("10.0.0.0/33"));
    CHECK_FALSE(ipv4_cidr::parse("10.0.0.0/08"));
    CHECK_FALSE(ipv4_cidr::parse("10.0.0.0/"));
    CHECK_FALSE(ipv4_cidr::parse("10.0.0.0"));
    CHECK_FALSE(ipv4_cidr::parse("10.0.0/8"));
    CHECK_FALSE(ipv4_cidr::parse("10.0.0.0/8x"));
    CHECK_FALSE(ipv4_cidr::parse("10.0.0.0/-1"));
    CHECK_FALSE(ipv4_cidr::make(ip("10.0.0.0"), 33));
    CHECK(ipv4_cidr::containing(ip("200.23.22.161"), 21) == cidr("200.23.16.0/21"));
    // Interface addresses keep host bits.
    auto itf = ipv4_interface::parse("10.66.0.2/24");
    REQUIRE(itf);
    CHECK(itf->address == ip("10.66.0.2"));
    CHECK(itf->length == 24);
    CHECK(itf->subnet() == cidr("10.66.0.0/24"));
    CHECK_FALSE(ipv4_interface::parse("10.66.0.2"));
    CHECK_FALSE(ipv4_interface::parse("10.66.0.256/24"));
    CHECK_FALSE(ipv4_interface::parse("10.66.0.2/40"));
    static_assert(prefix_mask(0) == 0 && prefix_mask(21) == 0xfffff800u && prefix_mask(32) == 0xffffffffu);
}
