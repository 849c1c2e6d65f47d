// wirekit/wire/reassembly.hpp — IPv4 fragment reassembly with hole
// descriptors (RFC 815), a timeout and bounded memory.
//
// Layer L2, sans-I/O: time is passed in (`now`), never read. A datagram is
// keyed by (source, destination, protocol, identification) (RFC 791 §3.2).
// Per datagram the reassembler keeps the RFC 815 hole list: it starts as one
// hole [0, infinity); each fragment [first, last] removes the holes it
// touches and adds back the parts of them it does not cover; the last
// fragment (MF = 0) fixes the end. The datagram is complete when no hole is
// left.
//
// Policy (documented here and in docs/wire.md):
//  * Exact duplicates (same offset, same length, same bytes) are ignored.
//  * Any other overlap with data already received drops the whole datagram
//    (error malformed), like RFC 5722 does for IPv6 and Linux does for IPv4
//    since 2018: overlapping fragments are only ever produced by attacks
//    (RFC 1858 §4) or broken stacks, and first-wins/last-wins choices are
//    how IDS evasion works.
//  * A fragment whose end passes 65535 bytes of datagram (RFC 791 Total
//    Length), a non-last fragment whose data is not a multiple of 8 bytes,
//    an empty fragment, a second "last" fragment disagreeing on the end, or
//    data beyond the known end: the datagram is dropped (bad_length /
//    malformed).
//  * TCP fragments with offset 1 (8 bytes) are rejected (RFC 1858 §3.2,
//    the tiny/overlapping-fragment attack on TCP flags).
//  * Bounds: at most `max_datagrams` in flight, at most `max_fragments` per
//    datagram, at most `max_memory` bytes of buffered data overall. A
//    fragment that would exceed one is refused (limit_exceeded); for a
//    datagram that hits `max_fragments` the datagram is dropped. New
//    datagrams are refused while the table is full: entries leave only by
//    completing or timing out, so a flood cannot flush datagrams in progress.
//  * A datagram not complete `timeout` after its first fragment is dropped
//    by `expire(now)` (also called by every `push`).
#pragma once

#include <algorithm>  // std::max, std::equal, std::copy
#include <array>      // saved first-fragment header
#include <chrono>     // std::chrono::microseconds
#include <cstddef>    // std::byte, std::size_t
#include <cstdint>    // fixed-width integers
#include <optional>   // completed datagram or nothing yet
#include <string_view>  // error details
#include <vector>     // per-datagram buffers (bounded)

#include "../core/bytes.hpp"   // bytes_view
#include "../core/result.hpp"  // result, wire_error
#include "ip_protocol.hpp"     // ip_protocol::tcp
#include "ipv4.hpp"            // ipv4::packet, repr

namespace wirekit::ipv4 {

/// Limits of a reassembler. Times are microseconds of the caller's clock.
struct reassembly_config {
    std::size_t max_datagrams = 16;                  ///< datagrams in flight
    std::size_t max_fragments = 64;                  ///< fragments accepted per datagram
    std::size_t max_memory = 256 * 1024;             ///< bytes of buffered data, all datagrams
    std::chrono::microseconds timeout = std::chrono::seconds(30);  ///< per datagram, from its first fragment
};

/// Counters of what the reassembler did, for tests and monitoring.
struct reassembly_stats {
    std::size_t completed = 0;
    std::size_t duplicates = 0;
    std::size_t dropped_overlap = 0;
    std::size_t dropped_invalid = 0;
    std::size_t timed_out = 0;
    std::size_t refused = 0;  ///< limit_exceeded
};

/// RFC 815 reassembly of IPv4 datagrams. Not thread-safe; no globals.
class reassembler {
public:
    explicit reassembler(reassembly_config cfg = {}) : cfg_(cfg) {}

    /// Feeds one checked IPv4 packet received at `now`. Returns the complete
    /// datagram (header of the first fragment with MF = 0, offset 0, Total
    /// Length and checksum recomputed, then all the data) when this packet
    /// completes one — or the packet itself if it is not a fragment. The
    /// bytes stay valid until the next call. Returns nullopt while holes
    /// remain. Errors (layer "ipv4-reassembly", offset = the fragment's
    /// offset in bytes): see the policy in the file comment.
    [[nodiscard]] result<std::optional<bytes_view>> push(packet frag, std::chrono::microseconds now) {
        expire(now);
        if (!frag.is_fragment()) return std::optional<bytes_view>(frag.bytes().first(frag.total_length()));
        const std::size_t first = frag.fragment_offset_bytes();
        const bytes_view data = frag.payload();
        const bool more = frag.more_fragments();
        if (data.empty()) return fail(nullptr, errc::malformed, first, "empty fragment");
        if (more && data.size() % 8 != 0) return fail(nullptr, errc::malformed, first, "non-last fragment not a multiple of 8 bytes");
        if (frag.protocol() == ip_protocol::tcp && frag.fragment_offset() == 1)
            return fail(nullptr, errc::malformed, first, "TCP fragment at offset 8 (RFC 1858)");
        const std::size_t last = first + data.size() - 1;  // inclusive, as RFC 815

        entry* e = find(frag);
        if (!e) {
            e = allocate(frag, now);
            if (!e) return refuse(first, "too many datagrams in flight");
        }
        if (first + data.size() + std::max(e->header_len, frag.header_length()) > max_datagram_len)
            return fail(e, errc::bad_length, first, "fragment ends beyond 65535 bytes");
        if (e->end && (last >= *e->end || (!more && last + 1 != *e->end)))
            return fail(e, errc::malformed, first, "data beyond the end set by the last fragment");
        if (!more && e->max_seen > last + 1) return fail(e, errc::malformed, first, "last fragment ends before data already received");

        // Duplicates and overlaps.
        for (const auto& r : e->received) {
            if (r.first == first && r.last == last) {
                if (std::equal(data.begin(), data.end(), e->data.begin() + static_cast<std::ptrdiff_t>(first))) {
                    ++stats_.duplicates;
                    return std::optional<bytes_view>{};
                }
                ++stats_.dropped_overlap;
                return fail(e, errc::malformed, first, "duplicate fragment with different data", false);
            }
            if (first <= r.last && last >= r.first) {
                ++stats_.dropped_overlap;
                return fail(e, errc::malformed, first, "overlapping fragment", false);
            }
        }
        if (e->received.size() >= cfg_.max_fragments)
            return fail(e, errc::limit_exceeded, first, "too many fragments for one datagram");
        if (last + 1 > e->data.size()) {
            const std::size_t grow = last + 1 - e->data.size();
            if (memory_ + grow > cfg_.max_memory) return refuse(first, "reassembly memory exhausted");
            memory_ += grow;
            e->data.resize(last + 1);
        }
        std::copy(data.begin(), data.end(), e->data.begin() + static_cast<std::ptrdiff_t>(first));
        e->received.push_back(range{first, last});
        e->max_seen = std::max(e->max_seen, last + 1);
        if (first == 0) {
            e->header_len = frag.header_length();
            std::copy(frag.header().begin(), frag.header().end(), e->header.begin());
        }
        if (!more) e->end = last + 1;

        // RFC 815 §3 steps 1-6 on the hole list.
        std::vector<range> next;
        next.reserve(e->holes.size() + 1);
        for (const auto& h : e->holes) {
            if (first > h.last || last < h.first) { next.push_back(h); continue; }
            if (first > h.first) next.push_back(range{h.first, first - 1});
            if (last < h.last && more) next.push_back(range{last + 1, h.last});
        }
        e->holes = std::move(next);
        if (!e->holes.empty()) return std::optional<bytes_view>{};

        // Complete: header of the first fragment, then the data.
        out_.assign(e->header.begin(), e->header.begin() + static_cast<std::ptrdiff_t>(e->header_len));
        out_.insert(out_.end(), e->data.begin(), e->data.begin() + static_cast<std::ptrdiff_t>(*e->end));
        auto p = mutable_packet::unchecked(mutable_bytes(out_));
        p.set_more_fragments(false);
        p.set_fragment_offset(0);
        p.set_total_length(static_cast<std::uint16_t>(out_.size()));
        p.fill_checksum();
        release(*e);
        ++stats_.completed;
        return std::optional<bytes_view>(bytes_view(out_));
    }

    /// Drops every datagram whose timeout has passed at `now`. Returns how
    /// many were dropped.
    std::size_t expire(std::chrono::microseconds now) {
        std::size_t n = 0;
        for (auto& e : table_)
            if (e.used && now >= e.deadline) {
                release(e);
                ++stats_.timed_out;
                ++n;
            }
        return n;
    }

    /// The earliest time a datagram in flight expires, or nullopt.
    [[nodiscard]] std::optional<std::chrono::microseconds> next_deadline() const noexcept {
        std::optional<std::chrono::microseconds> t;
        for (const auto& e : table_)
            if (e.used && (!t || e.deadline < *t)) t = e.deadline;
        return t;
    }
    /// Datagrams in flight.
    [[nodiscard]] std::size_t in_flight() const noexcept {
        std::size_t n = 0;
        for (const auto& e : table_) n += e.used ? 1 : 0;
        return n;
    }
    /// Bytes of fragment data buffered now (≤ config().max_memory).
    [[nodiscard]] std::size_t memory() const noexcept { return memory_; }
    [[nodiscard]] const reassembly_stats& stats() const noexcept { return stats_; }
    [[nodiscard]] const reassembly_config& config() const noexcept { return cfg_; }

private:
    struct range {
        std::size_t first;
        std::size_t last;  // inclusive
    };
    struct entry {
        bool used = false;
        ipv4_address src{}, dst{};
        std::uint8_t protocol = 0;
        std::uint16_t id = 0;
        std::chrono::microseconds deadline{};
        std::array<std::byte, max_header_len> header{};
        std::size_t header_len = min_header_len;
        std::vector<std::byte> data;   // fragment data, by offset
        std::vector<range> holes;      // RFC 815 hole descriptors
        std::vector<range> received;   // for duplicate / overlap detection
        std::optional<std::size_t> end;  // data length, known after the last fragment
        std::size_t max_seen = 0;
    };

    entry* find(const packet& f) {
        for (auto& e : table_)
            if (e.used && e.id == f.identification() && e.protocol == f.protocol() && e.src == f.src_addr() && e.dst == f.dst_addr())
                return &e;
        return nullptr;
    }
    entry* allocate(const packet& f, std::chrono::microseconds now) {
        entry* slot = nullptr;
        for (auto& e : table_)
            if (!e.used) { slot = &e; break; }
        if (!slot) {
            if (table_.size() >= cfg_.max_datagrams) return nullptr;
            table_.emplace_back();
            slot = &table_.back();
        }
        slot->used = true;
        slot->src = f.src_addr();
        slot->dst = f.dst_addr();
        slot->protocol = f.protocol();
        slot->id = f.identification();
        slot->deadline = now + cfg_.timeout;
        slot->header_len = min_header_len;
        slot->holes.assign(1, range{0, static_cast<std::size_t>(-1)});  // [0, infinity)
        slot->received.clear();
        slot->end.reset();
        slot->max_seen = 0;
        return slot;
    }
    void release(entry& e) {
        memory_ -= e.data.size();
        e.used = false;
        e.data.clear();
        e.data.shrink_to_fit();
        e.holes.clear();
        e.received.clear();
    }
    result<std::optional<bytes_view>> fail(entry* e, errc kind, std::size_t offset, std::string_view why, bool count_invalid = true) {
        if (e) release(*e);
        if (count_invalid) ++stats_.dropped_invalid;
        return make_error(kind, "ipv4-reassembly", offset, why);
    }
    result<std::optional<bytes_view>> refuse(std::size_t offset, std::string_view why) {
        ++stats_.refused;
        return make_error(errc::limit_exceeded, "ipv4-reassembly", offset, why);
    }

    reassembly_config cfg_;
    std::vector<entry> table_;  // ≤ max_datagrams entries
    std::vector<std::byte> out_;
    std::size_t memory_ = 0;
    reassembly_stats stats_{};
};

}  // namespace wirekit::ipv4
