// Test helpers for the DNS suite: payload extraction from captures (a minimal
// Ethernet/IPv4/UDP/TCP offset walk, test code only), tshark field queries,
// and hex conversion.
#pragma once

#include <cstddef>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/pcap_file.hpp"

namespace wirekit::test::dns {

inline unsigned u8(const std::vector<std::byte>& d, std::size_t i) { return std::to_integer<unsigned>(d.at(i)); }
inline unsigned u16(const std::vector<std::byte>& d, std::size_t i) { return (u8(d, i) << 8) | u8(d, i + 1); }

/// One transport payload from a capture.
struct payload {
    std::size_t frame_number = 0;  ///< 1-based, as tshark counts
    bool tcp = false;
    unsigned src_port = 0;
    unsigned dst_port = 0;
    std::vector<std::byte> bytes;
};

/// UDP and TCP payloads of every IPv4 frame of tests/data/<file> (frames
/// without payload are skipped). Ethernet II only, as the captures are.
inline std::vector<payload> transport_payloads(const std::string& file) {
    std::vector<payload> out;
    const auto frames = read_pcap(file);
    for (std::size_t n = 0; n < frames.size(); ++n) {
        const auto& d = frames[n].data;
        if (d.size() < 14 + 20 || u16(d, 12) != 0x0800) continue;
        const std::size_t ip = 14;
        const std::size_t ihl = (u8(d, ip) & 0x0F) * 4u;
        const std::size_t ip_total = u16(d, ip + 2);
        const unsigned proto = u8(d, ip + 9);
        const std::size_t l4 = ip + ihl;
        const std::size_t ip_end = ip + ip_total;
        payload p;
        p.frame_number = n + 1;
        p.src_port = u16(d, l4);
        p.dst_port = u16(d, l4 + 2);
        std::size_t data_at = 0;
        std::size_t data_end = ip_end;
        if (proto == 17) {
            data_at = l4 + 8;
            data_end = l4 + u16(d, l4 + 4);
        } else if (proto == 6) {
            p.tcp = true;
            data_at = l4 + (u8(d, l4 + 12) >> 4) * 4u;
        } else {
            continue;
        }
        if (data_at >= data_end) continue;
        p.bytes.assign(d.begin() + static_cast<std::ptrdiff_t>(data_at), d.begin() + static_cast<std::ptrdiff_t>(data_end));
        out.push_back(std::move(p));
    }
    return out;
}

/// Runs tshark on tests/data/<file> and returns, per frame number, the
/// values of `fields` (occurrences joined by ','; empty when absent).
inline std::map<std::size_t, std::map<std::string, std::string>> tshark_fields(const std::string& file,
                                                                               const std::vector<std::string>& fields) {
    std::string cmd = "tshark -r '" + data_path(file) +
                      "' -T fields -E separator=/t -E occurrence=a -E aggregator=, -e frame.number";
    for (const auto& f : fields) cmd += " -e " + f;
    cmd += " 2>/dev/null";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run tshark");
    std::string all;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) all.append(buf, n);
    if (pclose(pipe) != 0) throw std::runtime_error("tshark failed (is it installed? scripts/setup.sh)");
    std::map<std::size_t, std::map<std::string, std::string>> out;
    std::istringstream lines(all);
    std::string line;
    while (std::getline(lines, line)) {
        std::vector<std::string> cols;
        std::size_t start = 0;
        for (;;) {
            const auto tab = line.find('\t', start);
            cols.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        if (cols.size() != fields.size() + 1) throw std::runtime_error("unexpected tshark output: " + line);
        auto& row = out[std::stoul(cols[0])];
        for (std::size_t i = 0; i < fields.size(); ++i) row[fields[i]] = cols[i + 1];
    }
    return out;
}

/// Bytes from a hex string (whitespace ignored).
inline std::vector<std::byte> from_hex(const std::string& hex) {
    std::vector<std::byte> out;
    int hi = -1;
    for (char c : hex) {
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<std::byte>(hi * 16 + v));
            hi = -1;
        }
    }
    return out;
}

}  // namespace wirekit::test::dns
