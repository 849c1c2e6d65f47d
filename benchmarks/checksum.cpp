// Checksum and CRC throughput, wirekit side by side with reference libraries
// (zlib crc32, ISA-L crc32_gzip_refl / crc32_iscsi, Boost.CRC) and a plain
// portable Internet checksum. Names: OPERATION/IMPLEMENTATION/SIZE (bytes).
// Compare implementations by the ratio of their bytes_per_second in one run.
#include <benchmark/benchmark.h>

#include <boost/crc.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "wirekit/checksum/all.hpp"

#if WIREKIT_HAVE_ZLIB
#include <zlib.h>
#endif
#if WIREKIT_HAVE_ISAL
#include <isa-l/crc.h>
#include <isa-l/crc64.h>
#endif

namespace {

const std::vector<std::byte>& data() {
    static const std::vector<std::byte> d = [] {
        std::vector<std::byte> v((1u << 20) + 64);
        std::mt19937_64 rng(1);
        for (auto& b : v) b = static_cast<std::byte>(rng() & 0xffu);
        return v;
    }();
    return d;
}

const unsigned char* raw() { return reinterpret_cast<const unsigned char*>(data().data()); }

void sizes(benchmark::internal::Benchmark* b) {
    for (long n : {64L, 1500L, 65536L, 1048576L}) b->Arg(n);
}

/// The Internet checksum baseline: a plain loop over 32-bit words with a
/// 64-bit accumulator (what a straightforward portable implementation does).
std::uint16_t portable64(const unsigned char* p, std::size_t n) {
    std::uint64_t s = 0;
    while (n >= 4) {
        std::uint32_t w;
        std::memcpy(&w, p, 4);
        s += w;
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        std::uint16_t w;
        std::memcpy(&w, p, 2);
        s += w;
        p += 2;
        n -= 2;
    }
    if (n) s += *p;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(~__builtin_bswap16(static_cast<std::uint16_t>(s)));
}

template <class F>
void run(benchmark::State& state, F f) {
    const auto n = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(f(n));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

template <class M>
void wirekit_crc(benchmark::State& s) {
    run(s, [](std::size_t n) { return wirekit::crc<M>::compute(wirekit::bytes_view(data().data(), n)); });
}
template <class M, wirekit::crc_path P>
void wirekit_crc_path(benchmark::State& s) {
    if (!wirekit::crc<M>::is_supported(P)) {
        s.SkipWithError("path not supported on this CPU");
        return;
    }
    run(s, [](std::size_t n) { return wirekit::crc<M>::compute(wirekit::bytes_view(data().data(), n), P); });
}
template <class B>
void boost_crc(benchmark::State& s) {
    run(s, [](std::size_t n) {
        B b;
        b.process_bytes(raw(), n);
        return b.checksum();
    });
}

using boost_crc64_xz = boost::crc_optimal<64, 0x42f0e1eba9ea3693ull, ~0ull, ~0ull, true, true>;

// Cross-check every reference against wirekit once, so ratios compare equal work.
[[maybe_unused]] const bool cross_checked = [] {
    const wirekit::bytes_view b(data().data(), 1500);
    bool ok = true;
    boost::crc_32_type bc;
    bc.process_bytes(raw(), 1500);
    ok &= bc.checksum() == wirekit::crc<wirekit::crc32_iso_hdlc>::compute(b);
    boost_crc64_xz bx;
    bx.process_bytes(raw(), 1500);
    ok &= bx.checksum() == wirekit::crc<wirekit::crc64_xz>::compute(b);
    ok &= portable64(raw(), 1500) == wirekit::internet_checksum(b);
#if WIREKIT_HAVE_ZLIB
    ok &= crc32(0, raw(), 1500) == wirekit::crc<wirekit::crc32_iso_hdlc>::compute(b);
#endif
#if WIREKIT_HAVE_ISAL
    ok &= crc32_gzip_refl(0, raw(), 1500) == wirekit::crc<wirekit::crc32_iso_hdlc>::compute(b);
    ok &= (crc32_iscsi(const_cast<unsigned char*>(raw()), 1500, 0xffffffffu) ^ 0xffffffffu) ==
          wirekit::crc<wirekit::crc32c>::compute(b);
#endif
    if (!ok) {
        std::fputs("bench_checksum: a reference disagrees with wirekit\n", stderr);
        std::abort();
    }
    return ok;
}();

}  // namespace

using wirekit::crc_path;

// CRC-32/ISO-HDLC (Ethernet FCS, zlib)
BENCHMARK(wirekit_crc<wirekit::crc32_iso_hdlc>)->Name("crc32_iso_hdlc/wirekit")->Apply(sizes);
#if WIREKIT_HAVE_ZLIB
BENCHMARK_CAPTURE(run, zlib, [](std::size_t n) { return crc32(0, raw(), static_cast<uInt>(n)); })
    ->Name("crc32_iso_hdlc/zlib")->Apply(sizes);
#endif
#if WIREKIT_HAVE_ISAL
BENCHMARK_CAPTURE(run, isal, [](std::size_t n) { return crc32_gzip_refl(0, raw(), n); })
    ->Name("crc32_iso_hdlc/isal")->Apply(sizes);
#endif
BENCHMARK(boost_crc<boost::crc_32_type>)->Name("crc32_iso_hdlc/boost")->Apply(sizes);
BENCHMARK(wirekit_crc_path<wirekit::crc32_iso_hdlc, crc_path::pclmul>)->Name("crc32_iso_hdlc/wirekit_pclmul")->Apply(sizes);
BENCHMARK(wirekit_crc_path<wirekit::crc32_iso_hdlc, crc_path::slice8>)->Name("crc32_iso_hdlc/wirekit_slice8")->Apply(sizes);

// CRC-32C
BENCHMARK(wirekit_crc<wirekit::crc32c>)->Name("crc32c/wirekit")->Apply(sizes);
#if WIREKIT_HAVE_ISAL
BENCHMARK_CAPTURE(run, isal, [](std::size_t n) {
    return crc32_iscsi(const_cast<unsigned char*>(raw()), static_cast<int>(n), 0xffffffffu);
})->Name("crc32c/isal")->Apply(sizes);
#endif
BENCHMARK(wirekit_crc_path<wirekit::crc32c, crc_path::sse42>)->Name("crc32c/wirekit_sse42")->Apply(sizes);
BENCHMARK(wirekit_crc_path<wirekit::crc32c, crc_path::vpclmul>)->Name("crc32c/wirekit_vpclmul")->Apply(sizes);

// CRC-64/XZ and CRC-16/ARC: generic folding vs Boost.CRC's table
BENCHMARK(wirekit_crc<wirekit::crc64_xz>)->Name("crc64_xz/wirekit")->Apply(sizes);
BENCHMARK(boost_crc<boost_crc64_xz>)->Name("crc64_xz/boost")->Apply(sizes);
#if WIREKIT_HAVE_ISAL
BENCHMARK_CAPTURE(run, isal, [](std::size_t n) { return crc64_ecma_refl(0, raw(), n); })
    ->Name("crc64_xz/isal")->Apply(sizes);
#endif
BENCHMARK(wirekit_crc<wirekit::crc16_arc>)->Name("crc16_arc/wirekit")->Apply(sizes);
BENCHMARK(boost_crc<boost::crc_16_type>)->Name("crc16_arc/boost")->Apply(sizes);

// Internet checksum
BENCHMARK_CAPTURE(run, wirekit, [](std::size_t n) {
    return wirekit::internet_checksum(wirekit::bytes_view(data().data(), n));
})->Name("inet_checksum/wirekit")->Apply(sizes);
BENCHMARK_CAPTURE(run, portable64, [](std::size_t n) { return portable64(raw(), n); })
    ->Name("inet_checksum/portable64")->Apply(sizes);
BENCHMARK_CAPTURE(run, wirekit_avx2, [](std::size_t n) {
    return wirekit::ones_complement_sum(wirekit::bytes_view(data().data(), n), wirekit::internet_checksum_path::avx2);
})->Name("inet_checksum/wirekit_avx2")->Apply(sizes);
BENCHMARK_CAPTURE(run, wirekit_avx512, [](std::size_t n) {
    return wirekit::ones_complement_sum(wirekit::bytes_view(data().data(), n), wirekit::internet_checksum_path::avx512);
})->Name("inet_checksum/wirekit_avx512")->Apply(sizes);
BENCHMARK_CAPTURE(run, wirekit_portable, [](std::size_t n) {
    return wirekit::ones_complement_sum(wirekit::bytes_view(data().data(), n), wirekit::internet_checksum_path::portable);
})->Name("inet_checksum/wirekit_portable")->Apply(sizes);
