// parse_eth_ipv4_tcp/{wirekit,libtins}/{66,1514}: dissect an Ethernet +
// IPv4 + TCP frame and reach the TCP header (wirekit: dissect_into() into a
// reused `dissection`, which checks every length and validates the VLAN
// tags, the IPv4 options and the TCP options; libtins: Tins::EthernetII from
// bytes, then find_pdu<Tins::TCP>()). parse_eth_ipv4_tcp/wirekit_by_value
// is the same work through dissect(), which returns the ~300-byte
// dissection by value.
// parse_verify_eth_ipv4_tcp/wirekit/1514 additionally verifies the IPv4 header
// checksum and the TCP pseudo-header checksum.
// Target (issue #4): wirekit >= 10x libtins packets per second for the parse.
// Report ratios, not absolute times.
//
// The frames have the shape of http-big.pcap: a 66-byte ACK (TCP with
// NOP NOP Timestamps) and a 1514-byte data segment with timestamps. They are
// crafted here (benchmarks do not link libpcap) with valid checksums.
#include <benchmark/benchmark.h>

#include <wirekit/wire/craft.hpp>
#include <wirekit/wire/dissect.hpp>

#include <cstdint>
#include <vector>

#if WIREKIT_HAVE_TINS
#include <tins/ethernetII.h>
#include <tins/tcp.h>
#endif

namespace {

using namespace wirekit;

std::vector<std::byte> make_frame(std::size_t size) {
    const std::size_t payload_len = size - 14 - 20 - 32;
    std::vector<std::byte> data(payload_len);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 7);
    tcp::repr t{.src_port = 80, .dst_port = 45106, .seq_number = 458676292u, .ack_number = 2659347775u,
                .flags = {.ack = true}, .window = 509};
    t.options.ts = tcp::timestamps{3358628426u, 548885478u};
    auto s = ethernet::repr{.dst_addr = mac_address::of(0x2a, 0xce, 0x74, 0x41, 0xf3, 0x04),
                            .src_addr = mac_address::of(0x8e, 0x24, 0x3c, 0xb6, 0x88, 0xab)} /
             ipv4::repr{.src_addr = ipv4_address::of(10, 66, 0, 2), .dst_addr = ipv4_address::of(10, 66, 0, 1),
                        .identification = 0x1c50, .dont_fragment = true} /
             t / craft::payload{bytes_view(data)};
    auto v = s.to_bytes();
    return v ? *v : std::vector<std::byte>{};
}

void wirekit_parse(benchmark::State& state) {
    const auto frame = make_frame(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        bytes_view in(frame);
        benchmark::DoNotOptimize(in);
        auto d = dissect(in);
        std::uint32_t seq = d && d->tcp ? d->tcp->seq_number() : 0;
        benchmark::DoNotOptimize(seq);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void wirekit_parse_into(benchmark::State& state) {
    const auto frame = make_frame(static_cast<std::size_t>(state.range(0)));
    dissection d;
    for (auto _ : state) {
        bytes_view in(frame);
        benchmark::DoNotOptimize(in);
        auto r = dissect_into(in, d);
        std::uint32_t seq = r && d.tcp ? d.tcp->seq_number() : 0;
        benchmark::DoNotOptimize(seq);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void wirekit_parse_verify(benchmark::State& state) {
    const auto frame = make_frame(static_cast<std::size_t>(state.range(0)));
    dissection d;
    for (auto _ : state) {
        bytes_view in(frame);
        benchmark::DoNotOptimize(in);
        auto r = dissect_into(in, d);
        bool ok = false;
        if (r && d.tcp) {
            auto c = verify_checksums(d);
            ok = c.ipv4.value_or(false) && c.transport.value_or(false);
        }
        benchmark::DoNotOptimize(ok);
        if (!ok) state.SkipWithError("checksum did not verify");
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

#if WIREKIT_HAVE_TINS
void libtins_parse(benchmark::State& state) {
    const auto frame = make_frame(static_cast<std::size_t>(state.range(0)));
    const auto* p = reinterpret_cast<const std::uint8_t*>(frame.data());
    for (auto _ : state) {
        benchmark::DoNotOptimize(p);
        Tins::EthernetII eth(p, static_cast<std::uint32_t>(frame.size()));
        const auto* t = eth.find_pdu<Tins::TCP>();
        std::uint32_t seq = t ? t->seq() : 0;
        benchmark::DoNotOptimize(seq);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(libtins_parse)->Name("parse_eth_ipv4_tcp/libtins")->Arg(66)->Arg(1514);
#endif

BENCHMARK(wirekit_parse_into)->Name("parse_eth_ipv4_tcp/wirekit")->Arg(66)->Arg(1514);
BENCHMARK(wirekit_parse)->Name("parse_eth_ipv4_tcp/wirekit_by_value")->Arg(66)->Arg(1514);
BENCHMARK(wirekit_parse_verify)->Name("parse_verify_eth_ipv4_tcp/wirekit")->Arg(1514);

}  // namespace
