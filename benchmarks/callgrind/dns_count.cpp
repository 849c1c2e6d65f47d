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
// Sides: wirekit (every name copied out in wire form, as
// dns_parse_response/wirekit), views (names validated only, as
// .../wirekit_views), glibc (ns_initparse + ns_parserr over every RR).
// The message and the loop bodies are those of benchmarks/dns.cpp
// (benchmarks/dns_walk.hpp holds both).
#include <arpa/nameser.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "../dns_walk.hpp"

namespace {

template <bench_dns::name_use Use>
std::size_t run_wirekit(const std::vector<std::byte>& m, long n) {
    bench_dns::walker w;
    std::size_t sum = 0;
    for (long i = 0; i < n; ++i) {
        bool ok = true;
        sum += w.once<Use>(m, ok);
        if (!ok) std::exit(1);
    }
    return sum;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: dns_count wirekit|views|glibc ITERATIONS\n");
        return 2;
    }
    const long n = std::atol(argv[2]);
    const auto& m = bench_dns::response();
    std::size_t sum = 0;
    if (std::strcmp(argv[1], "glibc") == 0) {
        using initparse_fn = int (*)(const unsigned char*, int, ns_msg*);
        using parserr_fn = int (*)(ns_msg*, ns_sect, int, ns_rr*);
        void* lib = dlopen("libresolv.so.2", RTLD_NOW);
        if (!lib) return 1;
        auto initparse = reinterpret_cast<initparse_fn>(dlsym(lib, "ns_initparse"));
        auto parserr = reinterpret_cast<parserr_fn>(dlsym(lib, "ns_parserr"));
        for (long i = 0; i < n; ++i) {
            bool ok = true;
            sum += bench_dns::glibc_once(initparse, parserr, m, ok);
            if (!ok) return 1;
        }
    } else {
#ifndef DNS_COUNT_ONLY_WIRE
        if (std::strcmp(argv[1], "views") == 0) sum = run_wirekit<bench_dns::name_use::view>(m, n);
        else
#endif
            sum = run_wirekit<bench_dns::name_use::wire>(m, n);
    }
    std::printf("%zu\n", sum);
    return 0;
}
