// bench_dns — parsing a realistic DNS response, side by side:
//   dns_parse_response/wirekit/SIZE       walk every section (the question
//                                         with next_question, the records with
//                                         parser::for_each_record), decode every
//                                         RDATA, and decode every name (QNAME,
//                                         owners, names in RDATA): validate,
//                                         decompress and copy out its
//                                         uncompressed wire form
//   dns_parse_response/wirekit_next/SIZE  the same, the records read with the
//                                         incremental next_record() calls
//   dns_parse_response/wirekit_views/SIZE as wirekit, names only validated and
//                                         decompressed into name_views
//   dns_parse_response/wirekit_labels/SIZE  names as views, every label iterated
//   dns_parse_response/wirekit_text/SIZE  names as views, every name rendered
//                                         as presentation text
//   dns_parse_response/wirekit_values/SIZE  the wirekit walk through the
//                                         value-returning calls (result<optional<T>>)
//   dns_parse_response/glibc/SIZE         ns_initparse + ns_parserr over every RR
//                                         (ns_parserr decompresses each owner
//                                         name into text with ns_name_uncompress;
//                                         it decodes no RDATA and no name in it)
//   dns_parse_response/ldns/SIZE          ldns_wire2pkt + ldns_pkt_free
//   dns_build_response/wirekit/SIZE       the builder writing the same message
// Names per message: 1 QNAME, 7 owners (6 answers + the OPT root), 2 CNAME
// targets in RDATA; glibc decodes 8 of these 10 (the question's and the
// owners), wirekit all 10.
// The response is built once with the wirekit builder: question www.shop.test A;
// a CNAME chain www.shop.test -> shop.cdn.test -> edge.cdn.example.net; four A
// records; an OPT with a COOKIE option; every name compressed.
// glibc's libresolv and libldns are loaded with dlopen so that this program
// links nothing beyond the benchmark conventions; a missing library turns its
// benchmark into a skipped one. Compare the printed times as ratios only.
#include <benchmark/benchmark.h>

#include <arpa/nameser.h>  // ns_msg, ns_rr, ns_sect (types only)
#include <dlfcn.h>         // dlopen, dlsym (in libc since glibc 2.34)

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "dns_walk.hpp"  // the message and the loop bodies (shared with callgrind/dns_count.cpp)

namespace {

using namespace bench_dns;

struct name_sum {
    std::size_t& s;
    void operator()(const dns::cname_rdata& r) const { s += touch(r.cname); }
    void operator()(const dns::ns_rdata& r) const { s += touch(r.nsdname); }
    void operator()(const dns::ptr_rdata& r) const { s += touch(r.ptrdname); }
    void operator()(const dns::mx_rdata& r) const { s += touch(r.exchange); }
    void operator()(const dns::a_rdata& r) const { s += r.address[3]; }
    template <class T>
    void operator()(const T&) const {}
};

// The record walk (walker::once, dns_walk.hpp), every name used as `Use` says;
// Incremental: the next_record() loop instead of for_each_record.
template <name_use Use, bool Incremental = false>
void wirekit_parse(benchmark::State& state) {
    const auto& m = response();
    walker w;
    for (auto _ : state) {
        bool ok = true;
        std::size_t sum = w.once<Use, Incremental>(m, ok);
        if (!ok) state.SkipWithError("parse failed");
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m.size()));
}

// The same walk with the value-returning calls (result<optional<...>>).
void wirekit_parse_values(benchmark::State& state) {
    const auto& m = response();
    for (auto _ : state) {
        std::size_t sum = 0;
        auto p = dns::parser::start(m);
        if (!p) state.SkipWithError("parse failed");
        for (;;) {
            auto q = p->question();
            if (!q || !*q) break;
            sum += touch((*q)->name);
        }
        for (int s = 0; s < 3; ++s) {
            for (;;) {
                auto r = s == 0 ? p->answer() : s == 1 ? p->authority() : p->additional();
                if (!r || !*r) break;
                sum += touch((*r)->header.name);
                std::visit(name_sum{sum}, (*r)->data);
            }
        }
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m.size()));
}

void wirekit_build(benchmark::State& state) {
    const auto& m = response();
    // Parse once, rebuild in the loop.
    auto p = dns::parser::start(m);
    std::vector<dns::question> qs;
    std::vector<dns::resource> an;
    dns::resource opt;
    while (auto q = p->question()) { if (!*q) break; qs.push_back(**q); }
    while (auto r = p->answer()) { if (!*r) break; an.push_back(**r); }
    while (auto r = p->additional()) { if (!*r) break; opt = **r; }
    std::array<std::byte, 512> buf{};
    for (auto _ : state) {
        dns::builder b{buf, p->header()};
        for (const auto& q : qs) (void)b.question(q);
        for (const auto& r : an) (void)b.answer(r.header, r.data);
        (void)b.additional(opt.header, opt.data);
        auto out = b.finish();
        benchmark::DoNotOptimize(out);
    }
}

// glibc libresolv, loaded at run time.

void glibc_parse(benchmark::State& state) {
    void* lib = dlopen("libresolv.so.2", RTLD_NOW);
    if (!lib) {
        state.SkipWithError("libresolv.so.2 not available");
        return;
    }
    auto initparse = reinterpret_cast<ns_initparse_fn>(dlsym(lib, "ns_initparse"));
    auto parserr = reinterpret_cast<ns_parserr_fn>(dlsym(lib, "ns_parserr"));
    if (!initparse || !parserr) {
        state.SkipWithError("ns_initparse/ns_parserr not found");
        return;
    }
    const auto& m = response();
    for (auto _ : state) {
        bool ok = true;
        std::size_t sum = glibc_once(initparse, parserr, m, ok);
        if (!ok) state.SkipWithError("ns_initparse/ns_parserr failed");
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m.size()));
}

// ldns, loaded at run time (libldns3 / libldns-dev).
using ldns_wire2pkt_fn = int (*)(void**, const std::uint8_t*, std::size_t);
using ldns_pkt_free_fn = void (*)(void*);

void ldns_parse(benchmark::State& state) {
    void* lib = dlopen("libldns.so.3", RTLD_NOW);
    if (!lib) {
        state.SkipWithError("libldns.so.3 not available (apt-get install libldns-dev)");
        return;
    }
    auto wire2pkt = reinterpret_cast<ldns_wire2pkt_fn>(dlsym(lib, "ldns_wire2pkt"));
    auto pkt_free = reinterpret_cast<ldns_pkt_free_fn>(dlsym(lib, "ldns_pkt_free"));
    if (!wire2pkt || !pkt_free) {
        state.SkipWithError("ldns_wire2pkt/ldns_pkt_free not found");
        return;
    }
    const auto& m = response();
    const auto* data = reinterpret_cast<const std::uint8_t*>(m.data());
    for (auto _ : state) {
        void* pkt = nullptr;
        if (wire2pkt(&pkt, data, m.size()) != 0) state.SkipWithError("ldns_wire2pkt failed");
        benchmark::DoNotOptimize(pkt);
        pkt_free(pkt);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * m.size()));
}

const bool registered = [] {
    const std::string size = std::to_string(response().size());
    benchmark::RegisterBenchmark(("dns_parse_response/wirekit/" + size).c_str(), wirekit_parse<name_use::wire>);
    benchmark::RegisterBenchmark(("dns_parse_response/wirekit_next/" + size).c_str(),
                                 wirekit_parse<name_use::wire, true>);
    benchmark::RegisterBenchmark(("dns_parse_response/wirekit_views/" + size).c_str(), wirekit_parse<name_use::view>);
    benchmark::RegisterBenchmark(("dns_parse_response/wirekit_labels/" + size).c_str(), wirekit_parse<name_use::labels>);
    benchmark::RegisterBenchmark(("dns_parse_response/wirekit_text/" + size).c_str(), wirekit_parse<name_use::text>);
    benchmark::RegisterBenchmark(("dns_parse_response/wirekit_values/" + size).c_str(), wirekit_parse_values);
    benchmark::RegisterBenchmark(("dns_parse_response/glibc/" + size).c_str(), glibc_parse);
    benchmark::RegisterBenchmark(("dns_parse_response/ldns/" + size).c_str(), ldns_parse);
    benchmark::RegisterBenchmark(("dns_build_response/wirekit/" + size).c_str(), wirekit_build);
    return true;
}();

}  // namespace
