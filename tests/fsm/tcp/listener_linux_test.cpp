// The listener against a real peer: the Linux kernel's TCP, as a client,
// connecting through a TAP device in a network namespace this test creates
// (and deletes). With syn_backlog = 0 every SYN meets a "full" SYN queue,
// so the kernel's connection is made from a SYN cookie (RFC 4987 §3.6):
// the kernel must accept our stateless SYN,ACK, and the ACK it returns
// must check out. The kernel offers window scaling, SACK and timestamps in
// its SYN; our cookie SYN,ACK offers none, so it must fall back to plain
// RFC 9293 segments. It sends 100 kB and shuts down; we echo every byte back
// and close; the kernel must read back exactly what it sent. A second run
// with the ordinary SYN queue does the same. Skipped (WARN) without root or
// `ip netns`.
#include "script.hpp"

#include "io/io_test_util.hpp"

#include <wirekit/fsm/tcp/listener.hpp>
#include <wirekit/io/device.hpp>
#include <wirekit/io/socket.hpp>
#include <wirekit/io/tap.hpp>
#include <wirekit/wire/craft.hpp>
#include <wirekit/wire/dissect.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

using namespace tcpt;
namespace io = wirekit::io;

namespace {

struct kernel_result {
    bool connected = false;
    bool echoed = false;
    std::string error;
};

void run_against_linux(std::size_t syn_backlog, const std::string& tag) {
    if (auto why = wirekit::test::netns_unavailable(); !why.empty()) {
        WARN("SKIPPED: needs root and network namespaces: " << why);
        return;
    }
    wirekit::test::netns ns(tag);
    ns.enter();
    auto tap = io::tap_device::open("wklst0", {.mode = io::tap_mode::create, .nonblocking = true});
    ns.leave();
    REQUIRE(tap);
    const auto kernel_ip = wirekit::ipv4_address::of(10, 78, 0, 1), our_ip = wirekit::ipv4_address::of(10, 78, 0, 2);
    const auto our_mac = *wirekit::mac_address::parse("02:00:00:78:00:02");
    int st = 0;
    ns.exec("ip addr add 10.78.0.1/24 dev wklst0", &st);
    REQUIRE(st == 0);
    ns.exec("ip link set wklst0 up", &st);
    REQUIRE(st == 0);
    // A static neighbour entry: the kernel need not ARP for us.
    ns.exec("ip neigh replace 10.78.0.2 lladdr 02:00:00:78:00:02 dev wklst0 nud permanent", &st);
    REQUIRE(st == 0);
    const auto kernel_mac = wirekit::mac_address::parse(
        wirekit::test::lines(ns.exec("cat /sys/class/net/wklst0/address")).at(0));
    REQUIRE(kernel_mac);

    tcp::listen_config lc;
    lc.conn.local = {our_ip, 8080};
    for (std::size_t i = 0; i < lc.conn.secret.size(); ++i) lc.conn.secret[i] = std::byte(0x30 + i);
    lc.syn_backlog = syn_backlog;
    tcp::listener lst(lc);
    std::optional<tcp::connection> server;

    // The kernel's side: connect, send 100 kB, shut down, read the echo.
    std::string data(100000, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('!' + (i * 7 + i / 991) % 90);
    ns.enter();
    auto sock = io::socket::open(io::transport::tcp);
    ns.leave();
    REQUIRE(sock);
    REQUIRE(sock->set_receive_timeout(10000));
    kernel_result kr;
    std::atomic<bool> kernel_done{false};
    std::thread kernel([&] {
        if (!sock->connect(io::endpoint{our_ip, 8080})) {
            kr.error = "connect failed";
            kernel_done = true;
            return;
        }
        kr.connected = true;
        if (!sock->send_all(wirekit::bytes_view(reinterpret_cast<const std::byte*>(data.data()), data.size())) ||
            !sock->shutdown_send()) {
            kr.error = "send failed";
            kernel_done = true;
            return;
        }
        std::string back;
        std::array<std::byte, 8192> buf{};
        for (;;) {
            auto n = sock->recv(buf);
            if (!n) {
                kr.error = "recv failed";
                break;
            }
            if (*n == 0) break;
            back.append(reinterpret_cast<const char*>(buf.data()), *n);
        }
        kr.echoed = back == data;
        if (!kr.echoed && kr.error.empty()) kr.error = "echo differs: " + std::to_string(back.size()) + " bytes back";
        kernel_done = true;
    });

    // Our side: frames from the TAP into the listener / the accepted
    // connection, their segments back out as Ethernet/IPv4/TCP frames.
    const auto t0 = std::chrono::steady_clock::now();
    auto clock = [&] { return std::chrono::duration_cast<tcp::instant>(std::chrono::steady_clock::now() - t0); };
    std::size_t echoed = 0, received = 0;
    bool closed = false;
    std::string echo_buf;
    std::optional<std::uint16_t> kernel_syn_mss;
    bool kernel_offered_options = false, kernel_used_options_after = false;
    auto send_out = [&](const tcp::segment_out& s) {
        auto frame = (wirekit::ethernet::repr{.dst_addr = *kernel_mac, .src_addr = our_mac} /
                      wirekit::ipv4::repr{.src_addr = s.src_addr, .dst_addr = s.dst_addr} / s.hdr /
                      wirekit::craft::payload{wirekit::bytes_view(s.payload)})
                         .to_bytes();
        REQUIRE(frame);
        REQUIRE(tap->transmit(wirekit::bytes_view(*frame)));
    };
    const int handles[] = {tap->native_handle()};
    while (!kernel_done && clock() < 20s) {
        auto ready = io::wait_readable(handles, 20ms);
        REQUIRE(ready);
        const auto now = clock();
        for (int i = 0; i < 256; ++i) {
            auto r = tap->receive();
            REQUIRE(r);
            if (!*r) break;
            auto d = wirekit::dissect((*r)->data);
            if (!d || !d->ipv4 || !d->tcp || !(d->ipv4->dst_addr() == our_ip) || !(d->ipv4->src_addr() == kernel_ip)) continue;
            auto rep = wirekit::tcp::repr::parse(*d->tcp, wirekit::ipv4_pseudo{d->ipv4->src_addr(), our_ip});
            REQUIRE(rep);  // the kernel's checksums are right
            tcp::segment_in in;
            in.src_addr = d->ipv4->src_addr();
            in.dst_addr = our_ip;
            in.hdr = *rep;
            in.payload = d->transport.subspan(d->tcp->header_length());
            const auto& o = rep->options;
            if (rep->flags.syn && !rep->flags.ack) {
                kernel_syn_mss = o.mss;
                kernel_offered_options = o.window_scale && o.sack_permitted && o.ts;
            } else if (o.window_scale || o.sack_permitted || o.ts || o.sack_count) {
                kernel_used_options_after = true;
            }
            if (server && server->vars().remote == tcp::endpoint{in.src_addr, in.hdr.src_port}) server->on_segment(now, in);
            else lst.on_segment(now, in);
        }
        lst.on_timer(now);
        if (!server)
            if (auto c = lst.accept()) server.emplace(std::move(*c));
        if (server) {
            server->on_timer(now);
            // Echo: everything received goes back.
            std::array<std::byte, 8192> buf{};
            for (;;) {
                auto n = server->receive(now, buf);
                if (!n || *n == 0) break;
                received += *n;
                echo_buf.append(reinterpret_cast<const char*>(buf.data()), *n);
            }
            while (echoed < echo_buf.size()) {
                auto n = server->send(now, wirekit::bytes_view(reinterpret_cast<const std::byte*>(echo_buf.data()),
                                                               echo_buf.size())
                                               .subspan(echoed));
                if (!n || *n == 0) break;
                echoed += *n;
            }
            if (!closed && received == data.size() && echoed == received &&
                server->current() == tcp::state::close_wait) {
                REQUIRE(server->close(now));
                closed = true;
            }
            while (auto s = server->poll_transmit()) send_out(*s);
        }
        while (auto s = lst.poll_transmit()) send_out(*s);
    }
    kernel.join();
    INFO("kernel side: " << kr.error);
    CHECK(kr.connected);
    CHECK(kr.echoed);
    REQUIRE(server);
    CHECK(received == data.size());
    CHECK(kernel_syn_mss == std::optional<std::uint16_t>(1460));  // 1500-byte MTU - 40
    CHECK(kernel_offered_options);                                 // Linux offers WS, SACK, TS by default
    const auto& n = lst.counters();
    if (syn_backlog == 0) {
        CHECK(n.cookies_sent >= 1);
        CHECK(n.cookies_accepted == 1);
        CHECK(server->vars().snd_mss == 1460);  // carried by the cookie
        // The kernel honoured the trade-off: our SYN,ACK offered no options, it used none.
        CHECK_FALSE(kernel_used_options_after);
    } else {
        CHECK(n.cookies_sent == 0);
        CHECK(n.syns_received == 1);
    }
}

}  // namespace

TEST_CASE("listener against the Linux kernel: a connection from a SYN cookie echoes 100 kB", "[netns][linux]") {
    run_against_linux(0, "lstc");
}

TEST_CASE("listener against the Linux kernel: a connection from the SYN queue echoes 100 kB", "[netns][linux]") {
    run_against_linux(128, "lstq");
}
