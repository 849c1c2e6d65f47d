// wirekit/fsm/tcp/timestamps.hpp — RFC 7323 timestamps: the TSval clock,
// TS.Recent and Last.ACK.sent, and the PAWS test.
//
// Layer L3. The TSval clock ticks once per millisecond (RFC 7323 §5.4
// allows 1 ms to 1 s per tick) and is derived from the caller's `now`
// plus a per-connection offset, so the clock value reveals nothing about
// the host's uptime and differs between connections (RFC 7323 §5.4 and
// §7.1; the offset is a keyed hash of the 4-tuple, as RFC 6528 does for
// ISNs, here SipHash-2-4 with a domain-separation octet). Timestamp values
// compare modulo 2^32 (§5.2), like sequence numbers.
#pragma once

#include <array>    // hash input
#include <chrono>   // std::chrono::microseconds
#include <cstddef>  // std::byte
#include <cstdint>  // std::uint32_t

#include "isn.hpp"  // siphash24, endpoint
#include "seq.hpp"  // seq_lt (modular comparison)

namespace wirekit::fsm::tcp {

/// One tick of the TSval clock: 1 ms (RFC 7323 §5.4).
inline constexpr std::chrono::microseconds ts_tick = std::chrono::milliseconds(1);
/// TS.Recent expires after 24 days without a valid timestamp (RFC 7323 §5.5).
inline constexpr std::chrono::microseconds paws_idle = std::chrono::hours(24 * 24);

/// The per-connection TSval offset: the low 32 bits of SipHash-2-4 over local
/// address, local port, remote address, remote port (network byte order) and
/// the octet 'T' (so it is independent of the RFC 6528 ISN of the same tuple).
[[nodiscard]] constexpr std::uint32_t timestamp_offset(const siphash_key& secret, endpoint local,
                                                       endpoint remote) noexcept {
    std::array<std::byte, 13> m{};
    for (std::size_t i = 0; i < 4; ++i) m[i] = local.addr.octets[i];
    m[4] = std::byte(local.port >> 8);
    m[5] = std::byte(local.port & 0xff);
    for (std::size_t i = 0; i < 4; ++i) m[6 + i] = remote.addr.octets[i];
    m[10] = std::byte(remote.port >> 8);
    m[11] = std::byte(remote.port & 0xff);
    m[12] = std::byte{'T'};
    return static_cast<std::uint32_t>(siphash24(secret, bytes_view(m)));
}

/// TSval at `now` (microseconds since the caller's epoch): now / 1 ms + offset, modulo 2^32.
[[nodiscard]] constexpr std::uint32_t timestamp_clock(std::chrono::microseconds now, std::uint32_t offset) noexcept {
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(now.count()) / 1000u) + offset;
}

/// Timestamp state of one connection (RFC 7323 §3.2, §4.3, §5.3).
struct timestamp_state {
    bool ok = false;                    ///< TSopt negotiated: our SYN and the peer's SYN (or SYN,ACK) both carried it
    std::uint32_t offset = 0;           ///< added to the 1 ms clock (timestamp_offset)
    std::uint32_t recent = 0;           ///< TS.Recent: the TSval to echo in TSecr
    std::chrono::microseconds recent_age{};  ///< when TS.Recent was last set (§5.5)
    std::uint32_t last_ack_sent = 0;    ///< Last.ACK.sent: the ACK field of our last segment (§4.3)

    /// Our TSval now.
    [[nodiscard]] constexpr std::uint32_t now_value(std::chrono::microseconds now) const noexcept {
        return timestamp_clock(now, offset);
    }
    /// Records TS.Recent from a SYN or SYN,ACK (§3.2, §4.3).
    constexpr void set_recent(std::uint32_t tsval, std::chrono::microseconds now) noexcept {
        recent = tsval;
        recent_age = now;
    }
    /// RFC 7323 §5.3 R1 (PAWS): true when a non-RST segment with `tsval`
    /// must be dropped as an old duplicate: SEG.TSval < TS.Recent while
    /// TS.Recent is valid. After more than 24 days idle (§5.5) TS.Recent is
    /// no longer valid: it is replaced by `tsval` and the segment passes.
    [[nodiscard]] constexpr bool paws_rejects(std::uint32_t tsval, std::chrono::microseconds now) noexcept {
        if (now - recent_age > paws_idle) {
            set_recent(tsval, now);
            return false;
        }
        return seq_lt(tsval, recent);
    }
    /// RFC 7323 §5.3 R3 (§4.3 as amended by Appendix D): for an acceptable
    /// segment, SEG.TSval >= TS.Recent and SEG.SEQ <= Last.ACK.sent ->
    /// TS.Recent = SEG.TSval.
    constexpr void maybe_update_recent(std::uint32_t tsval, std::uint32_t seg_seq,
                                       std::chrono::microseconds now) noexcept {
        if (!seq_lt(tsval, recent) && !seq_lt(last_ack_sent, seg_seq)) set_recent(tsval, now);
    }
};

}  // namespace wirekit::fsm::tcp
