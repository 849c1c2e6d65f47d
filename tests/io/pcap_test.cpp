// pcap backend: reading every capture in tests/data (pcap, and pcapng made
// by editcap at test time), writing, filters and errors. The truth is
// tshark, run at test time on the same files, and libpcap via tcpdump.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "io_test_util.hpp"
#include "support/pcap_file.hpp"
#include "wirekit/io/memory_pipe.hpp"
#include "wirekit/io/middleware.hpp"
#include "wirekit/io/pcap.hpp"

using namespace std::chrono_literals;
namespace io = wirekit::io;
namespace test = wirekit::test;

namespace {

const char* const captures[] = {"arp-ping.pcap",   "dns-queries.pcap",      "dns-tcp.pcap",   "http-big.pcap",
                                "http-conditional.pcap", "http-get.pcap", "http-keepalive.pcap", "http-post.pcap",
                                "icmp-frag.pcap",  "tcp-echo.pcap",         "tcp-lossy.pcap", "udp-uppercase.pcap"};

struct record {
    std::vector<std::byte> data;
    io::timestamp time{};
    std::size_t wire_len = 0;
};

std::vector<record> read_all(const std::string& path, const std::string& filter = {}) {
    auto r = io::pcap_reader::open(path, filter);
    REQUIRE(r);
    std::vector<record> out;
    for (;;) {
        auto f = r->receive();
        REQUIRE(f);
        if (!*f) break;
        out.push_back({std::vector<std::byte>((*f)->data.begin(), (*f)->data.end()), (*f)->time, (*f)->wire_len});
    }
    CHECK(r->at_end());
    return out;
}

// tshark's frame.len and frame.time_epoch (nanoseconds) per frame.
std::vector<std::pair<std::size_t, long long>> tshark_frames(const std::string& path) {
    std::vector<std::pair<std::size_t, long long>> rows;
    for (const auto& l : test::lines(test::run("tshark -n -r " + path + " -T fields -e frame.len -e frame.time_epoch 2>/dev/null"))) {
        const auto f = test::split(l, '\t');
        REQUIRE(f.size() == 2);
        const auto dot = f[1].find('.');
        std::string frac = f[1].substr(dot + 1);
        frac.resize(9, '0');
        rows.emplace_back(std::stoul(f[0]), std::stoll(f[1].substr(0, dot)) * 1'000'000'000LL + std::stoll(frac));
    }
    return rows;
}

std::string tmp(const std::string& name) { return "/tmp/wk-io-" + std::to_string(::getpid()) + "-" + name; }

}  // namespace

TEST_CASE("pcap_reader: every capture reads as tshark sees it (count, lengths, timestamps)", "[io][pcap][tshark]") {
    for (const char* name : captures) {
        INFO(name);
        const auto path = test::data_path(name);
        const auto frames = read_all(path);
        const auto ref = tshark_frames(path);
        REQUIRE(frames.size() == ref.size());
        REQUIRE(!frames.empty());
        for (std::size_t i = 0; i < frames.size(); ++i) {
            CHECK(frames[i].wire_len == ref[i].first);
            CHECK(frames[i].time.count() == ref[i].second);
        }
        auto r = io::pcap_reader::open(path);
        REQUIRE(r);
        CHECK(r->capabilities().link == io::link_type::ethernet);
        CHECK(!r->capabilities().can_transmit);
        CHECK(r->transmit({}).error().kind == io::io_errc::unsupported);
    }
}

TEST_CASE("pcap_reader: pcapng (converted by editcap) reads the same frames as pcap", "[io][pcap][pcapng]") {
    for (const char* name : {"dns-queries.pcap", "http-get.pcap", "icmp-frag.pcap"}) {
        INFO(name);
        const auto ng = tmp(std::string(name) + "ng");
        int st = 0;
        test::run("editcap -F pcapng " + test::data_path(name) + " " + ng, &st);
        REQUIRE(st == 0);
        // It really is pcapng: the Section Header Block type 0x0A0D0D0A.
        std::ifstream in(ng, std::ios::binary);
        unsigned char magic[4] = {};
        in.read(reinterpret_cast<char*>(magic), 4);
        CHECK((magic[0] == 0x0a && magic[1] == 0x0d && magic[2] == 0x0d && magic[3] == 0x0a));
        const auto a = read_all(test::data_path(name));
        const auto b = read_all(ng);
        REQUIRE(a.size() == b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            CHECK(a[i].data == b[i].data);
            CHECK(a[i].time == b[i].time);
        }
        std::remove(ng.c_str());
    }
}

TEST_CASE("pcap_reader: a BPF filter keeps what tcpdump keeps", "[io][pcap][bpf]") {
    for (const char* filter : {"udp port 53", "tcp[tcpflags] & tcp-syn != 0", "arp or icmp", "ip[6:2] & 0x3fff != 0"}) {
        for (const char* name : {"dns-queries.pcap", "http-get.pcap", "arp-ping.pcap", "icmp-frag.pcap"}) {
            INFO(name << " / " << filter);
            const auto path = test::data_path(name);
            const auto ours = read_all(path, filter);
            const auto ref = test::lines(test::run("tcpdump -n -r " + path + " '" + filter + "' 2>/dev/null"));
            CHECK(ours.size() == ref.size());
        }
    }
    auto bad = io::pcap_reader::open(test::data_path("arp-ping.pcap"), "port port");
    REQUIRE(!bad);
    CHECK(bad.error().kind == io::io_errc::bad_filter);
    CHECK(!bad.error().message.empty());
}

TEST_CASE("pcap_reader: missing, foreign and truncated files give clear errors", "[io][pcap][errors]") {
    auto missing = io::pcap_reader::open("/nonexistent/x.pcap");
    REQUIRE(!missing);
    CHECK(missing.error().kind == io::io_errc::no_device);

    const auto junk = tmp("junk.pcap");
    std::ofstream(junk) << "this is not a capture file at all, just text\n";
    auto j = io::pcap_reader::open(junk);
    REQUIRE(!j);
    CHECK(j.error().kind == io::io_errc::bad_file);
    CHECK(j.error().what().find("pcap_open_offline") != std::string::npos);

    // Cut http-get.pcap in the middle of its 5th record: 4 frames, then an error.
    const auto full = test::read_pcap("http-get.pcap");
    std::size_t cut = 24;
    for (int i = 0; i < 4; ++i) cut += 16 + full[static_cast<std::size_t>(i)].data.size();
    cut += 16 + 10;
    std::ifstream src(test::data_path("http-get.pcap"), std::ios::binary);
    std::vector<char> bytes(cut);
    src.read(bytes.data(), static_cast<std::streamsize>(cut));
    const auto trunc = tmp("trunc.pcap");
    std::ofstream(trunc, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(cut));
    auto r = io::pcap_reader::open(trunc);
    REQUIRE(r);
    std::size_t ok = 0;
    bool failed = false;
    for (int guard = 0; guard < 100; ++guard) {
        auto f = r->receive();
        if (!f) {
            CHECK(f.error().kind == io::io_errc::bad_file);
            failed = true;
            break;
        }
        if (!*f) break;
        ++ok;
    }
    CHECK(ok == 4);
    CHECK(failed);
    std::remove(junk.c_str());
    std::remove(trunc.c_str());
}

TEST_CASE("pcap_writer: a written file is what tshark and libpcap read back", "[io][pcap][writer][tshark]") {
    const auto src = read_all(test::data_path("tcp-echo.pcap"));
    const auto out = tmp("written.pcap");
    {
        auto w = io::pcap_writer::open(out);
        REQUIRE(w);
        for (const auto& f : src) w->write(f.data, f.time, f.wire_len);
        CHECK(w->written() == src.size());
        REQUIRE(w->flush());
    }
    const auto back = read_all(out);
    REQUIRE(back.size() == src.size());
    for (std::size_t i = 0; i < src.size(); ++i) {
        CHECK(back[i].data == src[i].data);
        CHECK(back[i].time == src[i].time);
    }
    // tshark decodes the same TCP conversation from it.
    CHECK(test::run("tshark -n -r " + out + " -T fields -e tcp.seq_raw -e tcp.len 2>/dev/null") ==
          test::run("tshark -n -r " + test::data_path("tcp-echo.pcap") + " -T fields -e tcp.seq_raw -e tcp.len 2>/dev/null"));
    // Nanosecond timestamps survive (the file has magic a1b23c4d).
    {
        auto w = io::pcap_writer::open(out);
        REQUIRE(w);
        w->write(src[0].data, io::timestamp(1'700'000'000'123'456'789LL));
    }
    CHECK(test::run("tshark -r " + out + " -T fields -e frame.time_epoch 2>/dev/null").rfind("1700000000.123456789", 0) == 0);
    auto bad = io::pcap_writer::open("/nonexistent/dir/x.pcap");
    CHECK(!bad);
    std::remove(out.c_str());
}

TEST_CASE("middleware: tracer, recorder and fault injector over a memory_pipe", "[io][middleware]") {
    const auto frames = read_all(test::data_path("http-get.pcap"));
    io::memory_pipe pipe;
    const auto out = tmp("recorded.pcap");
    std::vector<std::string> lines;
    {
        auto w = io::pcap_writer::open(out);
        REQUIRE(w);
        io::recorder rec(pipe.b(), *w);
        io::tracer tr(rec, [&](io::direction d, wirekit::bytes_view f) {
            lines.push_back((d == io::direction::rx ? "rx " : "tx ") + io::summarize(f));
        });
        static_assert(io::frame_device<decltype(tr)>);
        for (const auto& f : frames) REQUIRE(pipe.a().transmit(f.data));
        for (;;) {
            auto r = tr.receive();
            REQUIRE(r);
            if (!*r) break;
        }
        REQUIRE(tr.transmit(frames[0].data));
    }
    REQUIRE(lines.size() == frames.size() + 1);
    CHECK(lines[0].rfind("rx ", 0) == 0);
    CHECK(lines.back().rfind("tx ", 0) == 0);
    // Frame 3 is an ARP request for 10.66.0.2 from 10.66.0.1 (tshark), frame 5
    // the SYN: both are summarised through their layers.
    CHECK(lines[2].find("10.66.0.2") != std::string::npos);
    CHECK(lines[4].find("10.66.0.1 > 10.66.0.2") != std::string::npos);
    const auto recorded = read_all(out);
    REQUIRE(recorded.size() == frames.size() + 1);
    for (std::size_t i = 0; i < frames.size(); ++i) CHECK(recorded[i].data == frames[i].data);
    CHECK(test::lines(test::run("tshark -n -r " + out + " 2>/dev/null")).size() == frames.size() + 1);
    std::remove(out.c_str());

    // Fault injector: transmit-side loss over many frames, statistically.
    io::memory_pipe p2;
    io::fault_injector fi(p2.a(), io::impairments{}, io::impairments{.loss = 0.25, .duplicate = 0.1}, 99);
    constexpr std::size_t n = 20000;
    for (std::size_t i = 0; i < n; ++i) REQUIRE(fi.transmit(frames[0].data));
    std::size_t got = 0;
    for (;;) {
        auto r = p2.b().receive();
        REQUIRE(r);
        if (!*r) break;
        ++got;
    }
    const double expected = n * 0.75 * 1.1;
    CHECK(std::abs(static_cast<double>(got) - expected) < 5 * std::sqrt(n * 0.25));
    CHECK(fi.tx_stats().lost + fi.tx_stats().delivered - fi.tx_stats().duplicated == n);
    CHECK(got == fi.tx_stats().delivered);
}
