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

/// How a name_view of a valid name copies and iterates it, packed in one
/// word (name_view::meta_; the suffix cache keeps the same word):
///   bits  0-15  c1: where label iteration starts, and the first block
///   bits 16-31  c2: the second block
///   bits 32-39  uncompressed length, root included (1..255)
///   bits 40-46  labels (0..127)
///   bit  47     fast: the name is exactly block 1 (r1 octets at c1), block 2
///               (r2 octets at c2) and the root octet; r1, r2 <= 32, and 32
///               bytes from c1 and from c2 lie inside the message, so copying
///               is two fixed 32-byte moves
///   bits 48-55  r1
///   bits 56-63  r2
/// Without the fast bit the name is copied by following it from c1.
namespace meta {
inline constexpr std::uint64_t fast = std::uint64_t{1} << 47;
inline constexpr std::size_t block = 32;  ///< bytes moved per block on the fast path
/// The fast bit, tested as the sign of the word shifted left (a shift and
/// a sign test: x86 has no 32-bit immediate for bit 47).
[[nodiscard]] constexpr bool is_fast(std::uint64_t m) noexcept {
    static_assert(fast == std::uint64_t{1} << 47);
    return static_cast<std::int64_t>(m << 16) < 0;
}
/// A name followed from `c1` when copied.
[[nodiscard]] constexpr std::uint64_t walk(std::size_t c1, std::size_t length, std::size_t labels) noexcept {
    return static_cast<std::uint64_t>(c1 & 0xFFFFu) | (static_cast<std::uint64_t>(length & 0xFFu) << 32) |
           (static_cast<std::uint64_t>(labels & 0x7Fu) << 40);
}
/// A name of two blocks (r2 may be 0, then c2 should be c1) in a message of
/// `size` bytes; fast when the blocks allow it, else followed from c1.
[[nodiscard, gnu::always_inline]] constexpr std::uint64_t blocks(std::size_t size, std::size_t length, std::size_t labels,
                                                                 std::size_t c1, std::size_t r1, std::size_t c2,
                                                                 std::size_t r2) noexcept {
    // Both windows inside the message, and (for messages over 64 KiB) at
    // offsets that fit 16 bits.
    const std::size_t top = c1 > c2 ? c1 : c2;
    const std::size_t room = size < 0x10000u ? size : 0x10000u;
    if ((r1 | r2) > block || top + block > room) return walk(c1, length, labels);
    return static_cast<std::uint64_t>(c1) | (static_cast<std::uint64_t>(c2) << 16) |
           (static_cast<std::uint64_t>(length) << 32) | (static_cast<std::uint64_t>(labels) << 40) | fast |
           (static_cast<std::uint64_t>(r1) << 48) | (static_cast<std::uint64_t>(r2) << 56);
}
[[nodiscard]] constexpr std::size_t c1(std::uint64_t m) noexcept { return m & 0xFFFFu; }
[[nodiscard]] constexpr std::size_t c2(std::uint64_t m) noexcept { return (m >> 16) & 0xFFFFu; }
[[nodiscard]] constexpr std::size_t length(std::uint64_t m) noexcept { return (m >> 32) & 0xFFu; }
[[nodiscard]] constexpr std::size_t labels(std::uint64_t m) noexcept { return (m >> 40) & 0x7Fu; }
[[nodiscard]] constexpr std::size_t r1(std::uint64_t m) noexcept { return (m >> 48) & 0xFFu; }
[[nodiscard]] constexpr std::size_t r2(std::uint64_t m) noexcept { return m >> 56; }
}  // namespace meta

/// What scan_name learns about a valid name.
struct name_scan {
    std::size_t end = 0;      ///< offset just after the name's in-place bytes
    std::uint8_t length = 0;  ///< uncompressed wire length, root included (1..255)
    std::uint8_t labels = 0;  ///< number of non-root labels (0..127)
    /// The view's copy plan (see detail::meta), or 0: a view then follows
    /// the name from its first byte.
    std::uint64_t meta = 0;
};

/// Name suffixes already validated in one message, so that a compression
/// pointer to one of them is resolved in O(1) instead of walking it again.
/// Direct-mapped by offset; a miss only costs the ordinary walk, and a hit is
/// used only when the result is exactly what the walk would give (the
/// 255-octet and hop limits are checked against the cached totals, and on
/// any doubt the walk runs). Belongs to one message: clear() it for another.
struct suffix_cache {
    static constexpr std::size_t slots = 16;
    /// Per slot: start offset + 1 (bits 0-15; 0 means empty) and the
    /// pointers followed inside the suffix (16-23).
    std::array<std::uint32_t, slots> key{};
    /// Per slot: the suffix's view plan (detail::meta). A name that is one
    /// pointer to the suffix is the same name, so it takes this word as is.
    std::array<std::uint64_t, slots> view{};

    void clear() noexcept { key.fill(0); }

    /// Looks up the suffix at `off`: true and its totals when known exactly.
    [[nodiscard]] bool find(std::size_t off, std::size_t& length, std::size_t& labels, std::size_t& hops) const noexcept {
        std::uint64_t m;
        if (!find(off, hops, m)) return false;
        length = meta::length(m);
        labels = meta::labels(m);
        return true;
    }
    /// As find(), giving the pointers followed and the plan word.
    [[nodiscard]] bool find(std::size_t off, std::size_t& hops, std::uint64_t& m) const noexcept {
        const std::uint32_t k = key[off % slots];
        if ((k & 0xFFFFu) != off + 1) return false;  // keys are <= 0x3FFF (see put)
        hops = k >> 16;
        m = view[off % slots];
        return true;
    }
    /// Remembers the valid name at `off`. Skipped when no pointer can reach
    /// `off` or when a pointer to it would exceed max_pointer_hops, so a
    /// name that is one pointer to a cached suffix is always within limits.
    void put(std::size_t off, std::size_t hops, std::uint64_t m) noexcept {
        if (off + 1 > max_pointer_offset || hops >= max_pointer_hops) return;
        key[off % slots] = static_cast<std::uint32_t>((off + 1) | (hops << 16));
        view[off % slots] = m;
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
        out.meta = meta::walk(off, length, labels);
        if (cache) cache->put(off, hops, out.meta);
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
/// accepted names, same results, same errors), and also records how a view
/// copies it (name_scan::meta): a name of at most two runs of in-place labels
/// is two block moves (see detail::meta).
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
    std::size_t run1 = 0;         // octets of the in-place run (valid once hops >= 1)
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
        if (static_cast<std::uint8_t>(b - 1u) < 0x3Fu) [[likely]] {  // a label, 1..63 octets: one test
            const std::size_t np = pos + 1u + b;
            if (np > lim) [[unlikely]]
                return scan_name_exact(msg, off, limit, out, err, cache);
            pos = np;
            ++labels;
            continue;
        }
        if (b == 0) break;
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
        }
        ++hops;
        prior += run;
        if (cache) {
            std::size_t c_hops;
            std::uint64_t c_meta;
            if (cache->find(target, c_hops, c_meta) && prior + meta::length(c_meta) <= max_name_len &&
                hops + c_hops <= max_pointer_hops) {
                const std::size_t length = prior + meta::length(c_meta);
                labels += meta::labels(c_meta);
                hops += c_hops;
                out.end = in_place_end;
                out.length = static_cast<std::uint8_t>(length);
                out.labels = static_cast<std::uint8_t>(labels);
                // One pointer to the suffix: the same name, the same plan.
                // In-place labels, then the suffix as one block: two blocks.
                if (prior == 0) out.meta = c_meta;
                else if (hops - c_hops == 1 && (c_meta & meta::fast) && meta::r2(c_meta) == 0)
                    out.meta = meta::blocks(size, length, labels, off, run1, meta::c1(c_meta), meta::r1(c_meta));
                else
                    out.meta = meta::walk(off, length, labels);
                cache->put(off, hops, out.meta);
                return true;
            }
        }
        pos = seg_start = target;
        bound = size;
        lim = lim_for();
    }
    const std::size_t run = pos - seg_start;
    const std::size_t length = prior + run + 1;
    out.end = hops ? in_place_end : pos + 1;
    out.length = static_cast<std::uint8_t>(length);
    out.labels = static_cast<std::uint8_t>(labels);
    if (hops == 0) out.meta = meta::blocks(size, length, labels, off, run, off, 0);
    else if (hops == 1 && run1 == 0) out.meta = meta::blocks(size, length, labels, seg_start, run, seg_start, 0);
    else if (hops == 1) out.meta = meta::blocks(size, length, labels, off, run1, seg_start, run);
    else out.meta = meta::walk(off, length, labels);
    if (cache) cache->put(off, hops, out.meta);
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
class name_buffer;

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
        : base_(msg.data()), meta_(info.meta ? info.meta : detail::meta::walk(off, info.length, info.labels)) {}

    [[nodiscard]] iterator begin() const noexcept {
        if (!base_) return iterator{};
        return iterator{base_, detail::meta::c1(meta_)};
    }
    [[nodiscard]] iterator end() const noexcept { return iterator{}; }

    /// Uncompressed wire length in octets, root label included (1..255).
    [[nodiscard]] constexpr std::size_t wire_length() const noexcept { return detail::meta::length(meta_); }
    /// Number of labels, the root not counted (0 for ".").
    [[nodiscard]] constexpr std::size_t label_count() const noexcept { return detail::meta::labels(meta_); }
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
    /// The name was validated when it was read, so this only follows it: a
    /// name of at most two runs of in-place labels (RFC 1035 §4.1.4: a run of
    /// labels ends in a zero octet or a pointer) was recorded as two blocks
    /// and is copied without reading a label; any other is followed run by
    /// run, each run copied as one block.
    std::size_t copy_wire(std::byte* out) const noexcept {
        const std::uint64_t m = meta_;
        if (detail::meta::is_fast(m)) [[likely]] {
            const std::size_t r1 = detail::meta::r1(m), length = detail::meta::length(m);
            std::memcpy(out, base_ + detail::meta::c1(m), r1);
            std::memcpy(out + r1, base_ + detail::meta::c2(m), detail::meta::r2(m));
            out[length - 1] = std::byte{0};
            return length;
        }
        return walk_copy(out);
    }
    /// As copy_wire(std::byte*), into a buffer that holds any name. Faster:
    /// each block is moved as a fixed 32-byte block (bytes past the name's
    /// end in `out` are left unspecified).
    std::size_t copy_wire(std::array<std::byte, max_name_len>& out) const noexcept {
        const std::uint64_t m = meta_;
        if (detail::meta::is_fast(m)) [[likely]] {
            // r1 <= 32, so the second block ends by out[64]; the root octet
            // overwrites what the second block moved past the name.
            const std::size_t length = detail::meta::length(m);
            std::memcpy(out.data(), base_ + detail::meta::c1(m), detail::meta::block);
            if (detail::meta::r2(m) != 0)  // most names are one block
                std::memcpy(out.data() + detail::meta::r1(m), base_ + detail::meta::c2(m), detail::meta::block);
            out[length - 1] = std::byte{0};
            return length;
        }
        if (detail::meta::length(m) == 1) {  // the root, e.g. an OPT owner near the message end
            out[0] = std::byte{0};
            return 1;
        }
        return walk_copy(out.data());
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
    friend class parser;       // builds views of owner names straight from the suffix cache
    friend class name_buffer;  // views its own storage

    // meta_ packs everything the view knows besides base_ (detail::meta):
    // where its labels start, its length and label count, and how to copy
    // it. One word, so that making or passing a view is one store, and a
    // name that is one pointer to a cached suffix takes the cached word.
    name_view(const std::byte* base, std::uint64_t meta) noexcept : base_(base), meta_(meta) {}

    // Follows the name from its first label run by run (reading its length
    // octets), copying each run as one block; writes the root octet.
    [[gnu::noinline]] std::size_t walk_copy(std::byte* out) const noexcept {
        std::size_t n = 0;
        if (base_) {
            std::size_t pos = detail::meta::c1(meta_);
            for (;;) {
                const std::size_t run = pos;
                std::uint8_t b = std::to_integer<std::uint8_t>(base_[pos]);
                while (b != 0 && b < 0xC0u) {  // a label (validation ruled out 0x40/0x80)
                    pos += 1u + b;
                    b = std::to_integer<std::uint8_t>(base_[pos]);
                }
                if (pos != run) std::memcpy(out + n, base_ + run, pos - run);
                n += pos - run;
                if (b == 0) break;
                pos = ((std::size_t{b} & 0x3Fu) << 8) | std::to_integer<std::size_t>(base_[pos + 1]);
            }
        }
        out[n] = std::byte{0};
        return n + 1;
    }

    const std::byte* base_ = nullptr;  // nullptr means the root name
    std::uint64_t meta_ = detail::meta::walk(0, 1, 0);
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
        return name_view{wire_.data(), detail::meta::blocks(wire_.size(), length_, labels_, 0, length_ - 1u, 0, 0)};
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
