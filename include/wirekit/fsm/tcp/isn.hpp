// wirekit/fsm/tcp/isn.hpp — initial sequence numbers per RFC 6528.
//
// Layer L3. RFC 6528 §3:  ISN = M + F(localip, localport, remoteip,
// remoteport, secretkey), where M is a timer ticking every 4 microseconds
// and F a keyed pseudorandom function. wirekit uses SipHash-2-4 (Aumasson
// and Bernstein, "SipHash: a fast short-input PRF", 2012) as F, truncated to
// its low 32 bits. The clock and the 128-bit secret are passed in: nothing
// here reads a clock or a random source.
#pragma once

#include <array>    // key
#include <chrono>   // std::chrono::microseconds
#include <cstddef>  // std::byte, std::size_t
#include <cstdint>  // std::uint32_t, std::uint64_t

#include "../../core/address.hpp"  // ipv4_address
#include "../../core/bytes.hpp"    // bytes_view
#include "../../core/endian.hpp"   // load_le

namespace wirekit::fsm::tcp {

/// A 128-bit SipHash key.
using siphash_key = std::array<std::byte, 16>;

/// SipHash-2-4 of `msg` under `key` (the 64-bit output, read as a
/// little-endian integer as in the reference implementation).
[[nodiscard]] constexpr std::uint64_t siphash24(const siphash_key& key, bytes_view msg) noexcept {
    const std::uint64_t k0 = load_le<8>(key.data());
    const std::uint64_t k1 = load_le<8>(key.data() + 8);
    std::uint64_t v0 = 0x736f6d6570736575ULL ^ k0;  // "somepseu"
    std::uint64_t v1 = 0x646f72616e646f6dULL ^ k1;  // "dorandom"
    std::uint64_t v2 = 0x6c7967656e657261ULL ^ k0;  // "lygenera"
    std::uint64_t v3 = 0x7465646279746573ULL ^ k1;  // "tedbytes"
    auto rotl = [](std::uint64_t x, int b) { return (x << b) | (x >> (64 - b)); };
    auto round = [&] {
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
    };
    const std::size_t n = msg.size();
    std::size_t at = 0;
    for (; at + 8 <= n; at += 8) {
        const std::uint64_t m = load_le<8>(msg.data() + at);
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
    std::uint64_t last = static_cast<std::uint64_t>(n & 0xff) << 56;
    for (std::size_t i = 0; at + i < n; ++i) last |= std::to_integer<std::uint64_t>(msg[at + i]) << (8 * i);
    v3 ^= last;
    round();
    round();
    v0 ^= last;
    v2 ^= 0xff;
    round();
    round();
    round();
    round();
    return v0 ^ v1 ^ v2 ^ v3;
}

/// One end of a connection: IPv4 address and port.
struct endpoint {
    ipv4_address addr{};
    std::uint16_t port = 0;
    friend constexpr bool operator==(const endpoint&, const endpoint&) = default;
};

/// RFC 6528 §3 ISN for the connection (local, remote) at time `now`
/// (microseconds since any fixed epoch): M + F, M = now / 4 µs, F =
/// SipHash-2-4 over local address, local port, remote address, remote port
/// (network byte order, 12 bytes), truncated to 32 bits.
[[nodiscard]] constexpr std::uint32_t initial_sequence_number(const siphash_key& secret, endpoint local,
                                                              endpoint remote,
                                                              std::chrono::microseconds now) noexcept {
    std::array<std::byte, 12> m{};
    for (std::size_t i = 0; i < 4; ++i) m[i] = local.addr.octets[i];
    m[4] = std::byte(local.port >> 8);
    m[5] = std::byte(local.port & 0xff);
    for (std::size_t i = 0; i < 4; ++i) m[6 + i] = remote.addr.octets[i];
    m[10] = std::byte(remote.port >> 8);
    m[11] = std::byte(remote.port & 0xff);
    const auto f = static_cast<std::uint32_t>(siphash24(secret, bytes_view(m)));
    const auto ticks = static_cast<std::uint32_t>(static_cast<std::uint64_t>(now.count()) / 4);
    return ticks + f;
}

}  // namespace wirekit::fsm::tcp
