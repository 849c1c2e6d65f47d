// wirekit/fsm/tcp/syn_cookie.hpp — SYN cookies (RFC 4987 §3.6).
//
// Layer L3. A listener whose SYN queue is full answers a SYN with a
// stateless SYN,ACK whose ISS is a cookie, and keeps nothing. A returning
// ACK carries the cookie back as SEG.ACK - 1; if it checks out, the
// connection is created then, directly in ESTABLISHED.
//
// The cookie follows the layout RFC 4987 §3.6 describes (32 bits, most
// significant first):
//
//   bits 31..27  t mod 32, t = a counter of 64-second periods (now / 64 s)
//   bits 26..24  an index into syn_cookie_mss_table: the MSS we accept from
//                the client (the largest entry not above the client's MSS)
//   bits 23..0   a MAC: the low 24 bits of SipHash-2-4 (isn.hpp) under the
//                listener's secret over
//                  'S' (one byte, separating this use of the key from RFC
//                  6528 ISNs, whose message is 12 bytes),
//                  local address, local port, remote address, remote port,
//                  t (32 bits), the client's ISN (SEG.SEQ of its SYN, 32
//                  bits), the MSS index (one byte)
//                (network byte order; 22 bytes in all).
//
// A cookie is valid for the counter it was made in and the next one (64 to
// 128 seconds). A forged cookie passes with probability 2^-24 per try.
// Everything else the SYN said (window scale, SACK-permitted, timestamps)
// is not in the cookie and is lost: RFC 4987 §3.6's trade-off.
#pragma once

#include <array>    // the MSS table, MAC message
#include <chrono>   // std::chrono::microseconds
#include <cstddef>  // std::byte, std::size_t
#include <cstdint>  // std::uint32_t
#include <optional> // check result

#include "../../core/bytes.hpp"  // bytes_view
#include "isn.hpp"               // siphash24, siphash_key, endpoint

namespace wirekit::fsm::tcp {

/// The MSS values a cookie can carry (3 bits), bytes. 64 is the least MSS
/// wirekit uses at all; 536 the RFC 9293 §3.7.1 default (no MSS option);
/// 1240 an IPv6-minimum-MTU path (1280 - 40); 1300 and 1440 are in Linux's
/// syncookie table (net/ipv4/syncookies.c, msstab); 1400 a common tunnel
/// clamp; 1452 PPPoE (1492 - 40); 1460 Ethernet (1500 - 40).
inline constexpr std::array<std::uint16_t, 8> syn_cookie_mss_table{64, 536, 1240, 1300, 1400, 1440, 1452, 1460};

/// Length of one cookie counter period (RFC 4987 §3.6: "increases every 64 seconds").
inline constexpr std::chrono::microseconds syn_cookie_period = std::chrono::seconds(64);

/// The cookie time counter t at `now` (microseconds since the caller's epoch).
[[nodiscard]] constexpr std::uint32_t syn_cookie_counter(std::chrono::microseconds now) noexcept {
    return static_cast<std::uint32_t>(static_cast<std::uint64_t>(now.count()) /
                                      static_cast<std::uint64_t>(syn_cookie_period.count()));
}

/// Index of the largest syn_cookie_mss_table entry not above `client_mss`
/// (0 when it is below all of them).
[[nodiscard]] constexpr std::uint8_t syn_cookie_mss_index(std::uint16_t client_mss) noexcept {
    auto i = static_cast<std::uint8_t>(syn_cookie_mss_table.size() - 1);
    while (i > 0 && syn_cookie_mss_table[i] > client_mss) --i;
    return i;
}

/// The 24-bit MAC of a cookie (see the file comment for the message).
[[nodiscard]] constexpr std::uint32_t syn_cookie_mac(const siphash_key& secret, endpoint local, endpoint remote,
                                                     std::uint32_t client_isn, std::uint32_t counter,
                                                     std::uint8_t mss_index) noexcept {
    std::array<std::byte, 22> m{};
    std::size_t at = 0;
    auto put = [&](std::uint32_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) m[at++] = std::byte((v >> (8 * i)) & 0xff);
    };
    m[at++] = std::byte{'S'};
    for (std::size_t i = 0; i < 4; ++i) m[at++] = local.addr.octets[i];
    put(local.port, 2);
    for (std::size_t i = 0; i < 4; ++i) m[at++] = remote.addr.octets[i];
    put(remote.port, 2);
    put(counter, 4);
    put(client_isn, 4);
    m[at++] = std::byte{mss_index};
    return static_cast<std::uint32_t>(siphash24(secret, bytes_view(m))) & 0xffffffu;
}

/// The cookie (our ISS) for a SYN from `remote` to `local` with sequence
/// number `client_isn`, at counter `counter`, carrying MSS index
/// `mss_index` (0..7; higher values are masked to 3 bits).
[[nodiscard]] constexpr std::uint32_t make_syn_cookie(const siphash_key& secret, endpoint local, endpoint remote,
                                                      std::uint32_t client_isn, std::uint32_t counter,
                                                      std::uint8_t mss_index) noexcept {
    mss_index &= 7;
    return (counter & 31u) << 27 | static_cast<std::uint32_t>(mss_index) << 24 |
           syn_cookie_mac(secret, local, remote, client_isn, counter, mss_index);
}

/// Checks `cookie` (SEG.ACK - 1 of the returning ACK) against the 4-tuple,
/// the client's ISN (SEG.SEQ - 1 of that ACK) and the counter now: valid
/// when made in counter `counter_now` or `counter_now - 1` with a matching
/// MAC. Returns the MSS the cookie carries (bytes), or nothing when invalid.
[[nodiscard]] constexpr std::optional<std::uint16_t> check_syn_cookie(const siphash_key& secret, endpoint local,
                                                                      endpoint remote, std::uint32_t client_isn,
                                                                      std::uint32_t cookie,
                                                                      std::uint32_t counter_now) noexcept {
    const std::uint32_t t_bits = cookie >> 27;
    const auto mss_index = static_cast<std::uint8_t>((cookie >> 24) & 7u);
    for (const std::uint32_t t : {counter_now, counter_now - 1}) {
        if ((t & 31u) != t_bits) continue;
        if (syn_cookie_mac(secret, local, remote, client_isn, t, mss_index) == (cookie & 0xffffffu))
            return syn_cookie_mss_table[mss_index];
    }
    return std::nullopt;
}

}  // namespace wirekit::fsm::tcp
