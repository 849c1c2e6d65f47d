// The test-support SHA-256 (tests/support/sha256.hpp) that the simulation
// compares streams with: FIPS 180-4's own examples, and agreement with
// coreutils' sha256sum on a long stream fed in uneven pieces.
#include <catch2/catch.hpp>

#include "sim.hpp"
#include "support/run_command.hpp"
#include "support/sha256.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

using wirekit::test::sha256;

namespace {
std::string hash_of(std::string_view text) {
    sha256 h;
    h.update(text);
    return sha256::hex(h.digest());
}
}  // namespace

TEST_CASE("SHA-256: NIST FIPS 180-4 example vectors") {
    // NIST CSRC "Examples with intermediate values", SHA256.pdf (one block,
    // two blocks) and SHA-256 of the empty string and of a million 'a'
    // (FIPS 180-2 Appendix B.3).
    CHECK(hash_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hash_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hash_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha256 million;
    const std::string a(1000, 'a');
    for (int i = 0; i < 1000; ++i) million.update(a);
    CHECK(sha256::hex(million.digest()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256: padding boundaries (55, 56, 63, 64, 65 bytes) agree with one-shot hashing") {
    // Lengths around the 56-byte padding limit, fed whole and byte by byte.
    for (std::size_t n : {55u, 56u, 63u, 64u, 65u, 119u, 120u, 128u}) {
        const std::string s(n, 'q');
        sha256 bytewise;
        for (char c : s) bytewise.update(std::string_view(&c, 1));
        CHECK(sha256::hex(bytewise.digest()) == hash_of(s));
    }
}

TEST_CASE("SHA-256: a simulation stream agrees with coreutils sha256sum") {
    // 1 MiB + 13 bytes of the harness's byte stream, hashed in uneven pieces,
    // written to a file and hashed by sha256sum.
    if (wirekit::test::run_command("sha256sum --version > /dev/null 2>&1").status != 0) {
        WARN("sha256sum not installed: skipped");
        return;
    }
    std::vector<std::byte> data((1u << 20) + 13);
    wirekit::test::tcp_sim::byte_stream src(42);
    std::size_t at = 0;
    for (std::size_t piece = 1; at < data.size(); piece = piece * 3 + 1) {  // 1, 4, 13, 40, ... bytes
        const std::size_t n = std::min(piece % 70000 + 1, data.size() - at);
        src.fill(std::span(data).subspan(at, n));
        at += n;
    }
    sha256 h;
    at = 0;
    for (std::size_t piece = 7; at < data.size(); piece += 997) {
        const std::size_t n = std::min(piece, data.size() - at);
        h.update(std::span<const std::byte>(data).subspan(at, n));
        at += n;
    }
    const std::string path = std::string(WIREKIT_BINARY_DIR) + "/fsm_tcp_sha256_stream.bin";
    {
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
        REQUIRE(out);
    }
    const auto r = wirekit::test::run_command("sha256sum " + path);
    std::remove(path.c_str());
    REQUIRE(r.status == 0);
    CHECK(r.out.substr(0, 64) == sha256::hex(h.digest()));
}
