// Names: RFC 1035 §4.1.4 compression example, hostile compression (self
// pointers, loops, forward chains, past-the-end, too many hops), the 255-octet
// limit, reserved label types, presentation text and case-insensitive
// comparison (RFC 4343).
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "wirekit/wire/dns/dns.hpp"

namespace dns = wirekit::dns;
using wirekit::bytes_view;
using wirekit::errc;

namespace {

std::vector<std::byte> bytes(std::initializer_list<unsigned> v) {
    std::vector<std::byte> out;
    for (unsigned x : v) out.push_back(static_cast<std::byte>(x));
    return out;
}

void put_label(std::vector<std::byte>& m, std::string_view s) {
    m.push_back(static_cast<std::byte>(s.size()));
    for (char c : s) m.push_back(static_cast<std::byte>(c));
}

std::string text(const dns::name_view& n) {
    std::string s;
    n.write_text(std::back_inserter(s));
    return s;
}

// A message: 12-byte header with QDCOUNT=1 (other counts zero), then `body`.
std::vector<std::byte> message_with_question(const std::vector<std::byte>& body) {
    auto m = bytes({0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0});
    m.insert(m.end(), body.begin(), body.end());
    return m;
}

wirekit::wire_error question_error(const std::vector<std::byte>& msg) {
    auto p = dns::parser::start(msg);
    REQUIRE(p);
    auto q = p->question();
    REQUIRE_FALSE(q);
    return q.error();
}

// RFC 1035 §4.1.4: F.ISI.ARPA at offset 20, FOO.F.ISI.ARPA at 40 (with a
// pointer to 20), ARPA at 64 (a pointer to 26), the root at 92.
std::vector<std::byte> rfc1035_example() {
    std::vector<std::byte> m(94, std::byte{0});
    auto put = [&](std::size_t at, std::vector<std::byte> b) { std::copy(b.begin(), b.end(), m.begin() + at); };
    put(20, bytes({1, 'F', 3, 'I', 'S', 'I', 4, 'A', 'R', 'P', 'A', 0}));
    put(40, bytes({3, 'F', 'O', 'O', 0xC0, 20}));
    put(64, bytes({0xC0, 26}));
    put(92, bytes({0}));
    return m;
}

}  // namespace

TEST_CASE("dns name: RFC 1035 4.1.4 compression example", "[dns][name]") {
    const auto m = rfc1035_example();
    struct { std::size_t off; const char* name; std::size_t end; std::size_t len; } cases[] = {
        {20, "F.ISI.ARPA.", 32, 12}, {40, "FOO.F.ISI.ARPA.", 46, 16}, {64, "ARPA.", 66, 6}, {92, ".", 93, 1}};
    for (auto c : cases) {
        INFO(c.name);
        auto s = dns::detail::scan_name(m, c.off, m.size());
        REQUIRE(s);
        CHECK(s->end == c.end);
        CHECK(s->length == c.len);
        CHECK(text(dns::name_view{m, c.off, *s}) == c.name);
    }
    // Label by label, following the pointer.
    auto s = dns::detail::scan_name(m, 40, m.size());
    REQUIRE(s);
    std::vector<std::string> labels;
    for (auto l : dns::name_view{m, 40, *s}) labels.emplace_back(l);
    CHECK(labels == std::vector<std::string>{"FOO", "F", "ISI", "ARPA"});
}

TEST_CASE("dns name: copy_wire gives the uncompressed form (RFC 1035 4.1.4 example)", "[dns][name]") {
    // The RFC's names written out uncompressed, label by label.
    auto m = rfc1035_example();
    // Also a name whose in-place run ends two bytes before the end of the
    // message (so a fixed 16-byte block would read past it): "BAR" + pointer to 40.
    const std::size_t bar = m.size();
    put_label(m, "BAR");
    m.push_back(std::byte{0xC0});
    m.push_back(std::byte{40});
    struct { std::size_t off; std::vector<std::string> labels; } cases[] = {
        {20, {"F", "ISI", "ARPA"}}, {40, {"FOO", "F", "ISI", "ARPA"}}, {64, {"ARPA"}}, {92, {}},
        {bar, {"BAR", "FOO", "F", "ISI", "ARPA"}}};
    for (const auto& c : cases) {
        INFO(c.off);
        std::vector<std::byte> want;
        for (const auto& l : c.labels) put_label(want, l);
        want.push_back(std::byte{0});
        auto s = dns::detail::scan_name(m, c.off, m.size());
        REQUIRE(s);
        const dns::name_view v{m, c.off, *s};
        std::vector<std::byte> exact(v.wire_length());
        REQUIRE(v.copy_wire(exact.data()) == want.size());
        CHECK(exact == want);
        std::array<std::byte, dns::max_name_len> any{};
        REQUIRE(v.copy_wire(any) == want.size());
        CHECK(std::vector<std::byte>(any.begin(), any.begin() + static_cast<std::ptrdiff_t>(want.size())) == want);
        // Through an owned copy too.
        const auto owned = dns::name_buffer::from_view(v);
        CHECK(std::vector<std::byte>(owned.wire().begin(), owned.wire().end()) == want);
        REQUIRE(owned.view().copy_wire(any) == want.size());
        CHECK(std::vector<std::byte>(any.begin(), any.begin() + static_cast<std::ptrdiff_t>(want.size())) == want);
    }
}

TEST_CASE("dns builder: compresses like the RFC 1035 4.1.4 example", "[dns][name][builder]") {
    std::vector<std::byte> buf(512);
    dns::builder b{buf, dns::header{}};
    auto f = dns::name_buffer::from_text("F.ISI.ARPA");
    auto foo = dns::name_buffer::from_text("FOO.F.ISI.ARPA");
    auto arpa = dns::name_buffer::from_text("ARPA");
    REQUIRE(f);
    REQUIRE(foo);
    REQUIRE(arpa);
    REQUIRE(b.question({f->view(), dns::rr_type::a, dns::rr_class::in}));
    REQUIRE(b.question({foo->view(), dns::rr_type::a, dns::rr_class::in}));
    REQUIRE(b.question({arpa->view(), dns::rr_type::a, dns::rr_class::in}));
    auto msg = b.finish();
    REQUIRE(msg);
    // F.ISI.ARPA at 12 in full (12 bytes) + 4; FOO + pointer to 12; pointer to 12+6.
    const auto expect = bytes({1, 'F', 3, 'I', 'S', 'I', 4, 'A', 'R', 'P', 'A', 0, 0, 1, 0, 1,
                               3, 'F', 'O', 'O', 0xC0, 12, 0, 1, 0, 1,
                               0xC0, 18, 0, 1, 0, 1});
    REQUIRE(msg->size() == 12 + expect.size());
    CHECK(std::equal(expect.begin(), expect.end(), msg->begin() + 12));
}

TEST_CASE("dns name: hostile compression pointers are rejected", "[dns][name][hostile]") {
    SECTION("pointer to itself") {
        const auto e = question_error(message_with_question(bytes({0xC0, 12, 0, 1, 0, 1})));
        CHECK(e.kind == errc::malformed);
        CHECK(e.offset == 12);
        CHECK(e.detail == "compression pointer to itself");
    }
    SECTION("pointer back into the same name (loop through a label)") {
        // 12: "a", 14: pointer to 12 -> a.a.a.a... forever without the rule.
        const auto e = question_error(message_with_question(bytes({1, 'a', 0xC0, 12, 0, 1, 0, 1})));
        CHECK(e.kind == errc::malformed);
        CHECK(e.offset == 14);
        CHECK(e.detail == "compression pointer loop");
    }
    SECTION("loop of length 2, entered through a backward pointer") {
        // 12: ptr->14, 14: ptr->12. From 14: back to 12 (allowed), then 12 -> 14 is forward.
        std::vector<std::byte> m = message_with_question(bytes({0xC0, 14, 0xC0, 12, 0, 1, 0, 1}));
        for (std::size_t start : {12u, 14u}) {
            auto s = dns::detail::scan_name(m, start, m.size());
            REQUIRE_FALSE(s);
            CHECK(s.error().kind == errc::malformed);
            CHECK(s.error().offset == 12);
            CHECK(s.error().detail == "forward compression pointer");
        }
    }
    SECTION("loop of length 3") {
        // 12 -> 16 -> 14 -> 12: entering at 16 follows 16->14->12, then 12->16 is forward.
        std::vector<std::byte> m = message_with_question(bytes({0xC0, 16, 0xC0, 12, 0xC0, 14, 0, 1, 0, 1}));
        for (std::size_t start : {12u, 14u, 16u}) {
            auto s = dns::detail::scan_name(m, start, m.size());
            REQUIRE_FALSE(s);
            CHECK(s.error().kind == errc::malformed);
        }
        auto s = dns::detail::scan_name(m, 16, m.size());
        CHECK(s.error().offset == 12);
        CHECK(s.error().detail == "forward compression pointer");
    }
    SECTION("forward pointer chain to a valid name") {
        // 12 -> 14 -> 16 -> "a." : every hop is forward; rejected at the first.
        const auto e = question_error(message_with_question(bytes({0xC0, 14, 0xC0, 16, 1, 'a', 0, 0, 1, 0, 1})));
        CHECK(e.kind == errc::malformed);
        CHECK(e.offset == 12);
        CHECK(e.detail == "forward compression pointer");
    }
    SECTION("pointer past the end of the message") {
        const auto e = question_error(message_with_question(bytes({0xC3, 0xFF, 0, 1, 0, 1})));
        CHECK(e.kind == errc::malformed);
        CHECK(e.offset == 12);
        CHECK(e.detail == "compression pointer past end of message");
    }
    SECTION("pointer cut off by the end of the message") {
        auto m = message_with_question({});
        m.push_back(std::byte{0xC0});
        m.insert(m.end(), 4, std::byte{0});  // keep the counts check happy, then cut
        m.resize(13);
        // Counts need 17 bytes, so start() rejects it before any name is read.
        auto p = dns::parser::start(m);
        REQUIRE_FALSE(p);
        CHECK(p.error().kind == errc::bad_length);
        auto s = dns::detail::scan_name(m, 12, m.size());
        REQUIRE_FALSE(s);
        CHECK(s.error().kind == errc::truncated);
        CHECK(s.error().offset == 13);
    }
    SECTION("more than max_pointer_hops backward pointers") {
        // 12: root; then a chain where each pointer points at the previous one.
        std::vector<std::byte> m = message_with_question(bytes({0}));
        for (std::size_t i = 0; i < dns::max_pointer_hops + 1; ++i) {
            const std::size_t target = i == 0 ? 12 : m.size() - 2;
            m.push_back(static_cast<std::byte>(0xC0 | (target >> 8)));
            m.push_back(static_cast<std::byte>(target & 0xFF));
        }
        // Starting at the last pointer: max_pointer_hops + 1 hops.
        auto s = dns::detail::scan_name(m, m.size() - 2, m.size());
        REQUIRE_FALSE(s);
        CHECK(s.error().kind == errc::limit_exceeded);
        // One pointer fewer is accepted: exactly max_pointer_hops hops.
        auto ok = dns::detail::scan_name(m, m.size() - 4, m.size());
        REQUIRE(ok);
        CHECK(ok->length == 1);
    }
}

TEST_CASE("dns name: label types and lengths", "[dns][name][hostile]") {
    SECTION("label type 0x40 (extended, RFC 6891 5) is rejected") {
        const auto e = question_error(message_with_question(bytes({0x41, 'a', 0, 0, 1, 0, 1})));
        CHECK(e.kind == errc::malformed);
        CHECK(e.offset == 12);
        CHECK(e.detail == "reserved label type");
    }
    SECTION("label type 0x80 (reserved) is rejected") {
        const auto e = question_error(message_with_question(bytes({1, 'a', 0x80, 0, 0, 1, 0, 1})));
        CHECK(e.kind == errc::malformed);
        CHECK(e.offset == 14);
    }
    SECTION("a label length of 64 cannot be expressed: 0x40 is a label type") {
        std::vector<std::byte> body{std::byte{64}};
        body.insert(body.end(), 64, std::byte{'x'});
        for (unsigned v : {0u, 0u, 1u, 0u, 1u}) body.push_back(static_cast<std::byte>(v));
        CHECK(question_error(message_with_question(body)).detail == "reserved label type");
    }
    SECTION("255 octets is accepted, 256 is rejected") {
        auto make = [](std::size_t last) {
            std::vector<std::byte> body;
            for (int i = 0; i < 3; ++i) put_label(body, std::string(63, 'a'));
            put_label(body, std::string(last, 'b'));
            body.push_back(std::byte{0});
            for (unsigned v : {0u, 1u, 0u, 1u}) body.push_back(static_cast<std::byte>(v));
            return message_with_question(body);
        };
        // 3*64 + (61+1) + 1 = 255
        const auto ok = make(61);
        auto p = dns::parser::start(ok);
        REQUIRE(p);
        auto q = p->question();
        REQUIRE(q);
        REQUIRE(*q);
        CHECK((*q)->name.wire_length() == 255);
        CHECK((*q)->name.label_count() == 4);
        const auto e = question_error(make(62));
        CHECK(e.kind == errc::malformed);
        CHECK(e.detail == "name longer than 255 octets");
    }
    SECTION("the 255-octet limit also holds across pointers") {
        // 12: 63a.63a.63a.root (193 octets); then 62b + pointer to 12 = 256.
        std::vector<std::byte> body;
        for (int i = 0; i < 3; ++i) put_label(body, std::string(63, 'a'));
        body.push_back(std::byte{0});
        for (unsigned v : {0u, 1u, 0u, 1u}) body.push_back(static_cast<std::byte>(v));
        const std::size_t second = 12 + body.size();
        put_label(body, std::string(62, 'b'));
        body.push_back(std::byte{0xC0});
        body.push_back(std::byte{12});
        for (unsigned v : {0u, 1u, 0u, 1u}) body.push_back(static_cast<std::byte>(v));
        auto m = message_with_question(body);
        m[5] = std::byte{2};  // QDCOUNT 2
        auto s = dns::detail::scan_name(m, second, m.size());
        REQUIRE_FALSE(s);
        CHECK(s.error().detail == "name longer than 255 octets");
    }
    SECTION("a name running off the end is truncated") {
        const auto m = message_with_question(bytes({5, 'a', 'b'}));
        auto s = dns::detail::scan_name(m, 12, m.size());
        REQUIRE_FALSE(s);
        CHECK(s.error().kind == errc::truncated);
    }
}

TEST_CASE("dns name: work stays linear on a message full of maximal names", "[dns][name][hostile]") {
    // A root label at 12, then a chain of 126 pointers each pointing at the
    // one before; then ~32K names that each point at the chain's last link,
    // so every one of them costs the maximum 127 hops.
    std::vector<std::byte> m = message_with_question(bytes({0}));
    for (int i = 0; i < 126; ++i) {
        const std::size_t target = i == 0 ? 12 : m.size() - 2;
        m.push_back(static_cast<std::byte>(0xC0 | (target >> 8)));
        m.push_back(static_cast<std::byte>(target & 0xFF));
    }
    const std::size_t last = m.size() - 2;
    const std::size_t first_name = m.size();
    while (m.size() + 2 <= 0xFFFF) {
        m.push_back(static_cast<std::byte>(0xC0 | (last >> 8)));
        m.push_back(static_cast<std::byte>(last & 0xFF));
    }
    const auto t0 = std::chrono::steady_clock::now();
    std::size_t names = 0;
    for (std::size_t off = first_name; off + 2 <= m.size(); off += 2) {
        auto s = dns::detail::scan_name(m, off, m.size());
        REQUIRE(s);
        CHECK(s->end == off + 2);
        ++names;
    }
    const auto dt = std::chrono::steady_clock::now() - t0;
    CHECK(names == (m.size() - first_name) / 2);
    // ~32K names x 127 hops is a few ms; 2 s leaves room for sanitizers.
    CHECK(dt < std::chrono::seconds(2));
}

TEST_CASE("dns name: presentation text and case-insensitive comparison", "[dns][name]") {
    auto a = dns::name_buffer::from_text("WWW.Dev.Test.");
    auto b = dns::name_buffer::from_text("www.dev.test");
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->view() == b->view());  // RFC 4343 §3
    CHECK(text(a->view()) == "WWW.Dev.Test.");
    CHECK(a->view().wire_length() == 14);
    auto c = dns::name_buffer::from_text("www.dev.tesu");
    REQUIRE(c);
    CHECK_FALSE(a->view() == c->view());

    // RFC 1035 §5.1: "\." is a dot inside a label; "\DDD" a byte.
    auto d = dns::name_buffer::from_text(R"(a\.b.c\032d\\.)");
    REQUIRE(d);
    std::vector<std::string> labels;
    for (auto l : d->view()) labels.emplace_back(l);
    CHECK(labels == std::vector<std::string>{"a.b", "c d\\"});
    CHECK(text(d->view()) == R"(a\.b.c\032d\\.)");
    // Non-printable bytes print as \DDD.
    auto e = dns::name_buffer::from_text(R"(\000\255.)");
    REQUIRE(e);
    CHECK(text(e->view()) == R"(\000\255.)");

    CHECK(text(dns::name_view{}) == ".");
    auto root = dns::name_buffer::from_text(".");
    REQUIRE(root);
    CHECK(root->view().is_root());
    CHECK(root->view() == dns::name_view{});

    CHECK_FALSE(dns::name_buffer::from_text("a..b"));
    CHECK_FALSE(dns::name_buffer::from_text(std::string(64, 'x')));
    CHECK(dns::name_buffer::from_text(std::string(63, 'x')));
    CHECK_FALSE(dns::name_buffer::from_text(R"(a\25)"));
    CHECK_FALSE(dns::name_buffer::from_text(R"(a\256)"));
    // 255 octets in wire form is the most: 3*64 + 62 + 1.
    const std::string l63(63, 'a');
    CHECK(dns::name_buffer::from_text(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'b')));
    CHECK_FALSE(dns::name_buffer::from_text(l63 + "." + l63 + "." + l63 + "." + std::string(62, 'b')));
}

namespace {
// The suffix cache must never change a result: scanning every offset of a
// message with a cache (filled as the scan goes, in two orders) gives the
// same outcome, error and values as scanning without one.
void check_cache_transparent(const std::vector<std::byte>& m) {
    for (int order = 0; order < 2; ++order) {
        dns::detail::suffix_cache cache;
        for (std::size_t k = 0; k < m.size(); ++k) {
            const std::size_t i = order == 0 ? k : m.size() - 1 - k;
            dns::detail::name_scan a, b;
            wirekit::wire_error ea, eb;
            const bool ok_a = dns::detail::scan_name_into(m, i, m.size(), a, ea, nullptr);
            const bool ok_b = dns::detail::scan_name_into(m, i, m.size(), b, eb, &cache);
            INFO("offset " << i);
            REQUIRE(ok_a == ok_b);
            if (ok_a) {
                CHECK(a.end == b.end);
                CHECK(a.length == b.length);
                CHECK(a.labels == b.labels);
            } else {
                CHECK(ea == eb);
            }
        }
    }
}
}  // namespace

TEST_CASE("dns name: the suffix cache never changes a result", "[dns][name]") {
    check_cache_transparent(rfc1035_example());
    // Names near the 255-octet limit reached through cached suffixes.
    std::vector<std::byte> m = message_with_question({});
    for (int i = 0; i < 3; ++i) put_label(m, std::string(63, 'a'));
    m.push_back(std::byte{0});                  // 193 octets at 12
    const std::size_t second = m.size();
    put_label(m, std::string(61, 'b'));          // 62 + 193 = 255: accepted
    m.push_back(std::byte{0xC0});
    m.push_back(std::byte{12});
    put_label(m, std::string(62, 'c'));          // 63 + 193 = 256: rejected
    m.push_back(std::byte{0xC0});
    m.push_back(std::byte{12});
    put_label(m, std::string(1, 'd'));           // 2 + 255 = 257 through the second name
    m.push_back(static_cast<std::byte>(0xC0 | (second >> 8)));
    m.push_back(static_cast<std::byte>(second & 0xFF));
    check_cache_transparent(m);
    // A long backward chain (hop limit through cached suffixes).
    std::vector<std::byte> c = message_with_question(bytes({0}));
    for (std::size_t i = 0; i < dns::max_pointer_hops + 3; ++i) {
        const std::size_t target = i == 0 ? 12 : c.size() - 2;
        c.push_back(static_cast<std::byte>(0xC0 | (target >> 8)));
        c.push_back(static_cast<std::byte>(target & 0xFF));
    }
    check_cache_transparent(c);
}
