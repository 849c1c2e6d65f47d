// Test helpers for the L2-L4 suite: rebuild a captured frame from its reprs,
// write frames to a pcap file, and run tshark on it.
#pragma once

#include <pcap/pcap.h>

#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/pcap_file.hpp"
#include "wirekit/wire/craft.hpp"
#include "wirekit/wire/dissect.hpp"

namespace wirekit::test {

/// Writes `frames` to a pcap file (DLT_EN10MB) at `path`.
inline void write_pcap(const std::string& path, const std::vector<std::vector<std::byte>>& frames) {
    pcap_t* p = pcap_open_dead(DLT_EN10MB, 65535);
    pcap_dumper_t* d = pcap_dump_open(p, path.c_str());
    if (!d) throw std::runtime_error("pcap_dump_open failed");
    long i = 0;
    for (const auto& f : frames) {
        pcap_pkthdr h{};
        h.ts.tv_sec = ++i;
        h.caplen = h.len = static_cast<bpf_u_int32>(f.size());
        pcap_dump(reinterpret_cast<u_char*>(d), &h, reinterpret_cast<const u_char*>(f.data()));
    }
    pcap_dump_close(d);
    pcap_close(p);
}

/// Runs tshark with `options` and `fields` on `path`; returns one row per frame.
inline std::vector<std::map<std::string, std::string>> tshark_rows(const std::string& path, const std::string& options,
                                                                    const std::vector<std::string>& fields) {
    std::string cmd = "tshark -r '" + path + "' " + options + " -T fields -E occurrence=a -E aggregator=,";
    for (const auto& f : fields) cmd += " -e " + f;
    cmd += " 2>/dev/null";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run tshark");
    std::string out;
    char buf[65536];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    if (pclose(pipe) != 0) throw std::runtime_error("tshark failed");
    std::vector<std::map<std::string, std::string>> rows;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        std::map<std::string, std::string> r;
        std::size_t start = 0;
        for (const auto& f : fields) {
            auto tab = line.find('\t', start);
            r[f] = line.substr(start, tab == std::string::npos ? std::string::npos : tab - start);
            start = tab == std::string::npos ? line.size() : tab + 1;
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

/// Every capture in tests/data.
inline const std::vector<std::string>& all_captures() {
    static const std::vector<std::string> c = {"arp-ping.pcap",  "dns-queries.pcap", "dns-tcp.pcap",
                                               "http-big.pcap",  "http-conditional.pcap", "http-get.pcap",
                                               "http-keepalive.pcap", "http-post.pcap", "icmp-frag.pcap",
                                               "tcp-echo.pcap",  "tcp-lossy.pcap",   "udp-uppercase.pcap"};
    return c;
}

}  // namespace wirekit::test
