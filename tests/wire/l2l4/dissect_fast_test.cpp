// dissect_into's fast path (untagged Ethernet, IPv4 without options, TCP
// without options or with NOP NOP Timestamps, UDP) must give exactly what the
// general dissector gives, which the tshark and golden tests check against
// independent truth. Compared here on every captured frame, every truncation
// of it, and single-byte changes of every header byte (which turn frames
// into VLAN, options, fragments, bad lengths and other protocols, so that
// both the fast path and its fallbacks run).
#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "support/pcap_file.hpp"
#include "wirekit/wire/dissect.hpp"

namespace {

using namespace wirekit;

template <class V>
bool same_view(const std::optional<V>& a, const std::optional<V>& b) {
    if (a.has_value() != b.has_value()) return false;
    if (!a) return true;
    return a->bytes().data() == b->bytes().data() && a->bytes().size() == b->bytes().size();
}

// Compares the outcome of dissect_into (fast path first) with the general
// dissector's on the same bytes; returns a description of the first difference.
std::string compare(bytes_view f) {
    dissection fast, general;
    // Start both from a dirty state (the previous frame's), as a reused dissection is.
    static dissection dirty;
    fast = dirty;
    general = dirty;
    const auto r1 = dissect_into(f, fast);
    const auto r2 = detail::dissect_general(f, general);
    if (r1.has_value() != r2.has_value()) return "success differs";
    if (!r1) return r1.error() == r2.error() ? "" : "errors differ";
    dirty = fast;
    if (fast.eth.bytes().data() != general.eth.bytes().data() || fast.eth.bytes().size() != general.eth.bytes().size())
        return "eth differs";
    if (!(fast.link == general.link)) return "link differs";
    if (!same_view(fast.arp, general.arp)) return "arp differs";
    if (!same_view(fast.ipv4, general.ipv4)) return "ipv4 differs";
    if (!same_view(fast.ipv6, general.ipv6)) return "ipv6 differs";
    if (!same_view(fast.tcp, general.tcp)) return "tcp differs";
    if (!same_view(fast.udp, general.udp)) return "udp differs";
    if (!same_view(fast.icmpv4, general.icmpv4)) return "icmpv4 differs";
    if (!same_view(fast.icmpv6, general.icmpv6)) return "icmpv6 differs";
    if (fast.fragment != general.fragment) return "fragment differs";
    if (fast.transport.data() != general.transport.data() || fast.transport.size() != general.transport.size())
        return "transport differs";
    if (fast.transport_offset != general.transport_offset) return "transport_offset differs";
    return "";
}

}  // namespace

TEST_CASE("l2l4: dissect_into's fast path agrees with the general dissector", "[wire][dissect]") {
    const char* files[] = {"arp-ping.pcap", "dns-queries.pcap", "dns-tcp.pcap", "http-get.pcap", "http-big.pcap",
                           "icmp-frag.pcap", "tcp-echo.pcap", "tcp-lossy.pcap", "udp-uppercase.pcap"};
    std::size_t frames = 0, fast_tcp = 0, fast_udp = 0;
    for (const char* name : files) {
        const auto capture = test::read_pcap(name);
        REQUIRE(!capture.empty());
        for (const auto& fr : capture) {
            const bytes_view f(fr.data);
            ++frames;
            // The frames the fast path is for do occur (so this test exercises it).
            dissection d;
            if (dissect_into(f, d) && d.ipv4 && d.ipv4->ihl() == 5 && !d.fragment && d.link.tag_count == 0) {
                if (d.tcp) ++fast_tcp;
                if (d.udp) ++fast_udp;
            }
            for (std::size_t n = 0; n <= f.size(); ++n) {
                INFO(name << " frame " << frames << " truncated to " << n);
                REQUIRE(compare(f.first(n)) == "");
            }
            std::vector<std::byte> m(fr.data);
            const std::size_t header_bytes = m.size() < 80 ? m.size() : 80;
            for (std::size_t i = 0; i < header_bytes; ++i) {
                const std::byte orig = m[i];
                for (std::byte v : {std::byte{0x00}, std::byte{0xff}, orig ^ std::byte{0x01}, orig ^ std::byte{0x10},
                                    orig ^ std::byte{0x80}}) {
                    m[i] = v;
                    INFO(name << " frame " << frames << " byte " << i << " set to " << std::to_integer<int>(v));
                    REQUIRE(compare(bytes_view(m)) == "");
                }
                m[i] = orig;
            }
        }
    }
    CHECK(fast_tcp > 100);
    CHECK(fast_udp > 5);
}

TEST_CASE("l2l4: the NOP NOP Timestamps shortcut accepts exactly what walk_options accepts", "[wire][dissect][tcp]") {
    // Every 12-byte options area that differs from 01 01 08 0a ... in one of
    // its first four bytes: the shortcut must say no, and walk_options decides.
    std::array<std::byte, 12> o{std::byte{1}, std::byte{1}, std::byte{8}, std::byte{10}};
    CHECK(detail::is_nop_nop_timestamps(bytes_view(o)));
    CHECK(tcp::walk_options(bytes_view(o), [](std::uint8_t, bytes_view) {}).has_value());
    CHECK_FALSE(detail::is_nop_nop_timestamps(bytes_view(o).first(11)));
    for (std::size_t i = 0; i < 4; ++i) {
        const std::byte orig = o[i];
        for (int v = 0; v < 256; ++v) {
            if (std::byte(v) == orig) continue;
            o[i] = std::byte(v);
            CHECK_FALSE(detail::is_nop_nop_timestamps(bytes_view(o)));
        }
        o[i] = orig;
    }
}
