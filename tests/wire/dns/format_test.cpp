// Presentation format: zone-file lines (RFC 1035 §5.1), RFC 3597 generic
// TYPE/CLASS/RDATA, RFC 5952 IPv6 text, RFC 8659 CAA, and the dig-like dump
// of a captured response (values as tshark shows them for that frame).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "wirekit/wire/dns/dns.hpp"
#include "wirekit/wire/dns/format.hpp"
#include "wire/dns/dns_test_util.hpp"

namespace dns = wirekit::dns;
using wirekit::bytes_view;

namespace {

dns::name_buffer name(std::string_view t) {
    auto n = dns::name_buffer::from_text(t);
    REQUIRE(n);
    return *n;
}

std::string v6(std::initializer_list<unsigned> groups) {
    dns::aaaa_rdata r;
    std::size_t i = 0;
    for (unsigned g : groups) {
        r.address[i++] = static_cast<std::uint8_t>(g >> 8);
        r.address[i++] = static_cast<std::uint8_t>(g & 0xFF);
    }
    return fmt::format("{}", dns::rdata{r});
}

}  // namespace

TEST_CASE("dns format: zone-file lines", "[dns][format]") {
    const auto www = name("www.example.test.");
    dns::resource r;
    r.header.name = www.view();
    r.header.type = dns::rr_type::a;
    r.header.ttl = 300;
    r.data = dns::a_rdata{{10, 0, 0, 1}};
    // The line given in the issue text.
    CHECK(fmt::format("{}", r) == "www.example.test. 300 IN A 10.0.0.1");
    CHECK(fmt::format("{}", dns::question{www.view(), dns::rr_type::aaaa, dns::rr_class::in}) ==
          "www.example.test. IN AAAA");

    const auto mail = name("mail.example.test");
    r.header.type = dns::rr_type::mx;
    r.data = dns::mx_rdata{10, mail.view()};
    CHECK(fmt::format("{}", r) == "www.example.test. 300 IN MX 10 mail.example.test.");

    // RFC 8659 §4.1.1: CAA 0 issue "ca.example.net"
    r.header.type = dns::rr_type::caa;
    r.data = dns::caa_rdata{0, "issue", wirekit::as_bytes(std::string_view{"ca.example.net"})};
    CHECK(fmt::format("{}", r.data) == "0 issue \"ca.example.net\"");

    // RFC 3597 §5: "e.example. CLASS32 TYPE731 \# 6 abcd ef 01 23 45"
    // (hex digits may be grouped and in either case; wirekit prints one group).
    const auto e = name("e.example.");
    const auto opaque = wirekit::test::dns::from_hex("abcdef012345");
    dns::resource u{{e.view(), static_cast<dns::rr_type>(731), static_cast<dns::rr_class>(32), 0, 6},
                    dns::unknown_rdata{opaque}};
    CHECK(fmt::format("{}", u) == "e.example. 0 CLASS32 TYPE731 \\# 6 ABCDEF012345");
    CHECK(fmt::format("{}", dns::rdata{dns::unknown_rdata{}}) == "\\# 0");

    // TXT: quoted, '"' and '\' escaped, non-printables as \DDD (RFC 1035 §5.1).
    const auto txt_wire = wirekit::test::dns::from_hex("0568656c6c6f 03 61225c 01 0a");  // "hello", a"\, "\n"
    CHECK(fmt::format("{}", dns::rdata{dns::txt_rdata{txt_wire}}) == R"("hello" "a\"\\" "\010")");

    // SOA (RFC 1035 §3.3.13 field order).
    const auto ns = name("ns.example.test"), hm = name("hostmaster.example.test");
    CHECK(fmt::format("{}", dns::rdata{dns::soa_rdata{ns.view(), hm.view(), 1, 2, 3, 4, 5}}) ==
          "ns.example.test. hostmaster.example.test. 1 2 3 4 5");
    CHECK(fmt::format("{}", dns::rdata{dns::srv_rdata{0, 0, 80, www.view()}}) == "0 0 80 www.example.test.");
}

TEST_CASE("dns format: IPv6 text per RFC 5952", "[dns][format]") {
    CHECK(v6({0x2001, 0xdb8, 0, 0, 0, 0, 2, 1}) == "2001:db8::2:1");           // §4.2.1, §4.3 lower case
    CHECK(v6({0x2001, 0xdb8, 0, 1, 1, 1, 1, 1}) == "2001:db8:0:1:1:1:1:1");    // §4.2.2: one 0 stays
    CHECK(v6({0x2001, 0, 0, 1, 0, 0, 0, 1}) == "2001:0:0:1::1");               // §4.2.3: longest run
    CHECK(v6({0x2001, 0xdb8, 0, 0, 1, 0, 0, 1}) == "2001:db8::1:0:0:1");       // §4.2.3: first of equal runs
    CHECK(v6({0, 0, 0, 0, 0, 0, 0, 0}) == "::");
    CHECK(v6({0, 0, 0, 0, 0, 0, 0, 1}) == "::1");
    CHECK(v6({0xfd00, 0, 0, 0, 0, 0, 0, 0}) == "fd00::");
    CHECK(v6({0xfd00, 0, 0, 0, 0, 0, 0, 2}) == "fd00::2");  // tshark, dns-queries.pcap frame 4
}

TEST_CASE("dns format: dig-like dump of a captured CNAME response", "[dns][format][capture]") {
    // dns-queries.pcap frame 8: tshark shows id 0x4de3, flags 0x8180, question
    // web.dev.test A, answers web.dev.test CNAME www.dev.test (TTL 600) and
    // www.dev.test A 10.66.0.2 (TTL 600), and an OPT with UDP size 1232.
    std::vector<std::byte> m;
    for (auto& p : wirekit::test::dns::transport_payloads("dns-queries.pcap"))
        if (p.frame_number == 8) m = p.bytes;
    REQUIRE_FALSE(m.empty());
    std::string out;
    auto r = dns::format_message(std::back_inserter(out), m);
    REQUIRE(r);
    const std::string expect =
        ";; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 19939\n"  // 0x4de3
        ";; flags: qr rd ra; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1\n"
        "\n;; OPT PSEUDOSECTION:\n"
        "; EDNS: version: 0, flags:; udp: 1232\n"
        "\n;; QUESTION SECTION:\n"
        ";web.dev.test.\tIN\tA\n"
        "\n;; ANSWER SECTION:\n"
        "web.dev.test.\t600\tIN\tCNAME\twww.dev.test.\n"
        "www.dev.test.\t600\tIN\tA\t10.66.0.2\n";
    CHECK(out == expect);

    // A malformed message reports the parse error.
    m.resize(40);
    std::string junk;
    auto bad = dns::format_message(std::back_inserter(junk), m);
    REQUIRE_FALSE(bad);
}
