// The interface of a stack: ARP (RFC 826, RFC 5227), ICMP echo (RFC 792)
// with fragmentation and reassembly (RFC 791 §3.2), UDP (RFC 768) and the
// port-unreachable rule (RFC 1122 §3.2.2.1, §4.1.3.1). Two stacks over one
// memory_pipe; the frames they transmit are checked field by field against
// the RFCs, at fixed byte offsets where that is clearer.
#include "harness.hpp"

#include <wirekit/wire/arp.hpp>
#include <wirekit/wire/ethernet.hpp>
#include <wirekit/wire/icmpv4.hpp>
#include <wirekit/wire/ipv4.hpp>
#include <wirekit/wire/udp.hpp>

#include <cctype>
#include <string>

using namespace stk;

namespace {

std::uint16_t rd16(const std::vector<std::byte>& f, std::size_t at) {
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(f[at]) << 8 | std::to_integer<unsigned>(f[at + 1]));
}
std::uint8_t u8(const std::vector<std::byte>& f, std::size_t at) { return std::to_integer<std::uint8_t>(f[at]); }

mac_address mac_at(const std::vector<std::byte>& f, std::size_t at) {
    mac_address m;
    for (std::size_t i = 0; i < 6; ++i) m.octets[i] = f[at + i];
    return m;
}
ipv4_address ip_at(const std::vector<std::byte>& f, std::size_t at) {
    ipv4_address a;
    for (std::size_t i = 0; i < 4; ++i) a.octets[i] = f[at + i];
    return a;
}

/// Frames of `sent` with EtherType `type`.
std::vector<std::vector<std::byte>> of_type(const std::vector<std::vector<std::byte>>& sent, std::uint16_t type) {
    std::vector<std::vector<std::byte>> out;
    for (const auto& f : sent)
        if (f.size() >= 14 && rd16(f, 12) == type) out.push_back(f);
    return out;
}

/// IPv4 frames of `sent` carrying `protocol`.
std::vector<std::vector<std::byte>> ip_frames(const std::vector<std::vector<std::byte>>& sent, std::uint8_t protocol) {
    std::vector<std::vector<std::byte>> out;
    for (const auto& f : of_type(sent, 0x0800))
        if (u8(f, 14 + 9) == protocol) out.push_back(f);
    return out;
}

}  // namespace

TEST_CASE("gratuitous ARP on start, then request and reply resolve the neighbour (RFC 826, RFC 5227)", "[stack][arp]") {
    world<> w;
    auto sock = w.a.udp_bind(5000);
    REQUIRE(sock);
    auto peer = w.b.udp_bind(6000);
    REQUIRE(peer);
    w.step();  // first poll: both announce themselves
    const std::array<std::byte, 3> hi{std::byte{'h'}, std::byte{'i'}, std::byte{'!'}};
    REQUIRE(w.a.sendto(*sock, {ip_b, 6000}, bytes_view(hi)));
    std::array<std::byte, 64> buf{};
    std::optional<stack::udp_received> got;
    REQUIRE(w.run([&] {
        auto r = w.b.recvfrom(*peer, mutable_bytes(buf));
        REQUIRE(r);
        if (*r) got = **r;
        return got.has_value();
    }, 10s));
    CHECK(got->size == 3);
    CHECK(got->from == stack::endpoint{ip_a, 5000});

    // A's frames: the gratuitous ARP, then the request for 10.0.0.2.
    const auto arp_a = of_type(w.dev_a.sent, 0x0806);
    REQUIRE(arp_a.size() >= 2);
    const auto& g = arp_a[0];
    CHECK(mac_at(g, 0) == mac_address::broadcast());
    CHECK(rd16(g, 14) == 1);       // ar$hrd Ethernet
    CHECK(rd16(g, 16) == 0x0800);  // ar$pro IPv4
    CHECK(u8(g, 18) == 6);
    CHECK(u8(g, 19) == 4);
    CHECK(rd16(g, 20) == 1);  // request
    CHECK(mac_at(g, 22) == mac_a);
    CHECK(ip_at(g, 28) == ip_a);
    CHECK(ip_at(g, 38) == ip_a);  // RFC 5227 §3: target protocol address = sender's
    const auto& q = arp_a[1];
    CHECK(mac_at(q, 0) == mac_address::broadcast());
    CHECK(rd16(q, 20) == 1);
    CHECK(mac_at(q, 32) == mac_address{});  // target hardware address unknown
    CHECK(ip_at(q, 38) == ip_b);
    CHECK(g.size() == 60);  // padded to the Ethernet minimum

    // B's reply: unicast to A, op 2, sender = B, target = A (RFC 826 "swap").
    const auto arp_b = of_type(w.dev_b.sent, 0x0806);
    const auto reply = std::find_if(arp_b.begin(), arp_b.end(), [](const auto& f) { return rd16(f, 20) == 2; });
    REQUIRE(reply != arp_b.end());
    CHECK(mac_at(*reply, 0) == mac_a);
    CHECK(mac_at(*reply, 22) == mac_b);
    CHECK(ip_at(*reply, 28) == ip_b);
    CHECK(mac_at(*reply, 32) == mac_a);
    CHECK(ip_at(*reply, 38) == ip_a);

    CHECK(w.a.arp_lookup(ip_b) == mac_b);
    CHECK(w.b.arp_lookup(ip_a) == mac_a);  // RFC 826: the target adds the requester
    // The UDP datagram waited for the reply, then went out to B's MAC.
    const auto udp_a = ip_frames(w.dev_a.sent, 17);
    REQUIRE(udp_a.size() == 1);
    CHECK(mac_at(udp_a[0], 0) == mac_b);
}

TEST_CASE("an unresolvable neighbour is retried, then its queued packets are dropped", "[stack][arp]") {
    world<> w;
    auto sock = w.a.udp_bind(5000);
    REQUIRE(sock);
    const std::array<std::byte, 1> x{};
    REQUIRE(w.a.sendto(*sock, {ipv4_address::of(10, 0, 0, 77), 9}, bytes_view(x)));
    w.run([] { return false; }, 10s);
    std::size_t requests = 0;
    for (const auto& f : of_type(w.dev_a.sent, 0x0806))
        if (rd16(f, 20) == 1 && ip_at(f, 38) == ipv4_address::of(10, 0, 0, 77)) ++requests;
    CHECK(requests == w.a.config().arp_retries);
    CHECK(w.a.stats().arp_failed == 1);
    CHECK(ip_frames(w.dev_a.sent, 17).empty());
}

TEST_CASE("ping: echo reply mirrors identifier, sequence and data (RFC 792)", "[stack][icmp]") {
    world<> w;
    const auto data = pattern(56, 7);
    w.step();
    REQUIRE(w.a.ping(ip_b, 0x1234, 1, bytes_view(data)));
    std::optional<stack::echo_reply> r;
    REQUIRE(w.run([&] {
        r = w.a.poll_echo_reply();
        return r.has_value();
    }, 5s));
    CHECK(r->from == ip_b);
    CHECK(r->identifier == 0x1234);
    CHECK(r->sequence == 1);
    CHECK(r->size == 56);
    // The reply on the wire: type 0, code 0, valid checksum, data as sent.
    const auto icmp_b = ip_frames(w.dev_b.sent, 1);
    REQUIRE(icmp_b.size() == 1);
    const auto& f = icmp_b[0];
    CHECK(ip_at(f, 14 + 12) == ip_b);
    CHECK(ip_at(f, 14 + 16) == ip_a);
    const std::size_t at = 14 + 20;
    CHECK(u8(f, at) == 0);
    CHECK(u8(f, at + 1) == 0);
    CHECK(rd16(f, at + 4) == 0x1234);
    CHECK(rd16(f, at + 6) == 1);
    CHECK(internet_checksum_valid(bytes_view(f).subspan(at, 8 + 56)));
    CHECK(std::equal(data.begin(), data.end(), f.begin() + at + 8));
}

TEST_CASE("4000-byte ping: fragmented to the MTU both ways and reassembled (RFC 791 §3.2)", "[stack][icmp][ipv4]") {
    world<> w;
    const auto data = pattern(4000, 9);
    w.step();
    REQUIRE(w.a.ping(ip_b, 7, 3, bytes_view(data)));
    std::optional<stack::echo_reply> r;
    REQUIRE(w.run([&] {
        r = w.a.poll_echo_reply();
        return r.has_value();
    }, 5s));
    CHECK(r->size == 4000);
    CHECK(w.b.stats().ip_reassembled == 1);
    CHECK(w.a.stats().ip_reassembled == 1);
    // B's reply: 4008 bytes of ICMP in fragments of at most 1480 data bytes,
    // offsets in 8-byte units, MF on all but the last, one identification.
    for (auto* sent : {&w.dev_a.sent, &w.dev_b.sent}) {
        const auto frags = ip_frames(*sent, 1);
        REQUIRE(frags.size() == 3);
        std::size_t total = 0;
        for (std::size_t i = 0; i < frags.size(); ++i) {
            const auto& f = frags[i];
            const std::uint16_t flags_off = rd16(f, 14 + 6);
            const bool mf = (flags_off & 0x2000) != 0;
            const std::size_t off = (flags_off & 0x1fff) * 8u;
            const std::size_t len = rd16(f, 14 + 2) - 20u;
            CHECK(f.size() <= 1514);
            CHECK(off == total);
            CHECK(mf == (i + 1 < frags.size()));
            if (mf) CHECK(len % 8 == 0);
            CHECK(rd16(f, 14 + 4) == rd16(frags[0], 14 + 4));
            total += len;
        }
        CHECK(total == 8 + 4000);
    }
}

TEST_CASE("UDP upper-case server (the textbook UDPServer on port 12000)", "[stack][udp]") {
    world<> w;
    auto server = w.b.udp_bind(12000);
    auto client = w.a.udp_bind(0);
    REQUIRE(server);
    REQUIRE(client);
    const std::string msg = "hello, wirekit stack";
    REQUIRE(w.a.sendto(*client, {ip_b, 12000}, as_bytes(std::span(msg))));
    std::array<std::byte, 2048> buf{};
    std::string reply;
    REQUIRE(w.run([&] {
        if (auto r = w.b.recvfrom(*server, mutable_bytes(buf)); r && *r) {
            for (std::size_t i = 0; i < (*r)->size; ++i)
                buf[i] = std::byte(std::toupper(std::to_integer<int>(buf[i])));
            REQUIRE(w.b.sendto(*server, (*r)->from, bytes_view(buf).first((*r)->size)));
        }
        if (auto r = w.a.recvfrom(*client, mutable_bytes(buf)); r && *r)
            reply.assign(reinterpret_cast<const char*>(buf.data()), (*r)->size);
        return !reply.empty();
    }, 5s));
    CHECK(reply == "HELLO, WIREKIT STACK");
    // RFC 768: the checksum over the pseudo-header verifies.
    const auto u = ip_frames(w.dev_b.sent, 17);
    REQUIRE(u.size() == 1);
    CHECK(rd16(u[0], 14 + 20) == 12000);
    CHECK(rd16(u[0], 14 + 20 + 4) == 8 + msg.size());
    CHECK(ipv4_transport_checksum_valid(ip_b.octets, ip_a.octets, 17, bytes_view(u[0]).subspan(34, 8 + msg.size())));
}

TEST_CASE("UDP to a closed port: ICMP port unreachable quoting the datagram (RFC 1122 §3.2.2.1, RFC 792)", "[stack][udp][icmp]") {
    world<> w;
    auto client = w.a.udp_bind(40000);
    REQUIRE(client);
    const auto data = pattern(100, 3);
    REQUIRE(w.a.sendto(*client, {ip_b, 9999}, bytes_view(data)));
    REQUIRE(w.run([&] { return w.b.stats().icmp_unreachable_sent == 1; }, 5s));
    w.run([] { return false; }, 10ms);
    const auto icmp_b = ip_frames(w.dev_b.sent, 1);
    REQUIRE(icmp_b.size() == 1);
    const auto& f = icmp_b[0];
    CHECK(ip_at(f, 14 + 16) == ip_a);
    const std::size_t at = 34;
    CHECK(u8(f, at) == 3);      // Destination Unreachable
    CHECK(u8(f, at + 1) == 3);  // code 3: port unreachable
    const std::size_t icmp_len = rd16(f, 14 + 2) - 20u;
    CHECK(internet_checksum_valid(bytes_view(f).subspan(at, icmp_len)));
    // RFC 792: "Internet Header + 64 bits of Original Data Datagram".
    CHECK(icmp_len == 8 + 20 + 8);
    const auto sent = ip_frames(w.dev_a.sent, 17);
    REQUIRE(sent.size() == 1);
    CHECK(std::equal(sent[0].begin() + 14, sent[0].begin() + 14 + 28, f.begin() + at + 8));
    // No error for a broadcast destination (RFC 1122 §3.2.2).
    REQUIRE(w.a.sendto(*client, {ipv4_address::of(10, 0, 0, 255), 9998}, bytes_view(data)));
    w.run([] { return false; }, 1s);
    CHECK(w.b.stats().icmp_unreachable_sent == 1);
}

TEST_CASE("socket handles: stale handles are errors, ports are exclusive", "[stack][udp]") {
    world<> w;
    auto s = w.a.udp_bind(53);
    REQUIRE(s);
    CHECK_FALSE(w.a.udp_bind(53));
    REQUIRE(w.a.close(*s));
    std::array<std::byte, 4> buf{};
    CHECK_FALSE(w.a.recvfrom(*s, mutable_bytes(buf)));
    CHECK_FALSE(w.a.close(*s));
    auto again = w.a.udp_bind(53);
    REQUIRE(again);
    CHECK_FALSE(*again == *s);
}
