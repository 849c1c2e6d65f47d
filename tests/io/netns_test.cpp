// Privileged tests, run as root inside network namespaces the test creates
// (and deletes): the TAP device against the Linux kernel, and live capture
// plus injection on a veth pair. Traffic stays inside those namespaces.
// Without root or `ip netns`, they are skipped with a warning.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <string>
#include <vector>

#include "io_test_util.hpp"
#include "wirekit/core/address.hpp"
#include "wirekit/io/pcap.hpp"
#include "wirekit/io/socket.hpp"
#include "wirekit/io/tap.hpp"
#include "wirekit/wire/arp.hpp"
#include "wirekit/wire/dissect.hpp"
#include "wirekit/wire/ethernet.hpp"

using namespace std::chrono_literals;
namespace io = wirekit::io;
namespace test = wirekit::test;
using wirekit::ipv4_address;
using wirekit::mac_address;

namespace {

#define WK_REQUIRE_NETNS()                                            \
    do {                                                              \
        if (auto why = test::netns_unavailable(); !why.empty()) {     \
            WARN("SKIPPED: needs root and network namespaces: " << why); \
            return;                                                   \
        }                                                             \
    } while (0)

// Receives from `dev` until `pred(frame)` holds or `timeout` passes (poll-driven).
template <class Dev, class Pred>
bool wait_for(Dev& dev, Pred pred, std::chrono::milliseconds timeout = 3000ms) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    const int h[] = {dev.native_handle()};
    while (std::chrono::steady_clock::now() < end) {
        auto ready = io::wait_readable(h, 50ms);
        REQUIRE(ready);
        for (int i = 0; i < 64; ++i) {
            auto r = dev.receive();
            REQUIRE(r);
            if (!*r) break;
            if (pred((*r)->data)) return true;
        }
    }
    return false;
}

std::vector<std::byte> arp_frame(std::uint16_t op, mac_address sha, ipv4_address spa, mac_address tha, ipv4_address tpa,
                                 mac_address dst) {
    wirekit::ethernet::repr eth{dst, sha, {}, 0, wirekit::ethernet::ethertype::arp};
    wirekit::arp::repr a{};
    a.oper = op;
    a.sha = sha;
    a.spa = spa;
    a.tha = tha;
    a.tpa = tpa;
    std::vector<std::byte> f(eth.buffer_len(a.buffer_len()));
    eth.emit(wirekit::ethernet::mutable_frame::unchecked(f), a.buffer_len());
    a.emit(wirekit::arp::mutable_packet::unchecked(wirekit::mutable_bytes(f).subspan(wirekit::ethernet::header_len)));
    return f;
}

}  // namespace

TEST_CASE("tap: clear errors without a device or permission", "[io][tap]") {
    auto longname = io::tap_device::open("a-name-much-too-long-for-linux");
    REQUIRE(!longname);
    CHECK(longname.error().kind == io::io_errc::invalid_argument);
    auto missing = io::tap_device::open("wk-none0", {.mode = io::tap_mode::attach});
    REQUIRE(!missing);
    CHECK(missing.error().kind == io::io_errc::no_device);
    if (::geteuid() != 0) {
        auto denied = io::tap_device::open("wk-denied0");
        REQUIRE(!denied);
        CHECK(denied.error().kind == io::io_errc::permission_denied);
        return;
    }
    // As root: a child that drops to user "nobody" (uid 65534) gets the
    // permission errors, for a TAP and for a live capture.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
        auto tap = io::tap_device::open("wk-denied0");
        if (tap || tap.error().kind != io::io_errc::permission_denied) ::_exit(11);
        if (tap.error().message.find("CAP_NET_ADMIN") == std::string::npos && tap.error().sys_errno != EACCES) ::_exit(12);
        auto cap = io::pcap_live::open("lo");
        if (cap || cap.error().kind != io::io_errc::permission_denied) ::_exit(13);
        ::_exit(0);
    }
    int status = -1;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("tap: the kernel answers an ARP request written by wirekit, and its frames reach wirekit", "[io][tap][netns]") {
    WK_REQUIRE_NETNS();
    test::netns ns("tap");
    ns.enter();
    auto tap = io::tap_device::open("wktap0", {.mode = io::tap_mode::create});
    ns.leave();
    REQUIRE(tap);
    CHECK(tap->name() == "wktap0");
    // Create mode refuses an existing interface.
    ns.enter();
    auto again = io::tap_device::open("wktap0", {.mode = io::tap_mode::create});
    ns.leave();
    REQUIRE(!again);
    CHECK(again.error().kind == io::io_errc::busy);

    int st = 0;
    ns.exec("ip link set wktap0 mtu 1400", &st);
    REQUIRE(st == 0);
    ns.exec("ip addr add 10.77.0.1/24 dev wktap0", &st);
    REQUIRE(st == 0);
    ns.enter();
    REQUIRE(tap->set_up(true));
    auto mtu = tap->mtu();
    ns.leave();
    REQUIRE(mtu);
    CHECK(*mtu == 1400);

    const auto kernel_mac = mac_address::parse(test::lines(ns.exec("cat /sys/class/net/wktap0/address")).at(0));
    REQUIRE(kernel_mac);
    const auto ours = *mac_address::parse("02:00:00:77:00:02");
    const auto our_ip = ipv4_address::of(10, 77, 0, 2), kernel_ip = ipv4_address::of(10, 77, 0, 1);

    // wirekit → kernel: "who has 10.77.0.1? tell 10.77.0.2"; the kernel replies.
    REQUIRE(tap->transmit(arp_frame(wirekit::arp::operation::request, ours, our_ip, mac_address{}, kernel_ip,
                                    mac_address::broadcast())));
    const bool replied = wait_for(*tap, [&](wirekit::bytes_view f) {
        auto d = wirekit::dissect(f);
        return d && d->arp && d->arp->oper() == wirekit::arp::operation::reply && d->arp->spa() == kernel_ip &&
               d->arp->sha() == *kernel_mac && d->arp->tha() == ours && d->arp->tpa() == our_ip &&
               d->eth.dst_addr() == ours;
    });
    CHECK(replied);
    // The kernel learned our address from the request: its neighbour table says so.
    CHECK(ns.exec("ip neigh show 10.77.0.2 dev wktap0").find("02:00:00:77:00:02") != std::string::npos);

    // kernel → wirekit: a UDP datagram to 10.77.0.3 makes the kernel ask for it (ARP request).
    const auto target = ipv4_address::of(10, 77, 0, 3);
    ns.enter();
    auto s = io::socket::open(io::transport::udp);
    ns.leave();
    REQUIRE(s);
    REQUIRE(s->sendto(wirekit::as_bytes("who is there?"), io::endpoint{target, 7}));
    const bool asked = wait_for(*tap, [&](wirekit::bytes_view f) {
        auto d = wirekit::dissect(f);
        return d && d->arp && d->arp->oper() == wirekit::arp::operation::request && d->arp->tpa() == target &&
               d->arp->spa() == kernel_ip && d->eth.dst_addr().is_broadcast();
    });
    CHECK(asked);
}

TEST_CASE("tap: offload modes report their capabilities, and offload requests a mode lacks are refused", "[io][tap][netns]") {
    WK_REQUIRE_NETNS();
    test::netns ns("tapoff");
    const std::vector<std::byte> frame(60, std::byte{0});  // never reaches the kernel: refused before the write
    io::frame_offload csum;
    csum.needs_checksum = true;
    csum.csum_start = 34;
    csum.csum_offset = 16;
    io::frame_offload gso = csum;
    gso.gso = io::segmentation::tcpv4;
    gso.gso_size = 1448;
    gso.hdr_len = 66;
    for (const auto mode : {io::tap_offload::none, io::tap_offload::checksum, io::tap_offload::tso}) {
        INFO("mode " << int(mode));
        ns.enter();
        auto tap = io::tap_device::open("wkoff0", {.mode = io::tap_mode::create_or_attach, .offload = mode});
        ns.leave();
        REQUIRE(tap);
        CHECK(tap->offload() == mode);
        const auto c = tap->capabilities().offload;
        CHECK(c.rx_checksum == (mode != io::tap_offload::none));
        CHECK(c.tx_checksum == (mode != io::tap_offload::none));
        CHECK(c.rx_gso_max == (mode == io::tap_offload::tso ? io::tap_gso_max : 0));
        CHECK(c.tx_gso_max == (mode == io::tap_offload::tso ? io::tap_gso_max : 0));
        CHECK(io::tap_gso_max == 14 + 65535);
        if (mode == io::tap_offload::none) {
            auto r = tap->transmit(wirekit::bytes_view(frame), csum);
            REQUIRE_FALSE(r);
            CHECK(r.error().kind == io::io_errc::unsupported);
        }
        if (mode != io::tap_offload::tso) {
            auto r = tap->transmit(wirekit::bytes_view(frame), gso);
            REQUIRE_FALSE(r);
            CHECK(r.error().kind == io::io_errc::unsupported);
        }
    }
}

TEST_CASE("pcap_live: capture with a BPF filter on one end of a veth pair, inject on the other", "[io][pcap][live][netns]") {
    WK_REQUIRE_NETNS();
    test::netns left("l"), right("r");
    int st = 0;
    left.exec("ip link add wkv0 type veth peer name wkv1 netns " + right.name(), &st);
    REQUIRE(st == 0);
    left.exec("ip addr add 10.78.0.1/24 dev wkv0", &st);
    right.exec("ip addr add 10.78.0.2/24 dev wkv1", &st);
    left.exec("ip link set wkv0 up");
    right.exec("ip link set wkv1 up");

    right.enter();
    auto cap = io::pcap_live::open("wkv1", {.filter = "udp and dst port 9999", .snaplen = 2000, .promiscuous = true});
    auto missing = io::pcap_live::open("wk-nope0");
    right.leave();
    REQUIRE(cap);
    REQUIRE(!missing);
    CHECK(cap->capabilities().link == io::link_type::ethernet);
    CHECK(cap->native_handle() >= 0);

    // Kernel UDP from the left namespace: 5 datagrams to 9999, 5 to 9998 (filtered out).
    left.enter();
    auto s = io::socket::open(io::transport::udp);
    left.leave();
    REQUIRE(s);
    const io::endpoint to9999{ipv4_address::of(10, 78, 0, 2), 9999}, to9998{ipv4_address::of(10, 78, 0, 2), 9998};
    for (int i = 0; i < 5; ++i) {
        const std::string msg = "wirekit live " + std::to_string(i);
        REQUIRE(s->sendto(wirekit::as_bytes(msg), to9999));
        REQUIRE(s->sendto(wirekit::as_bytes(msg), to9998));
    }
    std::vector<std::string> payloads;
    wait_for(*cap, [&](wirekit::bytes_view f) {
        auto d = wirekit::dissect(f);
        REQUIRE(d);
        REQUIRE(d->udp);
        CHECK(d->udp->dst_port() == 9999);
        payloads.emplace_back(wirekit::as_chars(d->udp->payload()));
        return payloads.size() == 5;
    });
    REQUIRE(payloads.size() == 5);
    for (int i = 0; i < 5; ++i) CHECK(payloads[static_cast<std::size_t>(i)] == "wirekit live " + std::to_string(i));

    // Injection: a frame crafted by wirekit, injected on wkv0, captured on wkv1.
    left.enter();
    auto inj = io::pcap_live::open("wkv0");
    left.leave();
    REQUIRE(inj);
    right.enter();
    auto arp_cap = io::pcap_live::open("wkv1", {.filter = "arp"});
    right.leave();
    REQUIRE(arp_cap);
    const auto frame = arp_frame(wirekit::arp::operation::request, *mac_address::parse("02:00:00:78:00:09"),
                                 ipv4_address::of(10, 78, 0, 9), mac_address{}, ipv4_address::of(10, 78, 0, 2),
                                 mac_address::broadcast());
    REQUIRE(inj->transmit(frame));
    const bool seen = wait_for(*arp_cap, [&](wirekit::bytes_view f) {
        return f.size() == frame.size() && std::equal(f.begin(), f.end(), frame.begin());
    });
    CHECK(seen);
}

TEST_CASE("wirekit-dump -i: live capture with a BPF filter in a namespace, -w output re-read identically", "[io][dump][live][netns]") {
    WK_REQUIRE_NETNS();
    const std::string dump = std::string(WIREKIT_BINARY_DIR) + "/examples/wirekit-dump";
    REQUIRE(::access(dump.c_str(), X_OK) == 0);
    test::netns left("dl"), right("dr");
    int st = 0;
    left.exec("ip link add wkv2 type veth peer name wkv3 netns " + right.name(), &st);
    REQUIRE(st == 0);
    left.exec("ip addr add 10.79.0.1/24 dev wkv2");
    right.exec("ip addr add 10.79.0.2/24 dev wkv3");
    left.exec("ip link set wkv2 up");
    right.exec("ip link set wkv3 up");

    // Our own capture of everything on wkv3, opened first: the reference.
    right.enter();
    auto cap = io::pcap_live::open("wkv3", {.filter = "udp"});
    right.leave();
    REQUIRE(cap);
    left.enter();
    auto s = io::socket::open(io::transport::udp);
    left.leave();
    REQUIRE(s);

    const std::string out = "/tmp/wk-live-" + std::to_string(::getpid()) + ".pcap";
    std::atomic<bool> done{false};
    std::string printed;
    int dump_status = -1;
    std::thread runner([&] {
        printed = right.exec("timeout 20 " + dump + " -i wkv3 -f 'udp and dst port 9999' -c 5 --json -w " + out, &dump_status);
        done = true;
    });
    // Send until the tool has seen 5 matching datagrams (it starts some time
    // after us); every other datagram goes to port 9998, which the filter drops.
    int sent = 0;
    for (; sent < 400 && !done; ++sent) {
        const std::string msg = "live " + std::to_string(sent);
        REQUIRE(s->sendto(wirekit::as_bytes(msg), io::endpoint{ipv4_address::of(10, 79, 0, 2), 9998}));
        REQUIRE(s->sendto(wirekit::as_bytes(msg), io::endpoint{ipv4_address::of(10, 79, 0, 2), 9999}));
        std::this_thread::sleep_for(50ms);
    }
    runner.join();
    REQUIRE(dump_status == 0);
    const auto json = test::lines(printed);
    REQUIRE(json.size() == 5);
    for (const auto& l : json) CHECK(l.find("\"udp.dstport\": 9999") != std::string::npos);

    // Everything our capture saw, by bytes.
    std::vector<std::vector<std::byte>> seen;
    for (int i = 0; i < 4 * sent + 16; ++i) {
        auto r = cap->receive();
        REQUIRE(r);
        if (!*r) break;
        seen.emplace_back((*r)->data.begin(), (*r)->data.end());
    }
    auto file = io::pcap_reader::open(out);
    REQUIRE(file);
    std::size_t n = 0;
    for (;;) {
        auto f = file->receive();
        REQUIRE(f);
        if (!*f) break;
        ++n;
        const std::vector<std::byte> bytes((*f)->data.begin(), (*f)->data.end());
        CHECK(std::find(seen.begin(), seen.end(), bytes) != seen.end());
        auto d = wirekit::dissect((*f)->data);
        REQUIRE((d && d->udp));
        CHECK(d->udp->dst_port() == 9999);
    }
    CHECK(n == 5);
    std::remove(out.c_str());
}
