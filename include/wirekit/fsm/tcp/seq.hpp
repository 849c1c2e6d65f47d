// wirekit/fsm/tcp/seq.hpp — TCP sequence number arithmetic (RFC 9293 §3.4).
//
// Layer L3. Sequence numbers live in 0..2^32-1 and all arithmetic is modulo
// 2^32. Comparisons use the signed 32-bit difference (serial number
// arithmetic, RFC 1982 §3.2), valid while the two numbers are less than 2^31
// apart, which TCP's window limits guarantee (RFC 7323 §2.3).
#pragma once

#include <cstdint>  // std::uint32_t, std::int32_t

namespace wirekit::fsm::tcp {

/// a < b in sequence space.
[[nodiscard]] constexpr bool seq_lt(std::uint32_t a, std::uint32_t b) noexcept {
    return static_cast<std::int32_t>(a - b) < 0;
}
/// a <= b in sequence space.
[[nodiscard]] constexpr bool seq_le(std::uint32_t a, std::uint32_t b) noexcept {
    return static_cast<std::int32_t>(a - b) <= 0;
}
/// a > b in sequence space.
[[nodiscard]] constexpr bool seq_gt(std::uint32_t a, std::uint32_t b) noexcept { return seq_lt(b, a); }
/// a >= b in sequence space.
[[nodiscard]] constexpr bool seq_ge(std::uint32_t a, std::uint32_t b) noexcept { return seq_le(b, a); }
/// The later of a and b in sequence space.
[[nodiscard]] constexpr std::uint32_t seq_max(std::uint32_t a, std::uint32_t b) noexcept {
    return seq_lt(a, b) ? b : a;
}
/// lo <= x < hi in sequence space (an empty range when lo == hi).
[[nodiscard]] constexpr bool seq_in(std::uint32_t x, std::uint32_t lo, std::uint32_t hi) noexcept {
    return seq_le(lo, x) && seq_lt(x, hi);
}

}  // namespace wirekit::fsm::tcp
