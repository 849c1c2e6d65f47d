// wirekit/io/impairment.hpp — seeded, reproducible link impairments: the
// random source and the settings shared by memory_pipe and fault_injector.
//
// Layer L4, pure computation. The generator is xoshiro256** (Blackman and
// Vigna, 2018) seeded through SplitMix64, written out here rather than taken
// from <random> because the standard distributions differ between library
// implementations: a seed must replay the same losses on every compiler.
#pragma once

#include <chrono>   // delays
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t

#include "device.hpp"  // timestamp

namespace wirekit::io {

/// A small deterministic random generator (xoshiro256**, seeded by SplitMix64).
class impairment_rng {
public:
    /// Seeds the four words of state from `seed` with SplitMix64.
    explicit constexpr impairment_rng(std::uint64_t seed = 0) noexcept {
        for (auto& w : s_) {
            seed += 0x9e3779b97f4a7c15ULL;
            std::uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            w = z ^ (z >> 31);
        }
    }
    /// The next 64 random bits.
    constexpr std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    /// A uniform double in [0, 1) (the top 53 bits).
    constexpr double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// True with probability `p` (p <= 0: never; p >= 1: always).
    constexpr bool chance(double p) noexcept { return p > 0 && uniform() < p; }
    /// A uniform integer in [0, n), 0 < n <= 2^53 (scaled from uniform(); exact for such n).
    constexpr std::uint64_t below(std::uint64_t n) noexcept {
        const auto v = static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
        return v < n ? v : n - 1;
    }

private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4]{};
};

/// Impairments of one direction of a link. Probabilities are per frame and
/// independent; times are in the pipe's clock. All zero = a perfect link.
struct impairments {
    double loss = 0;             ///< probability a frame is dropped
    double duplicate = 0;        ///< probability a frame is delivered twice
    double reorder = 0;          ///< probability a frame is held back by `reorder_delay`, letting later frames pass it
    timestamp reorder_delay = std::chrono::milliseconds(1);
    double corrupt = 0;          ///< probability one uniformly chosen bit of the frame is flipped
    timestamp delay{};           ///< one-way propagation delay
    std::uint64_t rate_bps = 0;  ///< link rate in bits per second (0 = unlimited): serialisation takes bytes·8/rate
    std::size_t queue_limit = 0; ///< frames waiting for serialisation before tail drop (0 = unlimited; needs rate_bps)
};

/// What impairments did, per direction.
struct impairment_stats {
    std::size_t transmitted = 0;    ///< frames offered by the sender
    std::size_t delivered = 0;      ///< frames handed to the receiver (duplicates included)
    std::size_t lost = 0;
    std::size_t duplicated = 0;
    std::size_t reordered = 0;
    std::size_t corrupted = 0;
    std::size_t queue_dropped = 0;  ///< tail drops at queue_limit
};

}  // namespace wirekit::io
