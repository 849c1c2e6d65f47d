// wirekit-dump against tshark: on every capture in tests/data, every field
// of `wirekit-dump --json` must equal what `tshark -T fields` prints for the
// same frame (tshark run now, with checksum verification and out-of-order
// TCP reassembly switched on, so both sides verify and reassemble). Plus the
// tool's behaviour on bad input.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "io_test_util.hpp"
#include "support/pcap_file.hpp"
#include "wirekit/checksum/internet.hpp"

namespace test = wirekit::test;

namespace {

const char* const field_names[] = {
    "frame.number", "frame.len", "eth.src", "eth.dst", "eth.type", "vlan.id", "arp.opcode", "arp.src.proto_ipv4",
    "arp.dst.proto_ipv4", "ip.src", "ip.dst", "ip.id", "ip.flags.df", "ip.flags.mf", "ip.frag_offset", "ip.ttl",
    "ip.proto", "ip.checksum.status", "ipv6.src", "ipv6.dst", "ipv6.nxt", "icmp.type", "icmp.code", "icmp.seq",
    "icmpv6.type", "udp.srcport", "udp.dstport", "udp.length", "udp.checksum.status", "tcp.srcport", "tcp.dstport",
    "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.window_size_value", "tcp.len", "tcp.checksum.status",
    "tcp.options.mss_val", "tcp.options.wscale.shift", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr",
    "dns.id", "dns.flags.response", "dns.flags.rcode", "dns.qry.name", "dns.qry.type", "dns.a", "dns.aaaa",
    "dns.cname", "dns.mx.mail_exchange", "dns.resp.ttl", "http.request.method", "http.request.uri",
    "http.request.version", "http.response.code", "http.host", "http.content_length"};

std::string dump_path() { return std::string(WIREKIT_BINARY_DIR) + "/examples/wirekit-dump"; }

// A parser for the flat JSON objects wirekit-dump prints: keys to a number, a
// string, or an array of those. Values come back as tshark would print them:
// arrays joined with ','.
std::map<std::string, std::string> parse_line(const std::string& s) {
    std::map<std::string, std::string> out;
    std::size_t i = 0;
    auto ws = [&] { while (i < s.size() && s[i] == ' ') ++i; };
    auto expect = [&](char c) { ws(); REQUIRE(i < s.size()); REQUIRE(s[i] == c); ++i; };
    auto scalar = [&]() -> std::string {
        ws();
        REQUIRE(i < s.size());
        std::string v;
        if (s[i] == '"') {
            ++i;
            while (i < s.size() && s[i] != '"') {
                if (s[i] == '\\') {
                    ++i;
                    REQUIRE(i < s.size());
                    if (s[i] == 'u') { v += static_cast<char>(std::stoi(s.substr(i + 1, 4), nullptr, 16)); i += 5; continue; }
                }
                v += s[i++];
            }
            expect('"');
            return v;
        }
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '-')) v += s[i++];
        REQUIRE(!v.empty());
        return v;
    };
    expect('{');
    ws();
    if (s[i] == '}') return out;
    for (;;) {
        const std::string key = scalar();
        expect(':');
        ws();
        std::string value;
        if (s[i] == '[') {
            ++i;
            for (bool first = true;; first = false) {
                ws();
                if (s[i] == ']') { ++i; break; }
                if (!first) expect(',');
                if (!value.empty() || !first) value += ',';
                value += scalar();
            }
        } else {
            value = scalar();
        }
        out[key] = value;
        ws();
        if (s[i] == '}') break;
        expect(',');
    }
    return out;
}

std::vector<std::string> captures() {
    std::vector<std::string> names;
    DIR* d = ::opendir(WIREKIT_TEST_DATA_DIR);
    REQUIRE(d);
    while (auto* e = ::readdir(d)) {
        const std::string n = e->d_name;
        if (n.size() > 5 && (n.ends_with(".pcap") || n.ends_with(".pcapng"))) names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

// Compares every field of every frame of `path`; returns the number of
// non-empty values compared.
std::size_t compare_with_tshark(const std::string& path) {
    std::string efields;
    for (const char* f : field_names) efields += std::string(" -e ") + f;
    int st = 0;
    const auto ours = test::lines(test::run(dump_path() + " -r " + path + " --json", &st));
    REQUIRE(st == 0);
    const auto ref = test::lines(test::run(
        "tshark -n -r " + path +
        " -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE"
        " -o tcp.reassemble_out_of_order:TRUE -T fields -E occurrence=a -E aggregator=, " + efields + " 2>/dev/null"));
    REQUIRE(ours.size() == ref.size());
    REQUIRE(!ref.empty());
    std::size_t compared = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const auto obj = parse_line(ours[i]);
        const auto cols = test::split(ref[i], '\t');
        REQUIRE(cols.size() == std::size(field_names));
        for (std::size_t k = 0; k < cols.size(); ++k) {
            const auto it = obj.find(field_names[k]);
            const std::string mine = it == obj.end() ? "" : it->second;
            INFO("frame " << i + 1 << " field " << field_names[k]);
            CHECK(mine == cols[k]);
            if (!cols[k].empty()) ++compared;
        }
        CHECK(obj.count("_ws.malformed") == 0);
    }
    return compared;
}

// Rewrites a capture frame by frame through `edit` into a temporary pcap.
template <class Edit>
std::string rewrite(const std::string& name, const std::string& tag, Edit edit) {
    const auto frames = test::read_pcap(name);
    const auto out = "/tmp/wk-dump-" + tag + "-" + std::to_string(::getpid()) + "-" + name;
    pcap_t* dead = pcap_open_dead(DLT_EN10MB, 262144);
    pcap_dumper_t* d = pcap_dump_open(dead, out.c_str());
    REQUIRE(d);
    for (auto f : frames) {
        edit(f.data);
        pcap_pkthdr h{};
        h.ts.tv_sec = f.sec;
        h.ts.tv_usec = static_cast<suseconds_t>(f.usec);
        h.caplen = h.len = static_cast<bpf_u_int32>(f.data.size());
        pcap_dump(reinterpret_cast<u_char*>(d), &h, reinterpret_cast<const u_char*>(f.data.data()));
    }
    pcap_dump_close(d);
    pcap_close(dead);
    return out;
}

}  // namespace

TEST_CASE("wirekit-dump --json agrees with tshark -T fields on every capture in tests/data", "[io][dump][tshark]") {
    REQUIRE(::access(dump_path().c_str(), X_OK) == 0);  // build the wirekit-dump example first
    const auto names = captures();
    REQUIRE(names.size() >= 12);
    for (const auto& name : names) {
        INFO(name);
        const auto frames = test::read_pcap(name).size();
        CHECK(compare_with_tshark(test::data_path(name)) > frames * 5);  // the comparison covers real content
    }
}

TEST_CASE("wirekit-dump --json agrees with tshark on VLAN-tagged and checksum-damaged variants", "[io][dump][tshark]") {
    REQUIRE(::access(dump_path().c_str(), X_OK) == 0);
    // An 802.1Q tag (TPID 0x8100, PCP 5, VID 42) inserted after the MAC addresses of every frame.
    for (const char* name : {"dns-queries.pcap", "http-get.pcap", "icmp-frag.pcap", "arp-ping.pcap"}) {
        INFO(name << " with a VLAN tag");
        const auto path = rewrite(name, "vlan", [](std::vector<std::byte>& f) {
            const std::byte tag[4] = {std::byte{0x81}, std::byte{0x00}, std::byte{0xa0}, std::byte{0x2a}};
            f.insert(f.begin() + 12, tag, tag + 4);
        });
        CHECK(compare_with_tshark(path) > 0);
        CHECK(test::run(dump_path() + " -r " + path + " --json").find("\"vlan.id\": 42") != std::string::npos);
        std::remove(path.c_str());
    }
    // Damaged checksums: one bit of the UDP payload, or of the IPv4 TTL, flipped.
    std::size_t damaged = 0;
    {
        const auto path = rewrite("udp-uppercase.pcap", "badudp", [&](std::vector<std::byte>& f) {
            f.back() ^= std::byte{0x01};
            ++damaged;
        });
        compare_with_tshark(path);
        CHECK(test::run(dump_path() + " -r " + path + " --stats").find("checksum failures: " + std::to_string(damaged)) != std::string::npos);
        std::remove(path.c_str());
    }
    {
        const auto path = rewrite("arp-ping.pcap", "badip", [](std::vector<std::byte>& f) {
            if (f.size() > 22 && f[12] == std::byte{0x08} && f[13] == std::byte{0x00}) f[22] ^= std::byte{0x01};  // TTL
        });
        compare_with_tshark(path);
        std::remove(path.c_str());
    }
}

TEST_CASE("wirekit-dump --json agrees with tshark on IPv6 versions of the TCP and UDP captures", "[io][dump][tshark][ipv6]") {
    REQUIRE(::access(dump_path().c_str(), X_OK) == 0);
    // Each IPv4 TCP/UDP frame becomes IPv6 (RFC 8200 §3): 10.66.0.x → fd00::10.66.0.x,
    // hop limit = TTL, the transport bytes unchanged but for a checksum recomputed
    // over the IPv6 pseudo-header (RFC 8200 §8.1). tshark verifies those checksums.
    auto to_v6 = [](std::vector<std::byte>& f) {
        if (f.size() < 34 || f[12] != std::byte{0x08} || f[13] != std::byte{0x00}) return;
        const std::size_t ihl = (std::to_integer<std::size_t>(f[14]) & 0xf) * 4;
        const std::size_t total = std::to_integer<std::size_t>(f[16]) << 8 | std::to_integer<std::size_t>(f[17]);
        const auto proto = std::to_integer<std::uint8_t>(f[23]);
        if (proto != 6 && proto != 17) return;
        std::vector<std::byte> transport(f.begin() + static_cast<std::ptrdiff_t>(14 + ihl), f.begin() + static_cast<std::ptrdiff_t>(14 + total));
        std::array<std::byte, 16> src{}, dst{};
        src[0] = dst[0] = std::byte{0xfd};
        for (int i = 0; i < 4; ++i) {
            src[12 + static_cast<std::size_t>(i)] = f[26 + static_cast<std::size_t>(i)];
            dst[12 + static_cast<std::size_t>(i)] = f[30 + static_cast<std::size_t>(i)];
        }
        const std::size_t ck = proto == 6 ? 16 : 6;
        transport[ck] = transport[ck + 1] = std::byte{0};
        std::uint16_t sum = wirekit::ipv6_transport_checksum(src, dst, proto, transport);
        if (proto == 17) sum = wirekit::udp_checksum_to_wire(sum);
        transport[ck] = std::byte(static_cast<unsigned char>(sum >> 8));
        transport[ck + 1] = std::byte(static_cast<unsigned char>(sum));
        std::vector<std::byte> out(f.begin(), f.begin() + 12);
        const unsigned char hdr[8] = {0x86, 0xdd, 0x60, 0, 0, 0, static_cast<unsigned char>(transport.size() >> 8),
                                      static_cast<unsigned char>(transport.size())};
        for (auto c : hdr) out.push_back(std::byte{c});
        out.push_back(std::byte{proto});
        out.push_back(f[22]);  // hop limit = TTL
        out.insert(out.end(), src.begin(), src.end());
        out.insert(out.end(), dst.begin(), dst.end());
        out.insert(out.end(), transport.begin(), transport.end());
        f = std::move(out);
    };
    for (const char* name : {"tcp-echo.pcap", "udp-uppercase.pcap", "dns-queries.pcap", "dns-tcp.pcap", "http-keepalive.pcap"}) {
        INFO(name << " over IPv6");
        const auto path = rewrite(name, "v6", to_v6);
        CHECK(compare_with_tshark(path) > 0);
        const auto json = test::run(dump_path() + " -r " + path + " --json");
        CHECK(json.find("\"ipv6.src\": \"fd00::a42:1\"") != std::string::npos);
        CHECK(json.find("checksum.status\": 0") == std::string::npos);  // every checksum verifies
        std::remove(path.c_str());
    }
}

TEST_CASE("wirekit-dump: default, -V, --stats, -c, -f and -w", "[io][dump]") {
    const auto dump = dump_path();
    REQUIRE(::access(dump.c_str(), X_OK) == 0);
    const auto path = test::data_path("http-get.pcap");
    int st = 0;
    const auto lines = test::lines(test::run(dump + " -r " + path, &st));
    CHECK(st == 0);
    REQUIRE(lines.size() == 15);
    CHECK(lines[7].find("HTTP GET /hello.html") != std::string::npos);
    CHECK(lines[9].find("HTTP 200") != std::string::npos);

    CHECK(test::lines(test::run(dump + " -r " + path + " -c 4")).size() == 4);
    // -f: the same frames as tcpdump with the same BPF expression.
    CHECK(test::lines(test::run(dump + " -r " + path + " -f 'tcp port 80'")).size() ==
          test::lines(test::run("tcpdump -n -r " + path + " 'tcp port 80' 2>/dev/null")).size());
    const auto tree = test::run(dump + " -r " + path + " -V -c 5");
    CHECK(tree.find("ttl") != std::string::npos);
    CHECK(tree.find("Frame 5") != std::string::npos);

    const auto stats = test::run(dump + " -r " + test::data_path("icmp-frag.pcap") + " --stats");
    CHECK(stats.find("frames: 12") != std::string::npos);
    CHECK(stats.find("reassembled IPv4 datagrams: 4") != std::string::npos);  // 4 pings of 3 fragments (captures README)
    CHECK(stats.find("checksum failures: 0") != std::string::npos);

    // -w: the written file holds exactly the frames read.
    const auto out = "/tmp/wk-dump-" + std::to_string(::getpid()) + ".pcap";
    test::run(dump + " -r " + path + " -f tcp --stats -w " + out, &st);
    CHECK(st == 0);
    std::vector<test::frame> written;
    {
        char errbuf[PCAP_ERRBUF_SIZE] = {};
        pcap_t* p = pcap_open_offline(out.c_str(), errbuf);
        REQUIRE(p);
        pcap_pkthdr* h = nullptr;
        const u_char* d = nullptr;
        while (pcap_next_ex(p, &h, &d) == 1)
            written.push_back({std::vector<std::byte>(reinterpret_cast<const std::byte*>(d), reinterpret_cast<const std::byte*>(d) + h->caplen)});
        pcap_close(p);
    }
    const auto original = test::read_pcap("http-get.pcap");
    std::vector<test::frame> tcp_only;
    for (const auto& f : original)
        if (f.data.size() > 23 && f.data[12] == std::byte{0x08} && f.data[13] == std::byte{0x00} && f.data[23] == std::byte{6})
            tcp_only.push_back(f);
    REQUIRE(written.size() == tcp_only.size());
    for (std::size_t i = 0; i < written.size(); ++i) CHECK(written[i].data == tcp_only[i].data);
    std::remove(out.c_str());
}

TEST_CASE("wirekit-dump: bad input — malformed frames decode as far as they go - bad files exit 1", "[io][dump][errors]") {
    const auto dump = dump_path();
    REQUIRE(::access(dump.c_str(), X_OK) == 0);
    int st = 0;
    auto err = test::run(dump + " -r /nonexistent.pcap 2>&1", &st);
    CHECK(st == 1);
    CHECK(err.find("/nonexistent.pcap") != std::string::npos);
    const auto junk = "/tmp/wk-dump-junk-" + std::to_string(::getpid());
    std::ofstream(junk) << "not a capture";
    err = test::run(dump + " -r " + junk + " 2>&1", &st);
    CHECK(st == 1);
    test::run(dump + " 2>&1", &st);
    CHECK(st == 2);

    // A capture whose 5th frame (a TCP SYN) is cut inside the TCP header:
    // Ethernet and IPv4 still decode, then the error names the layer and offset.
    auto frames = test::read_pcap("tcp-echo.pcap");
    REQUIRE(frames.size() == 10);
    const auto bad = "/tmp/wk-dump-bad-" + std::to_string(::getpid()) + ".pcap";
    {
        pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
        pcap_dumper_t* d = pcap_dump_open(dead, bad.c_str());
        REQUIRE(d);
        for (std::size_t i = 0; i < frames.size(); ++i) {
            auto& f = frames[i];
            if (i == 0) f.data.resize(14 + 20 + 10);  // SYN cut 10 bytes into TCP
            pcap_pkthdr h{};
            h.ts.tv_sec = f.sec;
            h.ts.tv_usec = static_cast<suseconds_t>(f.usec);
            h.caplen = h.len = static_cast<bpf_u_int32>(f.data.size());
            pcap_dump(reinterpret_cast<u_char*>(d), &h, reinterpret_cast<const u_char*>(f.data.data()));
        }
        pcap_dump_close(d);
        pcap_close(dead);
    }
    const auto json = test::lines(test::run(dump + " -r " + bad + " --json", &st));
    CHECK(st == 0);
    REQUIRE(json.size() == 10);
    CHECK(json[0].find("\"ip.src\": \"10.66.0.1\"") != std::string::npos);
    CHECK(json[0].find("\"_ws.malformed\": \"") != std::string::npos);
    CHECK(json[0].find("\"tcp.srcport\"") == std::string::npos);
    // The error is the IPv4 layer's: Total Length says 60, only 30 bytes follow.
    CHECK(json[0].find("ipv4 truncated") != std::string::npos);
    CHECK(json[1].find("_ws.malformed") == std::string::npos);
    CHECK(test::run(dump + " -r " + bad + " --stats").find("malformed: 1") != std::string::npos);
    std::remove(bad.c_str());
    std::remove(junk.c_str());
}
