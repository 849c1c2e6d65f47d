// Parser and builder: header flags, section walking and "section done",
// typed RDATA for every supported type, EDNS(0), malformed messages,
// truncation reporting, and TCP framing.
#include <catch2/catch.hpp>

#include <array>
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

dns::name_buffer name(std::string_view t) {
    auto n = dns::name_buffer::from_text(t);
    REQUIRE(n);
    return *n;
}

std::string text(const dns::name_view& n) {
    std::string s;
    n.write_text(std::back_inserter(s));
    return s;
}

// Header (ID 0xabcd, QR, given counts) followed by `body`.
std::vector<std::byte> msg(unsigned qd, unsigned an, unsigned ns, unsigned ar, std::initializer_list<unsigned> body) {
    auto m = bytes({0xab, 0xcd, 0x81, 0x80, 0, qd, 0, an, 0, ns, 0, ar});
    for (unsigned x : body) m.push_back(static_cast<std::byte>(x));
    return m;
}

}  // namespace

TEST_CASE("dns header: flags word", "[dns][header]") {
    // tshark on dns-queries.pcap frame 2: "Flags: 0x8180 Standard query
    // response, No error": QR, RD, RA set, opcode 0, rcode 0.
    dns::header h;
    h.set_flags(0x8180);
    CHECK(h.qr);
    CHECK(h.rd);
    CHECK(h.ra);
    CHECK_FALSE(h.aa);
    CHECK_FALSE(h.tc);
    CHECK(h.opcode == 0);
    CHECK(h.rcode == 0);
    CHECK(h.flags() == 0x8180);
    // Every bit position of RFC 1035 4.1.1 (and AD/CD, RFC 4035), one at a time.
    for (unsigned bit = 0; bit < 16; ++bit) {
        dns::header g;
        g.set_flags(static_cast<std::uint16_t>(1u << bit));
        CHECK(g.flags() == (1u << bit));
    }
    dns::header u;
    u.set_flags(0x2803);  // opcode 5 (UPDATE), rcode 3
    CHECK(u.opcode == 5);
    CHECK(u.rcode == 3);

    CHECK(dns::header::parse(bytes({1, 2, 3})).error().kind == errc::truncated);
}

TEST_CASE("dns parser: sections, section done, skipping", "[dns][parser]") {
    // One question "a." A IN; answers: a. A 1.2.3.4 and a. A 5.6.7.8 (owner
    // compressed to offset 12); no authority; additional: root OPT.
    const auto m = msg(1, 2, 0, 1, {1, 'a', 0, 0, 1, 0, 1,
                                    0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4,
                                    0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 5, 6, 7, 8,
                                    0, 0, 41, 0x04, 0xD0, 0, 0, 0x80, 0, 0, 0});
    SECTION("walk everything") {
        auto p = dns::parser::start(m);
        REQUIRE(p);
        CHECK(p->header().id == 0xabcd);
        auto q = p->question();
        REQUIRE(q);
        REQUIRE(*q);
        CHECK(text((*q)->name) == "a.");
        auto done = p->question();
        REQUIRE(done);
        CHECK_FALSE(*done);  // section done
        auto again = p->question();
        REQUIRE(again);
        CHECK_FALSE(*again);  // stays done
        auto h1 = p->answer_header();
        REQUIRE(h1);
        REQUIRE(*h1);
        CHECK((*h1)->ttl == 60);
        CHECK((*h1)->rdlength == 4);
        auto a1 = p->rdata_as<dns::a_rdata>();
        REQUIRE(a1);
        CHECK(a1->address == std::array<std::uint8_t, 4>{1, 2, 3, 4});
        auto h2 = p->answer_header();
        REQUIRE(h2);
        REQUIRE(*h2);
        // Asking for the wrong type is an error and leaves the record pending.
        auto wrong = p->rdata_as<dns::aaaa_rdata>();
        REQUIRE_FALSE(wrong);
        CHECK(wrong.error().kind == errc::invalid_state);
        auto a2 = p->rdata_as<dns::a_rdata>();
        REQUIRE(a2);
        CHECK(a2->address == std::array<std::uint8_t, 4>{5, 6, 7, 8});
        auto end_an = p->answer_header();
        REQUIRE(end_an);
        CHECK_FALSE(*end_an);
        auto auth = p->authority();
        REQUIRE(auth);
        CHECK_FALSE(*auth);
        auto opt = p->additional();
        REQUIRE(opt);
        REQUIRE(*opt);
        CHECK((*opt)->header.type == dns::rr_type::opt);
        REQUIRE(p->edns());
        CHECK(p->edns()->udp_payload_size == 1232);
        CHECK(p->edns()->dnssec_ok);
        auto fin = p->additional();
        REQUIRE(fin);
        CHECK_FALSE(*fin);
        CHECK(p->done());
    }
    SECTION("jump straight to the additional section") {
        auto p = dns::parser::start(m);
        REQUIRE(p);
        auto opt = p->additional_header();
        REQUIRE(opt);
        REQUIRE(*opt);
        CHECK((*opt)->type == dns::rr_type::opt);
        // Earlier sections are done now.
        auto q = p->question();
        REQUIRE(q);
        CHECK_FALSE(*q);
        auto a = p->answer();
        REQUIRE(a);
        CHECK_FALSE(*a);
    }
    SECTION("unread RDATA is skipped by the next header") {
        auto p = dns::parser::start(m);
        REQUIRE(p);
        REQUIRE(p->skip_all_questions());
        REQUIRE(p->answer_header());
        auto h2 = p->answer_header();
        REQUIRE(h2);
        REQUIRE(*h2);
        auto d = p->rdata();
        REQUIRE(d);
        CHECK(std::get<dns::a_rdata>(*d).address[0] == 5);
        REQUIRE(p->skip_all_additionals());
        CHECK(p->done());
        CHECK_FALSE(p->rdata());  // nothing pending
    }
}

TEST_CASE("dns parser: malformed messages", "[dns][parser][hostile]") {
    SECTION("counts larger than the message") {
        auto m = msg(0xFF, 0xFF, 0xFF, 0xFF, {});
        auto p = dns::parser::start(m);
        REQUIRE_FALSE(p);
        CHECK(p.error().kind == errc::bad_length);
        CHECK(p.error().offset == 4);
        // Just enough bytes for the minimum sizes, but not real records.
        auto m2 = msg(0, 1, 0, 0, {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 9});
        auto p2 = dns::parser::start(m2);
        REQUIRE(p2);
        auto r = p2->answer_header();
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == errc::truncated);  // RDLENGTH 9, no RDATA
    }
    SECTION("truncation inside RDATA") {
        auto m = msg(0, 1, 0, 0, {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 10, 0});
        auto p = dns::parser::start(m);
        REQUIRE(p);
        auto r = p->answer();
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == errc::truncated);
        CHECK(r.error().offset == m.size());
    }
    SECTION("record header cut off") {
        auto m = msg(0, 1, 0, 0, {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0});
        auto p = dns::parser::start(m);
        REQUIRE(p);
        auto r = p->answer_header();
        REQUIRE(r);  // exactly 11 bytes: root + 10 fixed, RDLENGTH 0
        auto m3 = msg(0, 1, 0, 0, {1, 'a', 0, 0, 1, 0, 1, 0, 0, 0, 0});
        auto p3 = dns::parser::start(m3);
        REQUIRE(p3);
        auto r3 = p3->answer_header();
        REQUIRE_FALSE(r3);
        CHECK(r3.error().kind == errc::truncated);
        CHECK(r3.error().detail == "record header cut off");
    }
    SECTION("OPT outside the additional section") {
        auto m = msg(0, 1, 0, 0, {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});
        auto p = dns::parser::start(m);
        REQUIRE(p);
        auto r = p->answer_header();
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == errc::malformed);
        CHECK(r.error().offset == 12);
        CHECK(r.error().detail == "OPT record outside the additional section");
        // In the authority section too, reached by skipping.
        auto m2 = msg(0, 0, 1, 0, {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});
        auto p2 = dns::parser::start(m2);
        REQUIRE(p2);
        CHECK(p2->skip_all_authorities().error().detail == "OPT record outside the additional section");
    }
    SECTION("two OPT records; OPT with a non-root owner") {
        auto m = msg(0, 0, 0, 2, {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});
        auto p = dns::parser::start(m);
        REQUIRE(p);
        REQUIRE(p->additional());
        auto r = p->additional();
        REQUIRE_FALSE(r);
        CHECK(r.error().detail == "more than one OPT record");
        CHECK(r.error().offset == 23);
        auto m2 = msg(0, 0, 0, 1, {1, 'x', 0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});
        auto p2 = dns::parser::start(m2);
        REQUIRE(p2);
        CHECK(p2->additional().error().detail == "OPT owner name is not the root");
    }
    SECTION("fixed-size RDATA of the wrong length") {
        auto m = msg(0, 1, 0, 0, {0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5});
        auto p = dns::parser::start(m);
        REQUIRE(p);
        auto r = p->answer();
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == errc::bad_length);
        CHECK(r.error().offset == 23);
        auto m2 = msg(0, 1, 0, 0, {0, 0, 28, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4});
        auto p2 = dns::parser::start(m2);
        REQUIRE(p2);
        CHECK(p2->answer().error().kind == errc::bad_length);
    }
    SECTION("a name inside RDATA must end inside RDATA") {
        // MX: preference 10, exchange "mx." but RDLENGTH 4 (needs 6).
        auto m = msg(0, 1, 0, 0, {0, 0, 15, 0, 1, 0, 0, 0, 0, 0, 4, 0, 10, 2, 'm', 'x', 0});
        auto p = dns::parser::start(m);
        REQUIRE(p);
        auto r = p->answer();
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == errc::bad_length);
        CHECK(r.error().detail == "name extends past RDATA");
        // CNAME with bytes after its name.
        auto m2 = msg(0, 1, 0, 0, {0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0});
        auto p2 = dns::parser::start(m2);
        REQUIRE(p2);
        CHECK(p2->answer().error().kind == errc::bad_length);
    }
    SECTION("TXT and OPT inner lengths") {
        auto m = msg(0, 1, 0, 0, {0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 3, 5, 'a', 'b'});
        auto p = dns::parser::start(m);
        REQUIRE(p);
        CHECK(p->answer().error().detail == "character-string overruns RDATA");
        auto m2 = msg(0, 0, 0, 1, {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 5, 0, 10, 0, 8, 1});
        auto p2 = dns::parser::start(m2);
        REQUIRE(p2);
        CHECK(p2->additional().error().detail == "EDNS option overruns RDATA");
        auto m3 = msg(0, 1, 0, 0, {0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 3, 0, 0, 'x'});
        auto p3 = dns::parser::start(m3);
        REQUIRE(p3);
        CHECK(p3->answer().error().detail == "CAA tag is empty");
    }
}

TEST_CASE("dns: every supported RDATA type round-trips through the builder", "[dns][builder][rdata]") {
    const auto owner = name("Example.test");
    const auto ns1 = name("ns1.example.test");
    const auto host = name("mail.example.test");
    const auto admin = name("hostmaster.example.test");
    const auto target = name("www.example.test");
    std::vector<std::byte> buf(1024);
    dns::header h;
    h.id = 0x4242;
    h.qr = h.aa = true;
    dns::builder b{buf, h};
    REQUIRE(b.question({owner.view(), dns::rr_type::any, dns::rr_class::in}));
    auto rr = [&](dns::rr_type t, std::uint32_t ttl = 300) {
        dns::rr_header x;
        x.name = owner.view();
        x.type = t;
        x.cls = dns::rr_class::in;
        x.ttl = ttl;
        return x;
    };
    // RFC 8659 §4.1.1 example: 0 issue "ca.example.net".
    const std::string_view ca = "ca.example.net";
    // RFC 3597 §5 example: TYPE731 \# 6 abcd ef 01 23 45.
    const auto opaque = bytes({0xab, 0xcd, 0xef, 0x01, 0x23, 0x45});
    REQUIRE(b.answer(rr(dns::rr_type::a), dns::a_rdata{{192, 0, 2, 1}}));
    REQUIRE(b.answer(rr(dns::rr_type::aaaa), dns::aaaa_rdata{{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}));
    REQUIRE(b.answer(rr(dns::rr_type::ns), dns::ns_rdata{ns1.view()}));
    REQUIRE(b.answer(rr(dns::rr_type::mx), dns::mx_rdata{10, host.view()}));
    REQUIRE(b.answer(rr(dns::rr_type::soa), dns::soa_rdata{ns1.view(), admin.view(), 2024010101, 7200, 3600, 1209600, 300}));
    const std::string_view strings[] = {"v=spf1 -all", "", "third \"quoted\""};
    REQUIRE(b.txt(dns::section::answer, rr(dns::rr_type::txt), strings));
    REQUIRE(b.answer(rr(dns::rr_type::srv), dns::srv_rdata{1, 5, 443, target.view()}));
    REQUIRE(b.answer(rr(dns::rr_type::caa), dns::caa_rdata{0, "issue", wirekit::as_bytes(ca)}));
    REQUIRE(b.answer(rr(static_cast<dns::rr_type>(731)), dns::unknown_rdata{opaque}));
    REQUIRE(b.authority(rr(dns::rr_type::cname), dns::cname_rdata{target.view()}));
    REQUIRE(b.authority(rr(dns::rr_type::ptr), dns::ptr_rdata{target.view()}));
    dns::edns_info e;
    e.udp_payload_size = 4096;
    e.dnssec_ok = true;
    e.extended_rcode = 1;  // with header RCODE 0: BADVERS (16), RFC 6891 §6.1.3
    const auto cookie = bytes({0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8});  // COOKIE (RFC 7873), 8-byte client cookie
    REQUIRE(b.opt(e, cookie));
    auto out = b.finish();
    REQUIRE(out);

    auto p = dns::parser::start(*out);
    REQUIRE(p);
    CHECK(p->header().id == 0x4242);
    CHECK(p->header().aa);
    CHECK(p->header().qdcount == 1);
    CHECK(p->header().ancount == 9);
    CHECK(p->header().nscount == 2);
    CHECK(p->header().arcount == 1);
    REQUIRE(p->question());
    auto next = [&]() {
        auto r = p->answer();
        REQUIRE(r);
        REQUIRE(*r);
        return **r;
    };
    auto a = next();
    CHECK(a.header.name == owner.view());
    CHECK(text(a.header.name) == "Example.test.");  // case preserved
    CHECK(std::get<dns::a_rdata>(a.data).address == std::array<std::uint8_t, 4>{192, 0, 2, 1});
    CHECK(std::get<dns::aaaa_rdata>(next().data).address[15] == 1);
    CHECK(text(std::get<dns::ns_rdata>(next().data).nsdname) == "ns1.example.test.");
    auto mx = std::get<dns::mx_rdata>(next().data);
    CHECK(mx.preference == 10);
    CHECK(text(mx.exchange) == "mail.example.test.");
    auto soa = std::get<dns::soa_rdata>(next().data);
    CHECK(text(soa.mname) == "ns1.example.test.");
    CHECK(text(soa.rname) == "hostmaster.example.test.");
    CHECK(soa.serial == 2024010101);
    CHECK(soa.refresh == 7200);
    CHECK(soa.retry == 3600);
    CHECK(soa.expire == 1209600);
    CHECK(soa.minimum == 300);
    std::vector<std::string> txt;
    const auto txt_rr = next();
    for (auto s : std::get<dns::txt_rdata>(txt_rr.data)) txt.emplace_back(s);
    CHECK(txt == std::vector<std::string>{"v=spf1 -all", "", "third \"quoted\""});
    auto srv_rr = next();
    auto srv = std::get<dns::srv_rdata>(srv_rr.data);
    CHECK(srv.priority == 1);
    CHECK(srv.weight == 5);
    CHECK(srv.port == 443);
    CHECK(text(srv.target) == "www.example.test.");
    CHECK(srv_rr.header.rdlength == 6 + 18);  // RFC 2782: target never compressed
    auto caa = std::get<dns::caa_rdata>(next().data);
    CHECK(caa.flags == 0);
    CHECK(caa.tag == "issue");
    CHECK(wirekit::as_chars(caa.value) == ca);
    auto unk = next();
    CHECK(static_cast<unsigned>(unk.header.type) == 731);
    CHECK(std::get<dns::unknown_rdata>(unk.data) == dns::unknown_rdata{opaque});
    auto done = p->answer();
    REQUIRE(done);
    CHECK_FALSE(*done);
    auto cn = p->authority();
    REQUIRE(cn);
    REQUIRE(*cn);
    CHECK((*cn)->header.rdlength == 2);  // fully compressed: pointer to the SRV target
    CHECK(text(std::get<dns::cname_rdata>((*cn)->data).cname) == "www.example.test.");
    auto ptr = p->authority();
    REQUIRE(ptr);
    REQUIRE(*ptr);
    auto opt = p->additional();
    REQUIRE(opt);
    REQUIRE(*opt);
    REQUIRE(p->edns());
    CHECK(*p->edns() == e);
    CHECK(p->edns()->full_rcode(p->header().rcode) == static_cast<unsigned>(dns::rcode::badvers));
    int n = 0;
    for (auto o : std::get<dns::opt_rdata>((*opt)->data)) {
        CHECK(o.code == 10);
        CHECK(o.data.size() == 8);
        ++n;
    }
    CHECK(n == 1);
}

TEST_CASE("dns builder: truncation, ordering and consistency", "[dns][builder]") {
    const auto owner = name("www.example.test");
    dns::rr_header h;
    h.name = owner.view();
    h.ttl = 60;
    SECTION("no_space leaves the builder as it was, TC can be set") {
        // header 12 + question 22 + first A record 16 (compressed owner) = 50.
        std::vector<std::byte> buf(60);
        dns::builder b{buf, dns::header{}};
        REQUIRE(b.question({owner.view(), dns::rr_type::a, dns::rr_class::in}));
        REQUIRE(b.answer(h, dns::a_rdata{{10, 0, 0, 1}}));
        CHECK(b.size() == 50);
        auto r = b.answer(h, dns::a_rdata{{10, 0, 0, 2}});
        REQUIRE_FALSE(r);
        CHECK(r.error().kind == errc::no_space);
        CHECK(b.size() == 50);
        b.set_truncated();
        auto out = b.finish();
        REQUIRE(out);
        auto p = dns::parser::start(*out);
        REQUIRE(p);
        CHECK(p->header().tc);
        CHECK(p->header().ancount == 1);
        REQUIRE(p->skip_all_additionals());
        CHECK(p->done());
    }
    SECTION("buffer smaller than a header") {
        std::vector<std::byte> buf(8);
        dns::builder b{buf, dns::header{}};
        CHECK(b.question({owner.view(), dns::rr_type::a, dns::rr_class::in}).error().kind == errc::no_space);
        CHECK(b.finish().error().kind == errc::no_space);
    }
    SECTION("sections must come in order") {
        std::vector<std::byte> buf(512);
        dns::builder b{buf, dns::header{}};
        REQUIRE(b.additional(h, dns::a_rdata{}));
        CHECK(b.answer(h, dns::a_rdata{}).error().kind == errc::invalid_state);
        CHECK(b.question({owner.view(), dns::rr_type::a, dns::rr_class::in}).error().kind == errc::invalid_state);
    }
    SECTION("RDATA must match TYPE; OPT rules") {
        std::vector<std::byte> buf(512);
        dns::builder b{buf, dns::header{}};
        h.type = dns::rr_type::aaaa;
        CHECK(b.answer(h, dns::a_rdata{}).error().kind == errc::malformed);
        dns::rr_header o;
        o.type = dns::rr_type::opt;
        CHECK(b.answer(o, dns::opt_rdata{}).error().detail == "OPT record outside the additional section");
        REQUIRE(b.opt(dns::edns_info{}));
        CHECK(b.opt(dns::edns_info{}).error().detail == "more than one OPT record");
        o.name = owner.view();
        auto out = b.finish();
        REQUIRE(out);
        auto p = dns::parser::start(*out);
        REQUIRE(p);
        CHECK(p->header().ancount == 0);  // the failed records left no trace
        CHECK(p->header().arcount == 1);
    }
}

TEST_CASE("dns tcp: framing over arbitrary pieces", "[dns][tcp]") {
    // Two tiny messages (12-byte headers, IDs 1 and 2) back to back.
    auto stream = bytes({0, 12, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                         0, 12, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    for (std::size_t cut1 = 0; cut1 <= stream.size(); ++cut1) {
        for (std::size_t cut2 = cut1; cut2 <= stream.size(); ++cut2) {
            std::array<std::byte, 64> storage{};
            dns::tcp_reader r{storage};
            std::vector<unsigned> ids;
            const bytes_view whole{stream};
            for (auto piece : {whole.subspan(0, cut1), whole.subspan(cut1, cut2 - cut1), whole.subspan(cut2)}) {
                while (!piece.empty()) {
                    auto s = r.feed(piece);
                    REQUIRE(s);
                    REQUIRE(s->consumed > 0);
                    piece = piece.subspan(s->consumed);
                    if (s->message) {
                        REQUIRE(s->message->size() == 12);
                        auto h = dns::header::parse(*s->message);
                        ids.push_back(h->id);
                    }
                }
            }
            CHECK(ids == std::vector<unsigned>{1, 2});
            CHECK(r.idle());
        }
    }
    SECTION("a whole message inside one piece is not copied") {
        std::array<std::byte, 64> storage{};
        dns::tcp_reader r{storage};
        auto s = r.feed(stream);
        REQUIRE(s);
        REQUIRE(s->message);
        CHECK(s->message->data() == stream.data() + 2);
        CHECK(s->consumed == 14);
    }
    SECTION("bad lengths") {
        std::array<std::byte, 64> storage{};
        dns::tcp_reader r{storage};
        auto s = r.feed(bytes({0, 11}));
        REQUIRE_FALSE(s);
        CHECK(s.error().kind == errc::malformed);
        dns::tcp_reader r2{storage};
        auto s2 = r2.feed(bytes({0, 65}));
        REQUIRE_FALSE(s2);
        CHECK(s2.error().kind == errc::limit_exceeded);
    }
    SECTION("length prefix writer") {
        std::array<std::byte, 2> out{};
        REQUIRE(dns::write_tcp_length(out, 0x1234));
        CHECK(out[0] == std::byte{0x12});
        CHECK(out[1] == std::byte{0x34});
        CHECK(dns::write_tcp_length(out, 70000).error().kind == errc::limit_exceeded);
    }
}
