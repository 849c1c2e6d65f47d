// wirekit/wire/dns/name.hpp — domain names: validation, decompression, views.
//
// Layer L2 (includes core only). Source: RFC 1035 §2.3.4 (size limits), §3.1
// (wire form), §4.1.4 (message compression), §5.1 (presentation escapes);
// RFC 4343 (case-insensitive comparison); RFC 6891 §5 (reserved label types).
//
// Compression rules enforced by detail::scan_name_exact (the reference walk)
// and detail::scan_name_into (the fast walk, same results; see docs/dns.md):
//  - A pointer must point strictly before the first byte of the run of labels
//    that contains it. So a pointer never targets itself, the name being read,
//    or anything after it: FORWARD POINTERS ARE REJECTED. RFC 1035 §4.1.4 says
//    a pointer refers to a "prior occurrence"; no known encoder emits forward
//    pointers. As a consequence every pointer loop is rejected at its first
//    non-backward edge.
//  - A pointer past the end of the message is rejected.
//  - At most max_pointer_hops pointers are followed per name.
//  - The uncompressed name must not exceed 255 octets (root included).
//  - Label types 0x40 and 0x80 (extended / reserved) are rejected.
// Reading one name therefore touches at most 255 label octets plus 127
// pointers, and a message of n bytes holds at most n/2 names: total work is
// linear in the message size.
#pragma once

#include <array>        // name_buffer storage
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // fixed-width integers
#include <cstring>      // std::memcpy
#include <iterator>     // std::forward_iterator_tag
#include <string_view>  // labels and presentation text

#include "wirekit/core/bytes.hpp"   // bytes_view
#include "wirekit/core/result.hpp"  // result, make_error
#include "wirekit/wire/dns/types.hpp"  // layer_name, limits

namespace wirekit::dns {

namespace detail {

/// What scan_name learns about a valid name.
struct name_scan {
    /// run1/run2 value meaning "not recorded": name_view then walks the name.
    static constexpr std::uint8_t no_run = 0xFF;
    std::size_t end = 0;      ///< offset just after the name's in-place bytes
    std::uint8_t length = 0;  ///< uncompressed wire length, root included (1..255)
    std::uint8_t labels = 0;  ///< number of non-root labels (0..127)
    /// Octets of labels stored in place at the name's start, before its first
    /// compression pointer or its root octet (0..254), or no_run.
    std::uint8_t run1 = no_run;
    /// Octets of labels in the run the first pointer leads to, before the
    /// next pointer or the root octet (0..253), or no_run (also when the name
    /// has no pointer). With run1 and length these let name_view copy a name
    /// of up to two pointers without reading its labels again.
    std::uint8_t run2 = no_run;
};

/// Name suffixes already validated in one message, so that a compression
/// pointer to one of them is resolved in O(1) instead of walking it again.
/// Direct-mapped by offset; a miss only costs the ordinary walk, and a hit is
/// used only when the result is exactly what the walk would give (the
/// 255-octet and hop limits are checked against the cached totals, and on
/// any doubt the walk runs). Belongs to one message: reset it for another.
struct suffix_cache {
    // Each slot packs one suffix in 64 bits: start offset + 1 (bits 0-15;
    // 0 means empty), the pointers followed inside it (16-31), then, where a
    // name_view keeps them (see name_view::meta_), its uncompressed length
    // (32-39) and labels (40-47), zero (48-55) and its run1 (56-63, see
    // name_scan). So a name that is one pointer to a cached suffix is the
    // slot's upper half plus the pointer's own offset (parser::owner_from_cache).
    static constexpr std::size_t slots = 16;
    std::array<std::uint64_t, slots> e{};

    /// Looks up the suffix at `off`: true and its totals when known exactly.
    [[nodiscard]] bool find(std::size_t off, std::size_t& length, std::size_t& labels, std::size_t& hops) const noexcept {
        std::size_t run1;
        return find(off, length, labels, hops, run1);
    }
    /// As find(), also giving the suffix's run1 (name_scan::no_run if unknown).
    [[nodiscard]] bool find(std::size_t off, std::size_t& length, std::size_t& labels, std::size_t& hops,
                            std::size_t& run1) const noexcept {
        const std::uint64_t x = e[off % slots];
        if ((x & 0xFFFFu) != off + 1) return false;  // keys are <= 0x3FFF (see put)
        hops = (x >> 16) & 0xFFFFu;
        length = (x >> 32) & 0xFFu;
        labels = (x >> 40) & 0xFFu;
        run1 = x >> 56;
        return true;
    }
    /// The raw slot that holds `off` when it is cached, else 0.
    [[nodiscard]] std::uint64_t slot(std::size_t off) const noexcept {
        const std::uint64_t x = e[off % slots];
        return (x & 0xFFFFu) == off + 1 ? x : 0;
    }
    void put(std::size_t off, std::size_t length, std::size_t labels, std::size_t hops,
             std::size_t run1 = name_scan::no_run) noexcept {
        if (off + 1 > max_pointer_offset) return;  // no pointer can reach it
        e[off % slots] = static_cast<std::uint64_t>(off + 1) | (static_cast<std::uint64_t>(hops) << 16) |
                         (static_cast<std::uint64_t>(length) << 32) | (static_cast<std::uint64_t>(labels) << 40) |
                         (static_cast<std::uint64_t>(run1 & 0xFFu) << 56);
    }
};

/// Records a failure in `err` and returns false. Kept out of line and cold so
/// that the success paths of the decoders stay small.
[[gnu::cold, gnu::noinline]] inline bool fail(wire_error& err, errc kind, std::size_t offset,
                                              std::string_view what) noexcept {
    err = make_error(kind, layer_name, offset, what);
    return false;
}

/// Validates the (possibly compressed) name starting at `off` in `msg`.
/// Its in-place bytes (before any pointer is followed) must end by `limit`
/// (<= msg.size()); pointer targets may be anywhere before (see file comment).
/// On success fills `out` and returns true; otherwise fills `err` (layer "dns"):
///  - truncated at the offset of the first missing byte (in-place part ends
///    at `limit == msg.size()`, or a pointer target runs off the message);
///  - bad_length "name extends past RDATA" when `limit < msg.size()`;
///  - malformed at the offending byte: reserved label type, pointer past the
///    end, pointer to itself, pointer loop, forward pointer, name > 255 octets;
///  - limit_exceeded when more than max_pointer_hops pointers are followed.
///
/// This is the reference walk, one check per condition in RFC order; the
/// parser uses scan_name_into, which accepts exactly the same names and, on
/// any failure, runs this walk again for the exact error.
[[nodiscard]] inline bool scan_name_exact(bytes_view msg, std::size_t off, std::size_t limit, name_scan& out,
                                          wire_error& err, suffix_cache* cache = nullptr) noexcept {
    const std::size_t size = msg.size();
    const std::byte* m = msg.data();
    std::size_t pos = off;
    std::size_t seg_start = off;  // first byte of the current run of labels
    std::size_t bound = limit;    // in-place bytes are bounded by limit, later runs by size
    std::size_t in_place_end = 0;
    std::size_t hops = 0;
    std::size_t length = 0;
    std::size_t labels = 0;
    // The whole name is remembered as a validated suffix when it is good.
    auto finish = [&](std::size_t end) {
        out.end = end;
        out.length = static_cast<std::uint8_t>(length);
        out.labels = static_cast<std::uint8_t>(labels);
        if (cache) cache->put(off, length, labels, hops);
        return true;
    };
    for (;;) {
        if (pos >= bound) [[unlikely]] {
            if (bound < size) return fail(err, errc::bad_length, pos, "name extends past RDATA");
            return fail(err, errc::truncated, pos, "name runs past the end of the message");
        }
        const auto b = std::to_integer<std::uint8_t>(m[pos]);
        if (b == 0) {
            length += 1;
            return finish(hops ? in_place_end : pos + 1);
        }
        if (b < 0x40) [[likely]] {
            if (pos + 1 + b > bound) [[unlikely]] {
                if (length + 2u + b > max_name_len)  // the walk reports the length first
                    return fail(err, errc::malformed, pos, "name longer than 255 octets");
                if (bound < size) return fail(err, errc::bad_length, bound, "name extends past RDATA");
                return fail(err, errc::truncated, size, "label runs past the end of the message");
            }
            length += 1u + b;
            if (length + 1 > max_name_len) [[unlikely]]
                return fail(err, errc::malformed, pos, "name longer than 255 octets");
            ++labels;
            pos += 1u + b;
            continue;
        }
        if (b < 0xC0) [[unlikely]]
            return fail(err, errc::malformed, pos, "reserved label type");
        if (pos + 1 >= bound) [[unlikely]] {
            if (bound < size) return fail(err, errc::bad_length, pos + 1, "name extends past RDATA");
            return fail(err, errc::truncated, pos + 1, "compression pointer cut off");
        }
        const std::size_t target = ((b & 0x3Fu) << 8) | std::to_integer<std::uint8_t>(m[pos + 1]);
        if (target >= seg_start) [[unlikely]] {
            if (target >= size) return fail(err, errc::malformed, pos, "compression pointer past end of message");
            if (target == pos) return fail(err, errc::malformed, pos, "compression pointer to itself");
            if (target > pos) return fail(err, errc::malformed, pos, "forward compression pointer");
            return fail(err, errc::malformed, pos, "compression pointer loop");
        }
        if (hops == 0) in_place_end = pos + 2;
        if (++hops > max_pointer_hops) [[unlikely]]
            return fail(err, errc::limit_exceeded, pos, "too many compression pointers");
        if (cache) {
            std::size_t c_length, c_labels, c_hops;
            if (cache->find(target, c_length, c_labels, c_hops) && length + c_length <= max_name_len &&
                hops + c_hops <= max_pointer_hops) {
                length += c_length;
                labels += c_labels;
                hops += c_hops;
                return finish(in_place_end);
            }
        }
        pos = seg_start = target;
        bound = size;
    }
}

/// Validates the name at `off` exactly as scan_name_exact does (same
/// accepted names, same results, same errors), and also records the name's
/// first two runs (name_scan::run1/run2) so that copying it later is a
/// straight block copy.
///
/// The fast walk folds the checks of each label into one comparison: the
/// next length octet must lie before `lim`, which is both inside the bytes
/// the current run may use and inside the 255-octet budget left (RFC 1035
/// §2.3.4). Any failure falls back to scan_name_exact, cold, for the exact
/// error. Work stays bounded: a run stops at the 255-octet budget.
[[nodiscard, gnu::always_inline]] inline bool scan_name_into(bytes_view msg, std::size_t off, std::size_t limit, name_scan& out,
                                         wire_error& err, suffix_cache* cache = nullptr) noexcept {
    const std::size_t size = msg.size();
    const std::byte* m = msg.data();
    if (off >= limit) [[unlikely]]
        return scan_name_exact(msg, off, limit, out, err, cache);
    std::size_t pos = off;
    std::size_t seg_start = off;  // first byte of the current run of labels
    std::size_t bound = limit;    // in-place bytes are bounded by limit, later runs by size
    std::size_t prior = 0;        // octets of labels in the runs before this one
    std::size_t hops = 0;
    std::size_t labels = 0;
    std::size_t in_place_end = 0;
    std::size_t run1 = name_scan::no_run;
    std::size_t run2 = name_scan::no_run;
    // A label ending at np is accepted when np <= lim: a byte follows it in
    // bounds and prior + (np - seg_start) + 1 (the root) <= 255.
    auto lim_for = [&]() {
        const std::size_t a = bound - 1;
        const std::size_t b = seg_start + (max_name_len - 1) - prior;
        return a < b ? a : b;
    };
    std::size_t lim = lim_for();
    for (;;) {
        const auto b = std::to_integer<std::uint8_t>(m[pos]);
        if (b == 0) break;
        if (b < 0x40) [[likely]] {
            const std::size_t np = pos + 1u + b;
            if (np > lim) [[unlikely]]
                return scan_name_exact(msg, off, limit, out, err, cache);
            pos = np;
            ++labels;
            continue;
        }
        // A pointer (0xC0) or a reserved label type (0x40, 0x80).
        if (b < 0xC0 || pos + 1 >= bound) [[unlikely]]
            return scan_name_exact(msg, off, limit, out, err, cache);
        const std::size_t target = ((b & 0x3Fu) << 8) | std::to_integer<std::uint8_t>(m[pos + 1]);
        if (target >= seg_start || hops >= max_pointer_hops) [[unlikely]]
            return scan_name_exact(msg, off, limit, out, err, cache);
        const std::size_t run = pos - seg_start;
        if (hops == 0) {
            in_place_end = pos + 2;
            run1 = run;
        } else if (hops == 1) {
            run2 = run;
        }
        ++hops;
        prior += run;
        if (cache) {
            std::size_t c_length, c_labels, c_hops, c_run1;
            if (cache->find(target, c_length, c_labels, c_hops, c_run1) && prior + c_length <= max_name_len &&
                hops + c_hops <= max_pointer_hops) {
                if (hops == 1) run2 = c_run1;
                const std::size_t length = prior + c_length;
                labels += c_labels;
                hops += c_hops;
                out.end = in_place_end;
                out.length = static_cast<std::uint8_t>(length);
                out.labels = static_cast<std::uint8_t>(labels);
                out.run1 = static_cast<std::uint8_t>(run1);
                out.run2 = static_cast<std::uint8_t>(run2);
                cache->put(off, length, labels, hops, run1);
                return true;
            }
        }
        pos = seg_start = target;
        bound = size;
        lim = lim_for();
    }
    const std::size_t run = pos - seg_start;
    if (hops == 0) run1 = run;
    else if (hops == 1) run2 = run;
    const std::size_t length = prior + run + 1;
    out.end = hops ? in_place_end : pos + 1;
    out.length = static_cast<std::uint8_t>(length);
    out.labels = static_cast<std::uint8_t>(labels);
    out.run1 = static_cast<std::uint8_t>(run1);
    out.run2 = static_cast<std::uint8_t>(run2);
    if (cache) cache->put(off, length, labels, hops, run1);
    return true;
}

/// scan_name_into as a result: the name_scan, or the error described there.
[[nodiscard]] inline result<name_scan> scan_name(bytes_view msg, std::size_t off, std::size_t limit) noexcept {
    name_scan s;
    wire_error e;
    if (!scan_name_into(msg, off, limit, s, e)) return e;
    return s;
}

/// ASCII case folding for name comparison (RFC 4343 §3: only A-Z fold).
[[nodiscard]] constexpr unsigned char fold(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

/// True when `c` must be written as "\c" inside a label (RFC 1035 §5.1 specials).
[[nodiscard]] constexpr bool is_special(unsigned char c) noexcept {
    switch (c) {
        case '.': case '\\': case '"': case '(': case ')': case ';': case '@': case '$': return true;
        default: return false;
    }
}

}  // namespace detail

class parser;

/// A domain name inside a message (or inside a name_buffer), never copied.
/// Obtained from the parser after validation, so iteration cannot fail. It
/// stays valid as long as the bytes it was read from.
///
/// Iterating yields each label's octets (std::string_view, 1..63 bytes, raw,
/// not escaped), from the leftmost label to the last before the root; the
/// root name yields nothing.
class name_view {
public:
    /// Forward iterator over labels, following compression pointers.
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = std::string_view;

        constexpr iterator() = default;
        [[nodiscard]] std::string_view operator*() const noexcept {
            const auto n = std::to_integer<std::uint8_t>(base_[pos_]);
            return {reinterpret_cast<const char*>(base_ + pos_ + 1), n};
        }
        iterator& operator++() noexcept {
            pos_ += 1u + std::to_integer<std::uint8_t>(base_[pos_]);
            settle();
            return *this;
        }
        iterator operator++(int) noexcept { iterator t = *this; ++*this; return t; }
        /// Equal when both are at the same position (end is the root label).
        friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.at_end() == b.at_end() && (a.at_end() || a.pos_ == b.pos_);
        }

    private:
        friend class name_view;
        iterator(const std::byte* base, std::size_t pos) noexcept : base_(base), pos_(pos) { settle(); }
        // Follows pointers until pos_ is at a label or at the root.
        void settle() noexcept {
            if (!base_) return;
            for (;;) {
                const auto b = std::to_integer<std::uint8_t>(base_[pos_]);
                if ((b & 0xC0u) != 0xC0u) break;
                pos_ = ((b & 0x3Fu) << 8) | std::to_integer<std::uint8_t>(base_[pos_ + 1]);
            }
        }
        [[nodiscard]] bool at_end() const noexcept { return !base_ || base_[pos_] == std::byte{0}; }
        const std::byte* base_ = nullptr;
        std::size_t pos_ = 0;
    };

    /// The root name "." (wire form: one zero octet).
    constexpr name_view() noexcept = default;

    /// Wraps a name already validated by detail::scan_name over `msg`
    /// (the parser does this). `info` is that scan's result.
    name_view(bytes_view msg, std::size_t off, const detail::name_scan& info) noexcept
        : base_(msg.data()),
          meta_(pack(off, msg.size(), info.length, info.labels, info.run1, info.run2)) {}

    [[nodiscard]] iterator begin() const noexcept {
        if (!base_) return iterator{};
        return iterator{base_, off()};
    }
    [[nodiscard]] iterator end() const noexcept { return iterator{}; }

    /// Uncompressed wire length in octets, root label included (1..255).
    [[nodiscard]] constexpr std::size_t wire_length() const noexcept { return (meta_ >> 32) & 0xFFu; }
    /// Number of labels, the root not counted (0 for ".").
    [[nodiscard]] constexpr std::size_t label_count() const noexcept { return (meta_ >> 40) & 0xFFu; }
    /// True for the root name ".".
    [[nodiscard]] constexpr bool is_root() const noexcept { return label_count() == 0; }

    /// Case-insensitive equality (RFC 4343 §3: ASCII letters only).
    friend bool operator==(const name_view& a, const name_view& b) noexcept {
        if (a.wire_length() != b.wire_length() || a.label_count() != b.label_count()) return false;
        auto i = a.begin();
        auto j = b.begin();
        for (; i != a.end(); ++i, ++j) {
            const std::string_view x = *i, y = *j;
            if (x.size() != y.size()) return false;
            for (std::size_t k = 0; k < x.size(); ++k)
                if (detail::fold(static_cast<unsigned char>(x[k])) != detail::fold(static_cast<unsigned char>(y[k])))
                    return false;
        }
        return true;
    }

    /// Writes the uncompressed wire form (labels then the root octet) to `out`,
    /// which must hold wire_length() bytes. Returns the number of bytes written.
    ///
    /// The name was validated when it was read, so this only follows it: each
    /// run of labels stored in place (up to the root octet or a compression
    /// pointer) is copied as one block, length octets included, and the walk
    /// reads only the length octets (RFC 1035 §4.1.4: a name is a run of
    /// labels ending in a zero octet or a pointer).
    std::size_t copy_wire(std::byte* out) const noexcept { return copy_wire_impl(out, wire_length()); }
    /// As copy_wire(std::byte*), into a buffer that holds any name. Faster:
    /// short runs are moved in fixed 16- or 32-byte blocks (bytes past the
    /// name's end in `out` are left unspecified).
    std::size_t copy_wire(std::array<std::byte, max_name_len>& out) const noexcept {
        return copy_wire_impl(out.data(), max_name_len);
    }

    /// Writes the presentation form (RFC 1035 §5.1) to `out`, an output
    /// iterator of char: labels joined by '.', a trailing '.', specials
    /// escaped as "\c" and bytes outside 0x21..0x7E as "\DDD". Root is ".".
    /// At most 4 * 255 characters are written.
    template <class Out>
    Out write_text(Out out) const {
        if (is_root()) {
            *out++ = '.';
            return out;
        }
        for (std::string_view label : *this) {
            for (char ch : label) {
                const auto c = static_cast<unsigned char>(ch);
                if (detail::is_special(c)) {
                    *out++ = '\\';
                    *out++ = ch;
                } else if (c < 0x21 || c > 0x7E) {
                    *out++ = '\\';
                    *out++ = static_cast<char>('0' + c / 100);
                    *out++ = static_cast<char>('0' + (c / 10) % 10);
                    *out++ = static_cast<char>('0' + c % 10);
                } else {
                    *out++ = ch;
                }
            }
            *out++ = '.';
        }
        return out;
    }

private:
    friend class parser;  // builds views of owner names straight from the suffix cache

    // meta_ packs what the view knows besides base_: the name's offset
    // (bits 0-15), the bytes readable from base_ (16-31: the message size,
    // capped), the uncompressed length (32-39), labels (40-47), run1 (48-55)
    // and run2 (56-63) (see detail::name_scan). One word, so that making and
    // copying a view is one store, and a cached suffix (detail::suffix_cache
    // keeps the same bits 32-63) becomes a view with two ORs.
    static constexpr std::uint64_t pack(std::size_t off, std::size_t avail, std::size_t length, std::size_t labels,
                                        std::size_t run1, std::size_t run2) noexcept {
        return static_cast<std::uint64_t>(off & 0xFFFFu) |
               (static_cast<std::uint64_t>(avail < 0xFFFFu ? avail : 0xFFFFu) << 16) |
               (static_cast<std::uint64_t>(length & 0xFFu) << 32) | (static_cast<std::uint64_t>(labels & 0xFFu) << 40) |
               (static_cast<std::uint64_t>(run1 & 0xFFu) << 48) | (static_cast<std::uint64_t>(run2 & 0xFFu) << 56);
    }
    name_view(const std::byte* base, std::uint64_t meta) noexcept : base_(base), meta_(meta) {}
    [[nodiscard]] constexpr std::size_t off() const noexcept { return meta_ & 0xFFFFu; }
    [[nodiscard]] constexpr std::size_t avail() const noexcept { return (meta_ >> 16) & 0xFFFFu; }
    [[nodiscard]] constexpr std::size_t run1() const noexcept { return (meta_ >> 48) & 0xFFu; }
    [[nodiscard]] constexpr std::size_t run2() const noexcept { return meta_ >> 56; }

    // Copies the `len` octets at base_[at] to out[n]: as one fixed 16- or
    // 32-byte block when that stays inside the message and inside `cap`
    // (the next run or the root octet overwrites the excess).
    [[gnu::always_inline]] void copy_run(std::byte* out, std::size_t n, std::size_t at, std::size_t len,
                                         std::size_t cap) const noexcept {
        if (len <= 16 && at + 16 <= avail() && n + 16 <= cap) std::memcpy(out + n, base_ + at, 16);
        else if (len <= 32 && at + 32 <= avail() && n + 32 <= cap) std::memcpy(out + n, base_ + at, 32);
        else std::memcpy(out + n, base_ + at, len);
    }
    // The compression pointer at base_[at] (validated).
    [[nodiscard]] std::size_t pointer_at(std::size_t at) const noexcept {
        return ((std::to_integer<std::size_t>(base_[at]) & 0x3Fu) << 8) | std::to_integer<std::size_t>(base_[at + 1]);
    }
    // Follows the name from `pos` run by run (reading its length octets),
    // appending to out[n..]; returns the new n (root octet not written).
    std::size_t walk_runs(std::byte* out, std::size_t n, std::size_t pos, std::size_t cap) const noexcept {
        for (;;) {
            const std::size_t run = pos;
            std::uint8_t b = std::to_integer<std::uint8_t>(base_[pos]);
            while (b != 0 && b < 0xC0u) {  // a label (validation ruled out 0x40/0x80)
                pos += 1u + b;
                b = std::to_integer<std::uint8_t>(base_[pos]);
            }
            const std::size_t len = pos - run;
            copy_run(out, n, run, len, cap);
            n += len;
            if (b == 0) return n;
            pos = pointer_at(pos);
        }
    }
    // Writes at most `cap` bytes (cap >= wire_length()) to `out`. The runs
    // recorded at validation (run1, run2) make a name of up to two pointers a
    // pair of block copies: the runs' lengths are known, so no label is read.
    // `n + 1 < length` after a run means more labels follow, behind the
    // pointer that ends the run.
    // A pointer owner (run1 == 0) skips the empty first copy; so does the
    // default root view (base_ null, run1 0, length 1), which is why no base_
    // test is needed.
    [[gnu::always_inline]] std::size_t copy_wire_impl(std::byte* out, std::size_t cap) const noexcept {
        const std::uint64_t meta = meta_;
        const std::size_t length = (meta >> 32) & 0xFFu, at = meta & 0xFFFFu, r1 = (meta >> 48) & 0xFFu;
        std::size_t n = r1;
        if (r1 == detail::name_scan::no_run) [[unlikely]] {
            n = walk_runs(out, 0, at, cap);
        } else {
            if (r1 != 0) copy_run(out, 0, at, r1, cap);
            if (n + 1 < length) {
                const std::size_t t = pointer_at(at + n), r2 = meta >> 56;
                if (r2 == detail::name_scan::no_run) [[unlikely]] {
                    n = walk_runs(out, n, t, cap);
                } else {
                    copy_run(out, n, t, r2, cap);
                    n += r2;
                    if (n + 1 < length) [[unlikely]] n = walk_runs(out, n, pointer_at(t + r2), cap);
                }
            }
        }
        out[n] = std::byte{0};
        return n + 1;
    }

    const std::byte* base_ = nullptr;  // nullptr means the root name
    std::uint64_t meta_ = pack(0, 0, 1, 0, 0, detail::name_scan::no_run);
};

/// An owned, uncompressed domain name (at most 255 octets, fixed storage, no
/// allocation). Made from presentation text or copied from a name_view; its
/// view() feeds the builder and compares with names read from messages.
class name_buffer {
public:
    /// The root name.
    constexpr name_buffer() noexcept = default;

    /// Parses presentation text (RFC 1035 §5.1): labels separated by '.',
    /// "\c" and "\DDD" escapes, trailing '.' optional (names are always
    /// absolute), "." or "" is the root.
    /// Errors (layer "dns", offset = character index): malformed for an empty
    /// label ("a..b"), a label over 63 octets, a name over 255 octets, or a
    /// bad escape.
    [[nodiscard]] static result<name_buffer> from_text(std::string_view text) noexcept {
        name_buffer nb;
        if (text == "." || text.empty()) return nb;
        std::size_t n = 0;          // bytes written
        std::size_t label_at = 0;   // position of the current length octet
        std::size_t label_len = 0;
        std::uint8_t labels = 0;
        nb.wire_[0] = std::byte{0};
        n = 1;
        for (std::size_t i = 0; i < text.size(); ++i) {
            char c = text[i];
            if (c == '.') {
                if (label_len == 0) return make_error(errc::malformed, layer_name, i, "empty label");
                nb.wire_[label_at] = static_cast<std::byte>(label_len);
                ++labels;
                label_at = n;
                label_len = 0;
                if (n >= max_name_len) return make_error(errc::malformed, layer_name, i, "name longer than 255 octets");
                nb.wire_[n++] = std::byte{0};
                continue;
            }
            unsigned v = static_cast<unsigned char>(c);
            if (c == '\\') {
                if (i + 1 >= text.size()) return make_error(errc::malformed, layer_name, i, "dangling escape");
                const char d = text[i + 1];
                if (d >= '0' && d <= '9') {
                    if (i + 3 >= text.size()) return make_error(errc::malformed, layer_name, i, "short \\DDD escape");
                    v = 0;
                    for (std::size_t k = 1; k <= 3; ++k) {
                        const char e = text[i + k];
                        if (e < '0' || e > '9') return make_error(errc::malformed, layer_name, i, "bad \\DDD escape");
                        v = v * 10 + static_cast<unsigned>(e - '0');
                    }
                    if (v > 255) return make_error(errc::malformed, layer_name, i, "\\DDD escape above 255");
                    i += 3;
                } else {
                    v = static_cast<unsigned char>(d);
                    i += 1;
                }
            }
            if (label_len == max_label_len) return make_error(errc::malformed, layer_name, i, "label longer than 63 octets");
            if (n + 1 >= max_name_len) return make_error(errc::malformed, layer_name, i, "name longer than 255 octets");
            nb.wire_[n++] = static_cast<std::byte>(v);
            ++label_len;
        }
        if (label_len != 0) {
            nb.wire_[label_at] = static_cast<std::byte>(label_len);
            ++labels;
            nb.wire_[n++] = std::byte{0};
        }
        // Text ending in '.' already has its root octet at label_at.
        nb.length_ = static_cast<std::uint8_t>(n);
        nb.labels_ = labels;
        return nb;
    }

    /// Copies a name read from a message (decompressing it).
    [[nodiscard]] static name_buffer from_view(const name_view& v) noexcept {
        name_buffer nb;
        nb.length_ = static_cast<std::uint8_t>(v.copy_wire(nb.wire_.data()));
        nb.labels_ = static_cast<std::uint8_t>(v.label_count());
        return nb;
    }

    /// A view of this name; valid while this object lives and is unchanged.
    [[nodiscard]] name_view view() const noexcept {
        return name_view{bytes_view{wire_.data(), wire_.size()}, 0, detail::name_scan{length_, length_, labels_,
                                                                              static_cast<std::uint8_t>(length_ - 1)}};
    }
    /// The uncompressed wire form (1..255 bytes).
    [[nodiscard]] bytes_view wire() const noexcept { return {wire_.data(), length_}; }

    friend bool operator==(const name_buffer& a, const name_buffer& b) noexcept { return a.view() == b.view(); }

private:
    std::array<std::byte, max_name_len> wire_{};
    std::uint8_t length_ = 1;
    std::uint8_t labels_ = 0;
};

}  // namespace wirekit::dns
