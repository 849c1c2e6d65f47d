// wirekit/io/memory_pipe.hpp — two connected frame devices in one process,
// with seeded, reproducible impairments per direction.
//
// Layer L4, sans clock: the pipe never reads a clock. The caller sets the
// virtual time with set_time(now); a frame transmitted at `now` becomes
// receivable at the other end once the time reaches its delivery time:
//
//   depart  = max(now, link free) + bytes·8 / rate_bps   (serialisation)
//   deliver = depart + delay (+ reorder_delay for a reordered frame)
//
// Per frame, in this order: tail drop when `queue_limit` frames are still
// waiting for serialisation; loss; corruption (one bit); reordering;
// duplication (the copy arrives right after the original). Each direction
// has its own generator, seeded from the pipe's seed, so a seed replays the
// same run exactly. Frames waiting in a direction are bounded by
// `max_pending` (tail drop beyond it): memory stays bounded.
#pragma once

#include <algorithm>  // std::push_heap, std::pop_heap, std::max
#include <array>      // two directions
#include <chrono>     // durations
#include <cstddef>    // std::byte, std::size_t
#include <cstdint>    // std::uint64_t
#include <deque>      // serialisation queue
#include <optional>   // next_delivery
#include <utility>    // std::move
#include <vector>     // frame storage

#include "../core/bytes.hpp"  // bytes_view
#include "device.hpp"         // frame_device, frame_ref, device_capabilities
#include "error.hpp"          // io_result
#include "impairment.hpp"     // impairments, impairment_rng

namespace wirekit::io {

/// Settings of a memory_pipe.
struct pipe_config {
    std::uint64_t seed = 1;           ///< one seed for both directions
    impairments a_to_b{};             ///< frames transmitted on end a, received on end b
    impairments b_to_a{};
    device_capabilities caps{};       ///< reported by both ends (Ethernet, MTU 1500 by default)
    std::size_t max_pending = 65536;  ///< frames in flight per direction (memory bound)
};

/// A connected pair of frame devices. Not copyable or movable (the ends
/// refer to it); not thread-safe.
class memory_pipe {
public:
    /// One end of the pipe: a frame_device.
    class end {
    public:
        end(const end&) = delete;
        end& operator=(const end&) = delete;

        [[nodiscard]] device_capabilities capabilities() const { return pipe_->cfg_.caps; }
        /// The next frame whose delivery time has come, or nullopt. The bytes
        /// stay valid until the next receive() on this end. Never fails.
        io_result<std::optional<frame_ref>> receive() { return pipe_->pop(1 - dir_); }
        /// Sends `frame` towards the other end at the pipe's current time.
        /// Errors: too_big when it exceeds MTU + 18 bytes (Ethernet header
        /// and one VLAN tag). Impairment drops are not errors (see stats()).
        io_result<void> transmit(bytes_view frame) { return pipe_->push(dir_, frame); }
        /// −1: no kernel handle; poll the pipe by time (memory_pipe::next_delivery).
        [[nodiscard]] int native_handle() const { return -1; }
        /// What the impairments did to frames transmitted from this end.
        [[nodiscard]] const impairment_stats& stats() const { return pipe_->dirs_[dir_].stats; }

    private:
        friend class memory_pipe;
        end(memory_pipe* p, int d) : pipe_(p), dir_(d) {}
        memory_pipe* pipe_;
        int dir_;  // 0: a→b, 1: b→a (the direction this end transmits into)
    };

    explicit memory_pipe(pipe_config cfg = {})
        : cfg_(cfg), a_(this, 0), b_(this, 1) {
        dirs_[0].imp = cfg_.a_to_b;
        dirs_[1].imp = cfg_.b_to_a;
        dirs_[0].rng = impairment_rng(cfg_.seed * 2 + 0);
        dirs_[1].rng = impairment_rng(cfg_.seed * 2 + 1);
    }
    memory_pipe(const memory_pipe&) = delete;
    memory_pipe& operator=(const memory_pipe&) = delete;

    [[nodiscard]] end& a() noexcept { return a_; }
    [[nodiscard]] end& b() noexcept { return b_; }

    /// Advances the virtual clock. Time never goes back: an earlier `now` is ignored.
    void set_time(timestamp now) noexcept { now_ = std::max(now_, now); }
    /// The virtual clock.
    [[nodiscard]] timestamp now() const noexcept { return now_; }
    /// The earliest delivery time of any frame in flight (either direction), or nullopt when idle.
    [[nodiscard]] std::optional<timestamp> next_delivery() const noexcept {
        std::optional<timestamp> t;
        for (const auto& d : dirs_)
            if (!d.heap.empty() && (!t || d.heap.front().at < *t)) t = d.heap.front().at;
        return t;
    }
    /// Frames in flight in the direction that `from` transmits into.
    [[nodiscard]] std::size_t in_flight(const end& from) const noexcept { return dirs_[from.dir_].heap.size(); }

private:
    struct pending {
        timestamp at{};
        std::uint64_t seq = 0;
        std::vector<std::byte> bytes;
    };
    // Min-heap on (at, seq): later-first comparison for std::push_heap.
    static bool later(const pending& x, const pending& y) noexcept {
        return x.at != y.at ? x.at > y.at : x.seq > y.seq;
    }
    struct direction {
        impairments imp{};
        impairment_rng rng{};
        impairment_stats stats{};
        std::vector<pending> heap;
        std::deque<timestamp> serialising;  // departure times still in the future
        timestamp link_free{};
        std::uint64_t seq = 0;
        std::vector<std::byte> current;     // the frame last handed out
    };

    io_result<void> push(int d, bytes_view frame) {
        if (frame.size() > cfg_.caps.mtu + 18)
            return io_error{io_errc::too_big, "memory_pipe::transmit", 0, "frame longer than MTU + 18 bytes"};
        direction& dir = dirs_[d];
        ++dir.stats.transmitted;
        while (!dir.serialising.empty() && dir.serialising.front() <= now_) dir.serialising.pop_front();
        if ((dir.imp.queue_limit != 0 && dir.serialising.size() >= dir.imp.queue_limit) ||
            dir.heap.size() >= cfg_.max_pending) {
            ++dir.stats.queue_dropped;
            return {};
        }
        timestamp depart = now_;
        if (dir.imp.rate_bps != 0) {
            // frame.size() <= MTU + 18 keeps bytes·8·10^9 far below 2^64 for any MTU up to 2^30.
            const std::uint64_t bits = static_cast<std::uint64_t>(frame.size()) * 8u * 1'000'000'000u;
            const auto ns = static_cast<std::int64_t>((bits + dir.imp.rate_bps - 1) / dir.imp.rate_bps);
            depart = std::max(now_, dir.link_free) + std::chrono::nanoseconds(ns);
            dir.link_free = depart;
            dir.serialising.push_back(depart);
        }
        if (dir.rng.chance(dir.imp.loss)) {
            ++dir.stats.lost;
            return {};
        }
        pending p{depart + dir.imp.delay, dir.seq++, std::vector<std::byte>(frame.begin(), frame.end())};
        if (!p.bytes.empty() && dir.rng.chance(dir.imp.corrupt)) {
            const auto bit = dir.rng.below(p.bytes.size() * 8);
            p.bytes[bit / 8] ^= std::byte{static_cast<unsigned char>(1u << (bit % 8))};
            ++dir.stats.corrupted;
        }
        if (dir.rng.chance(dir.imp.reorder)) {
            p.at += dir.imp.reorder_delay;
            ++dir.stats.reordered;
        }
        const bool dup = dir.rng.chance(dir.imp.duplicate);
        if (dup && dir.heap.size() + 1 < cfg_.max_pending) {
            pending copy{p.at, dir.seq++, p.bytes};
            ++dir.stats.duplicated;
            insert(dir, std::move(p));
            insert(dir, std::move(copy));
        } else {
            insert(dir, std::move(p));
        }
        return {};
    }
    static void insert(direction& dir, pending p) {
        dir.heap.push_back(std::move(p));
        std::push_heap(dir.heap.begin(), dir.heap.end(), later);
    }
    io_result<std::optional<frame_ref>> pop(int d) {
        direction& dir = dirs_[d];
        if (dir.heap.empty() || dir.heap.front().at > now_) return std::optional<frame_ref>{};
        std::pop_heap(dir.heap.begin(), dir.heap.end(), later);
        pending p = std::move(dir.heap.back());
        dir.heap.pop_back();
        dir.current = std::move(p.bytes);
        ++dir.stats.delivered;
        return std::optional<frame_ref>(frame_ref{bytes_view(dir.current), p.at, dir.current.size()});
    }

    pipe_config cfg_;
    std::array<direction, 2> dirs_{};
    timestamp now_{};
    end a_;
    end b_;
};

static_assert(frame_device<memory_pipe::end>);

}  // namespace wirekit::io
