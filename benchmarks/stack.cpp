// tcp_throughput/wirekit_memory: TCP goodput between two wirekit stacks in
// one process over an unimpaired io::memory_pipe (Ethernet, ARP, IPv4, TCP
// with NewReno; MTU 1500, MSS 1460, 64 KiB windows: no window scaling).
//
// One connection is opened before timing. Each iteration pushes one chunk
// (1 MiB) from stack a to stack b through the sockets API (send, poll both,
// recv), so the figure includes everything a user pays: segmentation, the
// Internet checksum both ways, IPv4 and Ethernet framing, the pipe's frame
// copies and the receive-side copies. The virtual clock advances by 1 µs
// per round so timers behave; no loss means no retransmission.
//
// Reported: bytes_per_second and the counter Gbps (goodput, 10^9 bit/s).
// For orientation (issue 9): smoltcp publishes 15.4 Gbps for its loopback
// example on a laptop CPU.
#include <benchmark/benchmark.h>

#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/stack/stack.hpp>

#include <array>
#include <chrono>
#include <cstdlib>
#include <vector>

namespace {

using namespace wirekit;
using bench_stack = stack::stack<io::memory_pipe::end, stack::ethernet, stack::arp<8>, stack::ipv4<stack::reassembly<4>>,
                                 stack::tcp<stack::newreno, 4>>;

void tcp_throughput_wirekit_memory(benchmark::State& state) {
    io::memory_pipe pipe;
    stack::stack_config ca;
    ca.mac = mac_address::of(2, 0, 0, 0, 0, 1);
    ca.address = ipv4_address::of(10, 0, 0, 1);
    ca.secret.fill(std::byte{1});
    // 64 KiB windows, as measured before (with the 256 KiB default the
    // memory pipe's queue overflows and loss recovery dominates, docs/benchmarks.md).
    ca.tcp_send_buffer = ca.tcp_receive_buffer = 65535;
    stack::stack_config cb = ca;
    cb.mac = mac_address::of(2, 0, 0, 0, 0, 2);
    cb.address = ipv4_address::of(10, 0, 0, 2);
    cb.secret.fill(std::byte{2});
    bench_stack a(pipe.a(), ca), b(pipe.b(), cb);

    stack::instant now{};
    auto round = [&] {
        pipe.set_time(std::chrono::duration_cast<io::timestamp>(now));
        a.poll(now);
        b.poll(now);
        now += std::chrono::microseconds(1);
    };
    auto l = b.tcp_listen(5001, 1);
    auto c = a.tcp_connect({cb.address, 5001});
    std::optional<stack::tcp_socket> s;
    for (int i = 0; i < 10000 && !s; ++i) {
        round();
        if (auto x = b.accept(*l); x && *x) s = **x;
    }
    if (!l || !c || !s) {
        state.SkipWithError("connection did not open");
        return;
    }

    constexpr std::size_t chunk = 1 << 20;
    std::vector<std::byte> data(chunk);
    for (std::size_t i = 0; i < chunk; ++i) data[i] = std::byte(i * 131 + 7);
    std::array<std::byte, 65536> buf{};
    std::size_t total = 0;
    for (auto _ : state) {
        std::size_t sent = 0, got = 0;
        while (got < chunk) {
            while (sent < chunk) {
                auto n = a.send(*c, bytes_view(data).subspan(sent));
                if (!n || *n == 0) break;
                sent += *n;
            }
            round();
            while (true) {
                auto r = b.recv(*s, mutable_bytes(buf));
                if (!r || *r == 0) break;
                got += *r;
            }
        }
        benchmark::DoNotOptimize(buf.data());
        total += got;
    }
    if (b.stats().bad_checksum != 0 || a.stats().tcp_retransmissions != 0) state.SkipWithError("unexpected loss");
    state.SetBytesProcessed(static_cast<std::int64_t>(total));
    state.counters["Gbps"] = benchmark::Counter(static_cast<double>(total) * 8 / 1e9, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(tcp_throughput_wirekit_memory)->Name("tcp_throughput/wirekit_memory")->Unit(benchmark::kMillisecond);
