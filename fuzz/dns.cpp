// libFuzzer target for the DNS codec (wirekit/wire/dns).
//
// 1. Parses the input as one DNS message, walking every section and decoding
//    every RDATA and name (label iteration and presentation text).
// 2. When that succeeds, rebuilds the message with the builder, re-parses it
//    and requires the same content (header, questions, records); any builder
//    error other than running out of space is a bug.
// 3. Prints the message with the dig-like formatter.
// 4. Checks that the suffix cache of name decompression changes no result.
// 5. Feeds the input to the TCP deframer in pieces sized by the input itself.
// 6. Checks that parser::for_each_record gives what the next_record() loop
//    gives: the same records (names down to their copied wire form), outcome,
//    error and parser state afterwards.
#include <array>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "wirekit/wire/dns/dns.hpp"
#include "wirekit/wire/dns/format.hpp"

namespace dns = wirekit::dns;

namespace {

struct record {
    int section;
    dns::resource rr;
};

struct content {
    dns::header hdr;
    std::vector<dns::question> questions;
    std::vector<record> records;
};

[[noreturn]] void bug(const char* what) {
    fmt::print(stderr, "fuzz_dns: {}\n", what);
    std::abort();
}

bool read_all(wirekit::bytes_view msg, content& c) {
    auto p = dns::parser::start(msg);
    if (!p) return false;
    c.hdr = p->header();
    for (;;) {
        auto q = p->question();
        if (!q) return false;
        if (!*q) break;
        // Touch every label and the text form.
        std::size_t n = 0;
        for (auto l : (*q)->name) n += l.size() + 1;
        if (n + 1 != (*q)->name.wire_length()) bug("label walk disagrees with the name length");
        c.questions.push_back(**q);
    }
    for (int s = 0; s < 3; ++s) {
        for (;;) {
            auto r = s == 0 ? p->answer() : s == 1 ? p->authority() : p->additional();
            if (!r) return false;
            if (!*r) break;
            std::size_t n = 0;
            for (auto l : (*r)->header.name) n += l.size() + 1;
            if (n + 1 != (*r)->header.name.wire_length()) bug("owner label walk disagrees with the name length");
            c.records.push_back({s, **r});
        }
    }
    if (!p->done()) bug("parser not done after the last section");
    return true;
}

void check_same(const content& a, const content& b) {
    if (!(a.hdr == b.hdr)) bug("header differs after rebuild");
    if (a.questions.size() != b.questions.size()) bug("question count differs");
    for (std::size_t i = 0; i < a.questions.size(); ++i)
        if (!(a.questions[i] == b.questions[i])) bug("question differs");
    if (a.records.size() != b.records.size()) bug("record count differs");
    for (std::size_t i = 0; i < a.records.size(); ++i) {
        const auto& x = a.records[i];
        const auto& y = b.records[i];
        if (x.section != y.section || !(x.rr.header.name == y.rr.header.name) || x.rr.header.type != y.rr.header.type ||
            x.rr.header.cls != y.rr.header.cls || x.rr.header.ttl != y.rr.header.ttl || !(x.rr.data == y.rr.data))
            bug("record differs after rebuild");
    }
}

}  // namespace

// The suffix cache must be invisible: every offset scanned with and without
// it (cache filled front to back, then back to front) gives the same result.
// The fast walk must give the reference walk's result, and copy_wire the
// name's labels.
void check_cache(wirekit::bytes_view in) {
    for (int order = 0; order < 2; ++order) {
        dns::detail::suffix_cache cache;
        for (std::size_t k = 0; k < in.size(); ++k) {
            const std::size_t i = order == 0 ? k : in.size() - 1 - k;
            dns::detail::name_scan a, b;
            wirekit::wire_error ea, eb;
            const bool ok_a = dns::detail::scan_name_into(in, i, in.size(), a, ea, nullptr);
            const bool ok_b = dns::detail::scan_name_into(in, i, in.size(), b, eb, &cache);
            if (ok_a != ok_b) bug("suffix cache changed success");
            if (ok_a && (a.end != b.end || a.length != b.length || a.labels != b.labels))
                bug("suffix cache changed a name");
            if (!ok_a && !(ea == eb)) bug("suffix cache changed an error");
            // The fast walk must agree with the reference walk, and the
            // run-driven copy_wire with the labels as the iterator reads them.
            dns::detail::name_scan c;
            wirekit::wire_error ec;
            const bool ok_c = dns::detail::scan_name_exact(in, i, in.size(), c, ec, nullptr);
            if (ok_c != ok_a) bug("fast name walk changed success");
            if (!ok_a) {
                if (!(ea == ec)) bug("fast name walk changed an error");
                continue;
            }
            if (a.end != c.end || a.length != c.length || a.labels != c.labels) bug("fast name walk changed a name");
            for (const auto& s : {a, b}) {
                const dns::name_view v{in, i, s};
                std::array<std::byte, dns::max_name_len> w{};
                const std::size_t n = v.copy_wire(w);
                if (n != s.length) bug("copy_wire length");
                std::size_t at = 0;
                for (std::string_view l : v) {
                    if (at + 1 + l.size() >= n || std::to_integer<std::size_t>(w[at]) != l.size() ||
                        std::memcmp(w.data() + at + 1, l.data(), l.size()) != 0)
                        bug("copy_wire differs from the labels");
                    at += 1 + l.size();
                }
                if (at + 1 != n || w[at] != std::byte{0}) bug("copy_wire end");
            }
        }
    }
}

// The record walker against the next_record() loop (see
// tests/wire/dns/record_walk_test.cpp), from after the questions and from
// the start of the message.
struct walked {
    bool ok = false;
    wirekit::wire_error err{};
    std::vector<record> records;
    std::vector<std::vector<std::byte>> owners;
    std::size_t offset = 0;
    bool done = false;
    std::optional<dns::edns_info> edns;
};

std::vector<std::byte> wire_of(const dns::name_view& n) {
    std::array<std::byte, dns::max_name_len> w{};
    const std::size_t len = n.copy_wire(w);
    std::vector<std::byte> exact(n.wire_length());
    if (n.copy_wire(exact.data()) != len || std::memcmp(exact.data(), w.data(), len) != 0)
        bug("copy_wire forms differ");
    return exact;
}

walked walk_records(wirekit::bytes_view in, bool fast, bool read_questions) {
    walked w;
    dns::parser p;
    if (!p.reset(in)) return w;
    if (read_questions) {
        dns::question q;
        dns::parser::outcome o;
        while ((o = p.next_question(q, w.err)) == dns::parser::outcome::entry) {}
        if (o == dns::parser::outcome::error) return w;
    }
    auto keep = [&](dns::section s, const dns::resource& r) {
        w.records.push_back({static_cast<int>(s), r});
        w.owners.push_back(wire_of(r.header.name));
    };
    if (fast) {
        w.ok = p.for_each_record(keep, w.err);
    } else {
        dns::resource r;
        w.ok = true;
        for (auto s : {dns::section::answer, dns::section::authority, dns::section::additional}) {
            dns::parser::outcome o;
            while ((o = p.next_record(s, r, w.err)) == dns::parser::outcome::entry) keep(s, r);
            if (o == dns::parser::outcome::error) {
                w.ok = false;
                break;
            }
        }
    }
    w.offset = p.offset();
    w.done = p.done();
    w.edns = p.edns();
    return w;
}

void check_record_walk(wirekit::bytes_view in) {
    for (bool q : {true, false}) {
        const walked a = walk_records(in, false, q), b = walk_records(in, true, q);
        if (a.ok != b.ok) bug("for_each_record changed the outcome");
        if (!a.ok && !(a.err == b.err)) bug("for_each_record changed an error");
        if (a.records.size() != b.records.size()) bug("for_each_record changed the record count");
        for (std::size_t i = 0; i < a.records.size(); ++i) {
            const auto& x = a.records[i];
            const auto& y = b.records[i];
            if (x.section != y.section || !(x.rr.header == y.rr.header) || x.rr.data.index() != y.rr.data.index() ||
                !(x.rr.data == y.rr.data) || a.owners[i] != b.owners[i])
                bug("for_each_record changed a record");
        }
        if (a.offset != b.offset || a.done != b.done || a.edns != b.edns) bug("for_each_record changed the parser state");
    }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const wirekit::bytes_view in{reinterpret_cast<const std::byte*>(data), size};
    check_cache(in);
    check_record_walk(in);

    content c;
    if (read_all(in, c)) {
        static std::vector<std::byte> buf(70000);
        dns::builder b{buf, c.hdr};
        bool ok = true;
        auto note = [&](const wirekit::result<void>& r) {
            if (!r) {
                if (r.error().kind != wirekit::errc::no_space) bug("builder rejected parsed content");
                ok = false;
            }
        };
        for (const auto& q : c.questions)
            if (ok) note(b.question(q));
        for (const auto& r : c.records) {
            if (!ok) break;
            note(r.section == 0 ? b.answer(r.rr.header, r.rr.data)
                 : r.section == 1 ? b.authority(r.rr.header, r.rr.data)
                                  : b.additional(r.rr.header, r.rr.data));
        }
        if (ok) {
            auto out = b.finish();
            if (!out) bug("finish failed");
            content again;
            if (!read_all(*out, again)) bug("rebuilt message does not parse");
            check_same(c, again);
        }
        fmt::memory_buffer text;
        if (!dns::format_message(std::back_inserter(text), in)) bug("formatter failed on a parseable message");
    } else {
        fmt::memory_buffer text;
        (void)dns::format_message(std::back_inserter(text), in);
    }

    // TCP deframing in pieces of 1 + (byte % 7) bytes.
    static std::vector<std::byte> storage(65535);
    dns::tcp_reader r{storage};
    wirekit::bytes_view rest = in;
    while (!rest.empty()) {
        const std::size_t piece = 1 + std::to_integer<std::size_t>(rest[0]) % 7;
        auto chunk = rest.first(piece < rest.size() ? piece : rest.size());
        while (!chunk.empty()) {
            auto s = r.feed(chunk);
            if (!s) return 0;
            if (s->consumed == 0) bug("tcp_reader made no progress");
            chunk = chunk.subspan(s->consumed);
            rest = rest.subspan(s->consumed);
            if (s->message) {
                content m;
                (void)read_all(*s->message, m);
            }
        }
    }
    return 0;
}
