// bench_dns — parsing a realistic DNS response, side by side:
//   dns_parse_response/wirekit/SIZE       walk every section, decode every
//                                         RDATA, and decode every name (QNAME,
//                                         owners, names in RDATA): validate,
//                                         decompress and copy out its
//                                         uncompressed wire form
//   dns_parse_response/wirekit_views/SIZE the same, names only validated and
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

#include "wirekit/wire/dns/dns.hpp"

namespace dns = wirekit::dns;

namespace {

std::vector<std::byte> make_response() {
    std::vector<std::byte> buf(512);
    dns::header h;
    h.id = 0xbeef;
    h.qr = h.rd = h.ra = true;
    dns::builder b{buf, h};
    auto www = *dns::name_buffer::from_text("www.shop.test.");
    auto cdn = *dns::name_buffer::from_text("shop.cdn.test.");
    auto edge = *dns::name_buffer::from_text("edge.cdn.example.net.");
    (void)b.question({www.view(), dns::rr_type::a, dns::rr_class::in});
    dns::rr_header r;
    r.ttl = 300;
    r.name = www.view();
    r.type = dns::rr_type::cname;
    (void)b.answer(r, dns::cname_rdata{cdn.view()});
    r.name = cdn.view();
    (void)b.answer(r, dns::cname_rdata{edge.view()});
    r.name = edge.view();
    r.type = dns::rr_type::a;
    r.ttl = 20;
    for (std::uint8_t i = 1; i <= 4; ++i) (void)b.answer(r, dns::a_rdata{{192, 0, 2, i}});
    const std::array<std::byte, 12> cookie{std::byte{0}, std::byte{10}, std::byte{0}, std::byte{8}};
    dns::edns_info e;
    e.udp_payload_size = 1232;
    (void)b.opt(e, cookie);
    auto out = b.finish();
    return {out->begin(), out->end()};
}

const std::vector<std::byte>& response() {
    static const std::vector<std::byte> m = make_response();
    return m;
}

std::size_t touch(const dns::name_view& n) {
    std::size_t s = 0;
    for (auto l : n) s += l.size();
    return s;
}

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

// What the wirekit walks do with each name (every QNAME, every owner name
// and every name inside RDATA: CNAME, NS, PTR, MX, SOA, SRV).
enum class name_use {
    view,    // validated and decompressed into a name_view (length and label count known)
    wire,    // also decoded: the uncompressed wire form copied out (as ns_name_unpack)
    labels,  // also every label iterated as a string_view
    text,    // also rendered as presentation text (as ns_name_uncompress / ns_name_ntop)
};

// Calls f(name) for every name inside the RDATA `d`.
template <class F>
void for_each_rdata_name(const dns::rdata& d, F&& f) {
    if (auto* c = std::get_if<dns::cname_rdata>(&d)) f(c->cname);
    else if (auto* n = std::get_if<dns::ns_rdata>(&d)) f(n->nsdname);
    else if (auto* p = std::get_if<dns::ptr_rdata>(&d)) f(p->ptrdname);
    else if (auto* m = std::get_if<dns::mx_rdata>(&d)) f(m->exchange);
    else if (auto* o = std::get_if<dns::soa_rdata>(&d)) { f(o->mname); f(o->rname); }
    else if (auto* v = std::get_if<dns::srv_rdata>(&d)) f(v->target);
}

// Walks with the out-parameter calls: one parser, question and resource
// object reused for every message and entry; every RDATA decoded into its
// typed form (A, CNAME, OPT here); every name used as `Use` says.
template <name_use Use>
void wirekit_parse(benchmark::State& state) {
    const auto& m = response();
    char text[1024];
    std::array<std::byte, dns::max_name_len> wire;
    dns::parser p;
    dns::question q;
    dns::resource r;
    wirekit::wire_error err;
    using outcome = dns::parser::outcome;
    std::size_t sum = 0;
    auto use = [&](const dns::name_view& n) {
        std::size_t k = n.wire_length();
        if constexpr (Use == name_use::wire) {
            const std::size_t len = n.copy_wire(wire);
            k += len + std::to_integer<std::size_t>(wire[len > 1 ? len - 2 : 0]);  // the last label octet
        }
        if constexpr (Use == name_use::labels) k += touch(n);
        if constexpr (Use == name_use::text) k += static_cast<std::size_t>(n.write_text(text) - text);
        sum += k;
    };
    for (auto _ : state) {
        sum = 0;
        if (!p.reset(m)) state.SkipWithError("parse failed");
        while (p.next_question(q, err) == outcome::entry) use(q.name);
        for (auto s : {dns::section::answer, dns::section::authority, dns::section::additional}) {
            outcome o;
            while ((o = p.next_record(s, r, err)) == outcome::entry) {
                use(r.header.name);
                if (auto* a = std::get_if<dns::a_rdata>(&r.data)) sum += a->address[3];
                else for_each_rdata_name(r.data, use);
            }
            if (o == outcome::error) state.SkipWithError("parse failed");
        }
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
using ns_initparse_fn = int (*)(const unsigned char*, int, ns_msg*);
using ns_parserr_fn = int (*)(ns_msg*, ns_sect, int, ns_rr*);

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
    const auto* data = reinterpret_cast<const unsigned char*>(m.data());
    for (auto _ : state) {
        ns_msg msg;
        if (initparse(data, static_cast<int>(m.size()), &msg) < 0) state.SkipWithError("ns_initparse failed");
        std::size_t sum = 0;
        for (ns_sect s : {ns_s_qd, ns_s_an, ns_s_ns, ns_s_ar}) {
            const int n = ns_msg_count(msg, s);
            for (int i = 0; i < n; ++i) {
                ns_rr rr;
                if (parserr(&msg, s, i, &rr) < 0) state.SkipWithError("ns_parserr failed");
                sum += static_cast<std::size_t>(rr.name[0]) + ns_rr_rdlen(rr);
            }
        }
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
