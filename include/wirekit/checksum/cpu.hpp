// wirekit/checksum/cpu.hpp — run-time CPU feature detection for the fast paths.
//
// Layer L1. The checksum and CRC fast paths are compiled with per-function
// target attributes (no global -m flags) and chosen at run time from what the
// CPU *and the operating system* support: a vector ISA counts only when CPUID
// reports it and XGETBV shows the OS saves the matching register state.
// Source: Intel SDM vol. 1 §13.3 ("Enabling the XSAVE feature set") and
// vol. 2 CPUID leaf 07H.
#pragma once

#include <cstdint>  // std::uint32_t, std::uint64_t

// Define WIREKIT_CHECKSUM_NO_SIMD to build only the portable paths (as on a
// non-x86 target), e.g. for a freestanding build or to compare behaviour.
#if (defined(__x86_64__) || defined(__i386__)) && !defined(WIREKIT_CHECKSUM_NO_SIMD)
#include <cpuid.h>  // __get_cpuid, __get_cpuid_count (GCC and clang)
#define WIREKIT_CHECKSUM_X86 1
#else
#define WIREKIT_CHECKSUM_X86 0
#endif

namespace wirekit {

/// Instruction-set features the checksum layer can use, as detected at run time.
/// All false on non-x86 targets (the portable paths are used there).
struct cpu_features {
    bool sse42 = false;       ///< SSE4.2 (crc32 instruction, CRC-32C)
    bool pclmul = false;      ///< PCLMULQDQ with SSE4.1 (128-bit carry-less multiply)
    bool avx2 = false;        ///< AVX2, with OS support for YMM state
    bool avx512bw = false;    ///< AVX-512 F+BW+VL, with OS support for ZMM state
    bool vpclmulqdq = false;  ///< VPCLMULQDQ on 512-bit vectors (implies avx512bw)
    bool avx512vnni = false;  ///< AVX512_VNNI byte dot products (implies avx512bw)
};

namespace detail {

#if WIREKIT_CHECKSUM_X86
inline std::uint64_t xgetbv0() noexcept {
    std::uint32_t lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (static_cast<std::uint64_t>(hi) << 32) | lo;
}
#endif

inline cpu_features detect_cpu_features() noexcept {
    cpu_features f{};
#if WIREKIT_CHECKSUM_X86
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool sse41 = (c >> 19) & 1u;
    f.sse42 = (c >> 20) & 1u;
    f.pclmul = ((c >> 1) & 1u) && sse41;
    const bool osxsave = (c >> 27) & 1u;
    const bool avx = (c >> 28) & 1u;
    std::uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    const bool ymm_os = (xcr0 & 0x6u) == 0x6u;     // SSE + AVX state
    const bool zmm_os = (xcr0 & 0xe6u) == 0xe6u;   // + opmask, ZMM_Hi256, Hi16_ZMM
    unsigned max_leaf = __get_cpuid_max(0, nullptr);
    if (max_leaf >= 7) {
        __get_cpuid_count(7, 0, &a, &b, &c, &d);
        f.avx2 = avx && ymm_os && ((b >> 5) & 1u);
        const bool f512 = (b >> 16) & 1u, bw = (b >> 30) & 1u, vl = (b >> 31) & 1u;
        f.avx512bw = f.avx2 && zmm_os && f512 && bw && vl;
        f.vpclmulqdq = f.avx512bw && f.pclmul && ((c >> 10) & 1u);
        f.avx512vnni = f.avx512bw && ((c >> 11) & 1u);
    }
#endif
    return f;
}

}  // namespace detail

/// The features of the CPU this process runs on (detected once, then cached).
[[nodiscard]] inline const cpu_features& host_cpu_features() noexcept {
    static const cpu_features f = detail::detect_cpu_features();
    return f;
}

}  // namespace wirekit
