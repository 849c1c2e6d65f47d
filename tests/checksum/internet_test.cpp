// Tests for wirekit/checksum/internet.hpp against RFC 1071 / RFC 1624 worked
// examples and against real captures whose checksums tshark verifies.
#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "support/pcap_file.hpp"
#include "wirekit/checksum/internet.hpp"

using namespace wirekit;

namespace {

template <class... T>
constexpr std::array<std::byte, sizeof...(T)> bytes_of(T... v) {
    return {static_cast<std::byte>(v)...};
}

constexpr internet_checksum_path all_paths[] = {
    internet_checksum_path::automatic, internet_checksum_path::portable,
    internet_checksum_path::avx2, internet_checksum_path::avx512, internet_checksum_path::avx512_vnni};

std::vector<std::byte> random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::byte> v(n);
    for (auto& b : v) b = static_cast<std::byte>(rng() & 0xffu);
    return v;
}

std::uint16_t be16_at(const std::vector<std::byte>& f, std::size_t off) {
    return static_cast<std::uint16_t>((std::to_integer<unsigned>(f[off]) << 8) | std::to_integer<unsigned>(f[off + 1]));
}

}  // namespace

// RFC 1071 §3 "Numerical Examples": bytes 00 01 f2 03 f4 f5 f6 f7 sum to
// 0xddf2 ("2ddf0" folded); the byte-swapped order sums to 0xf2dd.
TEST_CASE("RFC 1071 numerical example, every path", "[checksum][internet]") {
    constexpr auto data = bytes_of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    constexpr auto swapped = bytes_of(0x01, 0x00, 0x03, 0xf2, 0xf5, 0xf4, 0xf7, 0xf6);
    for (auto path : all_paths) {
        if (!is_supported(path)) continue;
        CAPTURE(static_cast<int>(path));
        CHECK(ones_complement_sum(data, path) == 0xddf2);
        CHECK(ones_complement_sum(swapped, path) == 0xf2dd);
    }
    CHECK(internet_checksum(data) == 0x220d);
    // Compile-time evaluation (golden frames).
    static_assert(ones_complement_sum(data) == 0xddf2);
    static_assert(internet_checksum(data) == 0x220d);
}

TEST_CASE("odd length pads with a zero byte (RFC 1071 §1)", "[checksum][internet]") {
    constexpr auto odd = bytes_of(0x00, 0x01, 0xf2);        // 0x0001 + 0xf200
    CHECK(ones_complement_sum(odd) == 0xf201);
    constexpr auto one = bytes_of(0xab);
    CHECK(ones_complement_sum(one) == 0xab00);
    CHECK(ones_complement_sum(bytes_view{}) == 0x0000);
    CHECK(internet_checksum(bytes_view{}) == 0xffff);
}

TEST_CASE("end-around carry: all-0xff data sums to 0xffff, never 0", "[checksum][internet]") {
    std::vector<std::byte> ff(200000, std::byte{0xff});
    for (std::size_t n : {2u, 64u, 1500u, 65536u, 131072u, 200000u})
        for (auto path : all_paths) {
            if (!is_supported(path)) continue;
            CHECK(ones_complement_sum(bytes_view(ff.data(), n), path) == 0xffff);
        }
    std::vector<std::byte> zero(4096, std::byte{0});
    for (auto path : all_paths)
        if (is_supported(path)) CHECK(ones_complement_sum(zero, path) == 0x0000);
}

TEST_CASE("every path equals the bytewise reference, lengths 0..4096, alignments 0..63",
          "[checksum][internet]") {
    const auto buf = random_bytes(4096 + 64, 1071);
    const auto ff = std::vector<std::byte>(4096 + 64, std::byte{0xff});
    for (const auto* src : {&buf, &ff}) {
        for (std::size_t len = 0; len <= 4096; ++len) {
            const std::size_t aligns = len <= 256 ? 64 : 2;
            for (std::size_t k = 0; k < aligns; ++k) {
                const std::size_t align = aligns == 64 ? k : (len * 7 + k * 31) % 64;
                const bytes_view b(src->data() + align, len);
                const std::uint16_t ref = detail::inet_sum_bytewise(b.data(), b.size());
                for (auto path : all_paths) {
                    if (!is_supported(path)) continue;
                    if (ones_complement_sum(b, path) != ref) {
                        CAPTURE(len, align, static_cast<int>(path));
                        FAIL("path disagrees with the bytewise reference");
                    }
                }
            }
        }
    }
}

TEST_CASE("accumulator across spans of any parity equals one-shot", "[checksum][internet]") {
    const auto buf = random_bytes(3000, 1624);
    std::mt19937 rng(7);
    for (int trial = 0; trial < 300; ++trial) {
        const std::size_t len = rng() % 3000;
        const bytes_view all(buf.data(), len);
        checksum_accumulator acc;
        std::size_t pos = 0;
        while (pos < len) {
            const std::size_t step = std::min<std::size_t>(len - pos, rng() % 70);
            acc.add(all.subspan(pos, step));
            pos += step;
        }
        CHECK(acc.sum() == ones_complement_sum(all));
        CHECK(acc.finish() == internet_checksum(all));
        CHECK(acc.odd() == (len % 2 == 1));
    }
    // add_u16/add_u32 after an odd span pair bytes like add() does.
    constexpr auto data = bytes_of(0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde);
    checksum_accumulator a, b;
    a.add(bytes_view(data).first(3)).add_u32(0x789abcde);
    b.add(data);
    CHECK(a.sum() == b.sum());
}

// RFC 1624 §4 "Example": a 16-bit field m = 0x5555 changes to m' = 0x3285; the
// one's-complement sum of all other header octets is C = 0xCD7A, so HC =
// 0xDD2F and the correct new checksum is 0x0000 (eqn. 2 wrongly gives 0xFFFF).
TEST_CASE("RFC 1624 eqn. 3 worked example", "[checksum][internet]") {
    CHECK(checksum_update(0xdd2f, 0x5555, 0x3285) == 0x0000);
    // Erratum 4782: m' == m with HC = 0x0000 must leave HC unchanged (0x0000),
    // which true ones'-complement arithmetic gives (erratum 5864).
    CHECK(checksum_update(0x0000, 0x5555, 0x5555) == 0x0000);
    for (std::uint32_t hc : {0x0000u, 0x1234u, 0xfffeu})
        for (std::uint32_t m : {0x0000u, 0x5555u, 0xffffu})
            CHECK(checksum_update(static_cast<std::uint16_t>(hc), static_cast<std::uint16_t>(m),
                                  static_cast<std::uint16_t>(m)) == hc);
    static_assert(checksum_update(0xdd2f, 0x5555, 0x3285) == 0x0000);
}

TEST_CASE("incremental update equals recomputation on random headers", "[checksum][internet]") {
    std::mt19937_64 rng(1624);
    for (int trial = 0; trial < 2000; ++trial) {
        auto hdr = random_bytes(20, rng());
        hdr[10] = hdr[11] = std::byte{0};
        const std::uint16_t hc = internet_checksum(hdr);
        const std::size_t w = 2 * (rng() % 10);
        if (w == 10) continue;  // the checksum field itself
        const std::uint16_t m = be16_at(hdr, w);
        const auto m_new = static_cast<std::uint16_t>(rng());
        hdr[w] = static_cast<std::byte>(m_new >> 8);
        hdr[w + 1] = static_cast<std::byte>(m_new & 0xffu);
        CHECK(checksum_update(hc, m, m_new) == internet_checksum(hdr));
        // 32-bit field (an address) through checksum_update32.
        const std::uint32_t a_old = (std::uint32_t{be16_at(hdr, 12)} << 16) | be16_at(hdr, 14);
        const auto a_new = static_cast<std::uint32_t>(rng());
        const std::uint16_t hc2 = internet_checksum(hdr);
        for (int i = 0; i < 4; ++i) hdr[12 + i] = static_cast<std::byte>((a_new >> (24 - 8 * i)) & 0xffu);
        CHECK(checksum_update32(hc2, a_old, a_new) == internet_checksum(hdr));
    }
}

// Real captures: tests/data/README — checksum offload was off, and
//   tshark -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE
//          -o udp.check_checksum:TRUE -T fields -e ip.checksum.status
//          -e tcp.checksum.status -e udp.checksum.status -e icmp.checksum.status
//          -e icmpv6.checksum.status
// reports every IPv4 header, TCP, UDP, ICMP and ICMPv6 checksum in them as Good (1).
TEST_CASE("IPv4 header, TCP and UDP checksums of real captures verify", "[checksum][internet][pcap]") {
    std::size_t ip_checked = 0, tcp_checked = 0, udp_checked = 0;
    for (const char* name : {"tcp-echo.pcap", "udp-uppercase.pcap", "dns-queries.pcap", "dns-tcp.pcap",
                             "http-get.pcap", "http-post.pcap", "http-big.pcap", "tcp-lossy.pcap"}) {
        for (const auto& fr : test::read_pcap(name)) {
            const auto& f = fr.data;
            if (f.size() < 34 || be16_at(f, 12) != 0x0800) continue;
            const std::size_t ihl = 4 * (std::to_integer<std::size_t>(f[14]) & 0xfu);
            const bytes_view ip(f.data() + 14, ihl);
            REQUIRE(internet_checksum_valid(ip));
            // Recomputing with the field zeroed reproduces the stored field.
            std::vector<std::byte> copy(ip.begin(), ip.end());
            copy[10] = copy[11] = std::byte{0};
            CHECK(internet_checksum(copy) == be16_at(f, 24));
            ++ip_checked;

            const std::size_t total = be16_at(f, 16);
            const bytes_view seg(f.data() + 14 + ihl, total - ihl);  // ends where IPv4 says, not at padding
            const ipv4_address_bytes src(f.data() + 26, 4), dst(f.data() + 30, 4);
            const auto proto = std::to_integer<std::uint8_t>(f[23]);
            if (proto == ip_protocol_tcp) {
                CHECK(ipv4_transport_checksum_valid(src, dst, proto, seg));
                std::vector<std::byte> s(seg.begin(), seg.end());
                const std::uint16_t stored = be16_at(s, 16);
                s[16] = s[17] = std::byte{0};
                CHECK(ipv4_transport_checksum(src, dst, proto, s) == stored);
                ++tcp_checked;
            } else if (proto == ip_protocol_udp) {
                REQUIRE(be16_at(f, 14 + ihl + 6) != 0);  // these senders always checksum
                CHECK(ipv4_transport_checksum_valid(src, dst, proto, seg));
                std::vector<std::byte> s(seg.begin(), seg.end());
                const std::uint16_t stored = be16_at(s, 6);
                s[6] = s[7] = std::byte{0};
                CHECK(udp_checksum_to_wire(ipv4_transport_checksum(src, dst, proto, s)) == stored);
                ++udp_checked;
            }
        }
    }
    CHECK(ip_checked > 900);
    CHECK(tcp_checked > 800);
    CHECK(udp_checked == 20);  // udp-uppercase 4 + dns-queries 16 (tshark frame counts)
}

TEST_CASE("ICMP over IPv4 fragments: accumulate the reassembled message", "[checksum][internet][pcap]") {
    // icmp-frag.pcap: each 4008-byte ICMP echo is split in 3 fragments
    // (offsets 0, 1480, 2960); tshark reports each reassembled ICMP checksum Good.
    const auto frames = test::read_pcap("icmp-frag.pcap");
    REQUIRE(frames.size() == 12);
    for (std::size_t i = 0; i < frames.size(); i += 3) {
        checksum_accumulator acc;
        std::size_t bytes = 0;
        for (std::size_t j = i; j < i + 3; ++j) {
            const auto& f = frames[j].data;
            const std::size_t ihl = 4 * (std::to_integer<std::size_t>(f[14]) & 0xfu);
            REQUIRE(internet_checksum_valid(bytes_view(f.data() + 14, ihl)));
            const std::size_t len = be16_at(f, 16) - ihl;
            acc.add(bytes_view(f.data() + 14 + ihl, len));
            bytes += len;
        }
        CHECK(bytes == 4008);
        CHECK(acc.valid());
    }
    // arp-ping.pcap: one unfragmented echo request/reply.
    std::size_t icmp = 0;
    for (const auto& fr : test::read_pcap("arp-ping.pcap")) {
        const auto& f = fr.data;
        if (f.size() < 34 || be16_at(f, 12) != 0x0800 || std::to_integer<int>(f[23]) != 1) continue;
        const std::size_t ihl = 4 * (std::to_integer<std::size_t>(f[14]) & 0xfu);
        CHECK(internet_checksum_valid(bytes_view(f.data() + 14 + ihl, be16_at(f, 16) - ihl)));
        ++icmp;
    }
    CHECK(icmp == 2);
}

TEST_CASE("ICMPv6 checksums over the IPv6 pseudo-header (real captures)", "[checksum][internet][pcap]") {
    // Router solicitations (133), neighbour solicitations (135) and MLDv2
    // reports (143, behind a hop-by-hop header); tshark: icmpv6.checksum.status Good.
    std::size_t checked = 0;
    for (const char* name : {"arp-ping.pcap", "http-get.pcap", "http-big.pcap", "http-keepalive.pcap",
                             "http-post.pcap", "tcp-lossy.pcap"}) {
        for (const auto& fr : test::read_pcap(name)) {
            const auto& f = fr.data;
            if (f.size() < 54 || be16_at(f, 12) != 0x86dd) continue;
            const ipv6_address_bytes src(f.data() + 22, 16), dst(f.data() + 38, 16);
            std::size_t off = 54, payload_end = 54 + be16_at(f, 18);
            auto next = std::to_integer<std::uint8_t>(f[20]);
            while (next == 0) {  // hop-by-hop options: (Hdr Ext Len + 1) * 8 bytes (RFC 8200 §4.3)
                next = std::to_integer<std::uint8_t>(f[off]);
                off += 8 * (std::to_integer<std::size_t>(f[off + 1]) + 1);
            }
            REQUIRE(next == ip_protocol_icmpv6);
            const bytes_view msg(f.data() + off, payload_end - off);
            CHECK(ipv6_transport_checksum_valid(src, dst, ip_protocol_icmpv6, msg));
            std::vector<std::byte> m(msg.begin(), msg.end());
            const std::uint16_t stored = be16_at(m, 2);
            m[2] = m[3] = std::byte{0};
            CHECK(ipv6_transport_checksum(src, dst, ip_protocol_icmpv6, m) == stored);
            ++checked;
        }
    }
    CHECK(checked == 9);
}

TEST_CASE("IPv6 pseudo-header helper matches the RFC 8200 §8.1 layout", "[checksum][internet]") {
    const auto addrs = random_bytes(32, 8200);
    const auto payload = random_bytes(1001, 8201);
    // Build the pseudo-header literally: src(16) dst(16) length(4) zero(3) next(1).
    std::vector<std::byte> literal(addrs.begin(), addrs.end());
    for (int i = 3; i >= 0; --i) literal.push_back(static_cast<std::byte>((payload.size() >> (8 * i)) & 0xffu));
    literal.insert(literal.end(), {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{17}});
    literal.insert(literal.end(), payload.begin(), payload.end());
    const ipv6_address_bytes src(addrs.data(), 16), dst(addrs.data() + 16, 16);
    CHECK(ipv6_transport_checksum(src, dst, ip_protocol_udp, payload) == internet_checksum(literal));
    // IPv4 (RFC 768 / RFC 9293 §3.1): src(4) dst(4) zero(1) proto(1) length(2).
    std::vector<std::byte> lit4(addrs.begin(), addrs.begin() + 8);
    lit4.insert(lit4.end(), {std::byte{0}, std::byte{6}, static_cast<std::byte>(payload.size() >> 8),
                             static_cast<std::byte>(payload.size() & 0xffu)});
    lit4.insert(lit4.end(), payload.begin(), payload.end());
    const ipv4_address_bytes s4(addrs.data(), 4), d4(addrs.data() + 4, 4);
    CHECK(ipv4_transport_checksum(s4, d4, ip_protocol_tcp, payload) == internet_checksum(lit4));
    CHECK(udp_checksum_to_wire(0) == 0xffff);
    CHECK(udp_checksum_to_wire(0x1234) == 0x1234);
}

// Compile-time golden frame: frame 1 of udp-uppercase.pcap as printed by
// `tshark -r udp-uppercase.pcap -c 1 -x` (IPv4 10.66.0.1 -> 10.66.0.2, UDP
// 34016 -> 12000, "hello world"; tshark: ip.checksum 0xbf0c, udp.checksum
// 0xa5b2, both Good).
TEST_CASE("golden frame checksums verify at compile time", "[checksum][internet]") {
    static constexpr auto ip = bytes_of(0x45, 0x00, 0x00, 0x27, 0x67, 0x33, 0x40, 0x00, 0x40, 0x11, 0xbf, 0x0c,
                                        0x0a, 0x42, 0x00, 0x01, 0x0a, 0x42, 0x00, 0x02);
    static constexpr auto udp = bytes_of(0x84, 0xe0, 0x2e, 0xe0, 0x00, 0x13, 0xa5, 0xb2, 'h', 'e', 'l', 'l', 'o',
                                         ' ', 'w', 'o', 'r', 'l', 'd');
    static_assert(internet_checksum_valid(ip));
    static_assert(ipv4_transport_checksum_valid(ipv4_address_bytes(ip.data() + 12, 4),
                                                ipv4_address_bytes(ip.data() + 16, 4), ip_protocol_udp, udp));
    // The same at run time, on every path the accumulator can take.
    CHECK(internet_checksum_valid(ip));
    CHECK(ipv4_transport_checksum_valid(ipv4_address_bytes(ip.data() + 12, 4), ipv4_address_bytes(ip.data() + 16, 4),
                                        ip_protocol_udp, udp));
    // Zeroing the field and recomputing at compile time gives tshark's values.
    static constexpr auto zeroed = [] {
        auto u = udp;
        u[6] = u[7] = std::byte{0};
        return u;
    }();
    static_assert(ipv4_transport_checksum(ipv4_address_bytes(ip.data() + 12, 4), ipv4_address_bytes(ip.data() + 16, 4),
                                          ip_protocol_udp, zeroed) == 0xa5b2);
}
