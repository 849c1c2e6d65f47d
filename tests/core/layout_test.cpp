// Layout and view behaviour: offsets from the description, bit fields at the
// edges (1-bit flags, fields straddling bytes, maximum values), byte order,
// byte-array fields, checked construction. Expected bytes come from the RFC
// header diagrams (bit 0 is the most significant bit of the first byte) or
// from an independent bit-by-bit reference reader written below.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <random>

#include "wirekit/core/address.hpp"
#include "wirekit/core/view.hpp"
#include "wirekit/wire/ipv4.hpp"
#include "wirekit/wire/tcp.hpp"

using namespace wirekit;

namespace {

template <std::size_t N>
std::array<std::byte, N> bytes_of(const std::array<unsigned, N>& v) {
    std::array<std::byte, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::byte>(v[i]);
    return out;
}

// Independent reference: read `width` bits starting at bit `at` (bit 0 = MSB
// of byte 0), one bit at a time.
std::uint64_t ref_read(const std::byte* p, std::size_t at, std::size_t width) {
    std::uint64_t v = 0;
    for (std::size_t i = at; i < at + width; ++i)
        v = (v << 1) | ((std::to_integer<unsigned>(p[i / 8]) >> (7 - i % 8)) & 1u);
    return v;
}

// Odd widths, every straddling position, total 8 * 40 bits.
struct torture_layout : layout<field<"a", 1>, field<"b", 3>, field<"c", 5>, field<"d", 7>, field<"e", 9>,
                               field<"f", 11>, field<"g", 13>, field<"h", 17>, field<"i", 19>, field<"j", 23>,
                               field<"k", 29>, field<"l", 31>, field<"m", 33>, field<"n", 57>, field<"o", 6>,
                               field<"p", 1, bool>, field<"q", 55>> {};
static_assert(torture_layout::fixed_size == 40);

enum class color : std::uint8_t { red = 1, green = 2, blue = 3 };
struct mixed_layout : layout<field<"magic", 24>, le_field<"le16", 16>, le_field<"le32", 32>, field<"be48", 48>,
                             field<"mac", 48, mac_address>, field<"color", 2, color>, field<"rest", 6>,
                             field<"big", 64>> {};
static_assert(mixed_layout::fixed_size == 3 + 2 + 4 + 6 + 6 + 1 + 8);

}  // namespace

TEST_CASE("offsets and sizes are computed from the description") {
    STATIC_REQUIRE(ipv4::header_layout::fixed_size == 20);  // RFC 791 §3.1
    STATIC_REQUIRE(tcp::header_layout::fixed_size == 20);   // RFC 9293 §3.1
    STATIC_REQUIRE(field_of<ipv4::header_layout, "ttl">::byte_offset == 8);
    STATIC_REQUIRE(field_of<ipv4::header_layout, "fragment_offset">::bit_offset == 51);
    STATIC_REQUIRE(field_of<ipv4::header_layout, "fragment_offset">::span == 2);
    STATIC_REQUIRE(field_of<ipv4::header_layout, "dst_addr">::byte_offset == 16);
    STATIC_REQUIRE(field_of<tcp::header_layout, "data_offset">::bit_offset == 96);
    STATIC_REQUIRE(field_of<tcp::header_layout, "fin">::bit_offset == 111);
    STATIC_REQUIRE(field_of<tcp::header_layout, "window">::byte_offset == 14);
    STATIC_REQUIRE(ipv4::header_layout::field_count == 15);
    STATIC_REQUIRE(ipv4::header_layout::field_names[9] == "fragment_offset");
}

TEST_CASE("IPv4 bit fields: version/IHL nibbles, flags and the 13-bit fragment offset") {
    // RFC 791 §3.1: byte 0 = version(4) | IHL(4); bytes 6-7 = flags(3) | offset(13).
    auto raw = bytes_of<20>({0x46, 0xb8, 0x05, 0xdc, 0xab, 0xcd, 0x7f, 0xff, 0x01, 0x11, 0, 0,
                             192, 0, 2, 1, 198, 51, 100, 7});
    auto v = ipv4::mutable_packet::unchecked(raw);
    CHECK(v.version() == 4);
    CHECK(v.ihl() == 6);
    CHECK(v.dscp() == 46);  // 0xb8 >> 2: Expedited Forwarding (RFC 3246)
    CHECK(v.ecn() == 0);
    CHECK(v.total_length() == 1500);
    CHECK(v.identification() == 0xabcd);
    CHECK(!v.reserved_flag());
    CHECK(v.dont_fragment());
    CHECK(v.more_fragments());
    CHECK(v.fragment_offset() == 0x1fff);  // maximum value
    CHECK(v.protocol() == 17);
    CHECK(v.src_addr() == ipv4_address::of(192, 0, 2, 1));

    // Writing one flag leaves its neighbours alone.
    v.set_dont_fragment(false);
    CHECK(raw[6] == std::byte{0x3f});
    CHECK(raw[7] == std::byte{0xff});
    v.set_fragment_offset(0);
    CHECK(raw[6] == std::byte{0x20});  // MF survives
    CHECK(raw[7] == std::byte{0x00});
    CHECK(v.more_fragments());
    v.set_more_fragments(false);
    CHECK(raw[6] == std::byte{0x00});
    v.set_more_fragments(true);
    v.set_fragment_offset(185);  // RFC 791: offset in 8-byte units; 185 * 8 = 1480
    CHECK(raw[6] == std::byte{0x20});
    CHECK(raw[7] == std::byte{0xb9});
    v.set_reserved_flag(true);
    CHECK(raw[6] == std::byte{0xa0});
    v.set_version(15);
    v.set_ihl(0);
    CHECK(raw[0] == std::byte{0xf0});
    v.set_ecn(3);
    CHECK(raw[1] == std::byte{0xbb});
}

TEST_CASE("TCP data offset and the 12 flag bits") {
    // RFC 9293 §3.1: byte 12 = data offset(4) | reserved(3) | AE; byte 13 = CWR..FIN.
    std::array<std::byte, 20> raw{};
    auto s = tcp::mutable_segment::unchecked(raw);
    s.set_data_offset(15);
    CHECK(raw[12] == std::byte{0xf0});
    s.set_ae(true);
    CHECK(raw[12] == std::byte{0xf1});
    s.set_syn(true);
    s.set_ack(true);
    CHECK(raw[13] == std::byte{0x12});
    CHECK(s.flags() == 0x112);
    s.set_fin(true);
    s.set_cwr(true);
    CHECK(raw[13] == std::byte{0x93});
    s.set_reserved(7);
    CHECK(raw[12] == std::byte{0xff});
    CHECK(s.data_offset() == 15);
    CHECK(s.flags() == 0xf93);
    s.set_seq_number(0xffffffffu);
    CHECK(raw[4] == std::byte{0xff});
    CHECK(raw[7] == std::byte{0xff});
    CHECK(raw[8] == std::byte{0x00});
}

TEST_CASE("every field of an odd-width layout reads like a bit-by-bit reference") {
    std::mt19937_64 rng(12345);
    std::array<std::byte, 40> raw{};
    for (int round = 0; round < 200; ++round) {
        for (auto& b : raw) b = static_cast<std::byte>(rng() & 0xff);
        auto v = view<torture_layout>::unchecked(raw);
        hana::for_each(torture_layout::fields, [&](auto t) {
            using P = typename decltype(t)::type;
            INFO("field " << P::name.view());
            CHECK(static_cast<std::uint64_t>(v.template get<P::name>()) == ref_read(raw.data(), P::bit_offset, P::bits));
        });
    }
}

TEST_CASE("writing a field changes exactly its bits") {
    std::mt19937_64 rng(777);
    std::array<std::byte, 40> raw{};
    for (int round = 0; round < 200; ++round) {
        for (auto& b : raw) b = static_cast<std::byte>(rng() & 0xff);
        hana::for_each(torture_layout::fields, [&](auto t) {
            using P = typename decltype(t)::type;
            INFO("field " << P::name.view());
            const auto before = raw;
            const std::uint64_t mask = P::bits == 64 ? ~0ull : ((1ull << P::bits) - 1);
            const std::uint64_t value = rng() & mask;
            auto v = mutable_view<torture_layout>::unchecked(raw);
            v.template set<P::name>(static_cast<typename P::value_type>(value));
            CHECK(ref_read(raw.data(), P::bit_offset, P::bits) == value);
            // Bits before and after the field are unchanged.
            CHECK(ref_read(raw.data(), 0, P::bit_offset) == ref_read(before.data(), 0, P::bit_offset));
            const std::size_t end = P::bit_offset + P::bits;
            for (std::size_t at = end; at < 320; at += 64) {
                const std::size_t w = std::min<std::size_t>(64, 320 - at);
                CHECK(ref_read(raw.data(), at, w) == ref_read(before.data(), at, w));
            }
        });
    }
}

TEST_CASE("maximum values, both byte orders, byte arrays and enums") {
    std::array<std::byte, 30> raw{};
    auto v = mutable_view<mixed_layout>::unchecked(raw);
    v.set<"magic">(0xffffff);
    v.set<"le16">(0x1234);
    v.set<"le32">(0xdeadbeef);
    v.set<"be48">(0x0000'8000'0000'0001ull);
    v.set<"mac">(*mac_address::parse("b8:e3:56:15:6a:72"));
    v.set<"color">(color::blue);
    v.set<"rest">(0x3f);
    v.set<"big">(0xffffffffffffffffull);
    CHECK(raw[0] == std::byte{0xff});
    CHECK(raw[2] == std::byte{0xff});
    CHECK(raw[3] == std::byte{0x34});  // little-endian: low byte first
    CHECK(raw[4] == std::byte{0x12});
    CHECK(raw[5] == std::byte{0xef});
    CHECK(raw[8] == std::byte{0xde});
    CHECK(raw[9] == std::byte{0x80});  // be48 high byte (0x800000000001)
    CHECK(raw[14] == std::byte{0x01});
    CHECK(raw[15] == std::byte{0xb8});  // MAC in transmission order
    CHECK(raw[20] == std::byte{0x72});
    CHECK(raw[21] == std::byte{0xff});  // color(2)=3 | rest(6)=0x3f
    CHECK(v.get<"magic">() == 0xffffffu);
    CHECK(v.get<"le16">() == 0x1234u);
    CHECK(v.get<"le32">() == 0xdeadbeefu);
    CHECK(v.get<"be48">() == 0x800000000001ull);
    CHECK(v.get<"color">() == color::blue);
    CHECK(v.get<"big">() == 0xffffffffffffffffull);
    CHECK(v.get<"mac">() == mac_address::of(0xb8, 0xe3, 0x56, 0x15, 0x6a, 0x72));
}

TEST_CASE("layouts and views work at compile time") {
    constexpr auto ttl = [] {
        std::array<std::byte, 20> raw{};
        auto v = ipv4::mutable_packet::unchecked(raw);
        v.set_ttl(64);
        v.set_fragment_offset(370);
        return ipv4::packet::unchecked(raw).ttl() + ipv4::packet::unchecked(raw).fragment_offset();
    }();
    STATIC_REQUIRE(ttl == 64 + 370);
}

TEST_CASE("checked construction rejects short and inconsistent buffers") {
    auto good = bytes_of<24>({0x45, 0, 0, 24, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, 1, 2, 3, 4});
    SECTION("fits") {
        auto p = ipv4::packet::checked(good);
        REQUIRE(p);
        CHECK(p->payload().size() == 4);
    }
    SECTION("shorter than the fixed header") {
        auto p = ipv4::packet::checked(bytes_view(good).first(19));
        REQUIRE(!p);
        CHECK(p.error().kind == errc::truncated);
        CHECK(p.error().layer == "ipv4");
        CHECK(p.error().offset == 19);
    }
    SECTION("IHL below 5") {
        good[0] = std::byte{0x44};
        auto p = ipv4::packet::checked(good);
        REQUIRE(!p);
        CHECK(p.error().kind == errc::bad_length);
    }
    SECTION("IHL beyond the buffer") {
        good[0] = std::byte{0x4f};  // 60-byte header in 24 bytes
        auto p = ipv4::packet::checked(good);
        REQUIRE(!p);
        CHECK(p.error().kind == errc::truncated);
    }
    SECTION("total length beyond the buffer") {
        good[3] = std::byte{25};
        auto p = ipv4::packet::checked(good);
        REQUIRE(!p);
        CHECK(p.error().kind == errc::truncated);
        CHECK(p.error().offset == 24);
    }
    SECTION("total length below the header") {
        good[3] = std::byte{19};
        auto p = ipv4::packet::checked(good);
        REQUIRE(!p);
        CHECK(p.error().kind == errc::bad_length);
    }
    SECTION("padding after total length is not payload") {
        good[3] = std::byte{20};
        auto p = ipv4::packet::checked(good);
        REQUIRE(p);
        CHECK(p->payload().empty());
        CHECK(p->bytes().size() == 24);
    }
    SECTION("wrong version") {
        good[0] = std::byte{0x65};
        auto p = ipv4::packet::checked(good);
        REQUIRE(!p);
        CHECK(p.error().kind == errc::malformed);
    }
    SECTION("empty input") {
        auto p = tcp::segment::checked(bytes_view{});
        REQUIRE(!p);
        CHECK(p.error().kind == errc::truncated);
        CHECK(p.error().layer == "tcp");
    }
}
