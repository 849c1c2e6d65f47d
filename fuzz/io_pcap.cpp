// Fuzz target: the pcap reading path on arbitrary file bytes — libpcap's
// pcap/pcapng readers behind io::pcap_reader (opened on fmemopen'd input),
// then every frame through dissect(), checksum verification and the
// tracer's one-line summary. Must never crash, hang or read out of bounds.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "wirekit/io/middleware.hpp"
#include "wirekit/io/pcap.hpp"
#include "wirekit/wire/dissect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    std::FILE* f = ::fmemopen(const_cast<std::uint8_t*>(data), size, "rb");
    if (!f) return 0;
    auto r = wirekit::io::pcap_reader::open(f);
    if (!r) return 0;
    (void)r->capabilities();
    for (int i = 0; i < 4096; ++i) {  // bounded: libpcap stops at the end of the bytes anyway
        auto fr = r->receive();
        if (!fr || !*fr) break;
        const auto bytes = (*fr)->data;
        auto d = wirekit::dissect(bytes);
        if (d) (void)wirekit::verify_checksums(*d);
        (void)wirekit::io::summarize(bytes);
    }
    return 0;
}
