// ARP cache: RFC 826 merge rule, RFC 1122 §2.3.2 soft state, retries and
// the queue of packets awaiting resolution; replayed against a real ARP
// exchange (tests/data/arp-ping.pcap, Linux 10.66.0.1 pinging 10.66.0.2).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <vector>

#include "support/pcap_file.hpp"
#include "wirekit/stack/arp_cache.hpp"
#include "wirekit/wire/arp.hpp"

using namespace wirekit;
using namespace wirekit::stack;
using namespace std::chrono_literals;

namespace {

const ipv4_address a1 = ipv4_address::of(10, 0, 0, 1);
const ipv4_address a2 = ipv4_address::of(10, 0, 0, 2);
const ipv4_address a3 = ipv4_address::of(10, 0, 0, 3);
const mac_address m1 = mac_address::of(0x02, 0, 0, 0, 0, 1);
const mac_address m2 = mac_address::of(0x02, 0, 0, 0, 0, 2);

std::vector<std::byte> packet(std::size_t n, unsigned char fill) { return std::vector<std::byte>(n, std::byte{fill}); }

}  // namespace

TEST_CASE("arp_cache: resolution of a queued packet, requests 1 s apart") {
    arp_cache<4> c;  // defaults: 3 requests, 1 s apart, 60 s lifetime
    const instant t0 = 5s;
    CHECK_FALSE(c.lookup(t0, a1));
    CHECK_FALSE(c.next_deadline());
    const auto p1 = packet(40, 0x11), p2 = packet(60, 0x22);
    REQUIRE(c.enqueue(t0, a1, p1));
    REQUIRE(c.enqueue(t0, a1, p2));
    CHECK(c.pending(t0, a1));
    CHECK(c.next_deadline() == t0);  // first request due at once
    auto r = c.poll_request(t0);
    REQUIRE(r);
    CHECK(r->target == a1);
    CHECK(r->attempt == 1);
    CHECK_FALSE(c.poll_request(t0));           // one request per destination per second
    CHECK_FALSE(c.poll_request(t0 + 999ms));
    CHECK(c.next_deadline() == t0 + 1s);
    CHECK_FALSE(c.has_ready());
    // The reply arrives: RFC 826 merge (the entry exists, INCOMPLETE).
    CHECK(c.update(t0 + 1200ms, a1, m1, true));
    CHECK(c.lookup(t0 + 1200ms, a1) == m1);
    CHECK_FALSE(c.pending(t0 + 1200ms, a1));
    CHECK_FALSE(c.next_deadline());
    auto out = c.pop_ready();
    REQUIRE(out);
    CHECK(out->next_hop == a1);
    CHECK(out->mac == m1);
    CHECK(std::vector<std::byte>(out->packet.begin(), out->packet.end()) == p1);  // FIFO
    out = c.pop_ready();
    REQUIRE(out);
    CHECK(std::vector<std::byte>(out->packet.begin(), out->packet.end()) == p2);
    CHECK_FALSE(c.pop_ready());
    CHECK(c.queued_bytes() == 0);
    CHECK(c.stats().requests == 1);
    CHECK(c.stats().resolved == 1);
    CHECK(c.stats().released == 2);
}

TEST_CASE("arp_cache: retries, then give up and drop the queued packets") {
    arp_cache<4> c;
    const instant t0 = 0s;
    REQUIRE(c.enqueue(t0, a2, packet(100, 1)));
    REQUIRE(c.poll_request(t0)->attempt == 1);
    CHECK_FALSE(c.poll_request(t0 + 500ms));
    REQUIRE(c.poll_request(t0 + 1s)->attempt == 2);
    // More packets while resolving join the queue; no extra requests.
    REQUIRE(c.enqueue(t0 + 1500ms, a2, packet(100, 2)));
    CHECK_FALSE(c.poll_request(t0 + 1500ms));
    REQUIRE(c.poll_request(t0 + 2s)->attempt == 3);
    CHECK(c.pending(t0 + 2500ms, a2));
    CHECK(c.next_deadline() == t0 + 3s);  // time to give up
    CHECK_FALSE(c.poll_request(t0 + 3s));  // max_requests = 3: no fourth
    CHECK_FALSE(c.pending(t0 + 3s, a2));
    CHECK_FALSE(c.next_deadline());
    CHECK(c.size() == 0);
    CHECK(c.stats().failed == 1);
    CHECK(c.stats().dropped == 2);
    CHECK(c.queued_bytes() == 0);
    // A late reply for a given-up address is not added unless it is for us
    // (RFC 826: merge_flag false, and only the target adds).
    CHECK_FALSE(c.update(t0 + 4s, a2, m2, false));
    CHECK_FALSE(c.lookup(t0 + 4s, a2));
    // New traffic starts a fresh resolution.
    REQUIRE(c.enqueue(t0 + 10s, a2, packet(10, 3)));
    CHECK(c.poll_request(t0 + 10s)->attempt == 1);
}

TEST_CASE("arp_cache: RFC 826 merge rule") {
    arp_cache<4> c;
    // Not for us and not known: nothing is learned (merge_flag false).
    CHECK_FALSE(c.update(0s, a1, m1, false));
    CHECK_FALSE(c.lookup(0s, a1));
    CHECK(c.size() == 0);
    // For us: added; returns merge_flag false (a new entry).
    CHECK_FALSE(c.update(0s, a1, m1, true));
    CHECK(c.lookup(0s, a1) == m1);
    // Known sender, even when not for us: the MAC address is updated.
    CHECK(c.update(1s, a1, m2, false));
    CHECK(c.lookup(1s, a1) == m2);
    // Senders that are not a unicast host are ignored: the RFC 5227 probe
    // sender 0.0.0.0, broadcast, multicast; and a group hardware address.
    CHECK_FALSE(c.update(1s, ipv4_address::of(0, 0, 0, 0), m1, true));
    CHECK_FALSE(c.update(1s, ipv4_address::of(255, 255, 255, 255), m1, true));
    CHECK_FALSE(c.update(1s, ipv4_address::of(224, 0, 0, 1), m1, true));
    CHECK_FALSE(c.update(1s, a3, mac_address::broadcast(), true));
    CHECK(c.size() == 1);
    // A gratuitous ARP (RFC 5227 §3: spa == tpa, not for us) from a host
    // being resolved completes the resolution: the entry exists.
    REQUIRE(c.enqueue(2s, a3, packet(20, 9)));
    CHECK(c.update(2s, a3, m1, false));
    CHECK(c.lookup(2s, a3) == m1);
    CHECK(c.pop_ready()->mac == m1);
}

TEST_CASE("arp_cache: soft state, entries expire after entry_lifetime (RFC 1122 §2.3.2.1)") {
    arp_config cfg;
    cfg.entry_lifetime = 60s;
    arp_cache<2> c(cfg);
    c.update(10s, a1, m1, true);
    CHECK(c.lookup(10s + 59999ms, a1) == m1);
    CHECK_FALSE(c.lookup(70s, a1));
    // Refreshed by an ARP packet from its owner.
    c.update(20s, a1, m1, false);
    CHECK(c.lookup(79s, a1) == m1);
    CHECK_FALSE(c.lookup(80s, a1));
    // A packet to an expired entry starts a new resolution instead of
    // using the stale address.
    REQUIRE(c.enqueue(90s, a1, packet(20, 1)));
    CHECK_FALSE(c.has_ready());
    auto r = c.poll_request(90s);
    REQUIRE(r);
    CHECK(r->target == a1);
    // While fresh, enqueue passes the packet straight through.
    c.update(90s, a1, m2, true);
    REQUIRE(c.pop_ready());  // the one queued above
    REQUIRE(c.enqueue(91s, a1, packet(20, 2)));
    auto out = c.pop_ready();
    REQUIRE(out);
    CHECK(out->mac == m2);
}

TEST_CASE("arp_cache: bounds on queues and entries") {
    arp_config cfg;
    cfg.queue_packets = 2;
    cfg.queue_bytes = 1000;
    arp_cache<2> c(cfg);
    CHECK(c.enqueue(0s, a1, packet(300, 1)));
    CHECK(c.enqueue(0s, a1, packet(300, 2)));
    CHECK_FALSE(c.enqueue(0s, a1, packet(10, 3)));   // per-hop queue full (RFC 1122 §2.3.2.2: at least one kept)
    CHECK(c.enqueue(0s, a2, packet(300, 4)));
    CHECK_FALSE(c.enqueue(0s, a2, packet(300, 5)));  // 1200 > 1000 bytes
    CHECK_FALSE(c.enqueue(0s, a3, packet(10, 6)));   // both entries INCOMPLETE: no room
    CHECK_FALSE(c.enqueue(0s, a3, {}));              // empty packet
    CHECK(c.queued_bytes() == 900);
    CHECK(c.stats().dropped == 4);
    // Resolve a1; a new destination now replaces... nothing yet: a2 is still
    // INCOMPLETE and a1 is resolved, so a1 (the only resolved one) goes.
    c.update(1s, a1, m1, true);
    while (c.pop_ready()) {}
    CHECK(c.queued_bytes() == 0 + 300);
    CHECK(c.enqueue(2s, a3, packet(10, 7)));
    CHECK(c.stats().evicted == 1);
    CHECK_FALSE(c.lookup(2s, a1));
    CHECK(c.pending(2s, a2));
    CHECK(c.pending(2s, a3));
    // The least recently confirmed resolved entry is the one replaced.
    arp_cache<2> d;
    d.update(0s, a1, m1, true);
    d.update(1s, a2, m2, true);
    d.update(2s, a1, m1, false);  // a1 confirmed again
    d.update(3s, a3, m1, true);   // full: a2 goes
    CHECK(d.lookup(3s, a1));
    CHECK_FALSE(d.lookup(3s, a2));
    CHECK(d.lookup(3s, a3));
    CHECK(d.remove(a3));
    CHECK_FALSE(d.remove(a3));
    CHECK(d.size() == 1);
}

TEST_CASE("arp_cache replays Linux's ARP exchange from arp-ping.pcap") {
    // Frames (tshark): 2 "Who has 10.66.0.2? Tell 10.66.0.1" (broadcast),
    // 3 "10.66.0.2 is at 8e:24:3c:b6:88:ab", 4 the ICMP echo request
    // 10.66.0.1 -> 10.66.0.2 that waited for it. We play 10.66.0.1.
    const auto frames = test::read_pcap("arp-ping.pcap");
    REQUIRE(frames.size() == 5);
    const auto arp_of = [](const test::frame& f) {
        auto p = arp::packet::checked(bytes_view(f.data).subspan(14));
        REQUIRE(p);
        return *p;
    };
    const auto at = [](const test::frame& f) { return instant(std::chrono::seconds(f.sec) + std::chrono::microseconds(f.usec)); };
    const arp::packet request = arp_of(frames[1]), reply = arp_of(frames[2]);
    const ipv4_address self = request.spa();
    const bytes_view echo = bytes_view(frames[3].data).subspan(14);  // the IPv4 packet

    arp_cache<8> c;
    REQUIRE(c.enqueue(at(frames[1]), request.tpa(), echo));
    auto r = c.poll_request(at(frames[1]));
    REQUIRE(r);
    CHECK(r->target == request.tpa());  // the same question Linux asked
    CHECK(r->target == ipv4_address::of(10, 66, 0, 2));
    CHECK(c.update(at(frames[2]), reply.spa(), reply.sha(), reply.tpa() == self));
    auto out = c.pop_ready();
    REQUIRE(out);
    // The frame Linux then sent went to exactly this MAC address, with exactly this packet.
    CHECK(out->mac == *mac_address::parse("8e:24:3c:b6:88:ab"));
    CHECK(std::equal(frames[3].data.begin(), frames[3].data.begin() + 6, out->mac.octets.begin()));
    CHECK(std::equal(out->packet.begin(), out->packet.end(), echo.begin(), echo.end()));
    CHECK(c.lookup(at(frames[4]), ipv4_address::of(10, 66, 0, 2)) == reply.sha());
}
