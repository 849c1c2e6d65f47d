// Other compositions and interface settings: a raw-IP stack without
// Ethernet/ARP, routing through a gateway, checksum offload driven by the
// device capabilities, corrupted frames, protocol unreachable.
#include "harness.hpp"

#include <wirekit/wire/ipv4.hpp>

using namespace stk;

namespace {

std::uint16_t rd16(const std::vector<std::byte>& f, std::size_t at) {
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(f[at]) << 8 | std::to_integer<unsigned>(f[at + 1]));
}

}  // namespace

TEST_CASE("a raw-IP stack (no ethernet, no arp) over a link_type::raw device pings and exchanges UDP", "[stack][compose]") {
    using raw_stack = stack::stack<device, stack::ipv4<stack::no_reassembly>, stack::icmp, stack::udp<4, 8>>;
    static_assert(!raw_stack::has_ethernet && !raw_stack::has_tcp && raw_stack::has_udp);
    io::pipe_config pc;
    pc.caps.link = io::link_type::raw;
    world<raw_stack> w(pc);
    const auto data = pattern(100, 1);
    w.step();
    REQUIRE(w.a.ping(ip_b, 1, 2, bytes_view(data)));
    std::optional<stack::echo_reply> r;
    REQUIRE(w.run([&] { return (r = w.a.poll_echo_reply()).has_value(); }, 1s));
    CHECK(r->size == 100);
    // Frames are bare IPv4 packets: version 4, IHL 5 in the first byte.
    REQUIRE(!w.dev_a.sent.empty());
    CHECK(w.dev_a.sent[0][0] == std::byte{0x45});
    CHECK(w.dev_a.sent[0].size() == 20 + 8 + 100);
    // Without reassembly, a fragmented datagram is dropped, never half-delivered.
    const auto big = pattern(3000, 2);
    REQUIRE(w.a.ping(ip_b, 1, 3, bytes_view(big)));
    w.run([] { return false; }, 1s);
    CHECK_FALSE(w.a.poll_echo_reply());
    CHECK(w.b.stats().icmp_echo_replies_sent == 1);
}

TEST_CASE("off-link destinations go to the gateway's MAC - without a route sendto fails", "[stack][route]") {
    world<> w({}, [](stack::stack_config& c) {
        if (c.address == ip_a) c.gateway = ip_b;
    });
    auto s = w.a.udp_bind(1000);
    REQUIRE(s);
    const std::array<std::byte, 4> x{};
    const auto far = ipv4_address::of(192, 0, 2, 7);
    REQUIRE(w.a.sendto(*s, {far, 53}, bytes_view(x)));
    w.run([] { return false; }, 1s);
    std::vector<std::byte> udp;
    for (const auto& f : w.dev_a.sent)
        if (rd16(f, 12) == 0x0800 && f[23] == std::byte{17}) udp = f;
    REQUIRE(!udp.empty());
    for (std::size_t i = 0; i < 6; ++i) CHECK(udp[i] == mac_b.octets[i]);  // the router's MAC
    for (std::size_t i = 0; i < 4; ++i) CHECK(udp[30 + i] == far.octets[i]);  // the far destination
    // B has no default route.
    auto t = w.b.udp_bind(1000);
    REQUIRE(t);
    auto e = w.b.sendto(*t, {far, 53}, bytes_view(x));
    REQUIRE_FALSE(e);
    CHECK(e.error().detail == "no route to host");
    // A more specific route wins (longest-prefix match).
    CHECK(w.b.add_route(*stack::ipv4_cidr::parse("192.0.2.0/24"), ip_a));
    CHECK(w.b.sendto(*t, {far, 53}, bytes_view(x)));
}

TEST_CASE("checksum offload: a device that fills transport checksums gets them zero - one that verifies them is trusted", "[stack][offload]") {
    io::pipe_config pc;
    pc.caps.tx.transport = true;
    pc.caps.rx.transport = true;
    world<> w(pc);
    auto srv = w.b.udp_bind(7000);
    auto cli = w.a.udp_bind(7001);
    REQUIRE(srv);
    REQUIRE(cli);
    const auto data = pattern(64, 5);
    REQUIRE(w.a.sendto(*cli, {ip_b, 7000}, bytes_view(data)));
    std::array<std::byte, 128> buf{};
    std::optional<stack::udp_received> got;
    REQUIRE(w.run([&] {
        if (auto r = w.b.recvfrom(*srv, mutable_bytes(buf)); r && *r) got = **r;
        return got.has_value();
    }, 1s));
    CHECK(got->size == 64);
    std::vector<std::byte> udp;
    for (const auto& f : w.dev_a.sent)
        if (rd16(f, 12) == 0x0800 && f[23] == std::byte{17}) udp = f;
    REQUIRE(!udp.empty());
    CHECK(rd16(udp, 34 + 6) == 0);  // left for the device
    // The IPv4 header checksum is still written.
    CHECK(internet_checksum_valid(bytes_view(udp).subspan(14, 20)));
}

TEST_CASE("corrupted frames are dropped by the checksums - TCP still delivers intact data", "[stack][tcp][checksum]") {
    io::pipe_config pc;
    pc.seed = 5;
    pc.a_to_b.corrupt = 0.05;
    pc.b_to_a.corrupt = 0.05;
    world<> w(pc);
    w.dev_a.recording = w.dev_b.recording = false;
    auto l = w.b.tcp_listen(80, 1);
    auto c = w.a.tcp_connect({ip_b, 80});
    REQUIRE(l);
    REQUIRE(c);
    const auto data = pattern(512 * 1024, 8);
    std::optional<stack::tcp_socket> s;
    std::size_t sent = 0;
    std::vector<std::byte> got;
    std::array<std::byte, 8192> buf{};
    REQUIRE(w.run([&] {
        if (!s)
            if (auto a = w.b.accept(*l); a && *a) s = **a;
        while (sent < data.size()) {
            auto n = w.a.send(*c, bytes_view(data).subspan(sent));
            if (!n || *n == 0) break;
            sent += *n;
        }
        if (s)
            while (true) {
                auto r = w.b.recv(*s, mutable_bytes(buf));
                if (!r || *r == 0) break;
                got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
            }
    }, [&] { return got.size() >= data.size(); }, std::chrono::minutes(5)));
    CHECK(got == data);
    CHECK(w.a.stats().bad_checksum + w.b.stats().bad_checksum > 0);
}

TEST_CASE("an unknown IP protocol gets ICMP protocol unreachable (RFC 1122 §3.2.2.1, code 2)", "[stack][icmp]") {
    world<> w;
    w.step();  // both stacks start
    std::array<std::byte, 14 + 20 + 8> f{};
    ethernet::repr e;
    e.dst_addr = mac_b;
    e.src_addr = mac_a;
    e.ethertype = ethernet::ethertype::ipv4;
    e.emit(ethernet::mutable_frame::unchecked(mutable_bytes(f)), 28);
    ipv4::repr ip;
    ip.src_addr = ip_a;
    ip.dst_addr = ip_b;
    ip.protocol = 253;  // RFC 3692 experimental
    ip.payload_len = 8;
    ip.emit(ipv4::mutable_packet::unchecked(mutable_bytes(f).subspan(14)));
    REQUIRE(w.pipe.a().transmit(bytes_view(f)));
    REQUIRE(w.run([&] { return w.b.stats().icmp_unreachable_sent == 1; }, 5s));
    w.run([] { return false; }, 10ms);
    std::vector<std::byte> icmp;
    for (const auto& fr : w.dev_b.sent)
        if (rd16(fr, 12) == 0x0800 && fr[23] == std::byte{1}) icmp = fr;
    REQUIRE(!icmp.empty());
    CHECK(icmp[34] == std::byte{3});
    CHECK(icmp[35] == std::byte{2});
}
