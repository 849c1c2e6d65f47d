// wirekit/fsm/tcp/byte_ring.hpp — a FIFO of bytes in one contiguous ring,
// the storage of a connection's send and receive queues (SND and RCV
// buffers, RFC 9293 §3.3.1).
//
// Layer L3. Bytes are appended at the back and consumed from the front in
// bulk (two memcpy at most per operation, where a std::deque<std::byte>
// moves one byte at a time). Capacity is a power of two that doubles on
// demand, so memory follows the bytes actually queued: the caller bounds
// size() (the connection keeps it within send_buffer / receive_buffer), and
// the ring then never holds more than bit_ceil(that bound) bytes. clear()
// releases the storage, so an idle connection costs nothing.
#pragma once

#include <algorithm>  // std::min, std::max
#include <bit>        // std::bit_ceil
#include <cstddef>    // std::byte, std::size_t
#include <cstring>    // std::memcpy
#include <vector>     // storage

#include "../../core/bytes.hpp"  // bytes_view, mutable_bytes

namespace wirekit::fsm::tcp {

/// A byte FIFO in a growable power-of-two ring. Not thread-safe.
class byte_ring {
public:
    /// Bytes queued.
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    /// True when nothing is queued.
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
    /// Bytes the ring holds without growing.
    [[nodiscard]] std::size_t capacity() const noexcept { return buf_.size(); }

    /// Drops every byte and releases the storage.
    void clear() noexcept {
        buf_ = std::vector<std::byte>();
        head_ = 0;
        size_ = 0;
    }

    /// Appends `d` at the back (growing the ring when needed).
    void append(bytes_view d) {
        if (d.empty()) return;
        reserve(size_ + d.size());
        const std::size_t mask = buf_.size() - 1;
        const std::size_t tail = (head_ + size_) & mask;
        const std::size_t first = std::min(d.size(), buf_.size() - tail);
        std::memcpy(buf_.data() + tail, d.data(), first);
        if (first < d.size()) std::memcpy(buf_.data(), d.data() + first, d.size() - first);
        size_ += d.size();
    }

    /// Removes `n` bytes (at most size()) from the front.
    void consume(std::size_t n) noexcept {
        n = std::min(n, size_);
        size_ -= n;
        head_ = size_ == 0 ? 0 : (head_ + n) & (buf_.size() - 1);
    }

    /// Copies `out.size()` bytes starting `offset` bytes after the front into
    /// `out`. Requires offset + out.size() <= size() (checked by the caller).
    void copy_out(std::size_t offset, mutable_bytes out) const noexcept {
        if (out.empty()) return;
        const std::size_t mask = buf_.size() - 1;
        const std::size_t at = (head_ + offset) & mask;
        const std::size_t first = std::min(out.size(), buf_.size() - at);
        std::memcpy(out.data(), buf_.data() + at, first);
        if (first < out.size()) std::memcpy(out.data() + first, buf_.data(), out.size() - first);
    }

    /// Makes room for `n` bytes in all without growing again.
    void reserve(std::size_t n) {
        if (n <= buf_.size()) return;
        const std::size_t cap = std::bit_ceil(std::max<std::size_t>({n, 2 * buf_.size(), min_capacity}));
        std::vector<std::byte> next(cap);
        copy_out(0, mutable_bytes(next.data(), size_));
        buf_.swap(next);
        head_ = 0;
    }

private:
    static constexpr std::size_t min_capacity = 4096;
    std::vector<std::byte> buf_{};  // size 0 or a power of two
    std::size_t head_ = 0;          // index of the front byte
    std::size_t size_ = 0;
};

}  // namespace wirekit::fsm::tcp
