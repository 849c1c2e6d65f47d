// tcp_segments/wirekit: segments per second through one pair of wirekit TCP
// connections in deterministic simulation (tests/fsm/tcp/sim.hpp). Each
// iteration opens a connection, sends 1 MiB from A to B over an unimpaired
// io::memory_pipe (10 ms each way, no rate limit; virtual time, so the
// delay costs nothing), and closes both ends. Every segment crosses the
// pipe as real TCP bytes: emitted with its checksum (segment_out::emit),
// copied into the pipe, parsed and verified (segment::checked,
// repr::parse), then processed by SEGMENT ARRIVES. Items are segments in
// both directions: data segments, their ACKs (one per data segment),
// window updates, SYNs, FINs. The streams are not hashed (check_data off):
// what is measured is the connection machine, the TCP codec and the pipe.
#include "../tests/fsm/tcp/sim.hpp"

#include <benchmark/benchmark.h>

namespace {

namespace sim = wirekit::test::tcp_sim;
using namespace std::chrono_literals;

void tcp_segments_wirekit(benchmark::State& state) {
    sim::settings s;
    s.a_to_b.delay = s.b_to_a.delay = 10ms;
    s.a.send_bytes = 1u << 20;
    s.check_data = false;
    std::size_t segments = 0;
    for (auto _ : state) {
        const auto r = sim::simulate(s);
        if (!r.error.empty() || r.a_to_b.delivered != s.a.send_bytes || !r.both_closed) {
            state.SkipWithError("the transfer did not complete");
            break;
        }
        segments += r.segments;
        benchmark::DoNotOptimize(r.segments);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(segments));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * s.a.send_bytes));
    state.counters["segments_per_transfer"] =
        state.iterations() ? static_cast<double>(segments) / static_cast<double>(state.iterations()) : 0;
}
BENCHMARK(tcp_segments_wirekit)->Name("tcp_segments/wirekit")->Unit(benchmark::kMillisecond);

}  // namespace
