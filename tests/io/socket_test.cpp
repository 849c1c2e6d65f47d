// socket backend: real kernel peers over loopback.
#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <thread>
#include <vector>

#include "wirekit/io/socket.hpp"
#include "wirekit/io/stream.hpp"

namespace io = wirekit::io;
using wirekit::as_bytes;

TEST_CASE("socket: UDP sendto/recvfrom over loopback", "[io][socket][udp]") {
    auto server = io::socket::open(io::transport::udp);
    REQUIRE(server);
    REQUIRE(server->bind(io::endpoint::loopback_v4(0)));
    auto addr = server->local_endpoint();
    REQUIRE(addr);
    CHECK(addr->port != 0);
    REQUIRE(server->set_receive_timeout(2000));

    auto client = io::socket::open(io::transport::udp);
    REQUIRE(client);
    auto sent = client->sendto(as_bytes("hello, wirekit"), *addr);
    REQUIRE(sent);
    CHECK(*sent == 14);
    std::vector<std::byte> buf(100);
    auto got = server->recvfrom(buf);
    REQUIRE(got);
    CHECK(got->first == 14);
    CHECK(wirekit::as_chars(wirekit::bytes_view(buf).first(got->first)) == "hello, wirekit");
    CHECK(got->second.to_string().rfind("127.0.0.1:", 0) == 0);
    // Reply to the sender's address (the textbook upper-case server).
    REQUIRE(server->sendto(as_bytes("HELLO"), got->second));
    REQUIRE(client->set_receive_timeout(2000));
    auto reply = client->recv(buf);
    REQUIRE(reply);
    CHECK(*reply == 5);
}

TEST_CASE("socket: TCP listen/accept/connect, send_all of a large buffer, orderly close", "[io][socket][tcp]") {
    auto listener = io::socket::open(io::transport::tcp);
    REQUIRE(listener);
    REQUIRE(listener->bind(io::endpoint::loopback_v4(0)));
    REQUIRE(listener->listen());
    const auto addr = *listener->local_endpoint();

    // 8 MiB: far more than a socket buffer, so send() alone would be partial.
    std::vector<std::byte> data(8 << 20);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::byte(static_cast<unsigned char>(i * 131 + (i >> 13)));

    std::vector<std::byte> received;
    std::thread peer([&] {
        auto c = listener->accept();
        REQUIRE(c);
        REQUIRE(c->first.set_receive_timeout(5000));
        std::vector<std::byte> buf(65536);
        for (;;) {
            auto n = c->first.recv(buf);
            if (!n || *n == 0) break;  // 0 = the client shut down its side
            received.insert(received.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
        }
    });
    auto client = io::socket::open(io::transport::tcp);
    REQUIRE(client);
    REQUIRE(client->connect(addr));
    // Half through send_all, half through the generic byte_stream write_all.
    const auto half = data.size() / 2;
    REQUIRE(client->send_all(wirekit::bytes_view(data).first(half)));
    REQUIRE(io::write_all(*client, wirekit::bytes_view(data).subspan(half)));
    REQUIRE(client->shutdown_send());
    peer.join();
    CHECK(received == data);
}

TEST_CASE("socket: errors are results, not exceptions", "[io][socket][errors]") {
    // Nothing listens on a port we just released: connection refused.
    io::endpoint closed_port;
    {
        auto s = io::socket::open(io::transport::tcp);
        REQUIRE(s);
        REQUIRE(s->bind(io::endpoint::loopback_v4(0)));
        closed_port = *s->local_endpoint();
    }
    auto c = io::socket::open(io::transport::tcp);
    REQUIRE(c);
    auto r = c->connect(closed_port);
    REQUIRE(!r);
    CHECK(r.error().operation == "connect");
    CHECK(r.error().sys_errno == ECONNREFUSED);

    // A second bind to a port in use by a listener fails with EADDRINUSE.
    auto l = io::socket::open(io::transport::tcp);
    REQUIRE(l);
    REQUIRE(l->bind(io::endpoint::loopback_v4(0)));
    REQUIRE(l->listen());
    auto l2 = io::socket::open(io::transport::tcp);
    REQUIRE(l2);
    auto b = l2->bind(*l->local_endpoint());
    REQUIRE(!b);
    CHECK(b.error().sys_errno == EADDRINUSE);

    // Sending on a connection the peer reset: closed, and no SIGPIPE.
    auto s = io::socket::open(io::transport::tcp);
    REQUIRE(s);
    REQUIRE(s->connect(*l->local_endpoint()));
    {
        auto acc = l->accept();
        REQUIRE(acc);
    }  // accepted socket closed here
    std::vector<std::byte> chunk(1 << 16);
    io::io_result<void> last;
    for (int i = 0; i < 200 && last; ++i) last = s->send_all(chunk);
    REQUIRE(!last);
    CHECK(last.error().kind == io::io_errc::closed);
}
