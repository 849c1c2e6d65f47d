// parser::for_each_record (one tight loop over the records, common RDATA
// types decoded inline) must give exactly what the next_record() loop over
// the answer, authority and additional sections gives: the same records
// (headers, RDATA, names down to their copied wire form), the same outcome,
// the same error, and the same parser state afterwards (checked by reading on
// with the general calls). Compared on every captured message and fuzz seed,
// every truncation of each, and single-byte changes of every byte (which turn
// names into bad pointers and reserved label types, lengths into overruns,
// types into OPT and others), starting after the questions, at the start, and
// with a record's RDATA pending.
#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "dns_test_util.hpp"
#include "wirekit/wire/dns/dns.hpp"

namespace dns = wirekit::dns;
using wirekit::bytes_view;

namespace {

struct seen {
    dns::section sec;
    dns::resource rr;
    std::vector<std::byte> owner_wire;
};

bool same(const seen& a, const seen& b) {
    return a.sec == b.sec && a.rr.header == b.rr.header && a.rr.data == b.rr.data &&
           a.rr.data.index() == b.rr.data.index() && a.owner_wire == b.owner_wire;
}

std::vector<std::byte> wire_of(const dns::name_view& n) {
    std::array<std::byte, dns::max_name_len> w{};
    const std::size_t len = n.copy_wire(w);
    return {w.begin(), w.begin() + static_cast<std::ptrdiff_t>(len)};
}

// How far the parser is read before the records are walked.
enum class start_at { questions_read, message_start, rdata_pending };

// Positions `p` on `m` as `how` says; false when that already fails (the
// same for both sides, as both use the general calls to get there).
bool position(dns::parser& p, bytes_view m, start_at how) {
    if (!p.reset(m)) return false;
    wirekit::wire_error err;
    if (how == start_at::message_start) return true;
    dns::question q;
    dns::parser::outcome o;
    while ((o = p.next_question(q, err)) == dns::parser::outcome::entry) {}
    if (o == dns::parser::outcome::error) return false;
    if (how == start_at::rdata_pending) {
        dns::rr_header h;
        return p.next_header(dns::section::answer, h, err) != dns::parser::outcome::error;
    }
    return true;
}

struct walk_result {
    bool ok = false;
    wirekit::wire_error err{};
    std::vector<seen> records;
    // State afterwards, and what the general calls read next.
    std::size_t offset = 0;
    bool done = false;
    std::optional<dns::edns_info> edns;
    dns::parser::outcome next = dns::parser::outcome::entry;
    wirekit::wire_error next_err{};
    std::vector<std::byte> next_rdata;
};

void finish(dns::parser& p, walk_result& w) {
    w.offset = p.offset();
    w.done = p.done();
    w.edns = p.edns();
    w.next_rdata.assign(p.rdata_bytes().begin(), p.rdata_bytes().end());
    dns::resource r;
    w.next = p.next_record(dns::section::additional, r, w.next_err);
}

walk_result general(bytes_view m, start_at how) {
    walk_result w;
    dns::parser p;
    if (!position(p, m, how)) return w;
    dns::resource r;
    w.ok = true;
    for (auto s : {dns::section::answer, dns::section::authority, dns::section::additional}) {
        dns::parser::outcome o;
        while ((o = p.next_record(s, r, w.err)) == dns::parser::outcome::entry)
            w.records.push_back({s, r, wire_of(r.header.name)});
        if (o == dns::parser::outcome::error) {
            w.ok = false;
            break;
        }
    }
    finish(p, w);
    return w;
}

walk_result walker(bytes_view m, start_at how) {
    walk_result w;
    dns::parser p;
    if (!position(p, m, how)) return w;
    w.ok = p.for_each_record(
        [&](dns::section s, const dns::resource& r) { w.records.push_back({s, r, wire_of(r.header.name)}); }, w.err);
    finish(p, w);
    return w;
}

// Returns a description of the first difference, or "".
std::string compare(bytes_view m) {
    for (auto how : {start_at::questions_read, start_at::message_start, start_at::rdata_pending}) {
        const walk_result a = general(m, how), b = walker(m, how);
        if (a.ok != b.ok) return "outcome differs";
        if (!a.ok && !(a.err == b.err)) return "error differs";
        if (a.records.size() != b.records.size()) return "record count differs";
        for (std::size_t i = 0; i < a.records.size(); ++i)
            if (!same(a.records[i], b.records[i])) return "record " + std::to_string(i) + " differs";
        if (a.offset != b.offset) return "offset() differs";
        if (a.done != b.done) return "done() differs";
        if (a.edns != b.edns) return "edns() differs";
        if (a.next_rdata != b.next_rdata) return "pending RDATA differs";
        if (a.next != b.next) return "next call's outcome differs";
        if (a.next == dns::parser::outcome::error && !(a.next_err == b.next_err)) return "next call's error differs";
    }
    return "";
}

std::vector<std::vector<std::byte>> inputs() {
    std::vector<std::vector<std::byte>> out;
    for (auto& p : wirekit::test::dns::transport_payloads("dns-queries.pcap"))
        if (!p.tcp && (p.src_port == 53 || p.dst_port == 53)) out.push_back(p.bytes);
    for (auto& p : wirekit::test::dns::transport_payloads("dns-tcp.pcap"))  // after the 2-byte length
        if (p.bytes.size() > 14) out.emplace_back(p.bytes.begin() + 2, p.bytes.end());
    const std::filesystem::path corpus = std::filesystem::path(WIREKIT_SOURCE_DIR) / "fuzz" / "corpus" / "dns";
    for (const auto& e : std::filesystem::directory_iterator(corpus)) {
        std::ifstream in(e.path(), std::ios::binary);
        std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<std::byte> b(c.size());
        if (!c.empty()) std::memcpy(b.data(), c.data(), c.size());
        out.push_back(b);
    }
    return out;
}

}  // namespace

TEST_CASE("dns: for_each_record agrees with the next_record loop", "[dns][parser][capture][hostile]") {
    const auto msgs = inputs();
    REQUIRE(msgs.size() >= 18);
    std::size_t complete = 0, records = 0;
    for (std::size_t k = 0; k < msgs.size(); ++k) {
        const auto& msg = msgs[k];
        {
            const walk_result w = walker(msg, start_at::questions_read);
            complete += w.ok;
            records += w.records.size();
        }
        for (std::size_t n = 0; n <= msg.size(); ++n) {
            INFO("input " << k << " truncated to " << n);
            REQUIRE(compare(bytes_view(msg).first(n)) == "");
        }
        std::vector<std::byte> m(msg);
        for (std::size_t i = 0; i < m.size(); ++i) {
            const std::byte orig = m[i];
            for (std::byte v : {std::byte{0x00}, std::byte{0xff}, std::byte{0xC0}, std::byte{0x29}, orig ^ std::byte{0x01},
                                orig ^ std::byte{0x10}, orig ^ std::byte{0x40}, orig ^ std::byte{0x80}}) {
                m[i] = v;
                INFO("input " << k << " byte " << i << " set to " << std::to_integer<int>(v));
                REQUIRE(compare(bytes_view(m)) == "");
            }
            m[i] = orig;
        }
    }
    // The inputs do exercise the walker: most parse whole, with many records.
    CHECK(complete >= 16);
    CHECK(records > 40);
}

TEST_CASE("dns: for_each_record reads a CNAME chain response like next_record", "[dns][parser]") {
    std::vector<std::byte> buf(512);
    dns::header h;
    h.id = 0xbeef;
    h.qr = h.rd = h.ra = true;
    dns::builder b{buf, h};
    auto www = *dns::name_buffer::from_text("www.shop.test.");
    auto cdn = *dns::name_buffer::from_text("shop.cdn.test.");
    auto edge = *dns::name_buffer::from_text("edge.cdn.example.net.");
    REQUIRE(b.question({www.view(), dns::rr_type::a, dns::rr_class::in}));
    dns::rr_header r{www.view(), dns::rr_type::cname, dns::rr_class::in, 300};
    REQUIRE(b.answer(r, dns::cname_rdata{cdn.view()}));
    r.name = cdn.view();
    REQUIRE(b.answer(r, dns::cname_rdata{edge.view()}));
    r.name = edge.view();
    r.type = dns::rr_type::a;
    for (std::uint8_t i = 1; i <= 4; ++i) REQUIRE(b.answer(r, dns::a_rdata{{192, 0, 2, i}}));
    dns::rr_header ns{www.view(), dns::rr_type::ns, dns::rr_class::in, 60};
    REQUIRE(b.authority(ns, dns::ns_rdata{cdn.view()}));
    REQUIRE(b.opt(dns::edns_info{.udp_payload_size = 1232}));
    auto msg = b.finish();
    REQUIRE(msg);
    const std::vector<std::byte> m(msg->begin(), msg->end());

    const walk_result w = walker(m, start_at::questions_read);
    REQUIRE(w.ok);
    REQUIRE(w.records.size() == 8);
    CHECK(w.records[0].sec == dns::section::answer);
    CHECK(std::get<dns::cname_rdata>(w.records[0].rr.data).cname == cdn.view());
    CHECK(std::get<dns::cname_rdata>(w.records[1].rr.data).cname == edge.view());
    CHECK(std::get<dns::a_rdata>(w.records[5].rr.data).address[3] == 4);
    CHECK(w.records[6].sec == dns::section::authority);
    CHECK(w.records[7].sec == dns::section::additional);
    CHECK(w.done);
    REQUIRE(w.edns);
    CHECK(w.edns->udp_payload_size == 1232);
    for (std::size_t n = 0; n <= m.size(); ++n) {
        INFO("truncated to " << n);
        REQUIRE(compare(bytes_view(m).first(n)) == "");
    }
}

TEST_CASE("dns: messages longer than 65535 octets are rejected (16-bit name offsets)", "[dns][parser][hostile]") {
    // A record with 65535 bytes of RDATA pushes the next owner name past
    // offset 65535, where a 16-bit offset would wrap onto the first record's
    // RDATA (here a pointer to itself).
    std::vector<std::byte> m(12, std::byte{0});
    m[7] = std::byte{2};  // ANCOUNT 2
    const std::size_t rr1 = m.size();
    for (unsigned v : {0u, 0u, 99u, 0u, 1u, 0u, 0u, 0u, 0u, 0xFFu, 0xFFu}) m.push_back(static_cast<std::byte>(v));
    m.resize(m.size() + 0xFFFF, std::byte{0});
    const std::size_t rdata = rr1 + 11;
    for (std::size_t i = rdata; i + 1 < rdata + 0xFFFF; i += 2) {  // pointers to themselves, wherever a view lands
        m[i] = static_cast<std::byte>(0xC0 | (i >> 8 & 0x3F));
        m[i + 1] = static_cast<std::byte>(i & 0xFF);
    }
    for (unsigned v : std::initializer_list<unsigned>{1u, 'a', 0u, 0u, 99u, 0u, 1u, 0u, 0u, 0u, 0u, 0u, 0u}) m.push_back(static_cast<std::byte>(v));
    REQUIRE(m.size() > 0xFFFF);
    dns::parser p;
    const auto r = p.reset(m);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == wirekit::errc::limit_exceeded);
    CHECK(r.error().offset == 0xFFFF);
    CHECK_FALSE(dns::parser::start(m));
    // 65535 octets are still a message.
    std::vector<std::byte> big(0xFFFF, std::byte{0});
    CHECK(p.reset(big));
}

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<unsigned> v) {
    std::vector<std::byte> out;
    for (unsigned x : v) out.push_back(static_cast<std::byte>(x));
    return out;
}

}  // namespace

TEST_CASE("dns: for_each_record and records that share their owner pointer", "[dns][parser][hostile]") {
    // for_each_record reuses the previous owner's view when a record's owner
    // is the same pointer (an RRset). Here the suffix cache slot of that
    // pointer's target is taken over in between (the CNAME target at offset
    // 60 maps to the slot of offset 12), the run crosses into the authority
    // section, and every truncation and byte change is compared too.
    const auto m = bytes_of({
        0x12, 0x34, 0x81, 0x80, 0, 1, 0, 4, 0, 1, 0, 0,     // header: QD 1, AN 4, NS 1
        1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,       // @12 a.test A IN
        0xC0, 12, 0, 99, 0, 1, 0, 0, 0, 60, 0, 12,          // @24 a.test TYPE99, 12 octets
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
        0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 4,            // @48 a.test CNAME
        1, 'c', 0xC0, 14,                                   // @60 c.test (cache slot of 12)
        0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1,  // @64 a.test A
        0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 2,  // @80 a.test A
        0xC0, 12, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, 0xC0, 60,     // @96 a.test NS c.test
    });
    const walk_result w = walker(m, start_at::questions_read);
    REQUIRE(w.ok);
    REQUIRE(w.records.size() == 5);
    const auto a_test = *dns::name_buffer::from_text("a.test.");
    for (const auto& r : w.records) {
        CHECK(r.rr.header.name == a_test.view());
        CHECK(r.owner_wire == std::vector<std::byte>(a_test.wire().begin(), a_test.wire().end()));
    }
    CHECK(w.records[4].sec == dns::section::authority);
    for (std::size_t n = 0; n <= m.size(); ++n) {
        INFO("truncated to " << n);
        REQUIRE(compare(bytes_view(m).first(n)) == "");
    }
    std::vector<std::byte> c(m);
    for (std::size_t i = 0; i < c.size(); ++i) {
        const std::byte orig = c[i];
        for (std::byte v : {std::byte{0x00}, std::byte{0xC0}, std::byte{12}, orig ^ std::byte{0x01}}) {
            c[i] = v;
            INFO("byte " << i << " set to " << std::to_integer<int>(v));
            REQUIRE(compare(bytes_view(c)) == "");
        }
        c[i] = orig;
    }
}

TEST_CASE("dns: for_each_record with a root owner first (00 00 is not a repeated owner)", "[dns][parser][hostile]") {
    // The first record's owner is the root and its TYPE starts with 00: the
    // owner memo must not take those two octets for a repeated pointer.
    const auto m = bytes_of({
        0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0,     // QD 1, AN 2
        1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1,       // @12 a.test A IN
        0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1,      // @24 . A 10.0.0.1
        0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 2,  // @39 a.test A
    });
    const walk_result w = walker(m, start_at::questions_read);
    REQUIRE(w.ok);
    REQUIRE(w.records.size() == 2);
    CHECK(w.records[0].rr.header.name.is_root());
    CHECK(std::get<dns::a_rdata>(w.records[0].rr.data).address[3] == 1);
    CHECK(std::get<dns::a_rdata>(w.records[1].rr.data).address[3] == 2);
    for (std::size_t n = 0; n <= m.size(); ++n) {
        INFO("truncated to " << n);
        REQUIRE(compare(bytes_view(m).first(n)) == "");
    }
}
