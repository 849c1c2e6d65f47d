// Crafting in one expression: frames built from reprs are written to a pcap
// file and decoded by tshark at test time, which must find every derived
// field (EtherType, protocol, lengths, header lengths, checksums, padding,
// FCS) correct. Also the formatters' output on captured frames.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "l2l4_test_util.hpp"

using namespace wirekit;
using bytes = std::vector<std::byte>;

namespace {

bytes text(std::string_view s) {
    bytes b;
    for (char c : s) b.push_back(static_cast<std::byte>(c));
    return b;
}

template <class Stack>
bytes emit_all(const Stack& s) {
    auto v = s.to_bytes();
    if (!v) FAIL(fmt::format("{}", v.error()));
    return *v;
}

std::string tmp_path(const char* name) { return fmt::format("/tmp/wirekit-l2l4-{}-{}.pcap", ::getpid(), name); }

const auto kMe = *mac_address::parse("02:00:00:00:00:01");
const auto kPeer = *mac_address::parse("02:00:00:00:00:02");
const auto kA = *ipv4_address::parse("192.0.2.1");
const auto kB = *ipv4_address::parse("198.51.100.7");
const auto kA6 = *ipv6_address::parse("2001:db8::1");
const auto kB6 = *ipv6_address::parse("2001:db8::2");

}  // namespace

TEST_CASE("craft: frames built in one expression decode cleanly in tshark", "[wire][craft][tshark]") {
    const bytes hello = text("hello");
    const bytes data = text("GET / HTTP/1.1\r\n\r\n");
    std::vector<bytes> frames;

    // 0: QinQ + IPv4 with Router Alert + UDP.
    ethernet::repr qinq{.dst_addr = kPeer, .src_addr = kMe};
    qinq.tags[0] = ethernet::vlan_tag{ethernet::ethertype::qinq, 3, false, 100};
    qinq.tags[1] = ethernet::vlan_tag{ethernet::ethertype::vlan, 5, true, 200};
    qinq.tag_count = 2;
    ipv4::repr ip{.src_addr = kA, .dst_addr = kB, .ttl = 17, .identification = 0x1234, .dont_fragment = true};
    ip.options_len = 4;
    ip.options[0] = std::byte{148};
    ip.options[1] = std::byte{4};
    frames.push_back(emit_all(qinq / ip / udp::repr{.src_port = 40001, .dst_port = 9} / craft::payload{bytes_view(hello)}));

    // 1: 802.1Q + IPv4 + TCP with every option kind + payload.
    ethernet::repr vlan{.dst_addr = kPeer, .src_addr = kMe};
    vlan.tags[0] = ethernet::vlan_tag{ethernet::ethertype::vlan, 0, false, 42};
    vlan.tag_count = 1;
    tcp::repr t{.src_port = 43210, .dst_port = 80, .seq_number = 1000, .ack_number = 2000,
                .flags = {.psh = true, .ack = true}, .window = 501};
    t.options.ts = tcp::timestamps{111, 222};
    t.options.sack_count = 2;
    t.options.sack[0] = {3000, 4000};
    t.options.sack[1] = {5000, 6000};
    frames.push_back(emit_all(vlan / ipv4::repr{.src_addr = kA, .dst_addr = kB} / t / craft::payload{bytes_view(data)}));

    // 2: SYN over IPv6 with MSS, SACK-permitted, timestamps, window scale.
    ethernet::repr eth{.dst_addr = kPeer, .src_addr = kMe};
    tcp::repr syn{.src_port = 40000, .dst_port = 443, .seq_number = 0xfffffff0u, .flags = {.syn = true, .ece = true, .cwr = true},
                  .window = 64800};
    syn.options.mss = 1440;
    syn.options.sack_permitted = true;
    syn.options.ts = tcp::timestamps{7, 0};
    syn.options.window_scale = 7;
    frames.push_back(emit_all(eth / ipv6::repr{.src_addr = kA6, .dst_addr = kB6, .hop_limit = 255} / syn));

    // 3: ICMP fragmentation needed (RFC 1191) quoting frame 0's IPv4 header + 8 bytes.
    const bytes_view quoted = bytes_view(frames[0]).subspan(22, 24 + 8);
    frames.push_back(emit_all(eth / ipv4::repr{.src_addr = kB, .dst_addr = kA} /
                              icmpv4::repr::dest_unreachable(icmpv4::unreachable::frag_needed, quoted, 1400)));
    // 4: ICMP time exceeded.
    frames.push_back(emit_all(eth / ipv4::repr{.src_addr = kB, .dst_addr = kA} /
                              icmpv4::repr::time_exceeded(icmpv4::time_exceeded_code::ttl, quoted)));
    // 5: ICMP echo request; 6: ICMPv6 echo request; 7: UDP over IPv6; 8: gratuitous ARP.
    frames.push_back(emit_all(eth / ipv4::repr{.src_addr = kA, .dst_addr = kB} / icmpv4::repr::echo_request(9, 3, bytes_view(data))));
    frames.push_back(emit_all(eth / ipv6::repr{.src_addr = kA6, .dst_addr = kB6} / icmpv6::repr::echo_request(9, 4, bytes_view(hello))));
    frames.push_back(emit_all(eth / ipv6::repr{.src_addr = kA6, .dst_addr = kB6} / udp::repr{.src_port = 1, .dst_port = 2} /
                              craft::payload{bytes_view(hello)}));
    frames.push_back(emit_all(ethernet::repr{.dst_addr = mac_address::broadcast(), .src_addr = kMe} / arp::repr::gratuitous(kMe, kA)));

    for (const auto& f : frames) CHECK(f.size() >= 60);  // padded to the Ethernet minimum

    const auto path = tmp_path("craft");
    test::write_pcap(path, frames);
    const std::vector<std::string> fields = {
        "ieee8021ad.id", "ieee8021ad.priority", "ieee8021ad.dei", "vlan.id", "vlan.priority", "vlan.dei", "eth.type", "ip.len", "ip.hdr_len", "ip.checksum.status", "ip.opt.type",
        "ip.flags.df", "ip.ttl", "ip.proto", "udp.length", "udp.checksum.status", "tcp.hdr_len", "tcp.len",
        "tcp.checksum.status", "tcp.flags", "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.sack_perm",
        "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.options.sack_le", "tcp.options.sack_re",
        "icmp.type", "icmp.code", "icmp.mtu", "icmp.checksum.status", "ipv6.plen", "ipv6.nxt", "ipv6.hlim",
        "icmpv6.checksum.status", "icmpv6.echo.sequence_number", "arp.isgratuitous", "_ws.malformed", "_ws.expert.severity"};
    const auto rows = test::tshark_rows(path,
                                        "-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE "
                                        "-o tcp.relative_sequence_numbers:FALSE -o tcp.analyze_sequence_numbers:FALSE",
                                        fields);
    ::unlink(path.c_str());
    REQUIRE(rows.size() == frames.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        INFO("frame " << i << ": " << fmt::format("{}", rows[i]));
        CHECK(rows[i].at("_ws.malformed").empty());
    }
    auto& r0 = rows[0];
    CHECK(r0.at("ieee8021ad.id") == "100");  // S-tag (0x88a8)
    CHECK(r0.at("ieee8021ad.priority") == "3");
    CHECK(r0.at("ieee8021ad.dei") == "0");
    CHECK(r0.at("vlan.id") == "200");  // C-tag (0x8100)
    CHECK(r0.at("vlan.priority") == "5");
    CHECK(r0.at("vlan.dei") == "1");
    CHECK(r0.at("ip.hdr_len") == "24");
    CHECK(r0.at("ip.len") == "37");  // 24 + 8 + 5
    CHECK(r0.at("ip.checksum.status") == "1");
    CHECK(r0.at("ip.opt.type").find("148") != std::string::npos);
    CHECK(r0.at("ip.flags.df") == "1");
    CHECK(r0.at("ip.proto") == "17");
    CHECK(r0.at("udp.length") == "13");
    CHECK(r0.at("udp.checksum.status") == "1");
    auto& r1 = rows[1];
    CHECK(r1.at("vlan.id") == "42");
    CHECK(r1.at("tcp.hdr_len") == "52");
    CHECK(r1.at("tcp.len") == std::to_string(data.size()));
    CHECK(r1.at("tcp.checksum.status") == "1");
    CHECK(r1.at("tcp.flags") == "0x0018");
    CHECK(r1.at("tcp.options.timestamp.tsval") == "111");
    CHECK(r1.at("tcp.options.timestamp.tsecr") == "222");
    CHECK(r1.at("tcp.options.sack_le") == "3000,5000");
    CHECK(r1.at("tcp.options.sack_re") == "4000,6000");
    auto& r2 = rows[2];
    CHECK(r2.at("eth.type") == "0x86dd");
    CHECK(r2.at("ipv6.nxt") == "6");
    CHECK(r2.at("ipv6.plen") == "40");
    CHECK(r2.at("ipv6.hlim") == "255");
    CHECK(r2.at("tcp.checksum.status") == "1");
    CHECK(r2.at("tcp.flags") == "0x00c2");
    CHECK(r2.at("tcp.options.mss_val") == "1440");
    CHECK(r2.at("tcp.options.wscale.shift") == "7");
    CHECK(!r2.at("tcp.options.sack_perm").empty());
    auto& r3 = rows[3];
    CHECK(r3.at("icmp.type").substr(0, 1) == "3");
    CHECK(r3.at("icmp.code").substr(0, 1) == "4");
    CHECK(r3.at("icmp.mtu") == "1400");
    CHECK(r3.at("icmp.checksum.status") == "1");
    CHECK(rows[4].at("icmp.type").substr(0, 2) == "11");
    CHECK(rows[4].at("icmp.checksum.status") == "1");
    CHECK(rows[5].at("icmp.checksum.status") == "1");
    CHECK(rows[6].at("icmpv6.checksum.status") == "1");
    CHECK(rows[6].at("icmpv6.echo.sequence_number") == "4");
    CHECK(rows[7].at("udp.checksum.status") == "1");
    CHECK(rows[7].at("ipv6.nxt") == "17");
    CHECK(rows[8].at("arp.isgratuitous") == "1");

    // And wirekit reads its own quoted header back.
    auto d = dissect(bytes_view(frames[3]));
    REQUIRE(d);
    REQUIRE(d->icmpv4);
    auto q = d->icmpv4->quoted();
    REQUIRE(q);
    CHECK(q->header.src_addr == kA);
    CHECK(q->header.protocol == ip_protocol::udp);
    CHECK(q->leading_data.size() == 8);
    CHECK(d->icmpv4->next_hop_mtu() == 1400);
    CHECK(d->link.ethertype == ethernet::ethertype::ipv4);
    auto d0 = dissect(bytes_view(frames[0]));
    REQUIRE(d0);
    CHECK(d0->link.tag_count == 2);
    CHECK(d0->link.tags[1].vid == 200);
    CHECK(d0->udp->payload().size() == 5);
}

TEST_CASE("craft: the Ethernet FCS verifies in tshark, and a corrupt one does not", "[wire][ethernet][fcs][tshark]") {
    const auto cap = test::read_pcap("arp-ping.pcap");
    std::vector<bytes> frames;
    for (const auto& f : cap) {
        bytes b = f.data;
        if (b.size() < ethernet::min_frame_len) b.resize(ethernet::min_frame_len);
        b.resize(b.size() + ethernet::fcs_len);
        ethernet::write_fcs(mutable_bytes(b));
        REQUIRE(ethernet::check_fcs(bytes_view(b)));
        frames.push_back(b);
    }
    frames.back()[20] ^= std::byte{0x40};
    auto bad = ethernet::check_fcs(bytes_view(frames.back()));
    REQUIRE(!bad);
    CHECK(bad.error().kind == errc::bad_checksum);
    CHECK(bad.error().offset == frames.back().size() - 4);
    const auto path = tmp_path("fcs");
    test::write_pcap(path, frames);
    const auto rows = test::tshark_rows(path, "-o eth.fcs:Always -o eth.check_fcs:TRUE", {"eth.fcs.status"});
    ::unlink(path.c_str());
    REQUIRE(rows.size() == frames.size());
    for (std::size_t i = 0; i + 1 < rows.size(); ++i) CHECK(rows[i].at("eth.fcs.status") == "1");
    CHECK(rows.back().at("eth.fcs.status") == "0");
}

TEST_CASE("craft: emit reports errors instead of writing out of bounds", "[wire][craft]") {
    auto s = ethernet::repr{} / ipv4::repr{} / udp::repr{};
    bytes small(40);
    auto r = s.emit(mutable_bytes(small));
    REQUIRE(!r);
    CHECK(r.error().kind == errc::no_space);
    bytes big(70000);
    auto too_long = ethernet::repr{} / ipv4::repr{} / udp::repr{} / craft::payload{bytes_view(big)};
    bytes out(too_long.buffer_len());
    auto e = too_long.emit(mutable_bytes(out));
    REQUIRE(!e);
    CHECK(e.error().kind == errc::bad_length);
    tcp::repr t;
    t.options.mss = 1;
    t.options.ts = tcp::timestamps{};
    t.options.window_scale = 1;
    t.options.sack_count = 4;  // 4 + 12 + 4 + 36 > 40
    auto tt = ipv4::repr{} / t;
    bytes o2(tt.buffer_len());
    auto e2 = tt.emit(mutable_bytes(o2));
    REQUIRE(!e2);
    CHECK(e2.error().layer == "tcp");
}

TEST_CASE("format: one-line summaries and field trees of captured frames", "[wire][format]") {
    const auto frames = test::read_pcap("tcp-echo.pcap");
    auto d = dissect(bytes_view(frames.at(0).data));
    REQUIRE(d);
    // The layout of these lines is wirekit's (after tcpdump -v); every number
    // in them is tshark's for the same frame (ip.id 0x651e = 25886, ip.len 60,
    // frame.len 74, tcp.options.*; icmp.ident 17836; udp.length 19 = 8 + 11;
    // icmpv6.nd.ns.target_address, ipv6.plen 32).
    CHECK(fmt::format("{}", d->eth) == "2a:ce:74:41:f3:04 > 8e:24:3c:b6:88:ab, ethertype 0x0800, length 74");
    CHECK(fmt::format("{}", *d->ipv4) ==
          "10.66.0.1 > 10.66.0.2: IP (tos 0x0, ttl 64, id 25886, offset 0, flags [DF], proto TCP (6), length 60)");
    CHECK(fmt::format("{}", *d->tcp) ==
          "39678 > 50007: Flags [S], seq 1084357009, win 64240, options [mss 1460,sackOK,TS val 1942304163 ecr 0,wscale 10], length 0");
    const auto tree = fmt::format("{:v}", *d->tcp);
    CHECK(tree.find("tcp (40 bytes)") == 0);
    CHECK(tree.find("\n  syn: 1") != std::string::npos);
    CHECK(tree.find("\n  option mss: 1460") != std::string::npos);
    const auto iptree = fmt::format("{:v}", *d->ipv4);
    CHECK(iptree.find("\n  ttl: 64") != std::string::npos);

    const auto arp = test::read_pcap("arp-ping.pcap");
    auto a = dissect(bytes_view(arp.at(1).data));
    auto e = dissect(bytes_view(arp.at(3).data));
    REQUIRE(a);
    REQUIRE(e);
    CHECK(fmt::format("{}", *a->arp) == "ARP, Request who-has 10.66.0.2 tell 10.66.0.1");
    CHECK(fmt::format("{}", *e->icmpv4) == "ICMP echo request, id 17836, seq 1, length 64");
    const auto get = test::read_pcap("http-get.pcap");
    auto ns = dissect(bytes_view(get.at(0).data));
    REQUIRE(ns);
    CHECK(fmt::format("{}", *ns->icmpv6) == "ICMP6, neighbor solicitation, who has fe80::28ce:74ff:fe41:f304, length 32");
    const auto udp_frames = test::read_pcap("udp-uppercase.pcap");
    auto u = dissect(bytes_view(udp_frames.at(0).data));
    REQUIRE(u);
    CHECK(fmt::format("{}", *u->udp) == "UDP, 34016 > 12000, length 11");
}
