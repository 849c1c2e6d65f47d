// Fuzz target: the pcap reading path on arbitrary file bytes — libpcap's
// pcap/pcapng readers behind io::pcap_reader (opened on fmemopen'd input),
// then every frame through dissect(), checksum verification and the
// tracer's one-line summary. Must never crash, hang or read out of bounds.
//
// Fuzz targets are linked with wirekit only (fuzz/CMakeLists.txt), not
// libpcap; until they link wirekit::pcap, the few libpcap entry points this
// target uses are forwarded at run time to the system's libpcap through
// dlopen/dlsym (the shim at the end of this file). Remove the shim once
// fuzz/CMakeLists.txt links wirekit_pcap.
#include <dlfcn.h>

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

// ---------------------------------------------------------------------------
// libpcap shim (see the file comment).
namespace {
void* libpcap() {
    static void* h = [] {
        void* p = ::dlopen("libpcap.so.0.8", RTLD_NOW | RTLD_LOCAL);
        if (!p) p = ::dlopen("libpcap.so", RTLD_NOW | RTLD_LOCAL);
        if (!p) {
            std::fprintf(stderr, "fuzz_io_pcap: cannot load libpcap: %s\n", ::dlerror());
            std::abort();
        }
        return p;
    }();
    return h;
}
template <class F>
F real(const char* name) {
    void* s = ::dlsym(libpcap(), name);
    if (!s) std::abort();
    return reinterpret_cast<F>(s);
}
}  // namespace

#define WK_FORWARD(ret, name, params, args)                              \
    extern "C" ret name params {                                         \
        static const auto fn = real<ret(*) params>(#name);               \
        return fn args;                                                  \
    }

WK_FORWARD(pcap_t*, pcap_fopen_offline_with_tstamp_precision, (FILE * fp, u_int prec, char* err), (fp, prec, err))
WK_FORWARD(pcap_t*, pcap_open_offline_with_tstamp_precision, (const char* path, u_int prec, char* err), (path, prec, err))
WK_FORWARD(void, pcap_close, (pcap_t * p), (p))
WK_FORWARD(int, pcap_next_ex, (pcap_t * p, struct pcap_pkthdr** h, const u_char** d), (p, h, d))
WK_FORWARD(char*, pcap_geterr, (pcap_t * p), (p))
WK_FORWARD(int, pcap_datalink, (pcap_t * p), (p))
WK_FORWARD(int, pcap_snapshot, (pcap_t * p), (p))
WK_FORWARD(int, pcap_compile, (pcap_t * p, struct bpf_program* fp, const char* s, int opt, bpf_u_int32 mask), (p, fp, s, opt, mask))
WK_FORWARD(int, pcap_setfilter, (pcap_t * p, struct bpf_program* fp), (p, fp))
WK_FORWARD(void, pcap_freecode, (struct bpf_program * fp), (fp))
