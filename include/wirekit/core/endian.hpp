// wirekit/core/endian.hpp — unaligned big- and little-endian integers.
//
// Layer L0. Network byte order is big-endian (RFC 1700, "Data Notations").
// `load_be<N>` / `store_be<N>` read and write an N-byte unsigned integer at any
// address (no alignment needed), N in 1..8. The `be16`, `be24`, ... types are
// byte arrays with integer conversions, usable as struct members that mirror
// a wire format; their size equals their wire size and their alignment is 1.
#pragma once

#include <bit>          // std::endian
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // fixed-width integers
#include <cstring>      // std::memcpy: the defined way to do unaligned loads
#include <type_traits>  // std::conditional_t

namespace wirekit {

namespace detail {
/// Smallest unsigned integer type holding `Bytes` bytes.
template <std::size_t Bytes>
using uint_for_bytes = std::conditional_t<
    (Bytes <= 1), std::uint8_t,
    std::conditional_t<(Bytes <= 2), std::uint16_t,
                       std::conditional_t<(Bytes <= 4), std::uint32_t, std::uint64_t>>>;

constexpr std::uint16_t bswap(std::uint16_t v) noexcept { return __builtin_bswap16(v); }
constexpr std::uint32_t bswap(std::uint32_t v) noexcept { return __builtin_bswap32(v); }
constexpr std::uint64_t bswap(std::uint64_t v) noexcept { return __builtin_bswap64(v); }
}  // namespace detail

/// Reads an N-byte big-endian unsigned integer at `p` (any alignment).
template <std::size_t N>
[[nodiscard]] constexpr detail::uint_for_bytes<N> load_be(const std::byte* p) noexcept {
    static_assert(N >= 1 && N <= 8, "wirekit: load_be supports 1..8 bytes");
    using U = detail::uint_for_bytes<N>;
    if (!std::is_constant_evaluated()) {
        if constexpr (N == 2 || N == 4 || N == 8) {
            U v;
            std::memcpy(&v, p, N);
            if constexpr (std::endian::native == std::endian::little) v = detail::bswap(v);
            return v;
        }
    }
    U v = 0;
    for (std::size_t i = 0; i < N; ++i) v = static_cast<U>((v << 8) | std::to_integer<U>(p[i]));
    return v;
}

/// Reads an N-byte little-endian unsigned integer at `p` (any alignment).
template <std::size_t N>
[[nodiscard]] constexpr detail::uint_for_bytes<N> load_le(const std::byte* p) noexcept {
    static_assert(N >= 1 && N <= 8, "wirekit: load_le supports 1..8 bytes");
    using U = detail::uint_for_bytes<N>;
    if (!std::is_constant_evaluated()) {
        if constexpr (N == 2 || N == 4 || N == 8) {
            U v;
            std::memcpy(&v, p, N);
            if constexpr (std::endian::native == std::endian::big) v = detail::bswap(v);
            return v;
        }
    }
    U v = 0;
    for (std::size_t i = N; i-- > 0;) v = static_cast<U>((v << 8) | std::to_integer<U>(p[i]));
    return v;
}

/// Writes the low N bytes of `v` big-endian at `p` (any alignment).
template <std::size_t N>
constexpr void store_be(std::byte* p, detail::uint_for_bytes<N> v) noexcept {
    static_assert(N >= 1 && N <= 8, "wirekit: store_be supports 1..8 bytes");
    using U = detail::uint_for_bytes<N>;
    if (!std::is_constant_evaluated()) {
        if constexpr (N == 2 || N == 4 || N == 8) {
            U w = v;
            if constexpr (std::endian::native == std::endian::little) w = detail::bswap(w);
            std::memcpy(p, &w, N);
            return;
        }
    }
    for (std::size_t i = N; i-- > 0;) {
        p[i] = static_cast<std::byte>(v & 0xffu);
        if constexpr (N > 1) v = static_cast<U>(v >> 8);
    }
}

/// Writes the low N bytes of `v` little-endian at `p` (any alignment).
template <std::size_t N>
constexpr void store_le(std::byte* p, detail::uint_for_bytes<N> v) noexcept {
    static_assert(N >= 1 && N <= 8, "wirekit: store_le supports 1..8 bytes");
    using U = detail::uint_for_bytes<N>;
    if (!std::is_constant_evaluated()) {
        if constexpr (N == 2 || N == 4 || N == 8) {
            U w = v;
            if constexpr (std::endian::native == std::endian::big) w = detail::bswap(w);
            std::memcpy(p, &w, N);
            return;
        }
    }
    for (std::size_t i = 0; i < N; ++i) {
        p[i] = static_cast<std::byte>(v & 0xffu);
        if constexpr (N > 1) v = static_cast<U>(v >> 8);
    }
}

/// An N-byte unsigned integer stored in a fixed byte order, alignment 1.
/// Converts to and from the native unsigned type that holds N bytes; on
/// assignment, bits above 8*N are discarded.
template <std::size_t N, std::endian Order>
struct endian_int {
    static_assert(N >= 1 && N <= 8, "wirekit: endian_int supports 1..8 bytes");
    using value_type = detail::uint_for_bytes<N>;
    static constexpr std::size_t size = N;  ///< size in bytes on the wire

    std::byte raw[N]{};  ///< the bytes exactly as on the wire

    constexpr endian_int() noexcept = default;
    constexpr endian_int(value_type v) noexcept { set(v); }  // NOLINT: implicit by design

    [[nodiscard]] constexpr value_type get() const noexcept {
        if constexpr (Order == std::endian::big) return load_be<N>(raw);
        else return load_le<N>(raw);
    }
    constexpr void set(value_type v) noexcept {
        if constexpr (N < sizeof(value_type)) v = static_cast<value_type>(v & ((value_type{1} << (8 * N)) - 1));
        if constexpr (Order == std::endian::big) store_be<N>(raw, v);
        else store_le<N>(raw, v);
    }
    constexpr operator value_type() const noexcept { return get(); }  // NOLINT: implicit by design
    constexpr endian_int& operator=(value_type v) noexcept { set(v); return *this; }
    friend constexpr bool operator==(const endian_int& a, const endian_int& b) noexcept {
        return a.get() == b.get();
    }
};

using be8 = endian_int<1, std::endian::big>;    ///< 8-bit, network byte order
using be16 = endian_int<2, std::endian::big>;   ///< 16-bit, network byte order
using be24 = endian_int<3, std::endian::big>;   ///< 24-bit, network byte order
using be32 = endian_int<4, std::endian::big>;   ///< 32-bit, network byte order
using be48 = endian_int<6, std::endian::big>;   ///< 48-bit, network byte order
using be64 = endian_int<8, std::endian::big>;   ///< 64-bit, network byte order
using le8 = endian_int<1, std::endian::little>;   ///< 8-bit, little-endian
using le16 = endian_int<2, std::endian::little>;  ///< 16-bit, little-endian
using le24 = endian_int<3, std::endian::little>;  ///< 24-bit, little-endian
using le32 = endian_int<4, std::endian::little>;  ///< 32-bit, little-endian
using le48 = endian_int<6, std::endian::little>;  ///< 48-bit, little-endian
using le64 = endian_int<8, std::endian::little>;  ///< 64-bit, little-endian

static_assert(sizeof(be24) == 3 && alignof(be24) == 1, "endian_int must have no padding");

}  // namespace wirekit
