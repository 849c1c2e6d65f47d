// dns_count — a fixed number of the bench_dns parse loops, for instruction
// counts with callgrind (Google Benchmark 1.7 cannot fix the iteration count).
//
//   c++ -O3 -DNDEBUG -std=gnu++20 -Iinclude benchmarks/callgrind/dns_count.cpp -o /tmp/dns_count
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/a /tmp/dns_count wirekit 1000
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/b /tmp/dns_count wirekit 2000
//   instructions per message = (Ir of b - Ir of a) / 1000
//
// -DDNS_COUNT_ONLY_WIRE compiles only the wirekit walk (the compiler then
// inlines as it does in a program with that one loop).
// `dns_count ratio N` times alternating bursts of N messages per side
// instead (a check of the Google Benchmark ratios on a loaded machine).
// Sides: wirekit (every name copied out in wire form, as
// dns_parse_response/wirekit), next (the same through next_record(), as
// .../wirekit_next), views (names validated only, as .../wirekit_views),
// labels and text (as .../wirekit_labels, .../wirekit_text),
// glibc (ns_initparse + ns_parserr over every RR).
// The message and the loop bodies are those of benchmarks/dns.cpp
// (benchmarks/dns_walk.hpp holds both).
#include <arpa/nameser.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../dns_walk.hpp"

namespace {

template <bench_dns::name_use Use, bool Incremental = false>
std::size_t run_wirekit(const std::vector<std::byte>& m, long n) {
    bench_dns::walker w;
    std::size_t sum = 0;
    for (long i = 0; i < n; ++i) {
        bool ok = true;
        sum += w.once<Use, Incremental>(m, ok);
        if (!ok) std::exit(1);
    }
    return sum;
}

}  // namespace

std::size_t run_glibc(const std::vector<std::byte>& m, long n) {
    static void* lib = dlopen("libresolv.so.2", RTLD_NOW);
    if (!lib) std::exit(1);
    static auto initparse = reinterpret_cast<bench_dns::ns_initparse_fn>(dlsym(lib, "ns_initparse"));
    static auto parserr = reinterpret_cast<bench_dns::ns_parserr_fn>(dlsym(lib, "ns_parserr"));
    std::size_t sum = 0;
    for (long i = 0; i < n; ++i) {
        bool ok = true;
        sum += bench_dns::glibc_once(initparse, parserr, m, ok);
        if (!ok) std::exit(1);
    }
    return sum;
}

// Time ratio glibc / wirekit on a loaded machine: alternating short bursts
// (each side `n` messages), the median of the per-pair ratios.
void ratio(const std::vector<std::byte>& m, long n, int pairs) {
    using clk = std::chrono::steady_clock;
    std::vector<double> r;
    std::size_t sum = 0;
    for (int i = 0; i < pairs; ++i) {
        const auto t0 = clk::now();
        sum += run_wirekit<bench_dns::name_use::wire>(m, n);
        const auto t1 = clk::now();
        sum += run_glibc(m, n);
        const auto t2 = clk::now();
        r.push_back(std::chrono::duration<double>(t2 - t1).count() / std::chrono::duration<double>(t1 - t0).count());
    }
    std::sort(r.begin(), r.end());
    std::printf("glibc/wirekit time ratio: median %.2f (quartiles %.2f %.2f) over %d pairs of %ld messages [%zu]\n",
                r[r.size() / 2], r[r.size() / 4], r[3 * r.size() / 4], pairs, n, sum % 10);
}

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: dns_count wirekit|next|views|labels|text|glibc|ratio ITERATIONS\n");
        return 2;
    }
    const long n = std::atol(argv[2]);
    const auto& m = bench_dns::response();
    std::size_t sum = 0;
    if (std::strcmp(argv[1], "ratio") == 0) {
        ratio(m, n, 201);
        return 0;
    }
    if (std::strcmp(argv[1], "glibc") == 0) {
        sum = run_glibc(m, n);
    } else {
#ifndef DNS_COUNT_ONLY_WIRE
        if (std::strcmp(argv[1], "views") == 0) sum = run_wirekit<bench_dns::name_use::view>(m, n);
        else if (std::strcmp(argv[1], "next") == 0) sum = run_wirekit<bench_dns::name_use::wire, true>(m, n);
        else if (std::strcmp(argv[1], "labels") == 0) sum = run_wirekit<bench_dns::name_use::labels>(m, n);
        else if (std::strcmp(argv[1], "text") == 0) sum = run_wirekit<bench_dns::name_use::text>(m, n);
        else
#endif
            sum = run_wirekit<bench_dns::name_use::wire>(m, n);
    }
    std::printf("%zu\n", sum);
    return 0;
}
