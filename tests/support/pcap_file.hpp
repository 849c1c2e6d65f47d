// Test helper: reads every frame of a capture in tests/data/ through libpcap.
#pragma once

#include <pcap/pcap.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace wirekit::test {

/// One captured frame: its bytes and timestamp (seconds, microseconds).
struct frame {
    std::vector<std::byte> data;
    long sec = 0;
    long usec = 0;
};

/// Path of a file in tests/data/.
inline std::string data_path(const std::string& name) {
    return std::string(WIREKIT_TEST_DATA_DIR) + "/" + name;
}

/// All frames of tests/data/<name>, in capture order. Throws on I/O errors
/// (test code only).
inline std::vector<frame> read_pcap(const std::string& name) {
    char err[PCAP_ERRBUF_SIZE] = {};
    pcap_t* p = pcap_open_offline(data_path(name).c_str(), err);
    if (!p) throw std::runtime_error(std::string("pcap_open_offline: ") + err);
    std::vector<frame> out;
    pcap_pkthdr* h = nullptr;
    const u_char* d = nullptr;
    while (pcap_next_ex(p, &h, &d) == 1) {
        frame f;
        f.data.assign(reinterpret_cast<const std::byte*>(d), reinterpret_cast<const std::byte*>(d) + h->caplen);
        f.sec = h->ts.tv_sec;
        f.usec = h->ts.tv_usec;
        out.push_back(std::move(f));
    }
    pcap_close(p);
    return out;
}

}  // namespace wirekit::test
