// No over-reads: every prefix of every captured message (and of the hostile
// seeds) is placed so that it ends exactly at a PROT_NONE page, then parsed,
// formatted and deframed. Any read past the end crashes the test.
#include <catch2/catch.hpp>

#include <array>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "wirekit/wire/dns/dns.hpp"
#include "wirekit/wire/dns/format.hpp"
#include "wire/dns/dns_test_util.hpp"

namespace dns = wirekit::dns;

namespace {

// Two pages, the second inaccessible.
struct guarded {
    std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::byte* base = nullptr;
    guarded() {
        void* p = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(p != MAP_FAILED);
        base = static_cast<std::byte*>(p);
        REQUIRE(mprotect(base + page, page, PROT_NONE) == 0);
    }
    ~guarded() { munmap(base, 2 * page); }
    // Copies `b` so that its last byte is the last readable one.
    wirekit::bytes_view place(const std::vector<std::byte>& b, std::size_t n) {
        std::byte* at = base + page - n;
        if (n) std::memcpy(at, b.data(), n);
        return {at, n};
    }
};

void exercise(wirekit::bytes_view m) {
    auto p = dns::parser::start(m);
    if (p) {
        for (;;) {
            auto q = p->question();
            if (!q || !*q) break;
            std::string s;
            (*q)->name.write_text(std::back_inserter(s));
        }
        for (int sec = 0; sec < 3; ++sec) {
            for (;;) {
                auto r = sec == 0 ? p->answer() : sec == 1 ? p->authority() : p->additional();
                if (!r || !*r) break;
                (void)fmt::format("{}", **r);
            }
        }
    }
    // The record walker (parser::for_each_record), names copied out.
    dns::parser w;
    if (w.reset(m)) {
        wirekit::wire_error err;
        std::array<std::byte, dns::max_name_len> wire;
        (void)w.for_each_record([&](dns::section, const dns::resource& r) { (void)r.header.name.copy_wire(wire); }, err);
    }
    std::string dump;
    (void)dns::format_message(std::back_inserter(dump), m);
    std::vector<std::byte> storage(65535);
    dns::tcp_reader t{storage};
    (void)t.feed(m);
}

}  // namespace

TEST_CASE("dns: no read past the end of any prefix of real and hostile messages", "[dns][hostile]") {
    std::vector<std::vector<std::byte>> inputs;
    for (auto& p : wirekit::test::dns::transport_payloads("dns-queries.pcap")) inputs.push_back(p.bytes);
    for (auto& p : wirekit::test::dns::transport_payloads("dns-tcp.pcap")) inputs.push_back(p.bytes);
    const std::filesystem::path corpus = std::filesystem::path(WIREKIT_SOURCE_DIR) / "fuzz" / "corpus" / "dns";
    for (const auto& e : std::filesystem::directory_iterator(corpus)) {
        std::ifstream in(e.path(), std::ios::binary);
        std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<std::byte> b(c.size());
        std::memcpy(b.data(), c.data(), c.size());
        inputs.push_back(b);
    }
    REQUIRE(inputs.size() >= 18);
    guarded g;
    std::size_t runs = 0;
    for (const auto& in : inputs) {
        for (std::size_t n = 0; n <= in.size(); ++n) {
            exercise(g.place(in, n));
            ++runs;
        }
    }
    CHECK(runs > 1000);
}
