// wirekit/checksum/internet.hpp — the Internet checksum (RFC 1071, RFC 1624).
//
// Layer L1. The 16-bit ones'-complement sum of big-endian 16-bit words used by
// IPv4 (RFC 791 §3.1), ICMP (RFC 792), UDP (RFC 768), TCP (RFC 9293 §3.1) and
// ICMPv6 (RFC 4443 §2.3). Any length, any alignment, odd lengths padded with a
// zero byte (RFC 1071 §1), and accumulation across several spans — the byte
// parity of each span is tracked, so a pseudo-header followed by a payload split
// over buffers of odd sizes sums correctly (RFC 1071 §2(B), byte-order
// independence / swapping).
//
// Speed: from 96 bytes up the sum runs on AVX-512 (VNNI if present) or AVX2
// when the CPU has it (chosen at run time, see cpu.hpp); shorter inputs and
// other CPUs use a portable 64-bit add-with-carry loop written so it is fast at
// -O2 without relying on auto-vectorisation. All paths give bit-identical
// results. In constant evaluation a bytewise loop is used, so golden frames
// can be checksummed at compile time.
#pragma once

#include <bit>          // std::endian
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // fixed-width integers
#include <cstring>      // std::memcpy (unaligned loads)
#include <span>         // fixed-extent address spans
#include <type_traits>  // std::is_constant_evaluated

#include "wirekit/checksum/cpu.hpp"  // host_cpu_features
#include "wirekit/core/bytes.hpp"    // bytes_view
#include "wirekit/core/endian.hpp"   // detail::uint_for_bytes

#if WIREKIT_CHECKSUM_X86
#include <immintrin.h>  // AVX2 / AVX-512 intrinsics (used under target attributes only)
#endif

namespace wirekit {

/// Which implementation computes the ones'-complement sum.
enum class internet_checksum_path : std::uint8_t {
    automatic,  ///< portable below 96 bytes, else the best vector path (the default)
    portable,   ///< scalar 64-bit add-with-carry loop, any CPU
    avx2,       ///< 256-bit vectors (x86 AVX2)
    avx512,     ///< 512-bit vectors with masked tail loads (x86 AVX-512 BW)
    avx512_vnni,  ///< 512-bit byte dot products, 2 instructions per 64 bytes (AVX512_VNNI)
};

/// True when `path` can run on this CPU (`automatic` and `portable` always can).
[[nodiscard]] inline bool is_supported(internet_checksum_path path) noexcept {
    switch (path) {
        case internet_checksum_path::automatic:
        case internet_checksum_path::portable: return true;
        case internet_checksum_path::avx2: return host_cpu_features().avx2;
        case internet_checksum_path::avx512: return host_cpu_features().avx512bw;
        case internet_checksum_path::avx512_vnni: return host_cpu_features().avx512vnni;
    }
    return false;
}

namespace detail {

/// 64-bit ones'-complement addition (end-around carry): preserves the value
/// modulo 2^64-1, which 0xffff divides, and yields 0 only for 0 + 0.
[[nodiscard]] constexpr std::uint64_t ones_add64(std::uint64_t a, std::uint64_t b) noexcept {
    a += b;
    return a + (a < b ? 1u : 0u);
}

/// Folds a 64-bit ones'-complement accumulator to 16 bits (value mod 0xffff,
/// with 0 only when the accumulator is 0).
[[nodiscard]] constexpr std::uint16_t ones_fold16(std::uint64_t s) noexcept {
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return static_cast<std::uint16_t>(s);
}

[[nodiscard]] constexpr std::uint16_t swap16(std::uint16_t v) noexcept {
    return static_cast<std::uint16_t>((v << 8) | (v >> 8));
}

/// Bytewise reference: ones'-complement sum of big-endian words (RFC 1071 §4.1).
[[nodiscard]] constexpr std::uint16_t inet_sum_bytewise(const std::byte* p, std::size_t n) noexcept {
    std::uint64_t s = 0;
    std::size_t i = 0;
    for (; i + 1 < n; i += 2)
        s += (std::to_integer<std::uint64_t>(p[i]) << 8) | std::to_integer<std::uint64_t>(p[i + 1]);
    if (i < n) s += std::to_integer<std::uint64_t>(p[i]) << 8;
    return ones_fold16(s);
}

/// Unaligned native-order load of N bytes (N = 2, 4, 8).
template <std::size_t N>
[[nodiscard]] inline uint_for_bytes<N> load_native(const std::byte* p) noexcept {
    uint_for_bytes<N> v;
    std::memcpy(&v, p, N);
    return v;
}

/// Portable fast path. Sums 8-byte native-order words with end-around carry in
/// four independent accumulators (add + adc, no vectorisation needed). The
/// result is the *native-order-word* sum, a 64-bit accumulator.
[[nodiscard]] inline std::uint64_t inet_sum_le_portable(const std::byte* p, std::size_t n) noexcept {
    if (n < 32) {  // short input (headers, pseudo-headers): halves of 8-byte words, no carries
        std::uint64_t s = 0;
        for (; n >= 8; p += 8, n -= 8) {
            const std::uint64_t w = load_native<8>(p);
            s += (w & 0xffffffffu) + (w >> 32);
        }
        if (n >= 4) {
            s += load_native<4>(p);
            p += 4;
            n -= 4;
        }
        if (n >= 2) {
            s += load_native<2>(p);
            p += 2;
            n -= 2;
        }
        if (n) {
            if constexpr (std::endian::native == std::endian::little) s += std::to_integer<std::uint64_t>(p[0]);
            else s += std::to_integer<std::uint64_t>(p[0]) << 8;
        }
        return s;
    }
    std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    std::uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    while (n >= 32) {
        const std::uint64_t w0 = load_native<8>(p), w1 = load_native<8>(p + 8);
        const std::uint64_t w2 = load_native<8>(p + 16), w3 = load_native<8>(p + 24);
        s0 += w0; c0 += (s0 < w0);
        s1 += w1; c1 += (s1 < w1);
        s2 += w2; c2 += (s2 < w2);
        s3 += w3; c3 += (s3 < w3);
        p += 32;
        n -= 32;
    }
    std::uint64_t s = ones_add64(ones_add64(s0, s1), ones_add64(s2, s3));
    s = ones_add64(s, c0 + c1 + c2 + c3);  // carries are worth 2^64 ≡ 1
    while (n >= 8) {
        s = ones_add64(s, load_native<8>(p));
        p += 8;
        n -= 8;
    }
    if (n >= 4) {
        s = ones_add64(s, load_native<4>(p));
        p += 4;
        n -= 4;
    }
    if (n >= 2) {
        s = ones_add64(s, load_native<2>(p));
        p += 2;
        n -= 2;
    }
    if (n) {  // the odd byte is the first byte of a zero-padded word
        if constexpr (std::endian::native == std::endian::little) s = ones_add64(s, std::to_integer<std::uint64_t>(p[0]));
        else s = ones_add64(s, std::to_integer<std::uint64_t>(p[0]) << 8);
    }
    return s;
}

#if WIREKIT_CHECKSUM_X86
// Vector paths. Each 64-bit lane adds whole 8-byte words (wrapping) and,
// separately, their upper 32-bit halves (exact). From the two totals the exact
// sum of all 32-bit halves is recovered:  Σlo = Σw - 2^32·Σhi (mod 2^64).
// That is 3 operations per vector and no carry handling. Blocks are capped at
// 2^32 bytes so no total can overflow.

__attribute__((target("avx2"))) inline std::uint64_t inet_sum_le_avx2(const std::byte* p,
                                                                     std::size_t n) noexcept {
    std::uint64_t total = 0;
    while (n >= 32) {
        std::size_t block = n < (std::size_t{1} << 32) ? n : (std::size_t{1} << 32);
        block &= ~std::size_t{31};
        n -= block;
        __m256i w0 = _mm256_setzero_si256(), w1 = w0, w2 = w0, w3 = w0;
        __m256i h0 = w0, h1 = w0, h2 = w0, h3 = w0;
        while (block >= 128) {
            const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
            const __m256i v1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
            const __m256i v2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 64));
            const __m256i v3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 96));
            w0 = _mm256_add_epi64(w0, v0); h0 = _mm256_add_epi64(h0, _mm256_srli_epi64(v0, 32));
            w1 = _mm256_add_epi64(w1, v1); h1 = _mm256_add_epi64(h1, _mm256_srli_epi64(v1, 32));
            w2 = _mm256_add_epi64(w2, v2); h2 = _mm256_add_epi64(h2, _mm256_srli_epi64(v2, 32));
            w3 = _mm256_add_epi64(w3, v3); h3 = _mm256_add_epi64(h3, _mm256_srli_epi64(v3, 32));
            p += 128;
            block -= 128;
        }
        while (block >= 32) {
            const __m256i v0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
            w0 = _mm256_add_epi64(w0, v0); h0 = _mm256_add_epi64(h0, _mm256_srli_epi64(v0, 32));
            p += 32;
            block -= 32;
        }
        const __m256i w = _mm256_add_epi64(_mm256_add_epi64(w0, w1), _mm256_add_epi64(w2, w3));
        const __m256i h = _mm256_add_epi64(_mm256_add_epi64(h0, h1), _mm256_add_epi64(h2, h3));
        const __m128i w128 = _mm_add_epi64(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
        const __m128i h128 = _mm_add_epi64(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
        const std::uint64_t sw = static_cast<std::uint64_t>(_mm_cvtsi128_si64(w128)) +
                                 static_cast<std::uint64_t>(_mm_extract_epi64(w128, 1));
        const std::uint64_t sh = static_cast<std::uint64_t>(_mm_cvtsi128_si64(h128)) +
                                 static_cast<std::uint64_t>(_mm_extract_epi64(h128, 1));
        const std::uint64_t slo = sw - (sh << 32);
        total = ones_add64(total, ones_add64(slo, sh));
    }
    return ones_add64(total, inet_sum_le_portable(p, n));
}

// The maskz forms below compile to the same instructions as the plain ones;
// they avoid GCC 12's -Wmaybe-uninitialized inside its own AVX-512 headers.
__attribute__((target("avx512f,avx512bw,avx512vl,avx2"))) inline __m512i srl32(__m512i v) noexcept {
    return _mm512_maskz_srli_epi64(0xff, v, 32);
}
__attribute__((target("avx512f,avx512bw,avx512vl,avx2"))) inline std::uint64_t hsum512(__m512i v) noexcept {
    const __m256i s = _mm256_add_epi64(_mm512_maskz_extracti64x4_epi64(0xf, v, 0),
                                       _mm512_maskz_extracti64x4_epi64(0xf, v, 1));
    const __m128i t = _mm_add_epi64(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    return static_cast<std::uint64_t>(_mm_cvtsi128_si64(t)) + static_cast<std::uint64_t>(_mm_extract_epi64(t, 1));
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx2"))) inline std::uint64_t inet_sum_le_avx512(
    const std::byte* p, std::size_t n) noexcept {
    std::uint64_t total = 0;
    while (n > 0) {
        std::size_t block = n < (std::size_t{1} << 32) ? n : (std::size_t{1} << 32);
        n -= block;
        __m512i w0 = _mm512_setzero_si512(), w1 = w0, w2 = w0, w3 = w0;
        __m512i h0 = w0, h1 = w0, h2 = w0, h3 = w0;
        while (block >= 256) {
            const __m512i v0 = _mm512_loadu_si512(p);
            const __m512i v1 = _mm512_loadu_si512(p + 64);
            const __m512i v2 = _mm512_loadu_si512(p + 128);
            const __m512i v3 = _mm512_loadu_si512(p + 192);
            w0 = _mm512_add_epi64(w0, v0); h0 = _mm512_add_epi64(h0, srl32(v0));
            w1 = _mm512_add_epi64(w1, v1); h1 = _mm512_add_epi64(h1, srl32(v1));
            w2 = _mm512_add_epi64(w2, v2); h2 = _mm512_add_epi64(h2, srl32(v2));
            w3 = _mm512_add_epi64(w3, v3); h3 = _mm512_add_epi64(h3, srl32(v3));
            p += 256;
            block -= 256;
        }
        while (block >= 64) {
            const __m512i v0 = _mm512_loadu_si512(p);
            w0 = _mm512_add_epi64(w0, v0); h0 = _mm512_add_epi64(h0, srl32(v0));
            p += 64;
            block -= 64;
        }
        if (block > 0) {  // tail: masked load, bytes past the end read as zero (no over-read)
            const __mmask64 m = static_cast<__mmask64>((std::uint64_t{1} << block) - 1);
            const __m512i v0 = _mm512_maskz_loadu_epi8(m, p);
            w1 = _mm512_add_epi64(w1, v0); h1 = _mm512_add_epi64(h1, srl32(v0));
            p += block;
        }
        const __m512i w = _mm512_add_epi64(_mm512_add_epi64(w0, w1), _mm512_add_epi64(w2, w3));
        const __m512i h = _mm512_add_epi64(_mm512_add_epi64(h0, h1), _mm512_add_epi64(h2, h3));
        const std::uint64_t sw = hsum512(w), sh = hsum512(h);
        total = ones_add64(total, ones_add64(sw - (sh << 32), sh));
    }
    return total;
}

/// AVX512_VNNI path: VPDPBUSD multiplies unsigned bytes by signed weights and
/// adds groups of four into 32-bit lanes. With weights 1,0,1,0 and 0,1,0,1 two
/// instructions per 64 bytes give the exact sums of the even (low) and odd
/// (high) bytes of the little-endian words; the word sum is even + 256·odd.
/// Each instruction adds at most 510 to a lane; blocks of 2^20 bytes keep
/// every lane of even + 256·odd below 2^32. The last < 256 bytes go through
/// four independent masked loads (no dependent chain, no over-read).
/// acc += bytes(a) · weights(b), in place. Spelled in asm because GCC 12
/// register-allocates the intrinsic's destructive accumulator badly in this
/// loop (a copy and a reload per use, a third slower).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2"))) inline __m512i dpbusd(
    __m512i acc, __m512i a, __m512i b) noexcept {
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2"))) inline std::uint64_t inet_vnni_block(
    const std::byte* p, std::size_t block) noexcept {
    const __m512i we = _mm512_set1_epi32(0x00010001), wo = _mm512_set1_epi32(0x01000100);
    __m512i e0 = _mm512_setzero_si512(), e1 = e0, e2 = e0, e3 = e0;
    __m512i o0 = e0, o1 = e0, o2 = e0, o3 = e0;
    const std::byte* const end = p + (block & ~std::size_t{255});
    for (; p != end; p += 256) {
        const __m512i v0 = _mm512_loadu_si512(p);
        const __m512i v1 = _mm512_loadu_si512(p + 64);
        const __m512i v2 = _mm512_loadu_si512(p + 128);
        const __m512i v3 = _mm512_loadu_si512(p + 192);
        e0 = dpbusd(e0, v0, we); o0 = dpbusd(o0, v0, wo);
        e1 = dpbusd(e1, v1, we); o1 = dpbusd(o1, v1, wo);
        e2 = dpbusd(e2, v2, we); o2 = dpbusd(o2, v2, wo);
        e3 = dpbusd(e3, v3, we); o3 = dpbusd(o3, v3, wo);
    }
    const std::size_t rest = block & 255;
    if (rest > 0 && rest <= 64) {  // masked loads read bytes past the end as zero
        const __m512i v0 = _mm512_maskz_loadu_epi8(
            static_cast<__mmask64>(rest == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << rest) - 1), p);
        e0 = dpbusd(e0, v0, we); o0 = dpbusd(o0, v0, wo);
    } else if (rest > 0) {  // 65..255 bytes: four independent masked loads
        auto mask_for = [rest](std::size_t k) noexcept {
            const std::size_t have = rest > 64 * k ? rest - 64 * k : 0;
            return have >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << have) - 1;
        };
        const __m512i v0 = _mm512_maskz_loadu_epi8(static_cast<__mmask64>(mask_for(0)), p);
        const __m512i v1 = _mm512_maskz_loadu_epi8(static_cast<__mmask64>(mask_for(1)), p + 64);
        const __m512i v2 = _mm512_maskz_loadu_epi8(static_cast<__mmask64>(mask_for(2)), p + 128);
        const __m512i v3 = _mm512_maskz_loadu_epi8(static_cast<__mmask64>(mask_for(3)), p + 192);
        e0 = dpbusd(e0, v0, we); o0 = dpbusd(o0, v0, wo);
        e1 = dpbusd(e1, v1, we); o1 = dpbusd(o1, v1, wo);
        e2 = dpbusd(e2, v2, we); o2 = dpbusd(o2, v2, wo);
        e3 = dpbusd(e3, v3, we); o3 = dpbusd(o3, v3, wo);
    }
    const __m512i e = _mm512_add_epi32(_mm512_add_epi32(e0, e1), _mm512_add_epi32(e2, e3));
    const __m512i o = _mm512_add_epi32(_mm512_add_epi32(o0, o1), _mm512_add_epi32(o2, o3));
    const __m512i t = _mm512_add_epi32(e, _mm512_maskz_slli_epi32(0xffff, o, 8));  // < 2^32 per lane
    return hsum512(_mm512_add_epi64(_mm512_maskz_and_epi64(0xff, t, _mm512_set1_epi64(0xffffffff)), srl32(t)));
}

__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2"))) inline std::uint64_t inet_sum_le_avx512_vnni(
    const std::byte* p, std::size_t n) noexcept {
    if (n <= (std::size_t{1} << 20)) return inet_vnni_block(p, n);
    std::uint64_t total = 0;
    while (n > 0) {
        const std::size_t block = n < (std::size_t{1} << 20) ? n : (std::size_t{1} << 20);
        total = ones_add64(total, inet_vnni_block(p, block));
        p += block;
        n -= block;
    }
    return total;
}
#endif  // WIREKIT_CHECKSUM_X86

/// Ones'-complement sum of big-endian 16-bit words over [p, p+n), folded to 16 bits.
[[nodiscard]] inline std::uint16_t inet_sum_runtime(const std::byte* p, std::size_t n,
                                                    internet_checksum_path path) noexcept {
    std::uint64_t s = 0;
#if WIREKIT_CHECKSUM_X86
    if (path == internet_checksum_path::automatic) {
        // Below ~100 bytes the scalar loop beats a vector reduction's fixed cost.
        const cpu_features& f = host_cpu_features();
        if (n < 96) path = internet_checksum_path::portable;
        else if (f.avx512vnni) path = internet_checksum_path::avx512_vnni;
        else if (f.avx512bw) path = internet_checksum_path::avx512;
        else if (f.avx2) path = internet_checksum_path::avx2;
        else path = internet_checksum_path::portable;
    }
    switch (path) {
        case internet_checksum_path::avx512_vnni: s = inet_sum_le_avx512_vnni(p, n); break;
        case internet_checksum_path::avx512: s = inet_sum_le_avx512(p, n); break;
        case internet_checksum_path::avx2: s = inet_sum_le_avx2(p, n); break;
        default: s = inet_sum_le_portable(p, n); break;
    }
#else
    (void)path;
    s = inet_sum_le_portable(p, n);
#endif
    // The paths summed little-endian words; RFC 1071 §2(B): the sum of swapped
    // words is the swapped sum, so one swap gives the big-endian-word sum.
    const std::uint16_t le = ones_fold16(s);
    if constexpr (std::endian::native == std::endian::little) return swap16(le);
    else return le;
}

[[nodiscard]] constexpr std::uint16_t inet_sum(bytes_view b, internet_checksum_path path) noexcept {
    if (std::is_constant_evaluated()) return inet_sum_bytewise(b.data(), b.size());
    return inet_sum_runtime(b.data(), b.size(), path);
}

}  // namespace detail

/// The 16-bit ones'-complement sum (RFC 1071 §1, *not* complemented) of `bytes`
/// read as big-endian 16-bit words; an odd final byte is padded with a zero
/// byte. Returned in host order. 0 only when every byte is 0.
[[nodiscard]] constexpr std::uint16_t ones_complement_sum(
    bytes_view bytes, internet_checksum_path path = internet_checksum_path::automatic) noexcept {
    return detail::inet_sum(bytes, path);
}

/// The Internet checksum of `bytes` (RFC 1071): the ones'-complement of the
/// ones'-complement sum. Host order; store it big-endian (e.g. `be16`). To fill
/// a header, compute over the header with its checksum field set to zero.
[[nodiscard]] constexpr std::uint16_t internet_checksum(bytes_view bytes) noexcept {
    return static_cast<std::uint16_t>(~ones_complement_sum(bytes));
}

/// True when `bytes`, *including* its stored checksum field, sums to 0xffff —
/// the receiver's check (RFC 1071 §1, RFC 791 §3.1 "Header Checksum").
[[nodiscard]] constexpr bool internet_checksum_valid(bytes_view bytes) noexcept {
    return ones_complement_sum(bytes) == 0xffffu;
}

/// Accumulates the ones'-complement sum over several spans, in order, as if
/// they were one contiguous buffer: spans of odd length are handled (the next
/// span's bytes pair with the previous span's last byte, RFC 1071 §2(B)).
/// Typical use: a pseudo-header, then a transport header, then a payload
/// scattered over buffers. Cheap to copy; `constexpr`.
class checksum_accumulator {
public:
    constexpr checksum_accumulator() noexcept = default;

    /// Adds `bytes` (any length, any alignment). Returns *this.
    constexpr checksum_accumulator& add(bytes_view bytes) noexcept {
        std::uint16_t s = detail::inet_sum(bytes, internet_checksum_path::automatic);
        if (odd_) s = detail::swap16(s);
        sum_ = detail::ones_add64(sum_, s);
        odd_ = odd_ != ((bytes.size() & 1u) != 0);
        return *this;
    }
    /// Adds a 16-bit value as if its two big-endian bytes came next.
    constexpr checksum_accumulator& add_u16(std::uint16_t v) noexcept {
        sum_ = detail::ones_add64(sum_, odd_ ? detail::swap16(v) : v);
        return *this;
    }
    /// Adds a 32-bit value as if its four big-endian bytes came next.
    constexpr checksum_accumulator& add_u32(std::uint32_t v) noexcept {
        add_u16(static_cast<std::uint16_t>(v >> 16));
        return add_u16(static_cast<std::uint16_t>(v));
    }
    /// Total bytes added so far is odd.
    [[nodiscard]] constexpr bool odd() const noexcept { return odd_; }
    /// The ones'-complement sum so far (not complemented), host order.
    [[nodiscard]] constexpr std::uint16_t sum() const noexcept { return detail::ones_fold16(sum_); }
    /// The checksum to store: ~sum(), host order.
    [[nodiscard]] constexpr std::uint16_t finish() const noexcept {
        return static_cast<std::uint16_t>(~sum());
    }
    /// True when the bytes added (checksum field included) verify: sum() == 0xffff.
    [[nodiscard]] constexpr bool valid() const noexcept { return sum() == 0xffffu; }

private:
    std::uint64_t sum_ = 0;  // 64-bit ones'-complement accumulator
    bool odd_ = false;
};

/// Updates checksum `hc` after a 16-bit word of the covered data changed from
/// `m` to `m_new` (all host order), without re-summing: RFC 1624 §3 eqn. 3,
/// HC' = ~(~HC + ~m + m'), in true ones'-complement arithmetic. Leaves `hc`
/// unchanged when m == m' (the erratum 4782 case, HC = 0x0000). The word must
/// sit at an even offset of the checksummed data; an 8-bit field (TTL) is
/// updated as the 16-bit word it shares with its neighbour.
[[nodiscard]] constexpr std::uint16_t checksum_update(std::uint16_t hc, std::uint16_t m,
                                                      std::uint16_t m_new) noexcept {
    std::uint32_t s = static_cast<std::uint16_t>(~hc);
    s += static_cast<std::uint16_t>(~m);
    s += m_new;
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return static_cast<std::uint16_t>(~s);
}

/// RFC 1624 eqn. 3 for a 32-bit field (e.g. an IPv4 address rewritten by NAT):
/// two 16-bit word updates. Host order.
[[nodiscard]] constexpr std::uint16_t checksum_update32(std::uint16_t hc, std::uint32_t m,
                                                        std::uint32_t m_new) noexcept {
    hc = checksum_update(hc, static_cast<std::uint16_t>(m >> 16), static_cast<std::uint16_t>(m_new >> 16));
    return checksum_update(hc, static_cast<std::uint16_t>(m), static_cast<std::uint16_t>(m_new));
}

/// An IPv4 address as its 4 bytes in network order.
using ipv4_address_bytes = std::span<const std::byte, 4>;
/// An IPv6 address as its 16 bytes in network order.
using ipv6_address_bytes = std::span<const std::byte, 16>;

/// IANA protocol numbers used with pseudo-headers.
inline constexpr std::uint8_t ip_protocol_tcp = 6;      ///< RFC 9293
inline constexpr std::uint8_t ip_protocol_udp = 17;     ///< RFC 768
inline constexpr std::uint8_t ip_protocol_icmpv6 = 58;  ///< RFC 4443

/// An accumulator preloaded with the IPv4 pseudo-header of TCP (RFC 9293 §3.1)
/// and UDP (RFC 768): source address, destination address, zero, protocol,
/// and `length` = the TCP/UDP length in bytes (header + data). Add the
/// transport header and payload next.
[[nodiscard]] constexpr checksum_accumulator ipv4_pseudo_header(ipv4_address_bytes src,
                                                                ipv4_address_bytes dst,
                                                                std::uint8_t protocol,
                                                                std::uint16_t length) noexcept {
    checksum_accumulator acc;
    acc.add(src).add(dst).add_u16(protocol).add_u16(length);
    return acc;
}

/// An accumulator preloaded with the IPv6 pseudo-header (RFC 8200 §8.1):
/// source, destination, 32-bit upper-layer packet length in bytes, three zero
/// bytes, next header (6 TCP, 17 UDP, 58 ICMPv6 per RFC 4443 §2.3). Pass the
/// final upper-layer protocol, not an extension header's number.
[[nodiscard]] constexpr checksum_accumulator ipv6_pseudo_header(ipv6_address_bytes src,
                                                                ipv6_address_bytes dst,
                                                                std::uint32_t length,
                                                                std::uint8_t next_header) noexcept {
    checksum_accumulator acc;
    acc.add(src).add(dst).add_u32(length).add_u32(next_header);
    return acc;
}

/// The TCP/UDP checksum over IPv4: pseudo-header + `segment` (header with its
/// checksum field zeroed, plus data). Host order. For UDP, transmit 0xffff when
/// this returns 0 (RFC 768; see `udp_checksum_to_wire`). `segment.size()` must
/// fit 16 bits (the pseudo-header length field).
[[nodiscard]] constexpr std::uint16_t ipv4_transport_checksum(ipv4_address_bytes src,
                                                              ipv4_address_bytes dst,
                                                              std::uint8_t protocol,
                                                              bytes_view segment) noexcept {
    return ipv4_pseudo_header(src, dst, protocol, static_cast<std::uint16_t>(segment.size()))
        .add(segment)
        .finish();
}

/// True when an IPv4 TCP/UDP `segment` (checksum field as received) verifies.
/// A UDP checksum field of 0 means "not computed" (RFC 768); test that first.
[[nodiscard]] constexpr bool ipv4_transport_checksum_valid(ipv4_address_bytes src,
                                                           ipv4_address_bytes dst,
                                                           std::uint8_t protocol,
                                                           bytes_view segment) noexcept {
    return ipv4_pseudo_header(src, dst, protocol, static_cast<std::uint16_t>(segment.size()))
        .add(segment)
        .valid();
}

/// The TCP/UDP/ICMPv6 checksum over IPv6 (RFC 8200 §8.1): pseudo-header +
/// `packet` (upper-layer header with checksum zeroed, plus data). Host order.
/// UDP over IPv6 must never send 0: use `udp_checksum_to_wire`.
[[nodiscard]] constexpr std::uint16_t ipv6_transport_checksum(ipv6_address_bytes src,
                                                              ipv6_address_bytes dst,
                                                              std::uint8_t next_header,
                                                              bytes_view packet) noexcept {
    return ipv6_pseudo_header(src, dst, static_cast<std::uint32_t>(packet.size()), next_header)
        .add(packet)
        .finish();
}

/// True when an IPv6 upper-layer `packet` (checksum field as received) verifies.
[[nodiscard]] constexpr bool ipv6_transport_checksum_valid(ipv6_address_bytes src,
                                                           ipv6_address_bytes dst,
                                                           std::uint8_t next_header,
                                                           bytes_view packet) noexcept {
    return ipv6_pseudo_header(src, dst, static_cast<std::uint32_t>(packet.size()), next_header)
        .add(packet)
        .valid();
}

/// The value to put in a UDP checksum field: a computed 0 is sent as 0xffff,
/// because 0 on the wire means "no checksum" (RFC 768; RFC 8200 §8.1).
[[nodiscard]] constexpr std::uint16_t udp_checksum_to_wire(std::uint16_t computed) noexcept {
    return computed == 0 ? std::uint16_t{0xffff} : computed;
}

}  // namespace wirekit
