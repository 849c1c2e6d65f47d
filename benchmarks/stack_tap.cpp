// TCP throughput of wirekit's stack against the Linux kernel over TAP,
// next to the kernel against itself over a veth pair (issue 9):
//
//   tcp_throughput/wirekit_tap/kernel_to_wirekit/BYTES   kernel sends, the stack receives
//   tcp_throughput/wirekit_tap/wirekit_to_kernel/BYTES   the stack sends, the kernel receives
//   tcp_throughput/kernel_veth/BYTES                     kernel to kernel, two namespaces, veth
//
// wirekit_tap opens the TAP with io::tap_offload::tso (virtio-net header,
// partial checksums, 64 KiB TCP super-frames both ways: docs/io.md);
// wirekit_tap_checksum with checksum offload only, and wirekit_tap_no_offload
// without a virtio-net header (every frame MTU-sized, checksummed in
// software), as before the offloads.
//
// Each run is one transfer of BYTES (1 GiB) on one connection, timed in
// wall-clock time from connect to the last byte received; the counter
// `Gbps` is the goodput. Everything happens in network namespaces the
// benchmark creates and deletes (wk-bench-<pid>-*); it needs root and is
// skipped with an error otherwise. The stack runs in the benchmark thread
// (poll / poll_at / wait_readable on the TAP, as examples/tap_echo.cpp);
// the kernel's end is a plain blocking socket in a second thread.
// Target (issue 9): wirekit_tap >= 50% of kernel_veth.
#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "wirekit/io/device.hpp"
#include "wirekit/io/tap.hpp"
#include "wirekit/stack/stack.hpp"
#include "../examples/tap_program.hpp"  // clock_now, wait_for_work (the TAP programs' drive loop)

namespace {

namespace io = wirekit::io;
namespace st = wirekit::stack;
using wirekit::bytes_view;
using wirekit::ipv4_address;
using wirekit::mac_address;
using wirekit::mutable_bytes;

using bench_stack = st::stack<io::tap_device, st::ethernet, st::arp<16>, st::ipv4<st::reassembly<8>>, st::icmp,
                              st::tcp<st::newreno, 8>>;

int sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

using wirekit::examples::clock_now;

// A namespace created for the benchmark and deleted with it; enter()/leave()
// move the calling thread in and out (setns), so devices and sockets opened
// in between belong to it.
class netns {
public:
    explicit netns(const std::string& tag) : name_("wk-bench-" + std::to_string(::getpid()) + "-" + tag) {
        sh("ip netns del " + name_);
        if (sh("ip netns add " + name_) != 0) throw std::runtime_error("ip netns add failed");
        exec("ip link set lo up");
    }
    ~netns() { sh("ip netns del " + name_); }
    netns(const netns&) = delete;
    netns& operator=(const netns&) = delete;
    int exec(const std::string& cmd) const { return sh("ip netns exec " + name_ + " " + cmd); }
    const std::string& name() const { return name_; }
    void enter() {
        home_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        const int fd = ::open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
        if (home_ < 0 || fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) throw std::runtime_error("setns failed");
        ::close(fd);
    }
    void leave() {
        if (home_ < 0) return;
        ::setns(home_, CLONE_NEWNET);
        ::close(home_);
        home_ = -1;
    }

private:
    std::string name_;
    int home_ = -1;
};

sockaddr_in sockaddr_of(const char* addr, std::uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    ::inet_pton(AF_INET, addr, &sa.sin_addr);
    return sa;
}

int tcp_listener(const char* addr, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const auto sa = sockaddr_of(addr, port);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 4) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Kernel side: send `bytes` on a connected socket, then close.
void kernel_send(int fd, std::uint64_t bytes) {
    std::vector<char> buf(1 << 20, 'w');
    while (bytes > 0) {
        const auto n = ::send(fd, buf.data(), std::min<std::uint64_t>(bytes, buf.size()), MSG_NOSIGNAL);
        if (n <= 0) break;
        bytes -= static_cast<std::uint64_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
}

// Kernel side: receive until EOF; returns the byte count.
std::uint64_t kernel_receive(int fd) {
    std::vector<char> buf(1 << 20);
    std::uint64_t total = 0;
    for (;;) {
        const auto n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n <= 0) break;
        total += static_cast<std::uint64_t>(n);
    }
    return total;
}

// Send and receive buffer of the stack's connection, bytes: the window
// (scaled, RFC 7323 §2). 1 MiB, the connection's cwnd ceiling
// (fsm::tcp::tcb::max_cwnd); the kernel autotunes its own to 4-6 MiB.
// WIREKIT_TAP_BUFFER=<bytes> overrides it (to compare window sizes).
std::size_t tcp_buffer() {
    if (const char* e = std::getenv("WIREKIT_TAP_BUFFER")) return std::strtoull(e, nullptr, 10);
    return std::size_t{1} << 20;
}

// The TAP namespace: kernel 10.78.0.1/24 on wk0, the stack 10.78.0.2.
struct tap_world {
    netns ns{"tap"};
    std::optional<io::tap_device> dev;
    explicit tap_world(io::tap_offload offload) {
        if (ns.exec("ip tuntap add dev wk0 mode tap") != 0 || ns.exec("ip addr add 10.78.0.1/24 dev wk0") != 0 ||
            ns.exec("ip link set wk0 up") != 0)
            throw std::runtime_error("TAP set-up failed");
        ns.enter();
        io::tap_options o;
        o.offload = offload;
        auto d = io::tap_device::open("wk0", o);
        ns.leave();
        if (!d) throw std::runtime_error("open TAP: " + d.error().what());
        dev.emplace(std::move(*d));
    }
    st::stack_config config() const {
        st::stack_config cfg;
        cfg.mac = mac_address::of(0x02, 0x77, 0x6b, 0x4e, 0x00, 0x02);
        cfg.address = ipv4_address::of(10, 78, 0, 2);
        cfg.prefix_len = 24;
        cfg.secret.fill(std::byte{0x5a});
        cfg.tcp_send_buffer = tcp_buffer();
        cfg.tcp_receive_buffer = tcp_buffer();
        return cfg;
    }
};

// Drives the stack until `done()` or `deadline`, waiting on the TAP when idle.
template <class Step>
bool drive(bench_stack& s, int fd, Step&& step, std::chrono::seconds limit) {
    const auto end = clock_now() + std::chrono::duration_cast<st::duration>(limit);
    const int handles[] = {fd};
    for (;;) {
        const auto now = clock_now();
        if (now >= end) return false;
        bool busy = s.poll(now);
        const int r = step();  // 1 done, -1 failed, 2 progress, 0 idle
        if (r == 1) return true;
        if (r < 0) return false;
        if (busy || r == 2) continue;
        (void)wirekit::examples::wait_for_work(s, handles[0], std::chrono::milliseconds(50));
    }
}

bool is_root(benchmark::State& state) {
    if (::geteuid() == 0) return true;
    state.SkipWithError("needs root (network namespaces, TAP)");
    return false;
}

void report(benchmark::State& state, std::uint64_t bytes, double seconds) {
    state.SetIterationTime(seconds);
    state.counters["Gbps"] = benchmark::Counter(double(bytes) * 8 / seconds / 1e9);
}

// The stack's counters as benchmark counters: TCP super-frames received
// and sent (offloads), and retransmissions.
void report_stack(benchmark::State& state, const bench_stack& s) {
    const auto c = s.stats();
    state.counters["gso_in"] = benchmark::Counter(double(c.gso_frames_received));
    state.counters["gso_out"] = benchmark::Counter(double(c.gso_frames_sent));
    state.counters["frames_in"] = benchmark::Counter(double(c.frames_received));
    state.counters["frames_out"] = benchmark::Counter(double(c.frames_sent));
    state.counters["rexmit"] = benchmark::Counter(double(c.tcp_retransmissions));
}

template <io::tap_offload Offload>
void BM_wirekit_tap_kernel_to_wirekit(benchmark::State& state) {
    if (!is_root(state)) return;
    const auto bytes = static_cast<std::uint64_t>(state.range(0));
    tap_world w(Offload);
    std::uint16_t port = 5001;
    for (auto _ : state) {
        bench_stack s(*w.dev, w.config());
        auto l = s.tcp_listen(port, 4);
        if (!l) {
            state.SkipWithError("listen failed");
            return;
        }
        w.ns.enter();
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        w.ns.leave();
        const auto start = std::chrono::steady_clock::now();
        std::thread kernel([&] {
            const auto sa = sockaddr_of("10.78.0.2", port);
            if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) kernel_send(fd, bytes);
        });
        std::optional<st::tcp_socket> c;
        std::uint64_t got = 0;
        std::vector<std::byte> buf(256 * 1024);
        const bool ok = drive(
            s, w.dev->native_handle(),
            [&]() -> int {
                if (!c)
                    if (auto a = s.accept(*l); a && *a) c = **a;
                if (!c) return 0;
                int r = 0;
                for (int i = 0; i < 64; ++i) {
                    auto n = s.recv(*c, mutable_bytes(buf));
                    if (!n) return st::is_end_of_stream(n.error()) ? 1 : -1;
                    if (*n == 0) break;
                    got += *n;
                    r = 2;
                }
                return r;
            },
            std::chrono::seconds(600));
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        kernel.join();
        ::close(fd);
        if (c) (void)s.close(*c);
        if (!ok || got != bytes) {
            state.SkipWithError("transfer incomplete");
            return;
        }
        report(state, bytes, secs);
        report_stack(state, s);
        ++port;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
}

template <io::tap_offload Offload>
void BM_wirekit_tap_wirekit_to_kernel(benchmark::State& state) {
    if (!is_root(state)) return;
    const auto bytes = static_cast<std::uint64_t>(state.range(0));
    tap_world w(Offload);
    std::uint16_t port = 6001;
    for (auto _ : state) {
        bench_stack s(*w.dev, w.config());
        w.ns.enter();
        const int lfd = tcp_listener("10.78.0.1", port);
        w.ns.leave();
        if (lfd < 0) {
            state.SkipWithError("kernel listen failed");
            return;
        }
        std::atomic<std::uint64_t> received{0};
        std::atomic<bool> finished{false};
        const auto start = std::chrono::steady_clock::now();
        std::thread kernel([&] {
            const int fd = ::accept(lfd, nullptr, nullptr);
            if (fd >= 0) {
                received = kernel_receive(fd);
                ::close(fd);
            }
            finished = true;
        });
        s.poll(clock_now());
        auto c = s.tcp_connect({ipv4_address::of(10, 78, 0, 1), port});
        std::vector<std::byte> buf(256 * 1024, std::byte{'w'});
        std::uint64_t sent = 0;
        bool shut = false;
        const bool ok = c && drive(
                                 s, w.dev->native_handle(),
                                 [&]() -> int {
                                     if (finished) return 1;
                                     auto stt = s.state(*c);
                                     if (!stt || *stt == st::tcp_state::closed) return -1;
                                     if (*stt == st::tcp_state::syn_sent) return 0;
                                     int r = 0;
                                     for (int i = 0; i < 64 && sent < bytes; ++i) {
                                         auto n = s.send(*c, bytes_view(buf).first(std::min<std::uint64_t>(buf.size(), bytes - sent)));
                                         if (!n) return -1;
                                         if (*n == 0) break;
                                         sent += *n;
                                         r = 2;
                                     }
                                     if (sent == bytes && !shut) {
                                         (void)s.shutdown(*c);
                                         shut = true;
                                         r = 2;
                                     }
                                     return r;
                                 },
                                 std::chrono::seconds(600));
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!finished) ::shutdown(lfd, SHUT_RDWR);
        kernel.join();
        ::close(lfd);
        if (!ok || received != bytes) {
            state.SkipWithError("transfer incomplete");
            return;
        }
        report(state, bytes, secs);
        report_stack(state, s);
        ++port;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
}

void BM_kernel_veth(benchmark::State& state) {
    if (!is_root(state)) return;
    const auto bytes = static_cast<std::uint64_t>(state.range(0));
    netns a("va"), b("vb");
    if (sh("ip link add wkva type veth peer name wkvb") != 0 || sh("ip link set wkva netns " + a.name()) != 0 ||
        sh("ip link set wkvb netns " + b.name()) != 0 || a.exec("ip addr add 10.79.0.1/24 dev wkva") != 0 ||
        b.exec("ip addr add 10.79.0.2/24 dev wkvb") != 0 || a.exec("ip link set wkva up") != 0 || b.exec("ip link set wkvb up") != 0) {
        sh("ip link del wkva");
        state.SkipWithError("veth set-up failed");
        return;
    }
    std::uint16_t port = 7001;
    for (auto _ : state) {
        b.enter();
        const int lfd = tcp_listener("10.79.0.2", port);
        b.leave();
        a.enter();
        const int cfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        a.leave();
        std::uint64_t received = 0;
        const auto start = std::chrono::steady_clock::now();
        std::thread receiver([&] {
            const int fd = ::accept(lfd, nullptr, nullptr);
            if (fd >= 0) {
                received = kernel_receive(fd);
                ::close(fd);
            }
        });
        const auto sa = sockaddr_of("10.79.0.2", port);
        if (::connect(cfd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0) kernel_send(cfd, bytes);
        ::close(cfd);
        receiver.join();
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ::close(lfd);
        if (received != bytes) {
            state.SkipWithError("transfer incomplete");
            return;
        }
        report(state, bytes, secs);
        ++port;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
}

constexpr std::int64_t one_gib = std::int64_t{1} << 30;

}  // namespace

constexpr auto tso = io::tap_offload::tso;
constexpr auto csum = io::tap_offload::checksum;
constexpr auto none = io::tap_offload::none;

BENCHMARK(BM_wirekit_tap_kernel_to_wirekit<tso>)->Name("tcp_throughput/wirekit_tap/kernel_to_wirekit")->Arg(one_gib)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wirekit_tap_wirekit_to_kernel<tso>)->Name("tcp_throughput/wirekit_tap/wirekit_to_kernel")->Arg(one_gib)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wirekit_tap_kernel_to_wirekit<csum>)->Name("tcp_throughput/wirekit_tap_checksum/kernel_to_wirekit")->Arg(one_gib)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wirekit_tap_wirekit_to_kernel<csum>)->Name("tcp_throughput/wirekit_tap_checksum/wirekit_to_kernel")->Arg(one_gib)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wirekit_tap_kernel_to_wirekit<none>)->Name("tcp_throughput/wirekit_tap_no_offload/kernel_to_wirekit")->Arg(one_gib)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_wirekit_tap_wirekit_to_kernel<none>)->Name("tcp_throughput/wirekit_tap_no_offload/wirekit_to_kernel")->Arg(one_gib)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_kernel_veth)->Name("tcp_throughput/kernel_veth")->Arg(one_gib)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
