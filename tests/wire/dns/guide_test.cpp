// The examples of docs/dns.md, compiled and checked, so the guide stays true.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <array>
#include <string>

#include "wirekit/wire/dns/dns.hpp"
#include "wirekit/wire/dns/format.hpp"

namespace dns = wirekit::dns;

TEST_CASE("docs/dns.md: building, then parsing with both call styles", "[dns][guide]") {
    std::array<std::byte, 512> buf{};
    dns::header h;
    h.id = 0x1234;
    h.qr = h.rd = h.ra = true;
    dns::builder b{buf, h};
    auto www = *dns::name_buffer::from_text("www.example.test.");
    REQUIRE(b.question({www.view(), dns::rr_type::a, dns::rr_class::in}));
    dns::rr_header rr{www.view(), dns::rr_type::a, dns::rr_class::in, 300};
    REQUIRE(b.answer(rr, dns::a_rdata{{10, 0, 0, 1}}));
    REQUIRE(b.opt(dns::edns_info{.udp_payload_size = 1232}));
    wirekit::result<wirekit::bytes_view> msg = b.finish();
    REQUIRE(msg);
    // RFC 1035 sizes: header 12; question 18 (www.example.test.) + 4;
    // answer: pointer 2 + 10 + RDATA 4; OPT: root 1 + 10.
    CHECK(msg->size() == 12 + 22 + 16 + 11);

    auto p = dns::parser::start(*msg);
    REQUIRE(p);
    CHECK(p->header().id == 0x1234);
    auto q = p->question();
    REQUIRE(q);
    REQUIRE(*q);
    CHECK(fmt::format("{}", **q) == "www.example.test. IN A");
    auto a = p->answer();
    REQUIRE(a);
    REQUIRE(*a);
    CHECK(fmt::format("{}", **a) == "www.example.test. 300 IN A 10.0.0.1");
    auto opt = p->additional_header();
    REQUIRE(opt);
    REQUIRE(*opt);
    REQUIRE(p->edns());
    CHECK(p->edns()->udp_payload_size == 1232);

    dns::parser p2;
    dns::resource r;
    wirekit::wire_error err;
    using outcome = dns::parser::outcome;
    REQUIRE(p2.reset(*msg));
    int n = 0;
    while (p2.next_record(dns::section::answer, r, err) == outcome::entry) ++n;
    CHECK(n == 1);  // the question was skipped on the way
    CHECK(p2.next_record(dns::section::answer, r, err) == outcome::section_done);
    CHECK(p2.next_header(dns::section::question, r.header, err) == outcome::error);
    CHECK(err.kind == wirekit::errc::invalid_state);

    // for_each_record (docs/dns.md, "Every record in one call").
    dns::parser p3;
    dns::question q3;
    REQUIRE(p3.reset(*msg));
    while (p3.next_question(q3, err) == outcome::entry) CHECK(q3.name == www.view());
    std::array<std::uint8_t, 4> addr{};
    int records = 0;
    CHECK(p3.for_each_record(
        [&](dns::section, const dns::resource& rec) {
            ++records;
            if (auto* a4 = std::get_if<dns::a_rdata>(&rec.data)) addr = a4->address;
        },
        err));
    CHECK(records == 2);  // the A record and the OPT record
    CHECK(addr == std::array<std::uint8_t, 4>{10, 0, 0, 1});
    CHECK(p3.done());
    REQUIRE(p3.edns());
    CHECK(p3.edns()->udp_payload_size == 1232);

    auto odd = dns::name_buffer::from_text(R"(a\.b.c\032d.)");
    REQUIRE(odd);
    std::string labels;
    for (std::string_view l : odd->view()) labels += std::string(l) + "|";
    CHECK(labels == "a.b|c d|");
}
