// Endian integers, addresses, result<T> and the core formatters.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "wirekit/core/address.hpp"
#include "wirekit/core/endian.hpp"
#include "wirekit/core/format.hpp"
#include "wirekit/core/result.hpp"

using namespace wirekit;

TEST_CASE("big- and little-endian integers of every width, unaligned") {
    alignas(8) std::byte buf[16]{};
    std::byte* odd = buf + 1;  // deliberately misaligned
    store_be<2>(odd, 0x0102);
    CHECK(odd[0] == std::byte{1});
    CHECK(load_be<2>(odd) == 0x0102);
    store_be<3>(odd, 0x010203);
    CHECK(odd[2] == std::byte{3});
    CHECK(load_be<3>(odd) == 0x010203u);
    store_be<6>(odd, 0x010203040506ull);
    CHECK(odd[5] == std::byte{6});
    CHECK(load_be<6>(odd) == 0x010203040506ull);
    store_be<8>(odd, 0x0102030405060708ull);
    CHECK(odd[7] == std::byte{8});
    store_le<4>(odd, 0x01020304u);
    CHECK(odd[0] == std::byte{4});
    CHECK(load_le<4>(odd) == 0x01020304u);
    store_le<3>(odd, 0xa1b2c3u);
    CHECK(odd[0] == std::byte{0xc3});
    CHECK(load_le<3>(odd) == 0xa1b2c3u);

    be24 x = 0x123456u;
    CHECK(x.raw[0] == std::byte{0x12});
    CHECK(x.get() == 0x123456u);
    le48 y = 0x010203040506ull;
    CHECK(y.raw[0] == std::byte{6});
    CHECK(static_cast<std::uint64_t>(y) == 0x010203040506ull);
    be16 z = 0xabcd;
    CHECK(z == be16(0xabcd));
    STATIC_REQUIRE(sizeof(be48) == 6);
    STATIC_REQUIRE(be32(0x01020304u).get() == 0x01020304u);
}

TEST_CASE("MAC addresses parse in both notations and classify") {
    auto a = mac_address::parse("b8:e3:56:15:6a:72");
    auto b = mac_address::parse("1A-2F-BB-76-09-AD");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(fmt::format("{}", *a) == "b8:e3:56:15:6a:72");
    CHECK(fmt::format("{}", *b) == "1a:2f:bb:76:09:ad");
    CHECK(a->is_unicast());
    CHECK(!a->is_local());
    CHECK(b->is_local());  // 0x1a: U/L bit set
    CHECK(mac_address::broadcast().is_broadcast());
    CHECK(mac_address::parse("01:00:5e:00:00:fb")->is_multicast());
    CHECK(!mac_address::parse("b8:e3:56:15:6a"));
    CHECK(!mac_address::parse("b8:e3-56:15:6a:72"));
    CHECK(!mac_address::parse("g8:e3:56:15:6a:72"));
}

TEST_CASE("IPv4 and IPv6 addresses parse and print canonically") {
    CHECK(ipv4_address::parse("10.66.0.1")->to_uint() == 0x0a420001u);
    CHECK(!ipv4_address::parse("10.66.0"));
    CHECK(!ipv4_address::parse("10.66.0.256"));
    CHECK(!ipv4_address::parse("10.66.0.01"));
    CHECK(!ipv4_address::parse("10.66.0.1."));
    CHECK(ipv4_address::parse("224.0.0.251")->is_multicast());
    // RFC 5952 §4: canonical text form.
    auto p = [](const char* s) { return fmt::format("{}", *ipv6_address::parse(s)); };
    CHECK(p("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");
    CHECK(p("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");  // §4.2.3: first of equal runs
    CHECK(p("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");  // §4.2.2: no :: for one group
    CHECK(p("::") == "::");
    CHECK(p("::1") == "::1");
    CHECK(p("fe80::") == "fe80::");
    CHECK(p("::ffff:10.0.0.1") == "::ffff:10.0.0.1");  // §5
    CHECK(ipv6_address::parse("fe80::1")->is_link_local());
    CHECK(!ipv6_address::parse("1::2::3"));
    CHECK(!ipv6_address::parse("1:2:3:4:5:6:7:8:9"));
    CHECK(!ipv6_address::parse(":1:2"));
    CHECK(!ipv6_address::parse("12345::"));
}

TEST_CASE("result carries a value or a located error, printable with fmt") {
    result<int> ok = 5;
    REQUIRE(ok);
    CHECK(*ok == 5);
    result<int> bad = make_error(errc::truncated, "ipv4", 12, "shorter than the header length");
    REQUIRE(!bad);
    CHECK(bad.value_or(7) == 7);
    CHECK(fmt::format("{}", bad.error()) == "ipv4: truncated at byte 12 (shorter than the header length)");
    CHECK(bad.error().shifted(14).offset == 26);
    result<void> v;
    CHECK(v);
    result<void> e = make_error(errc::bad_checksum, "tcp", 16);
    CHECK(fmt::format("{}", e.error()) == "tcp: bad_checksum at byte 16");
}
