// coro-echo: the coroutine adapter (wirekit/stack/coroutine.hpp) driving two
// wirekit stacks in one process over an io::memory_pipe. Stack B runs a TCP
// echo server (RFC 862, port 7) written as coroutines: an acceptor that
// spawns one session per connection. Stack A runs several concurrent
// coroutine clients, each sending its own data and reading the echo back.
// No privileges, no network.
//
//   coro-echo [--clients N] [--size BYTES] [--loss P] [--delay-ms MS] [--seed N] [--real-time]
//
// Virtual time by default (the run takes milliseconds of wall time whatever
// the retransmission timeouts); --real-time drives the same code with
// std::chrono::steady_clock. Prints one line per client (bytes, SHA-256 of
// what was sent and what came back) and exits 0 when every echo is intact.
#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/stack/coroutine.hpp>
#include <wirekit/stack/stack.hpp>

#include "../tests/support/sha256.hpp"  // wirekit::test::sha256

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace wirekit;
using namespace std::chrono_literals;
namespace co = wirekit::stack::coro;

using echo_stack = stack::stack<io::memory_pipe::end, stack::ethernet, stack::arp<16>,
                                stack::ipv4<stack::reassembly<4>>, stack::icmp, stack::tcp<stack::newreno, 64>>;
using net = co::async_stack<echo_stack>;

// [session]
/// One echo session: read what arrives, write it back, until the client's FIN.
co::task<void> session(net b, stack::tcp_socket conn) {
    std::array<std::byte, 8192> buf{};
    for (;;) {
        auto n = co_await b.recv(conn, buf);  // >= 1 byte, 0 at end of stream, or an error
        if (!n || *n == 0) break;            // (co_await outside conditions: g++ 12, see docs/stack.md)
        auto sent = co_await b.send_all(conn, bytes_view(buf).first(*n));  // all of it, waiting for buffer space
        if (!sent) break;
    }
    (void)b.stack().close(conn);  // FIN; the stack finishes the close on its own
}

/// The server: accept forever, one spawned session per connection.
co::task<void> acceptor(net b, stack::tcp_socket listener) {
    for (;;) {
        auto conn = co_await b.accept(listener);
        if (!conn) co_return;
        b.owner().spawn(session(b, *conn));
    }
}
// [session]

struct outcome {
    bool finished = false;
    std::string error;
    std::size_t received = 0;
    std::string sha_received;
};

/// Writes all of `data`, then half-closes (a task of its own, so the client
/// reads while it writes and any size works).
co::task<void> writer(net a, stack::tcp_socket conn, std::shared_ptr<const std::vector<std::byte>> data) {
    auto sent = co_await a.send_all(conn, bytes_view(*data));
    if (sent) (void)a.stack().shutdown(conn);
}

/// One client: connect (at most 10 s), write concurrently, read the echo to the end.
co::task<void> client(net a, stack::endpoint server, std::shared_ptr<const std::vector<std::byte>> data, outcome* out) {
    auto conn = co_await a.connect(server).within(10s);
    if (!conn) {
        out->error = std::string(conn.error().detail);
        out->finished = true;
        co_return;
    }
    a.owner().spawn(writer(a, *conn, data));
    test::sha256 h;
    std::vector<std::byte> buf(16384);
    for (;;) {
        auto n = co_await a.recv(*conn, buf).within(60s);
        if (!n) {
            out->error = std::string(n.error().detail);
            break;
        }
        if (*n == 0) break;
        h.update(bytes_view(buf).first(*n));
        out->received += *n;
    }
    (void)a.stack().close(*conn);
    out->sha_received = test::sha256::hex(h.digest());
    out->finished = true;
}

struct options {
    int clients = 4;
    std::size_t size = 256 * 1024;
    double loss = 0.02;
    long delay_ms = 1;
    std::uint64_t seed = 1;
    bool real_time = false;
};

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: coro-echo [--clients N] [--size BYTES] [--loss P] [--delay-ms MS] [--seed N] [--real-time]\n");
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage();
            return argv[++i];
        };
        if (arg == "--clients") o.clients = std::stoi(value());
        else if (arg == "--size") o.size = std::stoull(value());
        else if (arg == "--loss") o.loss = std::stod(value());
        else if (arg == "--delay-ms") o.delay_ms = std::stol(value());
        else if (arg == "--seed") o.seed = std::stoull(value());
        else if (arg == "--real-time") o.real_time = true;
        else usage();
    }
    if (o.clients < 1 || o.clients > 32 || o.loss < 0 || o.loss >= 1 || o.delay_ms < 0) usage();
    return o;
}

std::vector<std::byte> generate(std::size_t n, std::uint64_t seed) {
    std::vector<std::byte> v(n);
    std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;  // xorshift64
    for (auto& b : v) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = std::byte(x & 0xff);
    }
    return v;
}

}  // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);

    io::pipe_config pc;
    pc.seed = opt.seed;
    pc.a_to_b.loss = pc.b_to_a.loss = opt.loss;
    pc.a_to_b.delay = pc.b_to_a.delay = std::chrono::milliseconds(opt.delay_ms);
    io::memory_pipe pipe(pc);

    stack::stack_config ca;
    ca.mac = mac_address::of(0x02, 0, 0, 0, 0, 0x0a);
    ca.address = ipv4_address::of(10, 0, 0, 1);
    ca.secret.fill(std::byte{0x11});
    ca.tcp_msl = 1s;
    stack::stack_config cb = ca;
    cb.mac = mac_address::of(0x02, 0, 0, 0, 0, 0x0b);
    cb.address = ipv4_address::of(10, 0, 0, 2);
    cb.secret.fill(std::byte{0x22});
    echo_stack stack_a(pipe.a(), ca);
    echo_stack stack_b(pipe.b(), cb);

    // The clients' data, and what each client saw.
    std::vector<std::shared_ptr<const std::vector<std::byte>>> data;
    for (int i = 0; i < opt.clients; ++i)
        data.push_back(std::make_shared<const std::vector<std::byte>>(
            generate(opt.size + static_cast<std::size_t>(i) * 1000, opt.seed + static_cast<std::uint64_t>(i))));
    std::vector<outcome> results(data.size());
    auto all_finished = [&] {
        for (const auto& r : results)
            if (!r.finished) return false;
        return true;
    };
    const auto wall_start = std::chrono::steady_clock::now();

    // [driver]
    co::virtual_clock virtual_time;     // simulation: jumps to the next deadline
    co::steady_clock_source real_time;  // real time; a TAP would pass {dev.native_handle()} to wait on
    std::optional<co::driver> drv;
    if (opt.real_time) drv.emplace(real_time);
    else drv.emplace(virtual_time);
    drv->attach_link(pipe);        // the pipe's delivery clock follows the driver's
    net a = drv->attach(stack_a);  // both stacks are polled every round
    net b = drv->attach(stack_b);

    auto listener = stack_b.tcp_listen(7, 16);
    if (!listener) {
        std::fprintf(stderr, "coro-echo: listen failed\n");
        return 1;
    }
    drv->spawn(acceptor(b, *listener));
    for (std::size_t i = 0; i < data.size(); ++i) drv->spawn(client(a, {cb.address, 7}, data[i], &results[i]));
    const auto start = drv->now();
    const auto status = drv->run_until(all_finished, std::chrono::minutes(10));
    // [driver]
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

    bool intact = status == co::run_status::done;
    std::printf("coro-echo: %d clients of 10.0.0.1 -> echo server 10.0.0.2:7, %.1f%% loss each way, %s time\n",
                opt.clients, opt.loss * 100, opt.real_time ? "real" : "virtual");
    for (std::size_t i = 0; i < results.size(); ++i) {
        test::sha256 h;
        h.update(bytes_view(*data[i]));
        const std::string sent = test::sha256::hex(h.digest());
        const auto& r = results[i];
        const bool ok = r.finished && r.error.empty() && r.received == data[i]->size() && r.sha_received == sent;
        intact = intact && ok;
        std::printf("  client %zu  sent %zu  echoed %zu  sha-256 %.16s... %s%s%s\n", i, data[i]->size(), r.received,
                    sent.c_str(), ok ? "intact" : "MISMATCH", r.error.empty() ? "" : ": ", r.error.c_str());
    }
    std::printf("  %-15s %.3f s (wall %.3f s), %llu driver rounds\n", opt.real_time ? "real time" : "virtual time",
                static_cast<double>((drv->now() - start).count()) / 1e6, wall,
                static_cast<unsigned long long>(drv->rounds()));
    std::printf("  frames          %zu sent, %zu lost\n", pipe.a().stats().transmitted + pipe.b().stats().transmitted,
                pipe.a().stats().lost + pipe.b().stats().lost);
    std::printf("  retransmissions %llu (client stack), %llu (server stack)\n",
                static_cast<unsigned long long>(stack_a.stats().tcp_retransmissions),
                static_cast<unsigned long long>(stack_b.stats().tcp_retransmissions));
    std::printf("  intact          %s\n", intact ? "yes" : "NO");
    return intact ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "coro-echo: %s\n", e.what());
    return 2;
}
