// The memory-demo example: two stacks over a lossy memory_pipe, one serving
// a file over TCP and the other downloading it. Independent truth: the
// system's sha256sum over the bytes the client wrote out, and tshark's own
// TCP reassembly ("follow,tcp,raw") of the pcap the demo wrote, which must
// hash to the same SHA-256 as the served file, with retransmissions that
// tshark itself recognises.
#include <catch2/catch.hpp>

#include "support/run_command.hpp"

#include <cstdio>
#include <regex>
#include <string>
#include <unistd.h>

namespace {

std::string demo_path() { return std::string(WIREKIT_BINARY_DIR) + "/examples/memory-demo"; }

std::string field(const std::string& out, const std::string& name) {
    std::smatch m;
    const std::regex re("  " + name + " +([^\\n]*)");
    return std::regex_search(out, m, re) ? m[1].str() : std::string{};
}

bool have(const char* tool) { return wirekit::test::run_command(std::string("command -v ") + tool + " >/dev/null 2>&1").status == 0; }

}  // namespace

TEST_CASE("memory-demo downloads a file intact under 5% loss and tshark reassembles the same bytes from its pcap",
          "[stack][example]") {
    const std::string dir = "/tmp/wirekit-memory-demo-" + std::to_string(::getpid());
    const std::string pcap = dir + ".pcap";
    const std::string bin = dir + ".bin";
    const auto r = wirekit::test::run_command(demo_path() + " --size 1048576 --loss 0.05 --seed 3 --pcap " + pcap +
                                              " --write-received " + bin);
    INFO(r.out);
    REQUIRE(r.status == 0);
    CHECK(field(r.out, "intact") == "yes");
    CHECK(field(r.out, "received") == "1048576 bytes");
    const std::string served = field(r.out, "sha-256 served");
    REQUIRE(served.size() == 64);
    CHECK(field(r.out, "sha-256 received") == served);

    if (have("sha256sum")) {
        const auto s = wirekit::test::run_command("sha256sum " + bin);
        CHECK(s.out.substr(0, 64) == served);
    } else {
        WARN("sha256sum not found: skipping the independent hash");
    }

    if (!have("tshark")) {
        WARN("tshark not found: skipping the pcap checks");
    } else {
        // One TCP conversation, client port <-> 10.0.0.1:8080.
        const auto conv = wirekit::test::run_command("tshark -r " + pcap + " -q -z conv,tcp 2>/dev/null");
        std::smatch m;
        CHECK(std::regex_search(conv.out, m, std::regex(R"(10\.0\.0\.2:\d+ +<-> 10\.0\.0\.1:8080)")));
        // tshark's reassembly of the server's direction (indented lines of follow raw) hashes to the served file.
        const auto follow = wirekit::test::run_command(
            "tshark -r " + pcap + " -q -z follow,tcp,raw,0 2>/dev/null | grep -P '^\\t[0-9a-f]+$' | tr -d '\\t' | xxd -r -p | sha256sum");
        CHECK(follow.out.substr(0, 64) == served);
        // The loss was real: tshark sees retransmissions.
        const auto rtx = wirekit::test::run_command("tshark -r " + pcap + " -Y tcp.analysis.retransmission 2>/dev/null | wc -l");
        CHECK(std::stoul(rtx.out) > 0);
        // And no malformed packets or bad checksums by tshark's own dissectors.
        const auto bad = wirekit::test::run_command("tshark -r " + pcap +
                                                    " -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE "
                                                    "-Y '_ws.malformed || tcp.checksum.status == 0 || ip.checksum.status == 0' 2>/dev/null | wc -l");
        CHECK(std::stoul(bad.out) == 0);
        const auto good = wirekit::test::run_command("tshark -r " + pcap + " -o tcp.check_checksum:TRUE -Y 'tcp.checksum.status == 1' 2>/dev/null | wc -l");
        CHECK(std::stoul(good.out) > 500);  // the checksum filter really ran
    }
    std::remove(pcap.c_str());
    std::remove(bin.c_str());
}
