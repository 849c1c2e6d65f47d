// The coroutine adapter (stack/coroutine.hpp): task<T> semantics, and
// coroutines driving two stacks over one memory_pipe in virtual time —
// an echo server with concurrent clients, 4 MiB under 5% loss (SHA-256 of
// what was sent against what arrived), UDP request/response, deadlines,
// connect to a closed port (RST, RFC 9293 §3.10.7.1 / §3.10.7.3), and
// frames destroyed with the driver (no leak: ASan/LSan in the sanitizer
// build, and live-object counts here). Every run is bounded in virtual time.
#include "harness.hpp"
#include "support/run_command.hpp"
#include "support/sha256.hpp"

#include <wirekit/stack/coroutine.hpp>

#include <array>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <unistd.h>  // pipe, write, close (steady_clock_source test)

using namespace stk;
namespace co = wirekit::stack::coro;
using stack::tcp_socket;
using stack::udp_socket;
using net_t = co::async_stack<full_stack>;

namespace {

std::string sha256_hex(bytes_view data) {
    wirekit::test::sha256 h;
    h.update(data);
    return wirekit::test::sha256::hex(h.digest());
}

/// Two stacks over one pipe (the harness's world), driven by one coroutine
/// driver in virtual time.
struct sim {
    world<> w;
    co::virtual_clock clock;
    co::driver drv;
    net_t a;
    net_t b;
    explicit sim(io::pipe_config pc = {}, const std::function<void(stack::stack_config&)>& tweak = {})
        : w(pc, tweak), drv(clock), a(drv.attach(w.a)), b(drv.attach(w.b)) {
        drv.attach_link(w.pipe);
    }
};

/// Counts live objects: frames that hold one are alive.
struct tracker {
    int* live;
    explicit tracker(int* l) : live(l) { ++*live; }
    tracker(const tracker&) = delete;
    tracker& operator=(const tracker&) = delete;
    ~tracker() { --*live; }
};

// ------------------------------------------------------------------ echo

struct echo_stats {
    int accepted = 0;
    int sessions_ended = 0;
    int errors = 0;
};

co::task<void> echo_session(net_t net, tcp_socket c, echo_stats* st) {
    std::vector<std::byte> buf(5000);  // odd size: reads straddle segments
    for (;;) {
        auto n = co_await net.recv(c, mutable_bytes(buf));
        if (!n) {
            ++st->errors;
            break;
        }
        if (*n == 0) break;  // the client's FIN
        auto s = co_await net.send_all(c, bytes_view(buf).first(*n));
        if (!s || *s != *n) {
            ++st->errors;
            break;
        }
    }
    (void)net.stack().close(c);  // our FIN
    ++st->sessions_ended;
}

co::task<void> echo_server(net_t net, tcp_socket listener, echo_stats* st) {
    for (;;) {
        auto c = co_await net.accept(listener);
        if (!c) {
            ++st->errors;
            co_return;
        }
        ++st->accepted;
        net.owner().spawn(echo_session(net, *c, st));
    }
}

/// Sends `data`, half-closes, reads until end of stream: what came back.
co::task<result<std::vector<std::byte>>> echo_client(net_t net, stack::endpoint to, std::vector<std::byte> data) {
    auto c = co_await net.connect(to);
    if (!c) co_return c.error();
    auto s = co_await net.send_all(*c, bytes_view(data));
    if (!s) co_return s.error();
    if (auto r = net.stack().shutdown(*c); !r) co_return r.error();
    std::vector<std::byte> got;
    std::array<std::byte, 3000> buf{};
    for (;;) {
        auto n = co_await net.recv(*c, mutable_bytes(buf));
        if (!n) co_return n.error();
        if (*n == 0) break;
        got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    (void)net.stack().close(*c);
    co_return got;
}

// ------------------------------------------------------------------ task basics

co::task<int> add_one(int x) { co_return x + 1; }

co::task<int> sum_chain(int n) {
    int v = 0;
    for (int i = 0; i < n; ++i) v = co_await add_one(v);  // each completes at once: symmetric transfer
    co_return v;
}

co::task<int> thrower() {
    throw std::runtime_error("boom");
    co_return 0;
}

co::task<int> catches() {
    try {
        auto t = thrower();
        co_return co_await std::move(t);
    } catch (const std::runtime_error& e) {
        co_return std::string_view(e.what()) == "boom" ? 42 : -1;
    }
}

co::task<void> rethrows() {
    auto t = thrower();
    (void)co_await std::move(t);
}

co::task<int> inner_wait(net_t net, tcp_socket c, int* lv) {
    tracker t(lv);
    std::vector<std::byte> buf(256);  // heap memory in the frame
    auto n = co_await net.recv(c, mutable_bytes(buf));
    co_return n ? static_cast<int>(*n) : -1;
}

co::task<void> outer_wait(net_t net, int* lv) {
    tracker t(lv);
    auto c = co_await net.connect({ip_b, 7});
    if (!c) co_return;
    (void)co_await inner_wait(net, *c, lv);  // a temporary task in the co_await expression
}

}  // namespace

TEST_CASE("coro task: lazy start, value and exception propagation, symmetric transfer", "[stack][coro]") {
    co::virtual_clock clock;
    co::driver drv(clock);

    int started = 0;
    auto lazy = [](int* s) -> co::task<int> {
        ++*s;
        co_return 7;
    };
    {
        auto t = lazy(&started);
        CHECK(started == 0);  // lazy: created, not started
        CHECK(t.valid());
        CHECK_FALSE(t.done());
    }  // destroyed unstarted: its frame is freed (ASan would report a leak)
    CHECK(started == 0);
    CHECK(drv.run(lazy(&started), 1s) == std::optional<int>(7));
    CHECK(started == 1);

    // 100000 awaits of tasks that complete at once: without symmetric
    // transfer each would nest a resume on the machine stack.
    CHECK(drv.run(sum_chain(100000), 1s) == std::optional<int>(100000));

    CHECK(drv.run(catches(), 1s) == std::optional<int>(42));
    CHECK_THROWS_WITH(drv.run(rethrows(), 1s), "boom");
    CHECK(drv.tasks() == 0);
}

TEST_CASE("coro driver: sleep_until wakes at the virtual instant, run() cancels an unfinished task", "[stack][coro]") {
    co::virtual_clock clock(instant(5s));
    co::driver drv(clock);
    std::vector<instant> woke;
    auto sleeper = [](co::driver* d, std::vector<instant>* out) -> co::task<void> {
        co_await d->sleep_until(instant(7s));
        out->push_back(d->now());
        co_await d->sleep_for(250ms);
        out->push_back(d->now());
        co_await d->yield();
        out->push_back(d->now());
    };
    CHECK(drv.run(sleeper(&drv, &woke), 10s));
    REQUIRE(woke.size() == 3);
    CHECK(woke[0] == instant(7s));
    CHECK(woke[1] == instant(7s) + 250ms);
    CHECK(woke[2] >= woke[1]);

    int live = 0;
    auto forever = [](co::driver* d, int* l) -> co::task<int> {
        tracker t(l);
        co_await d->sleep_until(instant(std::chrono::hours(24 * 365)));
        co_return 1;
    };
    const auto before = drv.now();
    CHECK_FALSE(drv.run(forever(&drv, &live), 3s).has_value());  // time limit
    CHECK(live == 0);  // the frame was destroyed
    CHECK(drv.tasks() == 0);
    CHECK(drv.waiting() == 0);
    CHECK(drv.now() - before > 3s);
    CHECK(drv.now() - before <= 3s + 1ms);

    // Nothing left that could happen: idle, not a spin.
    CHECK(drv.run_until([] { return false; }, 1s) == co::run_status::idle);

    // An exception escaping a spawned task comes out of run_until; the
    // other tasks go on.
    int ticks = 0;
    auto ticker = [](co::driver* d, int* n) -> co::task<void> {
        for (;;) {
            co_await d->sleep_for(100ms);
            ++*n;
        }
    };
    auto fails_later = [](co::driver* d) -> co::task<void> {
        co_await d->sleep_for(250ms);
        throw std::logic_error("spawned task failed");
    };
    drv.spawn(ticker(&drv, &ticks));
    drv.spawn(fails_later(&drv));
    CHECK_THROWS_WITH(drv.run_until([] { return false; }, 1s), "spawned task failed");
    CHECK(ticks == 2);  // 100 and 200 ms; the failure came at 250 ms
    CHECK(drv.tasks() == 1);
    CHECK(drv.run_until([&] { return ticks == 5; }, 1s) == co::run_status::done);
}

TEST_CASE("coro echo: a coroutine server and 8 concurrent coroutine clients, every reply intact", "[stack][coro][tcp]") {
    sim s;
    auto l = s.w.b.tcp_listen(7, 16);
    REQUIRE(l);
    echo_stats st;
    s.drv.spawn(echo_server(s.b, *l, &st));

    constexpr int clients = 8;
    std::vector<std::vector<std::byte>> sent(clients);
    std::vector<std::optional<result<std::vector<std::byte>>>> got(clients);
    auto run_client = [](net_t net, std::vector<std::byte> data,
                         std::optional<result<std::vector<std::byte>>>* out) -> co::task<void> {
        out->emplace(co_await echo_client(net, {ip_b, 7}, std::move(data)));
    };
    for (int i = 0; i < clients; ++i) {
        sent[i] = pattern(1000 + 17000 * static_cast<std::size_t>(i), 100 + static_cast<std::uint64_t>(i));
        s.drv.spawn(run_client(s.a, sent[i], &got[i]));
    }
    const auto status = s.drv.run_until(
        [&] {
            for (const auto& g : got)
                if (!g) return false;
            return st.sessions_ended == clients;
        },
        60s);
    INFO("virtual time " << s.drv.now().count() << " us, rounds " << s.drv.rounds());
    REQUIRE(status == co::run_status::done);
    CHECK(st.accepted == clients);
    CHECK(st.errors == 0);
    for (int i = 0; i < clients; ++i) {
        INFO("client " << i);
        REQUIRE(got[i]->has_value());
        CHECK((*got[i])->size() == sent[i].size());
        CHECK(sha256_hex(bytes_view(**got[i])) == sha256_hex(bytes_view(sent[i])));
    }
    CHECK(s.drv.tasks() == 1);  // the acceptor still waits; the driver destroys it
}

TEST_CASE("coro: 4 MiB under 5% loss each way arrives intact (SHA-256), bounded in virtual time", "[stack][coro][tcp][loss]") {
    io::pipe_config pc;
    pc.seed = 9;
    pc.a_to_b.loss = pc.b_to_a.loss = 0.05;
    pc.a_to_b.delay = pc.b_to_a.delay = 1ms;
    sim s(pc);
    s.w.dev_a.recording = s.w.dev_b.recording = false;
    const auto file = pattern(4u << 20, 77);
    const std::string expected = sha256_hex(bytes_view(file));

    auto l = s.w.a.tcp_listen(8080, 4);
    REQUIRE(l);
    auto server = [](net_t net, tcp_socket listener, const std::vector<std::byte>* data) -> co::task<result<std::size_t>> {
        auto c = co_await net.accept(listener);
        if (!c) co_return c.error();
        std::size_t total = 0;
        for (std::size_t at = 0; at < data->size(); at += 65536) {  // chunks: many waits for buffer space
            const auto chunk = bytes_view(*data).subspan(at, std::min<std::size_t>(65536, data->size() - at));
            auto n = co_await net.send_all(*c, chunk);
            if (!n) co_return n.error();
            total += *n;
        }
        if (auto r = net.stack().close(*c); !r) co_return r.error();
        co_return total;
    };
    struct download {
        std::size_t bytes = 0;
        std::string sha;
    };
    auto client = [](net_t net, stack::endpoint to) -> co::task<result<download>> {
        auto c = co_await net.connect(to);
        if (!c) co_return c.error();
        wirekit::test::sha256 h;
        download d;
        std::vector<std::byte> buf(16384);
        for (;;) {
            auto n = co_await net.recv(*c, mutable_bytes(buf));
            if (!n) co_return n.error();
            if (*n == 0) break;
            h.update(bytes_view(buf).first(*n));
            d.bytes += *n;
        }
        (void)net.stack().close(*c);
        d.sha = wirekit::test::sha256::hex(h.digest());
        co_return d;
    };
    std::optional<result<std::size_t>> served;
    auto serve = [](decltype(server) f, net_t net, tcp_socket lst, const std::vector<std::byte>* data,
                    std::optional<result<std::size_t>>* out) -> co::task<void> { out->emplace(co_await f(net, lst, data)); };
    s.drv.spawn(serve(server, s.a, *l, &file, &served));
    auto got = s.drv.run(client(s.b, {ip_a, 8080}), std::chrono::minutes(20));
    INFO("virtual time " << s.drv.now().count() << " us");
    REQUIRE(got.has_value());
    REQUIRE(got->has_value());
    CHECK((*got)->bytes == file.size());
    CHECK((*got)->sha == expected);
    REQUIRE(served.has_value());
    REQUIRE(served->has_value());
    CHECK(**served == file.size());
    CHECK(s.w.a.stats().tcp_retransmissions > 0);  // the loss was real
    CHECK(s.w.pipe.a().stats().lost > 100);
    CHECK(s.w.pipe.b().stats().lost > 10);
}

TEST_CASE("coro UDP: request/response with an upper-case server, recvfrom times out without a reply", "[stack][coro][udp]") {
    sim s;
    auto srv = s.w.b.udp_bind(12000);
    REQUIRE(srv);
    auto server = [](net_t net, udp_socket sock) -> co::task<void> {
        std::array<std::byte, 4096> buf{};
        for (;;) {
            auto r = co_await net.recvfrom(sock, mutable_bytes(buf));
            if (!r) co_return;
            for (std::size_t i = 0; i < r->size; ++i)
                buf[i] = std::byte(std::toupper(std::to_integer<unsigned char>(buf[i])));
            auto sent = co_await net.sendto(sock, r->from, bytes_view(buf).first(r->size));  // not in the if: see docs (g++ 12)
            if (!sent) co_return;
        }
    };
    s.drv.spawn(server(s.b, *srv));

    struct reply {
        std::string text;
        stack::endpoint from;
    };
    auto client = [](net_t net, std::vector<std::string> msgs) -> co::task<result<std::vector<reply>>> {
        auto sock = net.stack().udp_bind(0);
        if (!sock) co_return sock.error();
        std::vector<reply> out;
        for (const auto& m : msgs) {
            const auto bytes = std::as_bytes(std::span(m.data(), m.size()));
            if (auto n = co_await net.sendto(*sock, {ip_b, 12000}, bytes); !n) co_return n.error();
            std::array<std::byte, 4096> buf{};
            auto r = co_await net.recvfrom(*sock, mutable_bytes(buf)).within(2s);
            if (!r) co_return r.error();
            out.push_back(reply{std::string(reinterpret_cast<const char*>(buf.data()), r->size), r->from});
        }
        (void)net.stack().close(*sock);
        co_return out;
    };
    const std::vector<std::string> msgs = {"hello wirekit", "coroutines over poll(now)", std::string(3000, 'x')};
    auto got = s.drv.run(client(s.a, msgs), 10s);
    REQUIRE(got);
    REQUIRE(got->has_value());
    REQUIRE((*got)->size() == msgs.size());
    for (std::size_t i = 0; i < msgs.size(); ++i) {
        std::string upper = msgs[i];
        for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        CHECK((**got)[i].text == upper);
        CHECK((**got)[i].from.addr == ip_b);  // RFC 768: the reply comes from the server's port
        CHECK((**got)[i].from.port == 12000);
    }
    CHECK(s.w.b.stats().ip_reassembled >= 1);  // the 3000-byte datagram was fragmented (MTU 1500)

    // No server on 12001: the request draws an ICMP port unreachable, and
    // recvfrom times out at its deadline.
    auto lonely = [](net_t net) -> co::task<result<stack::udp_received>> {
        auto sock = net.stack().udp_bind(0);
        if (!sock) co_return sock.error();
        const std::array<std::byte, 4> ping{std::byte{'p'}, std::byte{'i'}, std::byte{'n'}, std::byte{'g'}};
        (void)co_await net.sendto(*sock, {ip_b, 12001}, bytes_view(ping));
        std::array<std::byte, 64> buf{};
        auto r = co_await net.recvfrom(*sock, mutable_bytes(buf)).within(1500ms);
        (void)net.stack().close(*sock);
        co_return r;
    };
    const auto t0 = s.drv.now();
    auto r = s.drv.run(lonely(s.a), 10s);
    REQUIRE(r);
    REQUIRE_FALSE(r->has_value());
    CHECK(co::is_timeout(r->error()));
    CHECK(s.drv.now() - t0 >= 1500ms);
    CHECK(s.drv.now() - t0 <= 1500ms + 1ms);
    CHECK(s.w.b.stats().icmp_unreachable_sent == 1);
}

TEST_CASE("coro deadlines: recv, accept and connect time out at their deadline", "[stack][coro][tcp]") {
    sim s;
    auto l = s.w.b.tcp_listen(9, 4);
    REQUIRE(l);
    // The server accepts and then says nothing.
    auto silent = [](net_t net, tcp_socket listener, tcp_socket* out) -> co::task<void> {
        auto c = co_await net.accept(listener);
        if (c) *out = *c;
    };
    tcp_socket accepted{};
    s.drv.spawn(silent(s.b, *l, &accepted));

    struct timing {
        result<std::size_t> r = std::size_t{0};
        instant asked{};
        instant answered{};
    };
    auto client = [](net_t net) -> co::task<result<timing>> {
        auto c = co_await net.connect({ip_b, 9});
        if (!c) co_return c.error();
        std::array<std::byte, 100> buf{};
        timing t;
        t.asked = net.owner().now();
        t.r = co_await net.recv(*c, mutable_bytes(buf)).within(2s);
        t.answered = net.owner().now();
        (void)net.stack().abort(*c);
        co_return t;
    };
    auto t = s.drv.run(client(s.a), 10s);
    REQUIRE(t);
    REQUIRE(t->has_value());
    REQUIRE_FALSE((*t)->r.has_value());
    CHECK(co::is_timeout((*t)->r.error()));
    CHECK((*t)->answered - (*t)->asked >= 2s);
    CHECK((*t)->answered - (*t)->asked <= 2s + 1ms);

    // accept with an absolute deadline and no client.
    auto lonely_accept = [](net_t net, tcp_socket listener, instant deadline) -> co::task<result<tcp_socket>> {
        co_return co_await net.accept(listener).until(deadline);
    };
    auto l2 = s.w.b.tcp_listen(10, 4);
    REQUIRE(l2);
    const instant deadline = s.drv.now() + 700ms;
    auto a = s.drv.run(lonely_accept(s.b, *l2, deadline), 10s);
    REQUIRE(a);
    REQUIRE_FALSE(a->has_value());
    CHECK(co::is_timeout(a->error()));
    CHECK(s.drv.now() >= deadline);
    CHECK(s.drv.now() <= deadline + 1ms);

    // connect to an address nobody has: ARP never resolves; the deadline
    // aborts the attempt and releases the socket.
    const auto in_use = s.w.a.tcp_sockets_in_use();
    auto nowhere = [](net_t net) -> co::task<result<tcp_socket>> {
        co_return co_await net.connect({ipv4_address::of(10, 0, 0, 99), 80}).within(3s);
    };
    auto c = s.drv.run(nowhere(s.a), 10s);
    REQUIRE(c);
    REQUIRE_FALSE(c->has_value());
    CHECK(co::is_timeout(c->error()));
    CHECK(s.w.a.tcp_sockets_in_use() == in_use);
    CHECK(s.w.a.stats().arp_requests_sent >= 3);  // it did try to resolve 10.0.0.99
}

TEST_CASE("coro connect to a closed port: the RST is \"connection refused\" at once (RFC 9293 §3.10.7.1, §3.10.7.3)", "[stack][coro][tcp]") {
    sim s;
    auto client = [](net_t net) -> co::task<result<tcp_socket>> { co_return co_await net.connect({ip_b, 81}); };
    auto r = s.drv.run(client(s.a), 10s);
    REQUIRE(r);
    REQUIRE_FALSE(r->has_value());
    INFO(r->error().layer << ": " << r->error().detail);
    CHECK(co::is_refused(r->error()));
    CHECK(r->error().layer == "tcp");
    CHECK(s.w.b.stats().tcp_rst_sent == 1);
    // The refusal came from the RST, not from a retransmission timeout
    // (RFC 6298 §2.1: the first RTO is 1 s).
    CHECK(s.drv.now() < instant(1s));
    CHECK(s.w.a.stats().tcp_retransmissions == 0);
    CHECK(s.w.a.tcp_sockets_in_use() == 0);  // the socket was released
    // B's answer on the wire: one TCP segment with RST and ACK set.
    int rsts = 0;
    for (const auto& f : s.w.dev_b.sent)
        if (f.size() >= 54 && f[12] == std::byte{0x08} && f[13] == std::byte{0} && f[23] == std::byte{6}) {
            ++rsts;
            CHECK(std::to_integer<unsigned>(f[34 + 13]) == (0x04 | 0x10));
        }
    CHECK(rsts == 1);
}

TEST_CASE("coro connect without a deadline ends with the stack's user timeout (RFC 9293 §3.10.8)", "[stack][coro][tcp]") {
    sim s({}, [](stack::stack_config& c) { c.tcp_user_timeout = 5s; });
    auto nowhere = [](net_t net) -> co::task<result<tcp_socket>> {
        co_return co_await net.connect({ipv4_address::of(10, 0, 0, 99), 80});
    };
    const auto t0 = s.drv.now();
    auto c = s.drv.run(nowhere(s.a), 60s);
    REQUIRE(c);
    REQUIRE_FALSE(c->has_value());
    INFO(c->error().detail);
    CHECK(c->error().detail == "connection aborted due to user timeout");
    CHECK_FALSE(co::is_refused(c->error()));
    CHECK(s.drv.now() - t0 >= 5s);
    CHECK(s.drv.now() - t0 < 6s);
    CHECK(s.w.a.tcp_sockets_in_use() == 0);
}

TEST_CASE("coro: destroying the driver destroys suspended frames, nested ones included", "[stack][coro]") {
    int live = 0;
    {
        sim s;
        auto l = s.w.b.tcp_listen(7, 4);
        REQUIRE(l);
        auto acceptor = [](net_t net, tcp_socket listener, int* lv) -> co::task<void> {
            tracker t(lv);
            auto c = co_await net.accept(listener);
            auto again = co_await net.accept(listener);  // never comes
            (void)c;
            (void)again;
        };
        auto sleeper = [](co::driver* d, int* lv) -> co::task<void> {
            tracker t(lv);
            auto keep = std::make_unique<std::array<std::byte, 4096>>();
            co_await d->sleep_for(std::chrono::hours(1));
        };
        auto never_started = [](int* lv) -> co::task<void> {
            tracker t(lv);
            co_return;
        };
        s.drv.spawn(outer_wait(s.a, &live));
        s.drv.spawn(acceptor(s.b, *l, &live));
        s.drv.spawn(sleeper(&s.drv, &live));
        // outer + inner on recv, acceptor on its second accept, sleeper.
        REQUIRE(s.drv.run_until([&] { return s.drv.waiting() == 3 && live == 4; }, 5s) == co::run_status::done);
        s.drv.spawn(never_started(&live));  // spawned, not yet started
        CHECK(s.drv.tasks() == 4);
        CHECK(live == 4);
    }  // ~sim: the driver destroys the frames (then the stacks and the pipe go)
    CHECK(live == 0);
}

TEST_CASE("coro steady_clock_source: waits until the deadline, or less when a handle is readable", "[stack][coro]") {
    int fds[2] = {-1, -1};
    REQUIRE(::pipe(fds) == 0);
    co::steady_clock_source clock(std::span<const int>(fds, 1), std::chrono::seconds(5));
    const auto t0 = clock.now();
    CHECK(clock.wait_until(t0 + 40ms));  // nothing readable: the deadline
    const auto waited = clock.now() - t0;
    CHECK(waited >= 40ms);
    CHECK(waited < 2s);
    const char byte = 'x';
    REQUIRE(::write(fds[1], &byte, 1) == 1);
    const auto t1 = clock.now();
    CHECK(clock.wait_until(t1 + std::chrono::seconds(3)));  // readable at once
    CHECK(clock.now() - t1 < 1s);
    ::close(fds[0]);
    ::close(fds[1]);
}

TEST_CASE("coro steady_clock_source: real time over a memory_pipe, sleeping and an echo", "[stack][coro][tcp]") {
    world<> w;
    co::steady_clock_source clock({}, std::chrono::milliseconds(50));  // a memory_pipe has no handles
    co::driver drv(clock);
    drv.attach_link(w.pipe);
    net_t a = drv.attach(w.a);
    net_t b = drv.attach(w.b);
    auto l = w.b.tcp_listen(7, 4);
    REQUIRE(l);
    echo_stats st;
    drv.spawn(echo_server(b, *l, &st));
    auto client = [](net_t net) -> co::task<result<std::vector<std::byte>>> {
        co_await net.owner().sleep_for(30ms);
        co_return co_await echo_client(net, {ip_b, 7}, pattern(20000, 5));
    };
    const auto t0 = std::chrono::steady_clock::now();
    auto got = drv.run(client(a), 10s);
    const auto took = std::chrono::steady_clock::now() - t0;
    REQUIRE(got);
    REQUIRE(got->has_value());
    CHECK(sha256_hex(bytes_view(**got)) == sha256_hex(bytes_view(pattern(20000, 5))));
    CHECK(took >= 30ms);  // it really slept
    CHECK(took < 5s);
}

namespace {
std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
/// The lines of `text` from the marker line to the next one, both included,
/// with `indent` leading spaces removed from each.
std::string marked_block(const std::string& text, const std::string& marker, std::size_t indent) {
    const auto a = text.find(marker);
    if (a == std::string::npos) return {};
    const auto line_start = text.rfind('\n', a) + 1;
    const auto b = text.find(marker, a + marker.size());
    if (b == std::string::npos) return {};
    const auto end = text.find('\n', b);
    std::istringstream lines(text.substr(line_start, end - line_start));
    std::string out, line;
    while (std::getline(lines, line)) out += (line.size() >= indent ? line.substr(indent) : std::string()) + "\n";
    return out;
}
}  // namespace

TEST_CASE("coro docs: the example blocks in docs/stack.md are those of examples/coro_echo.cpp", "[stack][coro][docs]") {
    const std::string src = read_text(std::string(WIREKIT_SOURCE_DIR) + "/examples/coro_echo.cpp");
    const std::string doc = read_text(std::string(WIREKIT_SOURCE_DIR) + "/docs/stack.md");
    REQUIRE_FALSE(src.empty());
    REQUIRE_FALSE(doc.empty());
    const std::string session = marked_block(src, "// [session]", 0);
    const std::string driver = marked_block(src, "// [driver]", 4);
    REQUIRE(session.size() > 200);
    REQUIRE(driver.size() > 200);
    CHECK(doc.find("```cpp\n" + session + "```") != std::string::npos);
    CHECK(doc.find("```cpp\n" + driver + "```") != std::string::npos);
}

TEST_CASE("coro-echo: every client's echo intact under 5% loss, in virtual and in real time", "[stack][coro][example]") {
    const std::string bin = std::string(WIREKIT_BINARY_DIR) + "/examples/coro-echo";
    // The program compares the SHA-256 of what each client sent and got back
    // and exits 0 only when all match (the unit tests above check the same
    // adapter against independently computed digests).
    const auto v = wirekit::test::run_command(bin + " --clients 6 --size 300000 --loss 0.05 --seed 4");
    INFO(v.out);
    CHECK(v.status == 0);
    CHECK(v.out.find("intact          yes") != std::string::npos);
    CHECK(v.out.find("MISMATCH") == std::string::npos);
    const auto r = wirekit::test::run_command(bin + " --clients 2 --size 50000 --loss 0 --real-time");
    INFO(r.out);
    CHECK(r.status == 0);
    CHECK(r.out.find("real time") != std::string::npos);
}
