// benchmarks/dns_walk.hpp — the message and the per-message loop bodies of
// bench_dns (benchmarks/dns.cpp), shared with the callgrind driver
// (benchmarks/callgrind/dns_count.cpp) so that instruction counts and times
// measure the same code.
#pragma once

#include <arpa/nameser.h>  // ns_msg, ns_rr, ns_sect (types only)

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "wirekit/wire/dns/dns.hpp"

// Forces a lambda inline (GCC and clang): a lambda left out of line makes
// the locals it captures by reference escape, so they live in memory.
#define WIREKIT_BENCH_INLINE __attribute__((always_inline))

namespace bench_dns {

namespace dns = wirekit::dns;

// The response: question www.shop.test A; a CNAME chain www.shop.test ->
// shop.cdn.test -> edge.cdn.example.net; four A records; an OPT with a
// COOKIE option; every name compressed (built once with the wirekit builder).
inline std::vector<std::byte> make_response() {
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

inline const std::vector<std::byte>& response() {
    static const std::vector<std::byte> m = make_response();
    return m;
}

inline std::size_t touch(const dns::name_view& n) {
    std::size_t s = 0;
    for (auto l : n) s += l.size();
    return s;
}

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
[[gnu::always_inline]] inline void for_each_rdata_name(const dns::rdata& d, F&& f) {
    if (auto* c = std::get_if<dns::cname_rdata>(&d)) f(c->cname);
    else if (auto* n = std::get_if<dns::ns_rdata>(&d)) f(n->nsdname);
    else if (auto* p = std::get_if<dns::ptr_rdata>(&d)) f(p->ptrdname);
    else if (auto* m = std::get_if<dns::mx_rdata>(&d)) f(m->exchange);
    else if (auto* o = std::get_if<dns::soa_rdata>(&d)) { f(o->mname); f(o->rname); }
    else if (auto* v = std::get_if<dns::srv_rdata>(&d)) f(v->target);
}

// The wirekit walk with the out-parameter calls: one parser, question and
// resource object reused for every message and entry; every RDATA decoded
// into its typed form (A, CNAME, OPT here); every name used as `Use` says.
struct walker {
    dns::parser p;
    dns::question q;
    dns::resource r;
    wirekit::wire_error err;
    char text[1024];

    // What one name adds to the checksum (and, for Use == wire, its
    // uncompressed form copied into `wire`).
    template <name_use Use>
    [[gnu::always_inline]] std::size_t name_value(const dns::name_view& n,
                                                  std::array<std::byte, dns::max_name_len>& wire) {
        std::size_t k = n.wire_length();
        if constexpr (Use == name_use::wire) {
            const std::size_t len = n.copy_wire(wire);
            k += len + std::to_integer<std::size_t>(wire[len / 2]);  // a byte of the copy, at a run-time index
        }
        if constexpr (Use == name_use::labels) k += touch(n);
        if constexpr (Use == name_use::text) k += static_cast<std::size_t>(n.write_text(text) - text);
        return k;
    }

    // One message; `ok` is cleared on a parse failure. Returns a checksum of
    // every decoded value (names, A addresses).
    // Records through parser::for_each_record, or (Incremental) through the
    // next_record() loop over the three sections.
    //
    // The checksum and the copy buffer are locals of this call, captured
    // only by lambdas that are forced inline. (Before, a per-name lambda was
    // captured by reference in the record lambda and g++ kept one instance
    // of it out of line, so the checksum's address escaped: it was loaded
    // and stored through a pointer for every name, and the byte stores of
    // the copies into the walker's member buffer might alias it. The
    // benchmark's own bookkeeping; the glibc side keeps its sum in a
    // register across its calls.)
    template <name_use Use, bool Incremental = false>
    [[gnu::always_inline]] std::size_t once(const std::vector<std::byte>& m, bool& ok) {
        using outcome = dns::parser::outcome;
        std::size_t sum = 0;
        std::array<std::byte, dns::max_name_len> wire;
        if (!p.reset(m)) ok = false;
        while (p.next_question(q, err) == outcome::entry) sum += name_value<Use>(q.name, wire);
        if constexpr (Incremental) {
            for (auto s : {dns::section::answer, dns::section::authority, dns::section::additional}) {
                outcome o;
                while ((o = p.next_record(s, r, err)) == outcome::entry) {
                    sum += name_value<Use>(r.header.name, wire);
                    if (auto* a = std::get_if<dns::a_rdata>(&r.data)) sum += a->address[3];
                    else
                        for_each_rdata_name(r.data, [&](const dns::name_view& n)
                                                        WIREKIT_BENCH_INLINE { sum += name_value<Use>(n, wire); });
                }
                if (o == outcome::error) ok = false;
            }
        } else {
            const bool all = p.for_each_record(
                [&sum, &wire, this](dns::section, const dns::resource& rr) WIREKIT_BENCH_INLINE {
                    sum += name_value<Use>(rr.header.name, wire);
                    if (auto* a = std::get_if<dns::a_rdata>(&rr.data)) sum += a->address[3];
                    else
                        for_each_rdata_name(rr.data, [&](const dns::name_view& n)
                                                         WIREKIT_BENCH_INLINE { sum += name_value<Use>(n, wire); });
                },
                err);
            if (!all) ok = false;
        }
        return sum;
    }
};

// glibc: ns_initparse + ns_parserr over every RR (question included).
using ns_initparse_fn = int (*)(const unsigned char*, int, ns_msg*);
using ns_parserr_fn = int (*)(ns_msg*, ns_sect, int, ns_rr*);

inline std::size_t glibc_once(ns_initparse_fn initparse, ns_parserr_fn parserr, const std::vector<std::byte>& m,
                              bool& ok) {
    ns_msg msg;
    if (initparse(reinterpret_cast<const unsigned char*>(m.data()), static_cast<int>(m.size()), &msg) < 0) ok = false;
    std::size_t sum = 0;
    for (ns_sect s : {ns_s_qd, ns_s_an, ns_s_ns, ns_s_ar}) {
        const int n = ns_msg_count(msg, s);
        for (int i = 0; i < n; ++i) {
            ns_rr rr;
            if (parserr(&msg, s, i, &rr) < 0) ok = false;
            sum += static_cast<std::size_t>(rr.name[0]) + ns_rr_rdlen(rr);
        }
    }
    return sum;
}

}  // namespace bench_dns
