// wirekit/fsm/tcp/rto.hpp — the retransmission timeout of RFC 6298.
//
// Layer L3. SRTT and RTTVAR with alpha = 1/8 and beta = 1/4 (§2.3),
// RTO = SRTT + max(G, K*RTTVAR) with K = 4 (§2.2, §2.3), at least 1 second
// (§2.4), at most `max_rto` (§2.5 allows a maximum of at least 60 s), 1 s
// before the first measurement (§2.1), doubled on each expiry (§5.5).
// Karn's algorithm (§3) is the caller's: never sample a retransmitted
// segment. Units: microseconds.
#pragma once

#include <algorithm>  // std::max, std::min
#include <chrono>     // std::chrono::microseconds
#include <cstdint>    // std::uint32_t

namespace wirekit::fsm::tcp {

/// The RFC 6298 estimator. All durations in microseconds.
struct rtt_estimator {
    using duration = std::chrono::microseconds;

    static constexpr duration initial_rto = std::chrono::seconds(1);  ///< §2.1
    static constexpr duration min_rto = std::chrono::seconds(1);      ///< §2.4
    duration max_rto = std::chrono::seconds(60);                      ///< §2.5
    duration granularity = std::chrono::microseconds(1);              ///< G, the clock granularity

    duration srtt{0};    ///< smoothed round-trip time (valid once has_sample)
    duration rttvar{0};  ///< round-trip time variation
    duration rto = initial_rto;
    bool has_sample = false;

    /// Takes one measurement R (§2.2 for the first, §2.3 after). With
    /// `expected_samples` = n > 1 the gains are alpha / n and beta / n, as
    /// RFC 7323 §4.2 asks when every ACK is timed (timestamps).
    constexpr void sample(duration r, std::uint32_t expected_samples = 1) noexcept {
        if (r.count() < 0) r = duration(0);
        const auto n = static_cast<duration::rep>(expected_samples == 0 ? 1 : expected_samples);
        if (!has_sample) {
            srtt = r;
            rttvar = r / 2;
            has_sample = true;
        } else {
            const duration diff = srtt > r ? srtt - r : r - srtt;
            rttvar = rttvar - rttvar / (4 * n) + diff / (4 * n);  // (1 - beta) * RTTVAR + beta * |SRTT - R'|
            srtt = srtt - srtt / (8 * n) + r / (8 * n);          // (1 - alpha) * SRTT + alpha * R'
        }
        rto = clamp(srtt + std::max(granularity, 4 * rttvar));
    }
    /// §5.5: the timer expired; back off.
    constexpr void backoff() noexcept { rto = clamp(2 * rto); }

    [[nodiscard]] constexpr duration clamp(duration d) const noexcept {
        return std::min(std::max(d, min_rto), std::max(max_rto, min_rto));
    }
};

}  // namespace wirekit::fsm::tcp
