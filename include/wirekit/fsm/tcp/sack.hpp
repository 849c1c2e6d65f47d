// wirekit/fsm/tcp/sack.hpp — SACK (RFC 2018) bookkeeping for both ends of a
// connection, and the RFC 6675 loss-recovery routines.
//
// Layer L3. All containers here have a fixed capacity, so a peer cannot make
// them grow: `seq_ranges<N>` is a sorted set of at most N disjoint,
// non-adjacent half-open sequence ranges [left, right) (modulo 2^32, all
// within 2^31 of each other as TCP's windows guarantee, RFC 7323 §2.3).
//
//   receiver  the out-of-order data held (connection's reassembly) is a
//             seq_ranges; `sack_reporter` orders its ranges into the SACK
//             blocks of an ACK as RFC 2018 §4 asks: first the block holding
//             the most recently received segment, then the most recently
//             reported blocks, then any others.
//   sender    `sack_scoreboard` keeps the SACKed ranges above SND.UNA
//             (RFC 6675 §3 "scoreboard") and implements IsLost, SetPipe and
//             NextSeg (§4) with HighRxt, RescueRxt and RecoveryPoint.
//
// Sequence ranges are half-open: a SACK block's Right Edge is "the sequence
// number immediately following the last sequence number of this block"
// (RFC 2018 §3), which is exactly `right`. RFC 6675 speaks of octets; here
// "octet S is SACKed" means S lies in a range, HighRxt is the first octet not
// yet retransmitted, and HighData is SND.MAX (one past the last octet sent).
#pragma once

#include <algorithm>  // std::min
#include <array>    // fixed storage
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint32_t

#include "../../wire/tcp.hpp"  // wirekit::tcp::option_set, sack_block
#include "seq.hpp"             // seq_lt, ...

namespace wirekit::fsm::tcp {

/// At most N disjoint, non-adjacent sequence ranges [left, right), sorted.
template <std::size_t N>
struct seq_ranges {
    struct range {
        std::uint32_t left = 0;   ///< first sequence number
        std::uint32_t right = 0;  ///< one past the last
    };
    std::array<range, N> r{};
    std::size_t n = 0;

    [[nodiscard]] bool empty() const noexcept { return n == 0; }
    void clear() noexcept { n = 0; }

    /// Adds [l, e), merging with overlapping or adjacent ranges. Returns
    /// false (and changes nothing) when it would need an (N+1)th range.
    bool add(std::uint32_t l, std::uint32_t e) noexcept {
        if (!seq_lt(l, e)) return true;
        std::size_t i = 0;
        while (i < n && seq_lt(r[i].right, l)) ++i;
        std::size_t j = i;
        std::uint32_t nl = l, ne = e;
        while (j < n && seq_le(r[j].left, e)) {
            if (seq_lt(r[j].left, nl)) nl = r[j].left;
            ne = seq_max(ne, r[j].right);
            ++j;
        }
        if (j == i) {  // touches nothing: a new range at i
            if (n == N) return false;
            for (std::size_t k = n; k > i; --k) r[k] = r[k - 1];
            r[i] = {l, e};
            ++n;
            return true;
        }
        r[i] = {nl, ne};
        const std::size_t gone = j - i - 1;
        for (std::size_t k = i + 1; k + gone < n; ++k) r[k] = r[k + gone];
        n -= gone;
        return true;
    }
    /// Forgets everything below `seq` (trimming a range that straddles it).
    void remove_below(std::uint32_t seq) noexcept {
        std::size_t i = 0;
        while (i < n && seq_le(r[i].right, seq)) ++i;
        for (std::size_t k = 0; k + i < n; ++k) r[k] = r[k + i];
        n -= i;
        if (n && seq_lt(r[0].left, seq)) r[0].left = seq;
    }
    /// The index of the range holding `seq`, or n.
    [[nodiscard]] std::size_t find(std::uint32_t seq) const noexcept {
        for (std::size_t i = 0; i < n; ++i)
            if (seq_in(seq, r[i].left, r[i].right)) return i;
        return n;
    }
    [[nodiscard]] bool contains(std::uint32_t seq) const noexcept { return find(seq) != n; }
    /// Sequence numbers held, in total.
    [[nodiscard]] std::uint32_t bytes() const noexcept {
        std::uint32_t b = 0;
        for (std::size_t i = 0; i < n; ++i) b += r[i].right - r[i].left;
        return b;
    }
    /// Sequence numbers held inside [a, b).
    [[nodiscard]] std::uint32_t bytes_in(std::uint32_t a, std::uint32_t b) const noexcept {
        std::uint32_t t = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t lo = seq_max(a, r[i].left);
            const std::uint32_t hi = seq_lt(b, r[i].right) ? b : r[i].right;
            if (seq_lt(lo, hi)) t += hi - lo;
        }
        return t;
    }
};

/// Receiver side: which out-of-order blocks go into the next SACK option,
/// in RFC 2018 §4 order. It remembers one sequence number inside each of the
/// (at most 4) blocks reported last, most recent first.
struct sack_reporter {
    std::array<std::uint32_t, 4> recent{};
    std::size_t count = 0;

    void clear() noexcept { count = 0; }
    /// A segment starting at `seq` was just stored out of order: its block
    /// comes first in the next option (RFC 2018 §4, first bullet).
    void arrived(std::uint32_t seq) noexcept {
        std::size_t k = 0;
        std::array<std::uint32_t, 4> next{};
        next[k++] = seq;
        for (std::size_t i = 0; i < count && k < next.size(); ++i) next[k++] = recent[i];
        recent = next;
        count = k;
    }
    /// Fills `out` with up to `max_blocks` blocks of `held` (the out-of-order
    /// ranges, all above RCV.NXT): the block of the latest segment, then the
    /// blocks reported most recently (not repeating one), then the other
    /// ranges from the highest down. Returns the number of blocks written,
    /// and remembers them as the most recently reported.
    template <std::size_t N>
    std::size_t fill(const seq_ranges<N>& held, std::size_t max_blocks, std::array<wirekit::tcp::sack_block, 4>& out) noexcept {
        if (max_blocks > out.size()) max_blocks = out.size();
        std::size_t k = 0;
        std::array<std::size_t, 4> used{};
        auto take = [&](std::size_t idx) {
            if (idx >= held.n || k >= max_blocks) return;
            for (std::size_t u = 0; u < k; ++u)
                if (used[u] == idx) return;
            used[k] = idx;
            out[k] = wirekit::tcp::sack_block{held.r[idx].left, held.r[idx].right};
            ++k;
        };
        for (std::size_t i = 0; i < count; ++i) take(held.find(recent[i]));
        for (std::size_t i = held.n; i-- > 0;) take(i);
        for (std::size_t i = 0; i < k; ++i) recent[i] = out[i].left;
        count = k;
        return k;
    }
};

/// Sender side: the RFC 6675 scoreboard and its routines.
struct sack_scoreboard {
    static constexpr std::uint32_t dup_thresh = 3;  ///< DupThresh (RFC 6675 §2)
    seq_ranges<32> sacked{};         ///< SACKed ranges above SND.UNA (more are forgotten: never unsafe)
    std::uint32_t high_rxt = 0;      ///< HighRxt: first octet not retransmitted in this recovery
    std::uint32_t rescue_rxt = 0;    ///< RescueRxt
    std::uint32_t recovery_point = 0;  ///< RecoveryPoint: HighData when recovery (or the last RTO) began
    bool in_recovery = false;        ///< inside RFC 6675 loss recovery
    bool after_rto = false;          ///< §5.1: no new recovery until HighACK >= RecoveryPoint

    void clear() noexcept { *this = sack_scoreboard{}; }

    /// RFC 6675 Update(): records the SACK blocks of an ACK whose ACK field is
    /// `ack`, keeping only blocks inside (ack, snd_max] (a D-SACK block or a
    /// forged one is ignored). Returns true when some octet became SACKed
    /// that was not before.
    bool update(const wirekit::tcp::option_set& o, std::uint32_t ack, std::uint32_t snd_max) noexcept {
        sacked.remove_below(ack);
        const std::uint32_t before = sacked.bytes();
        for (std::size_t i = 0; i < o.sack_count && i < o.sack.size(); ++i) {
            const auto b = o.sack[i];
            if (!seq_lt(b.left, b.right) || seq_lt(b.left, ack) || seq_gt(b.right, snd_max)) continue;
            (void)sacked.add(b.left, b.right);
        }
        return sacked.bytes() > before;
    }

    /// The octets below this edge that are not SACKed are lost: IsLost(S)
    /// (RFC 6675 §4) holds when DupThresh discontiguous SACKed ranges lie
    /// above S or more than (DupThresh - 1) * SMSS SACKed octets do. It holds
    /// for every unSACKed S below the returned edge and for none above;
    /// `snd_una` when nothing is lost.
    [[nodiscard]] std::uint32_t lost_edge(std::uint32_t snd_una, std::uint32_t smss) const noexcept {
        std::uint32_t count = 0, bytes = 0;
        for (std::size_t i = sacked.n; i-- > 0;) {
            ++count;
            bytes += sacked.r[i].right - sacked.r[i].left;
            if (count >= dup_thresh || bytes > (dup_thresh - 1) * smss) return seq_max(sacked.r[i].left, snd_una);
        }
        return snd_una;
    }
    /// IsLost(seq) (RFC 6675 §4).
    [[nodiscard]] bool is_lost(std::uint32_t seq, std::uint32_t snd_una, std::uint32_t smss) const noexcept {
        return seq_lt(seq, lost_edge(snd_una, smss)) && !sacked.contains(seq);
    }
    /// SetPipe() (RFC 6675 §4): octets between SND.UNA and SND.MAX that are
    /// not SACKed, counting once those not lost and once more those
    /// retransmitted (below HighRxt).
    [[nodiscard]] std::uint32_t pipe(std::uint32_t snd_una, std::uint32_t snd_max, std::uint32_t smss) const noexcept {
        const std::uint32_t edge = lost_edge(snd_una, smss);
        std::uint32_t p = 0;
        if (seq_lt(edge, snd_max)) p += (snd_max - edge) - sacked.bytes_in(edge, snd_max);
        const std::uint32_t rxt_end = seq_lt(high_rxt, snd_max) ? high_rxt : snd_max;
        if (in_recovery && seq_lt(snd_una, rxt_end)) p += (rxt_end - snd_una) - sacked.bytes_in(snd_una, rxt_end);
        return p;
    }
    /// The highest SACKed octet + 1, or snd_una when none.
    [[nodiscard]] std::uint32_t highest_sacked(std::uint32_t snd_una) const noexcept {
        return sacked.n ? sacked.r[sacked.n - 1].right : snd_una;
    }

    /// A range to send: [seq, seq + len).
    struct span {
        std::uint32_t seq = 0;
        std::uint32_t len = 0;
    };
    /// The first unSACKed hole at or above `from` and below `limit`, at most
    /// `smss` long and never crossing a SACKed range; len 0 when none.
    [[nodiscard]] span first_hole(std::uint32_t from, std::uint32_t limit, std::uint32_t smss) const noexcept {
        std::uint32_t s = from;
        for (std::size_t i = 0; i < sacked.n; ++i) {
            if (seq_le(sacked.r[i].right, s)) continue;
            if (seq_le(sacked.r[i].left, s)) {  // inside a SACKed range: skip past it
                s = sacked.r[i].right;
                continue;
            }
            const std::uint32_t end = seq_lt(sacked.r[i].left, limit) ? sacked.r[i].left : limit;
            if (!seq_lt(s, end)) return {};
            return {s, std::min<std::uint32_t>(end - s, smss)};
        }
        if (!seq_lt(s, limit)) return {};
        return {s, std::min<std::uint32_t>(limit - s, smss)};
    }
    /// NextSeg() rule (1): the first unSACKed, lost octet at or above HighRxt
    /// (and below the highest SACKed octet).
    [[nodiscard]] span next_lost(std::uint32_t snd_una, std::uint32_t smss) const noexcept {
        const std::uint32_t from = seq_max(high_rxt, snd_una);
        return first_hole(from, lost_edge(snd_una, smss), smss);
    }
    /// NextSeg() rule (3): an unSACKed octet at or above HighRxt below the
    /// highest SACKed octet, not (yet) deemed lost.
    [[nodiscard]] span next_unlost(std::uint32_t snd_una, std::uint32_t smss) const noexcept {
        const std::uint32_t from = seq_max(high_rxt, snd_una);
        return first_hole(from, highest_sacked(snd_una), smss);
    }
    /// NextSeg() rule (4), the rescue retransmission: once per recovery
    /// (HighACK > RescueRxt), one segment ending with the highest unSACKed
    /// octet below SND.MAX, if that octet has not been retransmitted yet
    /// (it is at or above HighRxt).
    [[nodiscard]] span rescue(std::uint32_t snd_una, std::uint32_t snd_max, std::uint32_t smss) const noexcept {
        if (!seq_gt(snd_una, rescue_rxt)) return {};
        std::uint32_t end = snd_max;
        for (std::size_t i = sacked.n; i-- > 0;) {  // step down over SACKed ranges that reach `end`
            if (seq_lt(sacked.r[i].left, end) && seq_ge(sacked.r[i].right, end)) end = sacked.r[i].left;
        }
        const std::uint32_t lo = seq_max(snd_una, high_rxt);
        if (!seq_lt(lo, end)) return {};
        const std::uint32_t len = std::min<std::uint32_t>(end - lo, smss);
        return {end - len, len};
    }
};

}  // namespace wirekit::fsm::tcp
