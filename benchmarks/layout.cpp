// layout_read / layout_write: the same IPv4 + TCP header fields read and
// written through wirekit's compile-time layouts and with hand-coded shifts
// and masks. Target: wirekit/handwritten ratio <= 1.05 (the layout is free).
//
// Each iteration walks a batch of 256 distinct headers so that nothing can
// be constant-folded; the result is fed to DoNotOptimize.
#include <benchmark/benchmark.h>

#include <wirekit/wire/ipv4.hpp>
#include <wirekit/wire/tcp.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace {

constexpr std::size_t batch = 256;
constexpr std::size_t stride = 40;  // 20-byte IPv4 + 20-byte TCP header

std::vector<std::byte> make_headers() {
    std::vector<std::byte> buf(batch * stride);
    std::mt19937 rng(42);
    for (auto& b : buf) b = static_cast<std::byte>(rng());
    for (std::size_t i = 0; i < batch; ++i) {
        buf[i * stride] = std::byte{0x45};
        buf[i * stride + 32] = std::byte{0x50};
    }
    return buf;
}

// --- hand-written reference -------------------------------------------------
inline std::uint16_t rd16(const std::byte* p) {
    std::uint16_t v;
    std::memcpy(&v, p, 2);
    return __builtin_bswap16(v);
}
inline std::uint32_t rd32(const std::byte* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}
inline void wr16(std::byte* p, std::uint16_t v) {
    v = __builtin_bswap16(v);
    std::memcpy(p, &v, 2);
}
inline void wr32(std::byte* p, std::uint32_t v) {
    v = __builtin_bswap32(v);
    std::memcpy(p, &v, 4);
}

inline std::uint64_t read_handwritten(const std::byte* ip) {
    const std::byte* tcp = ip + 20;
    std::uint64_t acc = 0;
    acc += std::to_integer<unsigned>(ip[0]) >> 4;            // version
    acc += std::to_integer<unsigned>(ip[0]) & 0x0f;          // IHL
    acc += rd16(ip + 2);                                     // total length
    acc += (std::to_integer<unsigned>(ip[6]) >> 6) & 1;      // DF
    acc += (std::to_integer<unsigned>(ip[6]) >> 5) & 1;      // MF
    acc += rd16(ip + 6) & 0x1fff;                            // fragment offset
    acc += std::to_integer<unsigned>(ip[8]);                 // TTL
    acc += std::to_integer<unsigned>(ip[9]);                 // protocol
    acc += rd32(ip + 12);                                    // source
    acc += rd32(ip + 16);                                    // destination
    acc += rd16(tcp);                                        // source port
    acc += rd16(tcp + 2);                                    // destination port
    acc += rd32(tcp + 4);                                    // seq
    acc += rd32(tcp + 8);                                    // ack
    acc += std::to_integer<unsigned>(tcp[12]) >> 4;          // data offset
    acc += (std::to_integer<unsigned>(tcp[13]) >> 1) & 1;    // SYN
    acc += (std::to_integer<unsigned>(tcp[13]) >> 4) & 1;    // ACK
    acc += std::to_integer<unsigned>(tcp[13]) & 1;           // FIN
    acc += rd16(tcp + 14);                                   // window
    return acc;
}

inline void write_handwritten(std::byte* ip, std::uint32_t k) {
    std::byte* tcp = ip + 20;
    ip[0] = std::byte{0x45};
    wr16(ip + 2, static_cast<std::uint16_t>(40 + (k & 0xff)));
    ip[6] = static_cast<std::byte>((std::to_integer<unsigned>(ip[6]) & ~0x40u) | 0x40u);  // DF
    wr16(ip + 6, static_cast<std::uint16_t>((rd16(ip + 6) & 0xe000u) | (k & 0x1fff)));
    ip[8] = static_cast<std::byte>(64);
    ip[9] = static_cast<std::byte>(6);
    wr32(ip + 16, k);
    wr16(tcp + 2, static_cast<std::uint16_t>(k));
    wr32(tcp + 4, k * 7);
    wr32(tcp + 8, k * 13);
    tcp[12] = static_cast<std::byte>((std::to_integer<unsigned>(tcp[12]) & 0x0f) | 0x50);
    tcp[13] = static_cast<std::byte>((std::to_integer<unsigned>(tcp[13]) & ~0x12u) | 0x12u);  // SYN+ACK
    wr16(tcp + 14, static_cast<std::uint16_t>(k >> 3));
}

// --- wirekit ------------------------------------------------------------------
inline std::uint64_t read_wirekit(const std::byte* p) {
    auto ip = wirekit::ipv4::packet::unchecked(wirekit::bytes_view(p, 20));
    auto tcp = wirekit::tcp::segment::unchecked(wirekit::bytes_view(p + 20, 20));
    std::uint64_t acc = 0;
    acc += ip.version();
    acc += ip.ihl();
    acc += ip.total_length();
    acc += ip.dont_fragment();
    acc += ip.more_fragments();
    acc += ip.fragment_offset();
    acc += ip.ttl();
    acc += ip.protocol();
    acc += ip.src_addr().to_uint();
    acc += ip.dst_addr().to_uint();
    acc += tcp.src_port();
    acc += tcp.dst_port();
    acc += tcp.seq_number();
    acc += tcp.ack_number();
    acc += tcp.data_offset();
    acc += tcp.syn();
    acc += tcp.ack();
    acc += tcp.fin();
    acc += tcp.window();
    return acc;
}

inline void write_wirekit(std::byte* p, std::uint32_t k) {
    auto ip = wirekit::ipv4::mutable_packet::unchecked(wirekit::mutable_bytes(p, 20));
    auto tcp = wirekit::tcp::mutable_segment::unchecked(wirekit::mutable_bytes(p + 20, 20));
    ip.set_version(4);
    ip.set_ihl(5);
    ip.set_total_length(static_cast<std::uint16_t>(40 + (k & 0xff)));
    ip.set_dont_fragment(true);
    ip.set_fragment_offset(static_cast<std::uint16_t>(k & 0x1fff));
    ip.set_ttl(64);
    ip.set_protocol(6);
    ip.set_dst_addr(wirekit::ipv4_address::from_uint(k));
    tcp.set_dst_port(static_cast<std::uint16_t>(k));
    tcp.set_seq_number(k * 7);
    tcp.set_ack_number(k * 13);
    tcp.set_data_offset(5);
    tcp.set_syn(true);
    tcp.set_ack(true);
    tcp.set_window(static_cast<std::uint16_t>(k >> 3));
}

template <std::uint64_t (*Read)(const std::byte*)>
void bm_read(benchmark::State& state) {
    const auto buf = make_headers();
    for (auto _ : state) {
        std::uint64_t acc = 0;
        for (std::size_t i = 0; i < batch; ++i) acc += Read(buf.data() + i * stride);
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

template <void (*Write)(std::byte*, std::uint32_t)>
void bm_write(benchmark::State& state) {
    auto buf = make_headers();
    std::uint32_t k = 1;
    for (auto _ : state) {
        for (std::size_t i = 0; i < batch; ++i) Write(buf.data() + i * stride, k + static_cast<std::uint32_t>(i));
        ++k;
        benchmark::DoNotOptimize(buf.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * batch));
}

}  // namespace

BENCHMARK(bm_read<read_wirekit>)->Name("layout_read/wirekit/40");
BENCHMARK(bm_read<read_handwritten>)->Name("layout_read/handwritten/40");
BENCHMARK(bm_write<write_wirekit>)->Name("layout_write/wirekit/40");
BENCHMARK(bm_write<write_handwritten>)->Name("layout_write/handwritten/40");
