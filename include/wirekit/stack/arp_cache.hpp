// wirekit/stack/arp_cache.hpp — the ARP cache of an interface: IPv4 to
// Ethernet address translation with soft state (RFC 826, RFC 1122 §2.3.2).
//
// Layer L5, sans-I/O: time is passed in (`now`, microseconds of the caller's
// clock), never read; the cache builds no frames and touches no device. The
// stack asks it three things:
//
//   * `lookup(now, next_hop)`: the MAC address, if a fresh entry exists.
//   * `enqueue(now, next_hop, packet)`: when lookup fails, park the IPv4
//     packet (a copy) until the next hop resolves. This creates an
//     INCOMPLETE entry whose first ARP Request is due at once.
//   * `poll_request(now)`: the next ARP Request to broadcast (first try or a
//     retry), one per call until nullopt. Retries come `retry_interval`
//     apart, at most `max_requests` in all (RFC 1122 §2.3.2.1: no more than
//     one request per second per destination by default). When the last
//     one goes unanswered for `retry_interval`, the entry and its queued
//     packets are dropped (RFC 1122 §2.3.2.2 allows discarding).
//
// and feeds it what arrives: `update(now, spa, sha, target_is_us)` with the
// sender addresses of every ARP packet received, which applies RFC 826's
// merge rule ("Packet Reception": if the sender is in the table, update it;
// only if we are the target, add it). Packets waiting for a next hop that
// just resolved come out, in the order they went in, from `pop_ready()`.
//
// Soft state (RFC 1122 §2.3.2.1, "Timeout" flushing): an entry answers
// lookups for `entry_lifetime` after it was last confirmed by an ARP packet
// from its owner; after that lookups miss and the next packet triggers a
// fresh request. `next_deadline()` is the earliest time `poll_request` has
// work; expired resolved entries need no timer, they are skipped lazily.
//
// Bounds: N entries (a template parameter; no allocation for the table),
// at most `queue_packets` packets per next hop (RFC 1122 §2.3.2.2 asks for
// at least one) and `queue_bytes` bytes of queued packets overall. When the
// table is full, a new entry replaces an expired or else the least recently
// confirmed resolved entry; INCOMPLETE entries are never replaced, so new
// destinations are refused while all N are being resolved.
#pragma once

#include <array>     // entry table
#include <chrono>    // std::chrono::microseconds
#include <cstddef>   // std::byte, std::size_t
#include <deque>     // released packets, FIFO
#include <optional>  // lookup and poll results
#include <span>      // packets in
#include <vector>    // queued packet copies (bounded)

#include "../core/address.hpp"  // ipv4_address, mac_address
#include "../core/bytes.hpp"    // bytes_view

namespace wirekit::stack {

/// Microseconds since an epoch of the caller's choosing.
using instant = std::chrono::microseconds;
/// A span of time, microseconds.
using duration = std::chrono::microseconds;

/// Settings of an ARP cache. Defaults follow Linux's neighbour defaults
/// (mcast_solicit 3, retrans_time 1 s) and RFC 1122 §2.3.2.1.
struct arp_config {
    duration entry_lifetime = std::chrono::seconds(60);  ///< a resolved entry answers lookups this long after its last update
    duration retry_interval = std::chrono::seconds(1);   ///< between two ARP Requests for one address
    std::size_t max_requests = 3;                         ///< requests per resolution before giving up (at least 1)
    std::size_t queue_packets = 8;                        ///< packets held per unresolved next hop (at least 1)
    std::size_t queue_bytes = 256 * 1024;                 ///< bytes held in all queues together, released ones included
};

/// What the cache did, for tests and monitoring.
struct arp_stats {
    std::size_t requests = 0;         ///< ARP Requests handed out by poll_request (first tries and retries)
    std::size_t resolved = 0;         ///< INCOMPLETE entries completed by update
    std::size_t failed = 0;           ///< resolutions abandoned after max_requests
    std::size_t queued = 0;           ///< packets accepted by enqueue
    std::size_t released = 0;         ///< packets handed out by pop_ready
    std::size_t dropped = 0;          ///< packets refused by enqueue or discarded with a failed entry
    std::size_t evicted = 0;          ///< resolved entries replaced because the table was full
};

/// An ARP Request to broadcast: "who has `target`?" (RFC 826).
struct arp_request {
    ipv4_address target{};   ///< the address being resolved (ar$tpa)
    std::size_t attempt = 1; ///< 1 for the first request, 2.. for retries
};

/// A packet whose next hop has resolved: send `packet` in a frame to `mac`.
/// `packet` stays valid until the next call of a non-const member.
struct arp_ready_packet {
    ipv4_address next_hop{};
    mac_address mac{};
    bytes_view packet{};
};

/// An ARP cache of N entries with per-next-hop packet queues. Not
/// thread-safe; no globals; several caches live side by side.
template <std::size_t N>
class arp_cache {
    static_assert(N > 0, "arp_cache<N>: the cache needs at least one entry");

public:
    explicit arp_cache(arp_config cfg = {}) : cfg_(cfg) {
        if (cfg_.max_requests == 0) cfg_.max_requests = 1;
        if (cfg_.queue_packets == 0) cfg_.queue_packets = 1;
    }

    /// The settings in use.
    [[nodiscard]] const arp_config& config() const noexcept { return cfg_; }
    /// Counters since construction.
    [[nodiscard]] const arp_stats& stats() const noexcept { return stats_; }
    /// N.
    [[nodiscard]] static constexpr std::size_t capacity() noexcept { return N; }
    /// Entries in use (resolved, expired-but-kept or INCOMPLETE).
    [[nodiscard]] std::size_t size() const noexcept {
        std::size_t n = 0;
        for (const auto& e : entries_) n += e.state != entry_state::free ? 1 : 0;
        return n;
    }
    /// Bytes of packets held (queued and released-but-not-popped).
    [[nodiscard]] std::size_t queued_bytes() const noexcept { return queued_bytes_; }

    /// The MAC address of `ip` if an entry resolved at most
    /// `entry_lifetime` ago exists; nullopt otherwise (unknown, INCOMPLETE
    /// or expired).
    [[nodiscard]] std::optional<mac_address> lookup(instant now, ipv4_address ip) const noexcept {
        const entry* e = find(ip);
        if (!e || e->state != entry_state::resolved || expired(*e, now)) return std::nullopt;
        return e->mac;
    }

    /// True while `ip` is being resolved (requests sent or due, not yet
    /// given up).
    [[nodiscard]] bool pending(instant now, ipv4_address ip) const noexcept {
        const entry* e = find(ip);
        return e && e->state == entry_state::incomplete && !gave_up(*e, now);
    }

    /// RFC 826 "Packet Reception", for every ARP packet received (request
    /// or reply) with sender `spa`/`sha`: if `spa` has an entry (resolved,
    /// expired or INCOMPLETE), its MAC address and timer are updated — and
    /// an INCOMPLETE entry's queued packets move to pop_ready(). Otherwise,
    /// only when `target_is_us` (ar$tpa is our address), a new entry is
    /// added, replacing the least useful resolved entry if the table is full.
    /// Returns RFC 826's merge_flag: true when an existing entry was
    /// updated. Senders 0.0.0.0 (RFC 5227 probes), broadcast, multicast and
    /// a group `sha` are ignored (RFC 1812 §3.3.2).
    bool update(instant now, ipv4_address spa, mac_address sha, bool target_is_us = true) {
        if (spa.is_unspecified() || spa.is_broadcast() || spa.is_multicast() || sha.is_multicast()) return false;
        if (entry* e = find(spa)) {
            if (e->state == entry_state::incomplete) {
                if (gave_up(*e, now)) {
                    discard(*e);
                } else {
                    resolve(*e, now, sha);
                    return true;
                }
            } else {
                e->mac = sha;
                e->updated = now;
                return true;
            }
        }
        if (!target_is_us) return false;
        entry* e = allocate(now);
        if (!e) return false;
        e->ip = spa;
        e->mac = sha;
        e->updated = now;
        e->state = entry_state::resolved;
        return false;
    }

    /// Parks a copy of the IPv4 `packet` until `next_hop` resolves. If
    /// `next_hop` is already resolved (and fresh), the packet goes straight
    /// to pop_ready(). Otherwise an INCOMPLETE entry is created if needed,
    /// its first ARP Request due at `now`. Returns false — packet dropped —
    /// when the per-hop queue is full, the bytes bound would be passed, the
    /// packet is empty, or no entry is free (all N INCOMPLETE).
    bool enqueue(instant now, ipv4_address next_hop, std::span<const std::byte> packet) {
        if (packet.empty() || queued_bytes_ + packet.size() > cfg_.queue_bytes) return refuse();
        entry* e = find(next_hop);
        if (e && e->state == entry_state::incomplete && gave_up(*e, now)) {
            discard(*e);
            e = nullptr;
        }
        if (e && e->state == entry_state::resolved && !expired(*e, now)) {
            ready_.push_back(ready_entry{next_hop, e->mac, std::vector<std::byte>(packet.begin(), packet.end())});
            queued_bytes_ += packet.size();
            ++stats_.queued;
            return true;
        }
        if (e && e->state == entry_state::resolved) {  // expired: resolve afresh
            e->state = entry_state::incomplete;
            e->requests_sent = 0;
            e->next_request = now;
        }
        if (!e) {
            e = allocate(now);
            if (!e) return refuse();
            e->ip = next_hop;
            e->state = entry_state::incomplete;
            e->requests_sent = 0;
            e->next_request = now;
        }
        if (e->queue.size() >= cfg_.queue_packets) return refuse();
        e->queue.emplace_back(packet.begin(), packet.end());
        queued_bytes_ += packet.size();
        ++stats_.queued;
        return true;
    }

    /// The next ARP Request due at `now`, or nullopt when none is. Each call
    /// hands out one request and schedules that entry's retry
    /// `retry_interval` later; call until nullopt. Entries whose last
    /// request went unanswered for `retry_interval` are dropped here with
    /// their packets (stats().failed, stats().dropped).
    std::optional<arp_request> poll_request(instant now) {
        for (auto& e : entries_) {
            if (e.state != entry_state::incomplete || now < e.next_request) continue;
            if (gave_up(e, now)) {
                discard(e);
                continue;
            }
            ++e.requests_sent;
            e.next_request = now + cfg_.retry_interval;
            ++stats_.requests;
            return arp_request{e.ip, e.requests_sent};
        }
        return std::nullopt;
    }

    /// The oldest packet whose next hop has resolved, or nullopt. Its bytes
    /// stay valid until the next non-const call.
    std::optional<arp_ready_packet> pop_ready() {
        queued_bytes_ -= last_.packet.size();
        last_.packet.clear();
        if (ready_.empty()) return std::nullopt;
        last_ = std::move(ready_.front());
        ready_.pop_front();
        ++stats_.released;
        return arp_ready_packet{last_.next_hop, last_.mac, bytes_view(last_.packet)};
    }

    /// True when pop_ready() has a packet.
    [[nodiscard]] bool has_ready() const noexcept { return !ready_.empty(); }

    /// When poll_request next has work (a request or retry due, or an
    /// entry to give up), or nullopt when nothing is being resolved.
    /// Already-due work reports its (past) due time.
    [[nodiscard]] std::optional<instant> next_deadline() const noexcept {
        std::optional<instant> d;
        for (const auto& e : entries_)
            if (e.state == entry_state::incomplete && (!d || e.next_request < *d)) d = e.next_request;
        return d;
    }

    /// Forgets `ip` (and drops its queued packets). Returns true if it had an entry.
    bool remove(ipv4_address ip) {
        entry* e = find(ip);
        if (!e) return false;
        discard(*e, false);
        return true;
    }

private:
    enum class entry_state : unsigned char { free, incomplete, resolved };
    struct entry {
        ipv4_address ip{};
        mac_address mac{};
        entry_state state = entry_state::free;
        instant updated{};        // resolved: last confirmation
        instant next_request{};   // incomplete: next request or give-up time
        std::size_t requests_sent = 0;
        std::vector<std::vector<std::byte>> queue;
    };
    struct ready_entry {
        ipv4_address next_hop{};
        mac_address mac{};
        std::vector<std::byte> packet;
    };

    [[nodiscard]] bool expired(const entry& e, instant now) const noexcept { return now - e.updated >= cfg_.entry_lifetime; }
    [[nodiscard]] bool gave_up(const entry& e, instant now) const noexcept {
        return e.requests_sent >= cfg_.max_requests && now >= e.next_request;
    }

    entry* find(ipv4_address ip) noexcept {
        for (auto& e : entries_)
            if (e.state != entry_state::free && e.ip == ip) return &e;
        return nullptr;
    }
    const entry* find(ipv4_address ip) const noexcept {
        for (const auto& e : entries_)
            if (e.state != entry_state::free && e.ip == ip) return &e;
        return nullptr;
    }

    // A free entry, else an expired resolved one, else the resolved one
    // confirmed longest ago; nullptr when all are INCOMPLETE.
    entry* allocate(instant now) {
        entry* victim = nullptr;
        for (auto& e : entries_) {
            if (e.state == entry_state::free) return &e;
            if (e.state == entry_state::incomplete) continue;
            if (!victim || (expired(e, now) && !expired(*victim, now)) ||
                (expired(e, now) == expired(*victim, now) && e.updated < victim->updated))
                victim = &e;
        }
        if (victim) {
            if (!expired(*victim, now)) ++stats_.evicted;
            victim->state = entry_state::free;
        }
        return victim;
    }

    void resolve(entry& e, instant now, mac_address mac) {
        e.mac = mac;
        e.updated = now;
        e.state = entry_state::resolved;
        e.requests_sent = 0;
        ++stats_.resolved;
        for (auto& p : e.queue) ready_.push_back(ready_entry{e.ip, mac, std::move(p)});
        e.queue.clear();
    }

    void discard(entry& e, bool failed = true) {
        if (failed && e.state == entry_state::incomplete) ++stats_.failed;
        for (const auto& p : e.queue) queued_bytes_ -= p.size();
        stats_.dropped += e.queue.size();
        e.queue.clear();
        e.state = entry_state::free;
        e.requests_sent = 0;
    }

    bool refuse() noexcept {
        ++stats_.dropped;
        return false;
    }

    arp_config cfg_;
    arp_stats stats_{};
    std::array<entry, N> entries_{};
    std::deque<ready_entry> ready_;
    ready_entry last_{};
    std::size_t queued_bytes_ = 0;
};

}  // namespace wirekit::stack
