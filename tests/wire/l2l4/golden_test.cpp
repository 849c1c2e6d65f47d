// Golden construct/deconstruct tests on real captures: every frame recorded
// from Linux peers is parsed into reprs and re-emitted through the crafting
// layer, which must reproduce the captured bytes exactly — lengths, IHL, data
// offset, option layout, padding and every checksum included. Then
// truncation at every byte offset, for every format, and the malformed
// inputs the issue names.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "l2l4_test_util.hpp"

using namespace wirekit;
using bytes = std::vector<std::byte>;

namespace {

template <class Stack>
bytes emit_all(const Stack& s) {
    auto v = s.to_bytes();
    if (!v) FAIL(fmt::format("{}", v.error()));
    return *v;
}

/// Rebuilds a frame from its reprs, or returns empty when the frame has a
/// layer crafting does not model (IPv6 extension headers).
bytes rebuild(const dissection& d) {
    const ethernet::repr eth = d.link;
    if (d.arp) {
        auto a = arp::repr::parse(*d.arp);
        REQUIRE(a);
        return emit_all(eth / *a);
    }
    if (d.ipv4) {
        auto ip = ipv4::repr::parse(*d.ipv4);
        if (!ip) FAIL(fmt::format("{}", ip.error()));
        const ipv4_pseudo ph{ip->src_addr, ip->dst_addr};
        if (d.tcp) {
            auto t = tcp::repr::parse(*d.tcp, ph);
            if (!t) FAIL(fmt::format("{}", t.error()));
            return emit_all(eth / *ip / *t / craft::payload{d.tcp->payload()});
        }
        if (d.udp) {
            auto u = udp::repr::parse(*d.udp, ph);
            REQUIRE(u);
            return emit_all(eth / *ip / *u / craft::payload{d.udp->payload()});
        }
        if (d.icmpv4 && !d.fragment) {
            auto m = icmpv4::repr::parse(*d.icmpv4);
            REQUIRE(m);
            return emit_all(eth / *ip / *m);
        }
        return emit_all(eth / *ip / craft::payload{d.transport});
    }
    if (d.ipv6 && d.ipv6_chain.count == 0 && d.icmpv6) {
        auto ip = ipv6::repr::parse(*d.ipv6);
        REQUIRE(ip);
        auto m = icmpv6::repr::parse(*d.icmpv6, ipv6_pseudo{ip->src_addr, ip->dst_addr});
        REQUIRE(m);
        return emit_all(eth / *ip / *m);
    }
    return {};
}

}  // namespace

TEST_CASE("l2l4: every captured frame re-emits byte for byte from its reprs", "[wire][golden]") {
    std::size_t rebuilt = 0, skipped = 0;
    for (const auto& cap : test::all_captures()) {
        const auto frames = test::read_pcap(cap);
        for (std::size_t i = 0; i < frames.size(); ++i) {
            INFO(cap << " frame " << i + 1);
            const bytes& f = frames[i].data;
            auto d = dissect(bytes_view(f));
            REQUIRE(d);
            const bytes out = rebuild(*d);
            if (out.empty()) {
                ++skipped;
                continue;
            }
            ++rebuilt;
            // Captures taken on the sending host hold short frames before the
            // NIC pads them; emit pads to the 60-byte minimum with zeros.
            REQUIRE(out.size() == std::max<std::size_t>(f.size(), ethernet::min_frame_len));
            CHECK(std::equal(f.begin(), f.end(), out.begin()));
            CHECK(std::all_of(out.begin() + static_cast<std::ptrdiff_t>(f.size()), out.end(),
                              [](std::byte x) { return x == std::byte{0}; }));
        }
    }
    CHECK(rebuilt > 900);
    CHECK(skipped <= 4);  // the MLD reports with a hop-by-hop header
}

TEST_CASE("l2l4: deconstruct a captured SYN into its repr (values from tshark -V)", "[wire][golden][tcp]") {
    // tcp-echo.pcap frame 1; values read off `tshark -r tcp-echo.pcap -V -c 1`.
    const auto frames = test::read_pcap("tcp-echo.pcap");
    auto d = dissect(bytes_view(frames.at(0).data));
    REQUIRE(d);
    REQUIRE(d->tcp);
    auto ip = ipv4::repr::parse(*d->ipv4);
    REQUIRE(ip);
    CHECK(ip->src_addr == *ipv4_address::parse("10.66.0.1"));
    CHECK(ip->dst_addr == *ipv4_address::parse("10.66.0.2"));
    CHECK(ip->identification == 0x651e);
    CHECK(ip->dont_fragment);
    CHECK(ip->protocol == 6);
    auto t = tcp::repr::parse(*d->tcp, ipv4_pseudo{ip->src_addr, ip->dst_addr});
    REQUIRE(t);
    CHECK(t->src_port == 39678);
    CHECK(t->dst_port == 50007);
    CHECK(t->seq_number == 1084357009u);
    CHECK(t->flags == tcp::control{.syn = true});
    CHECK(t->window == 64240);
    CHECK(t->options.mss == 1460);
    CHECK(t->options.sack_permitted);
    CHECK(t->options.window_scale == 10);
    REQUIRE(t->options.ts);
    CHECK(t->options.ts->tsval == 1942304163u);
    CHECK(t->options.ts->tsecr == 0u);
    CHECK(t->payload_len == 0);
    CHECK(d->tcp->header_length() == 40);
}

TEST_CASE("l2l4: truncation at every offset is an error with the right layer and offset", "[wire][truncation]") {
    // One frame of each format, from the captures.
    struct pick {
        const char* cap;
        std::size_t frame;  // 1-based
        const char* what;
    };
    const pick picks[] = {{"arp-ping.pcap", 2, "arp"},         {"arp-ping.pcap", 4, "icmpv4 echo"},
                          {"udp-uppercase.pcap", 1, "udp"},   {"tcp-echo.pcap", 1, "tcp syn + options"},
                          {"tcp-lossy.pcap", 71, "tcp sack"}, {"http-get.pcap", 1, "ipv6 + icmpv6 ns"},
                          {"http-get.pcap", 2, "ipv6 hop-by-hop + mld"}, {"icmp-frag.pcap", 1, "ipv4 first fragment"}};
    for (const auto& p : picks) {
        INFO(p.what);
        const auto frames = test::read_pcap(p.cap);
        const bytes& f = frames.at(p.frame - 1).data;
        auto full = dissect(bytes_view(f));
        REQUIRE(full);
        for (std::size_t n = 0; n < f.size(); ++n) {
            INFO("length " << n);
            auto d = dissect(bytes_view(f).first(n));
            REQUIRE(!d);
            CHECK(d.error().kind == errc::truncated);
            CHECK(d.error().offset <= n);
        }
    }
    // Each layer's own view, on its own bytes: truncated at exactly the cut.
    const auto frames = test::read_pcap("tcp-lossy.pcap");
    auto d = dissect(bytes_view(frames.at(70).data));
    REQUIRE(d);
    const auto ipb = d->ipv4->bytes().first(d->ipv4->total_length());
    for (std::size_t n = 0; n < ipb.size(); ++n) {
        auto r = ipv4::packet::checked(ipb.first(n));
        REQUIRE(!r);
        CHECK(r.error() .layer == "ipv4");
        CHECK(r.error().kind == errc::truncated);
        CHECK(r.error().offset == n);
    }
    const auto tb = d->tcp->bytes();
    for (std::size_t n = 0; n < d->tcp->header_length(); ++n) {
        auto r = tcp::segment::checked(tb.first(n));
        REQUIRE(!r);
        CHECK(r.error().layer == "tcp");
        CHECK(r.error().offset == n);
    }
    const auto eb = d->eth.bytes();
    for (std::size_t n = 0; n < 14; ++n) CHECK(!ethernet::frame::checked(eb.first(n)));
}

TEST_CASE("l2l4: malformed headers are rejected with layer, kind and offset", "[wire][errors]") {
    const auto frames = test::read_pcap("tcp-echo.pcap");
    bytes f = frames.at(0).data;  // SYN with 20 bytes of options
    const std::size_t ip0 = 14, tcp0 = 34;
    auto err = [](const bytes& b) {
        auto d = dissect(bytes_view(b));
        REQUIRE(!d);
        return d.error();
    };
    SECTION("IHL below 5") {
        f[ip0] = std::byte{0x44};
        auto e = err(f);
        CHECK(e.layer == "ipv4");
        CHECK(e.kind == errc::bad_length);
        CHECK(e.offset == ip0);
    }
    SECTION("Total Length beyond the buffer") {
        store_be<2>(f.data() + ip0 + 2, std::uint16_t(f.size()));
        auto e = err(f);
        CHECK(e.layer == "ipv4");
        CHECK(e.kind == errc::truncated);
        CHECK(e.offset == f.size());
    }
    SECTION("version not 4") {
        f[ip0] = std::byte{0x65};
        auto e = err(f);
        CHECK(e.kind == errc::malformed);
        CHECK(e.offset == ip0);
    }
    SECTION("data offset below 5") {
        f[tcp0 + 12] = std::byte{0x40};
        auto e = err(f);
        CHECK(e.layer == "tcp");
        CHECK(e.kind == errc::bad_length);
        CHECK(e.offset == tcp0);
    }
    SECTION("a TCP option of length 0 (RFC 9293 §3.1)") {
        f[tcp0 + 20 + 1] = std::byte{0};  // MSS length
        auto e = err(f);
        CHECK(e.layer == "tcp");
        CHECK(e.kind == errc::malformed);
        CHECK(e.offset == tcp0 + 21);
    }
    SECTION("a TCP option running past the header") {
        f[tcp0 + 20 + 1] = std::byte{40};
        auto e = err(f);
        CHECK(e.kind == errc::bad_length);
        CHECK(e.offset == tcp0 + 21);
    }
    SECTION("an MSS option of the wrong length") {
        // MSS(4) SACK-perm(2) TS(10) NOP WS(3): make MSS claim 6, swallowing SACK-perm.
        f[tcp0 + 20 + 1] = std::byte{6};
        auto e = err(f);
        CHECK(e.kind == errc::malformed);
    }
}

TEST_CASE("l2l4: IPv4 options parse as a list and reject bad lengths", "[wire][ipv4]") {
    // A header with NOP, Router Alert (RFC 2113), Record Route with room for
    // 2 addresses, Timestamp, EOL — bytes per RFC 791 §3.1 layouts.
    const std::uint8_t raw[] = {1, 148, 4, 0, 0, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 68, 4, 5, 0, 0};
    bytes opts;
    for (auto b : raw) opts.push_back(std::byte{b});
    auto l = ipv4::parse_options(bytes_view(opts));
    REQUIRE(l);
    REQUIRE(l->size() == 5);
    CHECK(l->items[0].type == ipv4::option_type::nop);
    CHECK(l->items[1].type == ipv4::option_type::router_alert);
    CHECK(l->items[2].type == ipv4::option_type::record_route);
    CHECK(l->items[2].pointer() == 4);
    CHECK(l->items[2].data().size() == 9);
    CHECK(l->items[3].type == ipv4::option_type::timestamp);
    CHECK(l->items[4].type == ipv4::option_type::eol);
    CHECK(l->find(ipv4::option_type::router_alert)->copied());
    CHECK(!l->find(ipv4::option_type::record_route)->copied());

    auto bad = [](std::initializer_list<std::uint8_t> v) {
        bytes b;
        for (auto x : v) b.push_back(std::byte{x});
        return ipv4::parse_options(bytes_view(b));
    };
    CHECK(bad({7}).error().offset == 20);                       // no length octet
    CHECK(bad({7, 1, 0, 0}).error().kind == errc::malformed);    // length below 2
    CHECK(bad({7, 12, 4, 0}).error().kind == errc::bad_length);  // past the header
    CHECK(bad({148, 3, 0}).error().kind == errc::malformed);     // router alert length
    CHECK(bad({7, 7, 3, 0, 0, 0, 0}).error().offset == 22);      // pointer below 4
}

TEST_CASE("l2l4: fragment offset + length above 65535 is rejected", "[wire][ipv4]") {
    ipv4::repr r;
    r.protocol = 17;
    r.payload_len = 100;
    r.fragment_offset = 8191;  // 65528 bytes
    bytes b(r.buffer_len());
    r.emit(ipv4::mutable_packet::unchecked(mutable_bytes(b)));
    auto p = ipv4::packet::checked(bytes_view(b));
    REQUIRE(p);
    auto e = ipv4::repr::parse(*p);
    REQUIRE(!e);
    CHECK(e.error().kind == errc::bad_length);
    CHECK(e.error().offset == 6);
}

TEST_CASE("l2l4: checksums are verified and a flipped bit is caught", "[wire][checksum]") {
    const auto frames = test::read_pcap("udp-uppercase.pcap");
    bytes f = frames.at(0).data;
    auto d = dissect(bytes_view(f));
    REQUIRE(d);
    CHECK(*verify_checksums(*d).ipv4);
    CHECK(*verify_checksums(*d).transport);
    f.back() ^= std::byte{0x01};  // last payload byte
    d = dissect(bytes_view(f));
    REQUIRE(d);
    CHECK(*verify_checksums(*d).ipv4);
    CHECK(!*verify_checksums(*d).transport);
    auto u = udp::repr::parse(*d->udp, ipv4_pseudo{d->ipv4->src_addr(), d->ipv4->dst_addr()});
    REQUIRE(!u);
    CHECK(u.error().kind == errc::bad_checksum);
    // A zero UDP checksum over IPv4 means "not computed" (RFC 768) ...
    store_be<2>(f.data() + 34 + 6, std::uint16_t{0});
    d = dissect(bytes_view(f));
    CHECK(!verify_checksums(*d).transport.has_value());
    CHECK(d->udp->verify_checksum(ipv4_pseudo{d->ipv4->src_addr(), d->ipv4->dst_addr()}));
    // ... but is invalid over IPv6 (RFC 8200 §8.1).
    CHECK(!d->udp->verify_checksum(ipv6_pseudo{}));
}

TEST_CASE("l2l4: MAC addresses parse both notations and classify", "[wire][ethernet]") {
    auto a = mac_address::parse("b8:e3:56:15:6a:72");
    auto b = mac_address::parse("1A-2F-BB-76-09-AD");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(fmt::format("{}", *b) == "1a:2f:bb:76:09:ad");
    CHECK(a->is_unicast());
    CHECK(!a->is_local());
    CHECK(b->is_local());  // 0x1a: U/L bit set
    CHECK(mac_address::broadcast().is_broadcast());
    CHECK(mac_address::parse("33:33:00:00:00:16")->is_multicast());
    CHECK(!mac_address::parse("b8:e3:56:15:6a"));
    CHECK(!mac_address::parse("b8:e3-56:15:6a:72"));
}

TEST_CASE("l2l4: ARP request, reply and gratuitous from the capture", "[wire][arp]") {
    const auto frames = test::read_pcap("arp-ping.pcap");
    auto q = dissect(bytes_view(frames.at(1).data));
    auto r = dissect(bytes_view(frames.at(2).data));
    REQUIRE(q);
    REQUIRE(r);
    auto qr = arp::repr::parse(*q->arp);
    auto rr = arp::repr::parse(*r->arp);
    REQUIRE(qr);
    REQUIRE(rr);
    CHECK(qr->oper == arp::operation::request);
    CHECK(!qr->is_gratuitous());
    // The captured reply is exactly what reply_to() builds from the request.
    CHECK(arp::repr::reply_to(*qr, rr->sha) == *rr);
    auto g = arp::repr::gratuitous(qr->sha, qr->spa);
    CHECK(g.is_gratuitous());
    // Non-Ethernet/IPv4 ARP is unsupported, naming the field.
    bytes b = frames.at(1).data;
    b[14 + 1] = std::byte{6};  // htype 6 (IEEE 802)
    auto e = dissect(bytes_view(b));
    REQUIRE(!e);
    CHECK(e.error().kind == errc::unsupported);
    CHECK(e.error().offset == 14);
}

TEST_CASE("l2l4: IPv6 extension chain of a captured MLD report", "[wire][ipv6]") {
    const auto frames = test::read_pcap("http-get.pcap");
    auto d = dissect(bytes_view(frames.at(1).data));
    REQUIRE(d);
    REQUIRE(d->ipv6);
    CHECK(d->ipv6->next_header() == ip_protocol::hopopt);
    REQUIRE(d->ipv6_chain.count == 1);
    std::vector<ipv6::extension_header> seen;
    auto c = ipv6::walk(*d->ipv6, [&](const ipv6::extension_header& h) { seen.push_back(h); });
    REQUIRE(c);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].type == ip_protocol::hopopt);
    CHECK(seen[0].offset == 40);
    CHECK(seen[0].bytes.size() == 8);
    CHECK(d->ipv6_chain.upper_protocol == ip_protocol::icmpv6);
    CHECK(d->ipv6_chain.upper_offset == 48);
    REQUIRE(d->icmpv6);
    CHECK(d->icmpv6->type() == icmpv6::type::mldv2_report);
    CHECK(*verify_checksums(*d).transport);
    // Hop-by-hop anywhere but first is malformed (RFC 8200 §4.3).
    bytes b = frames.at(1).data;
    b[14 + 40] = std::byte{0};  // the hop-by-hop header's Next Header -> hop-by-hop again
    auto e = dissect(bytes_view(b));
    REQUIRE(!e);
    CHECK(e.error().kind == errc::malformed);
    CHECK(e.error().layer == "ipv6");
}

TEST_CASE("l2l4: overlong frames — bytes after each layer's length are not its data", "[wire][overlong]") {
    // smoltcp's test_overlong: Ethernet padding / trailers must not leak into IP or UDP data.
    const auto frames = test::read_pcap("udp-uppercase.pcap");
    bytes f = frames.at(0).data;
    const auto plain = dissect(bytes_view(f));
    REQUIRE(plain);
    const std::size_t udp_payload = plain->udp->payload().size();
    const std::size_t ip_len = plain->ipv4->total_length();
    for (int k = 0; k < 23; ++k) f.push_back(std::byte{0xa5});  // a trailer / non-zero padding
    auto d = dissect(bytes_view(f));
    REQUIRE(d);
    CHECK(d->ipv4->payload().size() == ip_len - 20);
    CHECK(d->udp->payload().size() == udp_payload);
    CHECK(d->transport.size() == ip_len - 20);
    CHECK(*verify_checksums(*d).ipv4);
    CHECK(*verify_checksums(*d).transport);
    // The repr round trip ignores the trailer too.
    auto ip = ipv4::repr::parse(*d->ipv4);
    REQUIRE(ip);
    CHECK(ip->payload_len == ip_len - 20);
}
