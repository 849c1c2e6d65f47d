// wirekit/checksum/crc.hpp — a generic CRC engine for any Rocksoft model.
//
// Layer L1. `crc<Model>` computes the CRC described by a crc_model (width 1..64,
// any poly/init/refin/refout/xorout) one-shot or streaming, in constant
// evaluation or at run time. Engines, all giving identical results:
//   bitwise  the textbook shift register (Williams 1993 §15) — the reference;
//   bytewise one 256-entry table;
//   slice8   eight tables built at compile time, 8 bytes per step (the
//            portable fast path, and the one used in constant evaluation);
//   pclmul   carry-less-multiply folding, 4×16 bytes per step, then a Barrett
//            reduction; the folding and reduction constants are computed at
//            compile time from the model's polynomial, for reflected and
//            non-reflected models of any width ≤ 64 (x86 PCLMULQDQ);
//   vpclmul  the same folding on 512-bit vectors, 256 bytes per step
//            (x86 AVX-512 + VPCLMULQDQ);
//   sse42    the SSE4.2 crc32 instruction on 3 interleaved streams, for models
//            whose polynomial is CRC-32C's (0x1edc6f41, reflected, width 32);
//   hybrid   CRC-32C on vpclmul and crc32 at once, blocks of 6400 bytes.
// `automatic` picks per call from the CPU's features (cpu.hpp) and the length.
//
// Folding math (after Gopal et al., "Fast CRC Computation for Generic
// Polynomials Using PCLMULQDQ Instruction", Intel, 2009, re-derived for any
// width): a 128-bit block A followed by D more bits equals, modulo P,
// A_hi·(x^(D+64) mod P) + A_lo·(x^D mod P); for a reflected model the product
// of two bit-reversed operands carries an extra factor x, so the constants use
// exponent - 1. The final 128-bit remainder is reduced by Barrett reduction
// modulo P' = P·x^(64-W), which yields the register left-aligned in 64 bits:
// A·x^64 mod P' = x^(64-W)·(A·x^W mod P).
#pragma once

#include <array>        // tables, constant pairs
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // fixed-width integers
#include <cstring>      // std::memcpy (unaligned loads)
#include <type_traits>  // std::is_constant_evaluated

#include "wirekit/checksum/cpu.hpp"            // host_cpu_features
#include "wirekit/checksum/crc_catalogue.hpp"  // the named models (included for users' convenience)
#include "wirekit/checksum/crc_model.hpp"      // crc_model, crc_value_t
#include "wirekit/core/bytes.hpp"              // bytes_view
#include "wirekit/core/endian.hpp"             // load_le, load_be

#if WIREKIT_CHECKSUM_X86
#include <immintrin.h>  // PCLMULQDQ / SSE4.2 / AVX-512 intrinsics (under target attributes only)
#endif

namespace wirekit {

/// Which CRC engine runs (see the header comment). `automatic` is the default;
/// the others exist for tests and benchmarks (check crc<M>::is_supported).
enum class crc_path : std::uint8_t {
    automatic,  ///< chosen per call from CPU features and length
    bitwise,    ///< the Rocksoft shift register, bit by bit (reference; one-shot compute only)
    bytewise,   ///< one 256-entry table
    slice8,     ///< eight compile-time tables, 8 bytes per step (portable fast path)
    pclmul,     ///< PCLMULQDQ folding, 64 bytes per step
    vpclmul,    ///< VPCLMULQDQ folding on 512-bit vectors, 256 bytes per step
    sse42,      ///< SSE4.2 crc32, 3 interleaved streams (CRC-32C polynomial only)
    hybrid,     ///< vpclmul and sse42 interleaved (CRC-32C polynomial only)
};

namespace detail {

/// Reverses the low `bits` bits of `v` (bits above are dropped).
[[nodiscard]] constexpr std::uint64_t reflect_bits(std::uint64_t v, unsigned bits) noexcept {
    std::uint64_t r = 0;
    for (unsigned i = 0; i < bits; ++i) {
        r = (r << 1) | (v & 1u);
        v >>= 1;
    }
    return r;
}

/// How an engine holds the register ("state"): for refin models the W-bit
/// register bit-reversed, otherwise the W-bit register as is; right-aligned.
template <class M>
struct crc_state {
    static constexpr unsigned W = M::width;
    static constexpr std::uint64_t initial = M::refin ? reflect_bits(M::init, W) : M::init;
    [[nodiscard]] static constexpr std::uint64_t finalize(std::uint64_t state) noexcept {
        // A refin engine holds reflect(register): the Rocksoft output is
        // (refout ? reflect(register) : register) ^ xorout.
        const std::uint64_t out = (M::refin != M::refout) ? reflect_bits(state, W) : state;
        return (out ^ M::xorout) & M::mask;
    }
};

/// Reference: the Rocksoft model's shift register, one bit at a time, written
/// directly from the definition (no tables, no reflection tricks).
template <class M>
[[nodiscard]] constexpr std::uint64_t crc_bitwise_reference(const std::byte* p, std::size_t n) noexcept {
    constexpr unsigned W = M::width;
    std::uint64_t reg = M::init;
    for (std::size_t i = 0; i < n; ++i) {
        auto b = std::to_integer<std::uint64_t>(p[i]);
        if constexpr (M::refin) b = reflect_bits(b, 8);
        for (int bit = 7; bit >= 0; --bit) {
            const std::uint64_t in = (b >> bit) & 1u;
            const std::uint64_t top = (reg >> (W - 1)) & 1u;
            reg = (reg << 1) & M::mask;
            if (top ^ in) reg ^= M::poly;
        }
    }
    if constexpr (M::refout) reg = reflect_bits(reg, W);
    return (reg ^ M::xorout) & M::mask;
}

/// Eight 256-entry tables: table[k][i] = register after byte i then k zero
/// bytes, from a zero register. Reflected models keep the register
/// right-aligned in reg_t; others keep it left-aligned (top W bits of reg_t).
template <class M>
struct crc_tables {
    using reg_t = crc_value_t<M::width>;
    static constexpr unsigned W = M::width;
    static constexpr unsigned R = sizeof(reg_t) * 8;
    static constexpr std::uint64_t rmask = R == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << R) - 1;

    static constexpr std::array<std::array<reg_t, 256>, 8> make() noexcept {
        std::array<std::array<reg_t, 256>, 8> t{};
        if constexpr (M::refin) {
            constexpr std::uint64_t rpoly = reflect_bits(M::poly, W);
            for (std::uint64_t i = 0; i < 256; ++i) {
                std::uint64_t c = i;
                for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ rpoly : (c >> 1);
                t[0][i] = static_cast<reg_t>(c);
            }
            for (std::size_t k = 1; k < 8; ++k)
                for (std::size_t i = 0; i < 256; ++i) {
                    const std::uint64_t c = t[k - 1][i];
                    t[k][i] = static_cast<reg_t>((c >> 8) ^ t[0][c & 0xffu]);
                }
        } else {
            constexpr std::uint64_t lpoly = M::poly << (R - W);
            constexpr std::uint64_t top = std::uint64_t{1} << (R - 1);
            for (std::uint64_t i = 0; i < 256; ++i) {
                std::uint64_t c = i << (R - 8);
                for (int k = 0; k < 8; ++k) c = (c & top) ? ((c << 1) ^ lpoly) & rmask : (c << 1) & rmask;
                t[0][i] = static_cast<reg_t>(c);
            }
            for (std::size_t k = 1; k < 8; ++k)
                for (std::size_t i = 0; i < 256; ++i) {
                    const std::uint64_t c = t[k - 1][i];
                    t[k][i] = static_cast<reg_t>(((c << 8) & rmask) ^ t[0][c >> (R - 8)]);
                }
        }
        return t;
    }
    static constexpr std::array<std::array<reg_t, 256>, 8> table = make();
};

/// One table lookup per byte.
template <class M>
[[nodiscard]] constexpr std::uint64_t crc_update_bytewise(std::uint64_t state, const std::byte* p,
                                                          std::size_t n) noexcept {
    using T = crc_tables<M>;
    const auto& t0 = T::table[0];
    if constexpr (M::refin) {
        for (std::size_t i = 0; i < n; ++i)
            state = t0[(state ^ std::to_integer<std::uint64_t>(p[i])) & 0xffu] ^ (state >> 8);
        return state;
    } else {
        std::uint64_t c = state << (T::R - T::W);
        for (std::size_t i = 0; i < n; ++i)
            c = t0[((c >> (T::R - 8)) ^ std::to_integer<std::uint64_t>(p[i])) & 0xffu] ^ ((c << 8) & T::rmask);
        return c >> (T::R - T::W);
    }
}

/// Slice-by-8: eight lookups per 8 bytes, tables built at compile time.
template <class M>
[[nodiscard]] constexpr std::uint64_t crc_update_slice8(std::uint64_t state, const std::byte* p,
                                                        std::size_t n) noexcept {
    using T = crc_tables<M>;
    const auto& t = T::table;
    if constexpr (M::refin) {
        std::uint64_t c = state;
        while (n >= 8) {
            const std::uint64_t w = load_le<8>(p) ^ c;
            c = static_cast<std::uint64_t>(t[7][w & 0xffu]) ^ t[6][(w >> 8) & 0xffu] ^
                t[5][(w >> 16) & 0xffu] ^ t[4][(w >> 24) & 0xffu] ^ t[3][(w >> 32) & 0xffu] ^
                t[2][(w >> 40) & 0xffu] ^ t[1][(w >> 48) & 0xffu] ^ t[0][w >> 56];
            p += 8;
            n -= 8;
        }
        return crc_update_bytewise<M>(c, p, n);
    } else {
        std::uint64_t c = state << (T::R - T::W);
        while (n >= 8) {
            const std::uint64_t w = load_be<8>(p) ^ (c << (64 - T::R));
            c = static_cast<std::uint64_t>(t[7][w >> 56]) ^ t[6][(w >> 48) & 0xffu] ^
                t[5][(w >> 40) & 0xffu] ^ t[4][(w >> 32) & 0xffu] ^ t[3][(w >> 24) & 0xffu] ^
                t[2][(w >> 16) & 0xffu] ^ t[1][(w >> 8) & 0xffu] ^ t[0][w & 0xffu];
            p += 8;
            n -= 8;
        }
        return crc_update_bytewise<M>(c >> (T::R - T::W), p, n);
    }
}

/// Folding and Barrett constants, computed at compile time from the model.
template <class M>
struct crc_fold_constants {
    static constexpr unsigned W = M::width;

    /// x^k mod P (P = x^W + poly), normal bit order, degree < W.
    static constexpr std::uint64_t xpow_mod_p(unsigned k) noexcept {
        std::uint64_t r = 1;
        for (unsigned i = 0; i < k; ++i) {
            const std::uint64_t top = (r >> (W - 1)) & 1u;
            r = (r << 1) & M::mask;
            if (top) r ^= M::poly;
        }
        return r;
    }
    /// Low 64 bits of P' = P·x^(64-W) (degree exactly 64).
    static constexpr std::uint64_t pp_low = M::poly << (64 - W);
    /// x^k mod P', degree < 64.
    static constexpr std::uint64_t xpow_mod_pp(unsigned k) noexcept {
        std::uint64_t r = 1;
        for (unsigned i = 0; i < k; ++i) {
            const std::uint64_t top = r >> 63;
            r <<= 1;
            if (top) r ^= pp_low;
        }
        return r;
    }
    /// Low 64 bits of mu = floor(x^128 / P') (mu has degree 64), by long division.
    static constexpr std::uint64_t mu_low() noexcept {
        std::uint64_t window = 0, mu = 0;  // window: the 64 coefficients below the current one
        bool lead = true;                  // coefficient of x^i of the running dividend
        for (int i = 128; i >= 64; --i) {
            if (lead) {
                if (i - 64 < 64) mu |= std::uint64_t{1} << (i - 64);
                window ^= pp_low;
            }
            lead = (window >> 63) != 0;
            window <<= 1;
        }
        return mu;
    }
    /// The pair {for the low qword, for the high qword} that folds a 128-bit
    /// block forward by `d` bits.
    static constexpr std::array<std::uint64_t, 2> fold(unsigned d) noexcept {
        if constexpr (M::refin)  // low qword holds the high-degree half; products carry an extra x
            return {reflect_bits(xpow_mod_p(d + 63), 64), reflect_bits(xpow_mod_p(d - 1), 64)};
        else
            return {xpow_mod_p(d), xpow_mod_p(d + 64)};
    }
    static constexpr auto k128 = fold(128);
    static constexpr auto k256 = fold(256);
    static constexpr auto k384 = fold(384);
    static constexpr auto k512 = fold(512);
    static constexpr auto k1024 = fold(1024);
    static constexpr auto k1536 = fold(1536);
    static constexpr auto k2048 = fold(2048);
    // Barrett reduction of a 128-bit remainder (see crc_x86::barrett).
    static constexpr std::uint64_t bk = M::refin ? reflect_bits(xpow_mod_pp(127), 64) : xpow_mod_pp(128);
    static constexpr std::uint64_t bmu = M::refin ? reflect_bits(mu_low(), 64) : mu_low();
    static constexpr std::uint64_t bp = M::refin ? reflect_bits(pp_low, 64) : pp_low;
};

/// True when the SSE4.2 crc32 instruction computes this model's register.
template <class M>
inline constexpr bool is_crc32c_poly = M::width == 32 && M::poly == 0x1edc6f41u && M::refin;

#if WIREKIT_CHECKSUM_X86
#define WIREKIT_TARGET_CLMUL __attribute__((target("pclmul,sse4.1,ssse3")))
#define WIREKIT_TARGET_VCLMUL \
    __attribute__((target("avx512f,avx512bw,avx512vl,vpclmulqdq,pclmul,sse4.1,ssse3,avx2")))
#define WIREKIT_TARGET_CRC32C __attribute__((target("sse4.2,pclmul")))

/// x86 carry-less-multiply engines for model M.
template <class M>
struct crc_x86 {
    using K = crc_fold_constants<M>;
    static constexpr unsigned W = M::width;

    WIREKIT_TARGET_CLMUL static __m128i kvec(const std::array<std::uint64_t, 2>& k) noexcept {
        return _mm_set_epi64x(static_cast<long long>(k[1]), static_cast<long long>(k[0]));
    }
    WIREKIT_TARGET_CLMUL static __m128i reverse16(__m128i v) noexcept {
        return _mm_shuffle_epi8(v, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    }
    /// 16 message bytes as a 128-bit polynomial in the engine's bit order.
    WIREKIT_TARGET_CLMUL static __m128i to_poly(__m128i v) noexcept {
        if constexpr (M::refin) return v;
        else return reverse16(v);
    }
    WIREKIT_TARGET_CLMUL static __m128i load(const std::byte* p) noexcept {
        return to_poly(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
    /// The register, placed over the first message bits of a block.
    WIREKIT_TARGET_CLMUL static __m128i state_vec(std::uint64_t state) noexcept {
        if constexpr (M::refin) return _mm_cvtsi64_si128(static_cast<long long>(state));
        else return _mm_set_epi64x(static_cast<long long>(state << (64 - W)), 0);
    }
    WIREKIT_TARGET_CLMUL static __m128i fold(__m128i a, __m128i k) noexcept {
        return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11));
    }
    WIREKIT_TARGET_CLMUL static std::uint64_t lo64(__m128i v) noexcept {
        return static_cast<std::uint64_t>(_mm_cvtsi128_si64(v));
    }
    WIREKIT_TARGET_CLMUL static std::uint64_t hi64(__m128i v) noexcept {
        return static_cast<std::uint64_t>(_mm_extract_epi64(v, 1));
    }
    WIREKIT_TARGET_CLMUL static __m128i clmul64(std::uint64_t a, std::uint64_t b) noexcept {
        return _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(a)),
                                    _mm_cvtsi64_si128(static_cast<long long>(b)), 0x00);
    }

    /// Reduces a 128-bit remainder A (covering everything so far, register
    /// included) to the engine state: Barrett modulo P' = P·x^(64-W).
    WIREKIT_TARGET_CLMUL static std::uint64_t barrett(__m128i a) noexcept {
        // Kept in vector registers throughout (no scalar round trips).
        const __m128i k = _mm_set_epi64x(static_cast<long long>(K::bp), static_cast<long long>(K::bk));
        const __m128i mu = _mm_cvtsi64_si128(static_cast<long long>(K::bmu));
        if constexpr (M::refin) {
            // Bit k of a reflected 128-bit value is the coefficient of x^(127-k);
            // U's high-degree half is its low qword.
            const __m128i u = _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_srli_si128(a, 8));
            // q = floor(U / P'): low qword of u ^ (u.lo·mu << 1) (reflected products carry x).
            const __m128i q = _mm_xor_si128(u, _mm_slli_epi64(_mm_clmulepi64_si128(u, mu, 0x00), 1));
            // (U + q·P') mod x^64 sits in the high qword, after a 1-bit realignment.
            const __m128i qp = _mm_clmulepi64_si128(q, k, 0x10);
            const __m128i t = _mm_or_si128(_mm_slli_epi64(qp, 1), _mm_srli_epi64(_mm_slli_si128(qp, 8), 63));
            return hi64(_mm_xor_si128(u, t));
        } else {
            const __m128i u = _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x01), _mm_slli_si128(a, 8));
            const __m128i q = _mm_xor_si128(u, _mm_clmulepi64_si128(u, mu, 0x01));  // high qword
            const __m128i r = _mm_xor_si128(u, _mm_clmulepi64_si128(q, k, 0x11));   // low qword
            return lo64(r) >> (64 - W);
        }
    }

    /// Folds the remaining n bytes at p into A, then reduces. Requires that
    /// the 16 bytes before p belong to the same input (they were folded).
    WIREKIT_TARGET_CLMUL static std::uint64_t finish(__m128i a, const std::byte* p, std::size_t n) noexcept {
        const __m128i k128 = kvec(K::k128);
        while (n >= 16) {
            a = _mm_xor_si128(fold(a, k128), load(p));
            p += 16;
            n -= 16;
        }
        if (n > 0) {
            // Stream = [A: 16 bytes][tail: n bytes] = H·x^128 + B with
            // H = zeros ++ A[0..n) and B = A[n..16) ++ tail (memory order).
            alignas(16) static constexpr std::uint8_t shuffle[48] = {
                0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                0,    1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,   12,   13,   14,   15,
                0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
            const __m128i mem = to_poly(a);  // back to memory byte order (the reversal is an involution)
            const __m128i mh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(shuffle + n));
            const __m128i ml = _mm_loadu_si128(reinterpret_cast<const __m128i*>(shuffle + 16 + n));
            const __m128i h = _mm_shuffle_epi8(mem, mh);
            const __m128i last = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
            const __m128i b = _mm_blendv_epi8(_mm_shuffle_epi8(mem, ml), last, ml);
            a = _mm_xor_si128(fold(to_poly(h), k128), to_poly(b));
        }
        return barrett(a);
    }

    /// PCLMULQDQ folding: 4 × 16 bytes per step.
    WIREKIT_TARGET_CLMUL static std::uint64_t update_pclmul(std::uint64_t state, const std::byte* p,
                                                            std::size_t n) noexcept {
        if (n < 16) return crc_update_slice8<M>(state, p, n);
        __m128i a = _mm_xor_si128(load(p), state_vec(state));
        p += 16;
        n -= 16;
        if (n >= 112) {
            __m128i x0 = a, x1 = load(p), x2 = load(p + 16), x3 = load(p + 32);
            p += 48;
            n -= 48;
            const __m128i k512 = kvec(K::k512);
            while (n >= 64) {
                x0 = _mm_xor_si128(fold(x0, k512), load(p));
                x1 = _mm_xor_si128(fold(x1, k512), load(p + 16));
                x2 = _mm_xor_si128(fold(x2, k512), load(p + 32));
                x3 = _mm_xor_si128(fold(x3, k512), load(p + 48));
                p += 64;
                n -= 64;
            }
            a = _mm_xor_si128(_mm_xor_si128(fold(x0, kvec(K::k384)), fold(x1, kvec(K::k256))),
                              _mm_xor_si128(fold(x2, kvec(K::k128)), x3));
        } else if (n >= 48) {  // 64..127 bytes: fold the first four blocks in parallel
            a = _mm_xor_si128(_mm_xor_si128(fold(a, kvec(K::k384)), fold(load(p), kvec(K::k256))),
                              _mm_xor_si128(fold(load(p + 16), kvec(K::k128)), load(p + 32)));
            p += 48;
            n -= 48;
        }
        return finish(a, p, n);
    }

    WIREKIT_TARGET_VCLMUL static __m512i load512(const std::byte* p) noexcept {
        const __m512i v = _mm512_loadu_si512(p);
        if constexpr (M::refin) return v;
        else
            return _mm512_shuffle_epi8(v, _mm512_set_epi64(0x0001020304050607, 0x08090a0b0c0d0e0f,
                                                            0x0001020304050607, 0x08090a0b0c0d0e0f,
                                                            0x0001020304050607, 0x08090a0b0c0d0e0f,
                                                            0x0001020304050607, 0x08090a0b0c0d0e0f));
    }
    /// A fold-constant pair repeated in all four 128-bit lanes.
    WIREKIT_TARGET_VCLMUL static __m512i kvec512(const std::array<std::uint64_t, 2>& k) noexcept {
        const auto lo = static_cast<long long>(k[0]), hi = static_cast<long long>(k[1]);
        return _mm512_set_epi64(hi, lo, hi, lo, hi, lo, hi, lo);
    }
    /// 128-bit lane `I` of `z` (the maskz form avoids GCC 12's undefined-register warning).
    template <int I>
    WIREKIT_TARGET_VCLMUL static __m128i lane(__m512i z) noexcept {
        return _mm512_maskz_extracti32x4_epi32(0xf, z, I);
    }
    WIREKIT_TARGET_VCLMUL static __m512i fold512(__m512i a, __m512i k, __m512i data) noexcept {
        return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(a, k, 0x00),
                                         _mm512_clmulepi64_epi128(a, k, 0x11), data, 0x96);
    }

    /// VPCLMULQDQ folding: 4 × 64 bytes per step (16 independent 128-bit lanes).
    WIREKIT_TARGET_VCLMUL static std::uint64_t update_vpclmul(std::uint64_t state, const std::byte* p,
                                                              std::size_t n) noexcept {
        if (n < 256) return update_pclmul(state, p, n);
        __m512i z0 = _mm512_xor_si512(load512(p), _mm512_inserti32x4(_mm512_setzero_si512(), state_vec(state), 0));
        __m512i z1 = load512(p + 64), z2 = load512(p + 128), z3 = load512(p + 192);
        p += 256;
        n -= 256;
        const __m512i k2048 = kvec512(K::k2048);
        while (n >= 256) {
            z0 = fold512(z0, k2048, load512(p));
            z1 = fold512(z1, k2048, load512(p + 64));
            z2 = fold512(z2, k2048, load512(p + 128));
            z3 = fold512(z3, k2048, load512(p + 192));
            p += 256;
            n -= 256;
        }
        const __m512i k512 = kvec512(K::k512);
        // z0·x^1536 + z1·x^1024 + z2·x^512 + z3: the multiplies are independent,
        // only the three-way XORs chain.
        z3 = fold512(z1, kvec512(K::k1024), fold512(z2, k512, fold512(z0, kvec512(K::k1536), z3)));
        while (n >= 64) {
            z3 = fold512(z3, k512, load512(p));
            p += 64;
            n -= 64;
        }
        const __m128i a = _mm_xor_si128(
            _mm_xor_si128(fold(lane<0>(z3), kvec(K::k384)),
                          fold(lane<1>(z3), kvec(K::k256))),
            _mm_xor_si128(fold(lane<2>(z3), kvec(K::k128)),
                          lane<3>(z3)));
        return finish(a, p, n);
    }
};

/// CRC-32C with the SSE4.2 crc32 instruction: three interleaved streams of S
/// bytes each, recombined with one carry-less multiply per stream.
struct crc32c_sse42 {
    /// x^(8·bytes - 33) mod P, bit-reflected in 32 bits: multiplying a register
    /// by it and reducing with crc32(0, ·) shifts the register over `bytes`
    /// zero bytes.
    static constexpr std::uint64_t shift_constant(std::size_t bytes) noexcept {
        std::uint64_t r = 1;
        for (std::size_t i = 0; i < 8 * bytes - 33; ++i) {
            const std::uint64_t top = (r >> 31) & 1u;
            r = (r << 1) & 0xffffffffu;
            if (top) r ^= 0x1edc6f41u;
        }
        return reflect_bits(r, 32);
    }
    WIREKIT_TARGET_CRC32C static std::uint64_t load64(const std::byte* p) noexcept {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    template <std::size_t S>
    WIREKIT_TARGET_CRC32C static std::uint32_t three_way(std::uint32_t c, const std::byte*& p,
                                                         std::size_t& n) noexcept {
        static constexpr std::uint64_t k2 = shift_constant(2 * S), k1 = shift_constant(S);
        while (n >= 3 * S) {
            std::uint64_t a = c, b = 0, d = 0;
            for (std::size_t i = 0; i < S; i += 8) {
                a = _mm_crc32_u64(a, load64(p + i));
                b = _mm_crc32_u64(b, load64(p + S + i));
                d = _mm_crc32_u64(d, load64(p + 2 * S + i));
            }
            const __m128i v = _mm_xor_si128(
                _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(a)),
                                     _mm_cvtsi64_si128(static_cast<long long>(k2)), 0x00),
                _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(b)),
                                     _mm_cvtsi64_si128(static_cast<long long>(k1)), 0x00));
            c = static_cast<std::uint32_t>(
                _mm_crc32_u64(0, static_cast<std::uint64_t>(_mm_cvtsi128_si64(v))) ^ d);
            p += 3 * S;
            n -= 3 * S;
        }
        return c;
    }
    /// Updates a reflected CRC-32C register over [p, p+n).
    WIREKIT_TARGET_CRC32C static std::uint64_t update(std::uint64_t state, const std::byte* p,
                                                      std::size_t n) noexcept {
        auto c = static_cast<std::uint32_t>(state);
        c = three_way<2048>(c, p, n);
        c = three_way<256>(c, p, n);
        c = three_way<64>(c, p, n);
        std::uint64_t c64 = c;
        while (n >= 8) {
            c64 = _mm_crc32_u64(c64, load64(p));
            p += 8;
            n -= 8;
        }
        c = static_cast<std::uint32_t>(c64);
        for (std::size_t i = 0; i < n; ++i) c = _mm_crc32_u8(c, std::to_integer<unsigned char>(p[i]));
        return c;
    }
};

#define WIREKIT_TARGET_HYBRID \
    __attribute__((target("avx512f,avx512bw,avx512vl,vpclmulqdq,pclmul,sse4.1,sse4.2,ssse3,avx2")))

/// CRC-32C on both carry-less-multiply and crc32 units at once. A block of
/// 400·IT bytes is split into a 256·IT-byte part folded with VPCLMULQDQ and
/// three 48·IT-byte streams fed to the crc32 instruction, interleaved in one
/// loop so the two execution units overlap; the parts are recombined with
/// compile-time shift constants. About 1.3× either engine alone on this
/// machine (Zen 5).
template <class M>
struct crc32c_hybrid {
    static constexpr std::size_t iterations = 16;
    static constexpr std::size_t crc32_steps = 6;  // 8-byte crc32 steps per stream per iteration
    static constexpr std::size_t fold_bytes = 256 * iterations;
    static constexpr std::size_t stream_bytes = 8 * crc32_steps * iterations;
    static constexpr std::size_t block = fold_bytes + 3 * stream_bytes;

    WIREKIT_TARGET_HYBRID static __m128i mul(std::uint64_t x, std::uint64_t k) noexcept {
        return _mm_clmulepi64_si128(_mm_cvtsi64_si128(static_cast<long long>(x)),
                                    _mm_cvtsi64_si128(static_cast<long long>(k)), 0x00);
    }
    WIREKIT_TARGET_HYBRID static std::uint64_t update_block(std::uint64_t state, const std::byte* p) noexcept {
        using X = crc_x86<M>;
        using K = crc_fold_constants<M>;
        using S = crc32c_sse42;
        static constexpr std::uint64_t k_fold = S::shift_constant(3 * stream_bytes);
        static constexpr std::uint64_t k_a = S::shift_constant(2 * stream_bytes);
        static constexpr std::uint64_t k_b = S::shift_constant(stream_bytes);
        __m512i z0 = _mm512_xor_si512(X::load512(p), _mm512_inserti32x4(_mm512_setzero_si512(), X::state_vec(state), 0));
        __m512i z1 = X::load512(p + 64), z2 = X::load512(p + 128), z3 = X::load512(p + 192);
        const std::byte* v = p + 256;
        const std::byte* c = p + fold_bytes;
        std::uint64_t a = 0, b = 0, d = 0;
        for (std::size_t j = 0; j < crc32_steps; ++j) {
            a = _mm_crc32_u64(a, S::load64(c + 8 * j));
            b = _mm_crc32_u64(b, S::load64(c + stream_bytes + 8 * j));
            d = _mm_crc32_u64(d, S::load64(c + 2 * stream_bytes + 8 * j));
        }
        c += 8 * crc32_steps;
        const __m512i k2048 = X::kvec512(K::k2048);
        for (std::size_t i = 1; i < iterations; ++i) {
            z0 = X::fold512(z0, k2048, X::load512(v));
            z1 = X::fold512(z1, k2048, X::load512(v + 64));
            z2 = X::fold512(z2, k2048, X::load512(v + 128));
            z3 = X::fold512(z3, k2048, X::load512(v + 192));
            v += 256;
            for (std::size_t j = 0; j < crc32_steps; ++j) {
                a = _mm_crc32_u64(a, S::load64(c + 8 * j));
                b = _mm_crc32_u64(b, S::load64(c + stream_bytes + 8 * j));
                d = _mm_crc32_u64(d, S::load64(c + 2 * stream_bytes + 8 * j));
            }
            c += 8 * crc32_steps;
        }
        z3 = X::fold512(z1, X::kvec512(K::k1024),
                        X::fold512(z2, X::kvec512(K::k512), X::fold512(z0, X::kvec512(K::k1536), z3)));
        const __m128i acc = _mm_xor_si128(
            _mm_xor_si128(X::fold(X::template lane<0>(z3), X::kvec(K::k384)),
                          X::fold(X::template lane<1>(z3), X::kvec(K::k256))),
            _mm_xor_si128(X::fold(X::template lane<2>(z3), X::kvec(K::k128)), X::template lane<3>(z3)));
        const std::uint64_t folded = X::barrett(acc);  // register after the folded part
        // register(all) = shift(folded, 3S) ^ shift(a, 2S) ^ shift(b, S) ^ d
        const __m128i t = _mm_xor_si128(_mm_xor_si128(mul(folded, k_fold), mul(a, k_a)), mul(b, k_b));
        return _mm_crc32_u64(0, static_cast<std::uint64_t>(_mm_cvtsi128_si64(t))) ^ d;
    }
    WIREKIT_TARGET_HYBRID static std::uint64_t update(std::uint64_t state, const std::byte* p, std::size_t n) noexcept {
        for (; n >= block; p += block, n -= block) state = update_block(state, p);
        if (n >= 1024) return crc_x86<M>::update_vpclmul(state, p, n);
        return crc32c_sse42::update(state, p, n);
    }
};
#undef WIREKIT_TARGET_CLMUL
#undef WIREKIT_TARGET_VCLMUL
#undef WIREKIT_TARGET_CRC32C
#undef WIREKIT_TARGET_HYBRID
#endif  // WIREKIT_CHECKSUM_X86

}  // namespace detail

/// A CRC computed per `Model` (a crc_model or catalogue entry such as
/// crc32_iso_hdlc). One-shot: `crc<crc32c>::compute(bytes)`. Streaming:
/// `crc<M> c; c.update(a).update(b); c.finalize()` — the same value as
/// compute() over the concatenation. Values are `Width`-bit, right-aligned,
/// exactly as the catalogue prints them; how they are laid out on the wire is
/// the protocol's business (the Ethernet FCS is sent least significant byte
/// first, i.e. `store_le<4>`). constexpr throughout.
template <class Model>
class crc {
public:
    using model = Model;
    using value_type = crc_value_t<Model::width>;  ///< holds the Width-bit value
    static constexpr unsigned width = Model::width;

    constexpr crc() noexcept = default;

    /// Feeds more message bytes. Returns *this.
    constexpr crc& update(bytes_view bytes) noexcept {
        state_ = run(state_, bytes, crc_path::automatic);
        return *this;
    }
    /// Feeds more bytes through a chosen engine (which must be supported).
    crc& update(bytes_view bytes, crc_path path) noexcept {
        state_ = run(state_, bytes, path);
        return *this;
    }
    /// The CRC of everything fed so far; the object can keep being updated.
    [[nodiscard]] constexpr value_type finalize() const noexcept {
        return static_cast<value_type>(detail::crc_state<Model>::finalize(state_));
    }
    /// Starts a new message.
    constexpr void reset() noexcept { state_ = detail::crc_state<Model>::initial; }

    /// The CRC of `bytes` (compile time or run time).
    [[nodiscard]] static constexpr value_type compute(bytes_view bytes) noexcept {
        return crc{}.update(bytes).finalize();
    }
    /// The CRC of `bytes` through a chosen engine (tests, benchmarks). An
    /// unsupported path falls back to slice8; check is_supported() first.
    [[nodiscard]] static value_type compute(bytes_view bytes, crc_path path) noexcept {
        if (path == crc_path::bitwise)
            return static_cast<value_type>(detail::crc_bitwise_reference<Model>(bytes.data(), bytes.size()));
        return crc{}.update(bytes, path).finalize();
    }
    /// True when `path` can run for this model on this CPU.
    [[nodiscard]] static bool is_supported(crc_path path) noexcept {
        const cpu_features& f = host_cpu_features();
        switch (path) {
            case crc_path::automatic:
            case crc_path::bitwise:
            case crc_path::bytewise:
            case crc_path::slice8: return true;
            case crc_path::pclmul: return WIREKIT_CHECKSUM_X86 && f.pclmul;
            case crc_path::vpclmul: return WIREKIT_CHECKSUM_X86 && f.vpclmulqdq;
            case crc_path::sse42: return WIREKIT_CHECKSUM_X86 && detail::is_crc32c_poly<Model> && f.sse42 && f.pclmul;
            case crc_path::hybrid:
                return WIREKIT_CHECKSUM_X86 && detail::is_crc32c_poly<Model> && f.sse42 && f.vpclmulqdq;
        }
        return false;
    }

private:
    static constexpr std::uint64_t run(std::uint64_t state, bytes_view b, crc_path path) noexcept {
        if (std::is_constant_evaluated()) return detail::crc_update_slice8<Model>(state, b.data(), b.size());
        return run_time(state, b.data(), b.size(), path);
    }
    static std::uint64_t run_time(std::uint64_t state, const std::byte* p, std::size_t n,
                                  crc_path path) noexcept {
#if WIREKIT_CHECKSUM_X86
        using X = detail::crc_x86<Model>;
        const cpu_features& f = host_cpu_features();
        if (path == crc_path::automatic) {
            if constexpr (detail::is_crc32c_poly<Model>) {
                // crc32 runs 8 bytes/cycle; wide folding wins on long buffers.
                if (f.sse42 && f.pclmul && (n < 1024 || !f.vpclmulqdq))
                    return detail::crc32c_sse42::update(state, p, n);
                if (f.sse42 && f.vpclmulqdq && n >= detail::crc32c_hybrid<Model>::block)
                    return detail::crc32c_hybrid<Model>::update(state, p, n);
            }
            if (n >= 16) {
                if (f.vpclmulqdq && n >= 256) return X::update_vpclmul(state, p, n);
                if (f.pclmul) return X::update_pclmul(state, p, n);
            }
            return detail::crc_update_slice8<Model>(state, p, n);
        }
        switch (path) {
            case crc_path::bitwise:  // the reference works on whole messages: use bytewise
            case crc_path::bytewise: return detail::crc_update_bytewise<Model>(state, p, n);
            case crc_path::pclmul:
                if (f.pclmul) return X::update_pclmul(state, p, n);
                break;
            case crc_path::vpclmul:
                if (f.vpclmulqdq) return X::update_vpclmul(state, p, n);
                break;
            case crc_path::sse42:
                if constexpr (detail::is_crc32c_poly<Model>)
                    if (f.sse42 && f.pclmul) return detail::crc32c_sse42::update(state, p, n);
                break;
            case crc_path::hybrid:
                if constexpr (detail::is_crc32c_poly<Model>)
                    if (f.sse42 && f.vpclmulqdq) return detail::crc32c_hybrid<Model>::update(state, p, n);
                break;
            default: break;
        }
#else
        if (path == crc_path::bitwise || path == crc_path::bytewise)
            return detail::crc_update_bytewise<Model>(state, p, n);
#endif
        return detail::crc_update_slice8<Model>(state, p, n);
    }

    std::uint64_t state_ = detail::crc_state<Model>::initial;
};

/// The CRC of `bytes` per `Model`, from the bitwise reference engine (slow;
/// for tests and for checking other implementations).
template <class Model>
[[nodiscard]] constexpr crc_value_t<Model::width> crc_reference(bytes_view bytes) noexcept {
    return static_cast<crc_value_t<Model::width>>(detail::crc_bitwise_reference<Model>(bytes.data(), bytes.size()));
}

}  // namespace wirekit
