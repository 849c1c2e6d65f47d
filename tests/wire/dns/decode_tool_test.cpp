// The wirekit-decode example: JSON with Wireshark field names for a captured
// SRV response (values from tshark for dns-queries.pcap frame 12), and the
// error object with exit status 1 for a malformed message.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/run_command.hpp"

namespace {

using wirekit::test::run_result;
run_result run(const std::string& cmd) { return wirekit::test::run_command(cmd); }

const std::string tool = std::string(WIREKIT_BINARY_DIR) + "/examples/wirekit-decode";
const std::string corpus = std::string(WIREKIT_SOURCE_DIR) + "/fuzz/corpus/dns/";

}  // namespace

TEST_CASE("wirekit-decode dns: captured SRV response", "[dns][tool]") {
    REQUIRE(std::filesystem::exists(tool));  // built with the examples (a dependency of this suite)
    // fuzz/corpus/dns/udp-frame12.bin is the UDP payload of frame 12.
    const auto r = run(tool + " dns < " + corpus + "udp-frame12.bin");
    CHECK(r.status == 0);
    // tshark: dns.id 0x2af7, dns.srv.priority 0, weight 0, port 80, target www.dev.test
    CHECK(r.out.find("\"dns.id\": 10999") != std::string::npos);
    CHECK(r.out.find("\"dns.flags.response\": true") != std::string::npos);
    CHECK(r.out.find("\"dns.count.answers\": 1") != std::string::npos);
    CHECK(r.out.find("\"dns.srv.port\": 80") != std::string::npos);
    CHECK(r.out.find("\"dns.srv.priority\": 0") != std::string::npos);
    CHECK(r.out.find("\"dns.srv.target\": \"www.dev.test.\"") != std::string::npos);
    CHECK(r.out.find("\"dns.rr.udp_payload_size\": 1232") != std::string::npos);
    // The same bytes as hex.
    const auto h = run("xxd -p " + corpus + "udp-frame12.bin | " + tool + " dns --hex");
    CHECK(h.status == 0);
    CHECK(h.out == r.out);
}

TEST_CASE("wirekit-decode dns: malformed input", "[dns][tool]") {
    REQUIRE(std::filesystem::exists(tool));  // built with the examples (a dependency of this suite)
    const auto r = run(tool + " dns < " + corpus + "hostile-self-pointer.bin");
    CHECK(r.status == 1);
    CHECK(r.out.find("\"error\"") != std::string::npos);
    CHECK(r.out.find("\"kind\": \"malformed\"") != std::string::npos);
    CHECK(r.out.find("\"offset\": 12") != std::string::npos);
    const auto t = run("printf '1234' | " + tool + " dns --hex");
    CHECK(t.status == 1);
    CHECK(t.out.find("\"kind\": \"truncated\"") != std::string::npos);
    CHECK(run(tool + " nosuchkind < /dev/null 2>/dev/null").status == 2);
}
