// TCP through the stack's sockets (RFC 9293): echo, 100 concurrent
// connections, a 10 MiB transfer under 5% loss, and RST for closed ports
// (§3.10.7.1). Two stacks over one memory_pipe in virtual time; every run is
// bounded in virtual time and the data is compared byte for byte.
#include "harness.hpp"

#include <wirekit/wire/ethernet.hpp>
#include <wirekit/wire/ipv4.hpp>
#include <wirekit/wire/tcp.hpp>

#include <map>

using namespace stk;
using stack::tcp_socket;
using stack::tcp_state;

namespace {

/// An echo server on one stack: accepts, and sends back what it receives
/// (keeping what send() did not take for later), closing when the peer does.
template <class Stack>
struct echo_server {
    Stack& s;
    tcp_socket listener;
    struct conn {
        tcp_socket h;
        std::vector<std::byte> pending;
        bool eof = false;
        bool closed = false;
    };
    std::vector<conn> conns;
    std::size_t accepted = 0;

    echo_server(Stack& st, std::uint16_t port, std::size_t backlog) : s(st) {
        auto l = s.tcp_listen(port, backlog);
        REQUIRE(l);
        listener = *l;
    }
    void operator()() {
        while (true) {
            auto a = s.accept(listener);
            REQUIRE(a);
            if (!*a) break;
            conns.push_back(conn{**a, {}, false, false});
            ++accepted;
        }
        std::array<std::byte, 16384> buf{};
        for (auto& c : conns) {
            if (c.closed) continue;
            while (!c.eof && c.pending.size() < 65536) {
                auto r = s.recv(c.h, mutable_bytes(buf));
                if (!r) {
                    REQUIRE(stack::is_end_of_stream(r.error()));
                    c.eof = true;
                    break;
                }
                if (*r == 0) break;
                c.pending.insert(c.pending.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
            }
            while (!c.pending.empty()) {
                auto n = s.send(c.h, bytes_view(c.pending));
                REQUIRE(n);
                if (*n == 0) break;
                c.pending.erase(c.pending.begin(), c.pending.begin() + static_cast<std::ptrdiff_t>(*n));
            }
            if (c.eof && c.pending.empty()) {
                REQUIRE(s.close(c.h));
                c.closed = true;
            }
        }
    }
};

/// A client that sends `data`, reads everything back, and closes.
template <class Stack>
struct client {
    Stack& s;
    tcp_socket h;
    std::vector<std::byte> data;
    std::size_t sent = 0;
    std::vector<std::byte> received;
    bool shut = false;
    bool eof = false;
    bool wait_for_echo = false;  ///< shutdown only once everything came back

    client(Stack& st, stack::endpoint to, std::vector<std::byte> d) : s(st), data(std::move(d)) {
        auto c = s.tcp_connect(to);
        REQUIRE(c);
        h = *c;
    }
    void operator()() {
        auto st = s.state(h);
        REQUIRE(st);
        if (*st == tcp_state::syn_sent) return;
        while (sent < data.size()) {
            auto n = s.send(h, bytes_view(data).subspan(sent));
            REQUIRE(n);
            if (*n == 0) break;
            sent += *n;
        }
        if (sent == data.size() && !shut && (!wait_for_echo || received.size() == data.size())) {
            REQUIRE(s.shutdown(h));
            shut = true;
        }
        std::array<std::byte, 16384> buf{};
        while (!eof) {
            auto r = s.recv(h, mutable_bytes(buf));
            if (!r) {
                INFO("recv error: " << r.error().detail);
                REQUIRE(stack::is_end_of_stream(r.error()));
                eof = true;
                break;
            }
            if (*r == 0) break;
            received.insert(received.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
        }
    }
    [[nodiscard]] bool done() const { return eof; }
};

}  // namespace

TEST_CASE("TCP echo: 200 KiB through an echo server on port 7", "[stack][tcp]") {
    world<> w;
    w.dev_a.recording = w.dev_b.recording = false;
    echo_server srv(w.b, 7, 8);
    client cli(w.a, {ip_b, 7}, pattern(200 * 1024, 1));
    REQUIRE(w.run([&] { srv(); cli(); }, [&] { return cli.done(); }, 60s));
    CHECK(cli.received == cli.data);
    CHECK(srv.accepted == 1);
    REQUIRE(w.a.close(cli.h));
    // Both ends finish: the client's TIME-WAIT (2 MSL = 2 s here) ends and every socket is released.
    REQUIRE(w.run([&] { srv(); }, [&] { return w.a.tcp_sockets_in_use() == 0 && w.b.tcp_sockets_in_use() == 1; }, 30s));
}

TEST_CASE("TCP: 100 concurrent connections each echo their data intact", "[stack][tcp]") {
    world<> w;
    w.dev_a.recording = w.dev_b.recording = false;
    echo_server srv(w.b, 7, 128);
    std::vector<std::unique_ptr<client<stk::full_stack>>> clients;
    for (std::size_t i = 0; i < 100; ++i)
        clients.push_back(std::make_unique<client<stk::full_stack>>(w.a, stack::endpoint{ip_b, 7}, pattern(4096 + i * 97, i + 10)));
    auto all_done = [&] {
        return std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->done(); });
    };
    REQUIRE(w.run([&] {
        srv();
        for (auto& c : clients) (*c)();
    }, all_done, 120s));
    for (const auto& c : clients) CHECK(c->received == c->data);
    CHECK(srv.accepted == 100);
    // Distinct ephemeral ports, one per connection.
    std::map<std::uint16_t, int> ports;
    for (const auto& c : clients) ++ports[w.a.status(c->h)->local.port];
    CHECK(ports.size() == 100);
}

TEST_CASE("TCP: 10 MiB under 5% loss each way arrives intact, bounded in virtual time", "[stack][tcp][loss]") {
    io::pipe_config pc;
    pc.seed = 42;
    pc.a_to_b.loss = 0.05;
    pc.b_to_a.loss = 0.05;
    pc.a_to_b.delay = pc.b_to_a.delay = std::chrono::milliseconds(1);
    world<> w(pc);
    w.dev_a.recording = w.dev_b.recording = false;
    auto l = w.b.tcp_listen(9000, 4);
    REQUIRE(l);
    const auto data = pattern(10 * 1024 * 1024, 77);
    auto c = w.a.tcp_connect({ip_b, 9000});
    REQUIRE(c);
    std::optional<tcp_socket> server;
    std::size_t sent = 0;
    bool shut = false, eof = false;
    std::vector<std::byte> got;
    got.reserve(data.size());
    std::array<std::byte, 65536> buf{};
    const bool ok = w.run(
        [&] {
            if (!server)
                if (auto a = w.b.accept(*l); a && *a) server = **a;
            while (sent < data.size()) {
                auto n = w.a.send(*c, bytes_view(data).subspan(sent));
                if (!n || *n == 0) break;
                sent += *n;
            }
            if (sent == data.size() && !shut) shut = static_cast<bool>(w.a.shutdown(*c));
            if (!server) return;
            while (!eof) {
                auto r = w.b.recv(*server, mutable_bytes(buf));
                if (!r) {
                    eof = stack::is_end_of_stream(r.error());
                    REQUIRE(eof);
                    break;
                }
                if (*r == 0) break;
                got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
            }
        },
        [&] { return eof; }, std::chrono::minutes(10));
    INFO("virtual time " << w.now.count() << " us, bytes " << got.size());
    REQUIRE(ok);
    CHECK(got.size() == data.size());
    CHECK(got == data);
    CHECK(w.a.stats().tcp_retransmissions > 0);  // the loss was real
    CHECK(w.pipe.a().stats().lost > 100);
}

TEST_CASE("TCP SYN to a closed port gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> (RFC 9293 §3.10.7.1)", "[stack][tcp]") {
    world<> w;
    auto c = w.a.tcp_connect({ip_b, 81});
    REQUIRE(c);
    REQUIRE(w.run([&] { return *w.a.state(*c) == tcp_state::closed; }, 5s));
    CHECK(w.b.stats().tcp_rst_sent == 1);
    // The SYN A sent and the RST B answered, read from the wire.
    auto tcp_frames = [](const std::vector<std::vector<std::byte>>& sent) {
        std::vector<std::vector<std::byte>> out;
        for (const auto& f : sent)
            if (f.size() >= 54 && f[12] == std::byte{0x08} && f[13] == std::byte{0} && f[23] == std::byte{6}) out.push_back(f);
        return out;
    };
    auto rd32 = [](const std::vector<std::byte>& f, std::size_t at) {
        std::uint32_t v = 0;
        for (std::size_t i = 0; i < 4; ++i) v = v << 8 | std::to_integer<std::uint32_t>(f[at + i]);
        return v;
    };
    const auto syn = tcp_frames(w.dev_a.sent);
    const auto rst = tcp_frames(w.dev_b.sent);
    REQUIRE(syn.size() >= 1);
    REQUIRE(rst.size() == 1);
    const auto flags = [](const std::vector<std::byte>& f) { return std::to_integer<unsigned>(f[34 + 13]); };
    CHECK(flags(syn[0]) == 0x02);           // SYN
    CHECK(flags(rst[0]) == (0x04 | 0x10));  // RST, ACK
    CHECK(rd32(rst[0], 34 + 4) == 0);                           // SEQ = 0
    CHECK(rd32(rst[0], 34 + 8) == rd32(syn[0], 34 + 4) + 1);    // ACK = SEG.SEQ + SEG.LEN (SYN counts 1)
    CHECK(ipv4_transport_checksum_valid(ip_b.octets, ip_a.octets, 6, bytes_view(rst[0]).subspan(34, 20)));
    // The connection was refused: a further send fails.
    CHECK_FALSE(w.a.send(*c, bytes_view()));
}

TEST_CASE("TCP ACK to a closed port gets <SEQ=SEG.ACK><CTL=RST> - a RST gets nothing (RFC 9293 §3.10.7.1)", "[stack][tcp]") {
    world<> w;
    w.step();
    auto inject = [&](bool rst) {
        std::array<std::byte, 54> f{};
        ethernet::repr e;
        e.dst_addr = mac_b;
        e.src_addr = mac_a;
        e.ethertype = ethernet::ethertype::ipv4;
        e.emit(ethernet::mutable_frame::unchecked(mutable_bytes(f)), 40);
        ipv4::repr ip;
        ip.src_addr = ip_a;
        ip.dst_addr = ip_b;
        ip.protocol = 6;
        ip.payload_len = 20;
        ip.emit(ipv4::mutable_packet::unchecked(mutable_bytes(f).subspan(14)));
        tcp::repr t;
        t.src_port = 40000;
        t.dst_port = 4444;
        t.seq_number = 1000;
        t.ack_number = 0xdeadbeef;
        t.flags.ack = true;
        t.flags.rst = rst;
        t.window = 1000;
        REQUIRE(t.emit(tcp::mutable_segment::unchecked(mutable_bytes(f).subspan(34)), ipv4_pseudo{ip_a, ip_b}));
        REQUIRE(w.pipe.a().transmit(bytes_view(f)));
    };
    inject(true);
    w.run([] { return false; }, 1s);
    CHECK(w.b.stats().tcp_rst_sent == 0);
    inject(false);
    REQUIRE(w.run([&] { return w.b.stats().tcp_rst_sent == 1; }, 5s));
    w.run([] { return false; }, 100ms);
    std::vector<std::byte> rst;
    for (const auto& f : w.dev_b.sent)
        if (f.size() >= 54 && f[23] == std::byte{6}) rst = f;
    REQUIRE(!rst.empty());
    CHECK(std::to_integer<unsigned>(rst[34 + 13]) == 0x04);  // RST only
    CHECK(rst[38] == std::byte{0xde});  // SEQ = SEG.ACK = 0xdeadbeef
    CHECK(rst[39] == std::byte{0xad});
    CHECK(rst[40] == std::byte{0xbe});
    CHECK(rst[41] == std::byte{0xef});
}

TEST_CASE("TCP listen backlog without SYN cookies: SYNs beyond it are dropped until accept() makes room", "[stack][tcp]") {
    world<> w({}, [](stack::stack_config& c) { c.tcp_syn_cookies = false; });
    w.dev_a.recording = w.dev_b.recording = false;
    auto l = w.b.tcp_listen(7, 2);
    REQUIRE(l);
    std::vector<tcp_socket> cs;
    for (int i = 0; i < 4; ++i) cs.push_back(*w.a.tcp_connect({ip_b, 7}));
    w.run([] { return false; }, 500ms);
    auto in_state = [&](tcp_state want) {
        int n = 0;
        for (auto c : cs) n += *w.a.state(c) == want ? 1 : 0;
        return n;
    };
    CHECK(in_state(tcp_state::established) == 2);
    CHECK(in_state(tcp_state::syn_sent) == 2);  // their SYNs were dropped; they retransmit
    std::vector<tcp_socket> accepted;
    REQUIRE(w.run([&] {
        if (auto a = w.b.accept(*l); a && *a) accepted.push_back(**a);
    }, [&] { return accepted.size() == 4; }, 30s));
    CHECK(in_state(tcp_state::established) == 4);
}

// A cookie connection comes to life from the client's first ACK or data
// segment (RFC 4987 §3.6); while the accept queue is full that segment is
// dropped and the retransmission of the same segment (SEG.SEQ = ISS + 1)
// carries the cookie again. Each client's data fits in one segment: a later
// segment arriving first could not prove the cookie and is answered with RST
// (as LISTEN answers an ACK), the known limit of cookies.
TEST_CASE("TCP listen backlog with SYN cookies: clients beyond the backlog still connect (RFC 4987 §3.6)", "[stack][tcp]") {
    world<> w;
    w.dev_a.recording = w.dev_b.recording = false;
    echo_server srv(w.b, 7, 2);
    std::vector<std::unique_ptr<client<stk::full_stack>>> clients;
    for (std::size_t i = 0; i < 6; ++i)
        clients.push_back(std::make_unique<client<stk::full_stack>>(w.a, stack::endpoint{ip_b, 7}, pattern(1000, i)));
    for (auto& c : clients) c->wait_for_echo = true;  // a FIN (SEG.SEQ past ISS + 1) could not carry the cookie
    REQUIRE(w.run([&] {
        srv();
        for (auto& c : clients) (*c)();
    }, [&] { return std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->done(); }); }, 120s));
    for (const auto& c : clients) CHECK(c->received == c->data);
    CHECK(srv.accepted == 6);
}
