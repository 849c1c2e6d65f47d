// wirekit/wire/dns/parser.hpp — incremental, zero-copy DNS message parser.
//
// Layer L2 (includes core only). Source: RFC 1035 §4.1 (message format),
// RFC 6891 §6.1.1 (OPT placement rules). Design after Go's
// x/net/dns/dnsmessage Parser: start() reads the header, then each section is
// walked one entry at a time. A call returns
//   - a value (the next entry),
//   - std::nullopt: "section done" — a normal outcome, not an error, and
//   - an error (wire_error, layer "dns", offset into the message).
// Nothing is allocated or copied: names and RDATA are views into the message,
// which must outlive everything read from it.
//
//     auto p = dns::parser::start(msg);                 // result<parser>
//     while (auto q = p->question()) {                  // result<optional<question>>
//         if (!*q) break;                               // section done
//         use((*q)->name);
//     }
//     while (auto rr = p->answer_header()) { ... p->rdata_as<dns::a_rdata>() ... }
//
// Sections may be skipped: asking for a later section first skips the rest of
// the earlier ones (their names are still validated, RDATA is not decoded).
// for_each_record() reads all remaining records in one call (the hot-path
// form of the next_record() loop: same records, errors and end state).
#pragma once

#include <cstddef>   // std::size_t
#include <cstdint>   // fixed-width integers
#include <cstring>   // std::memcpy
#include <new>       // placement new (for_each_record's resource)
#include <optional>  // section-done outcome
#include <type_traits>  // std::is_same_v, std::is_trivially_destructible_v
#include <utility>      // std::move, std::in_place
#include <variant>   // std::get_if

#include "wirekit/core/bytes.hpp"      // bytes_view
#include "wirekit/core/endian.hpp"     // load_be
#include "wirekit/core/result.hpp"     // result, make_error
#include "wirekit/wire/dns/name.hpp"   // name_view
#include "wirekit/wire/dns/rdata.hpp"  // rr_header, rdata, question
#include "wirekit/wire/dns/types.hpp"  // header, section

namespace wirekit::dns {

/// Reads one DNS message section by section. Cheap to copy (a copy is an
/// independent cursor over the same bytes).
class parser {
public:
    /// Reads the header of `msg` (one whole DNS message) and positions the
    /// parser at the question section.
    /// Errors: truncated when msg is shorter than 12 bytes; limit_exceeded
    /// (offset 65535) when it is longer than max_message_len, the largest
    /// message DNS can carry (RFC 1035 §4.2.2: a 16-bit length); bad_length (offset
    /// 4) when the four counts need more bytes than the message has (each
    /// question needs at least 5, each record at least 11) — this bounds the
    /// work on hostile counts before any section is read.
    [[nodiscard]] static result<parser> start(bytes_view msg) noexcept {
        parser p;
        if (auto r = p.reset(msg); !r) return r.error();
        return p;
    }

    /// An idle parser; call reset() before reading. (start() is the
    /// one-step form; reset() lets one parser object be reused in place.)
    constexpr parser() noexcept = default;

    /// Starts reading `msg` with this object, exactly as start() does, and
    /// forgets the previous message. Errors: as start().
    [[nodiscard]] result<void> reset(bytes_view msg) noexcept {
        // Member by member, each stored once: a whole-object assignment
        // from a temporary costs store-forwarding stalls on this hot path.
        // (rd_off_/rd_len_ are read only while pending_.)
        sec_ = 0;
        pending_ = false;
        has_edns_ = false;
        cache_.clear();
        if (msg.size() < header_len) {
            forget();
            return make_error(errc::truncated, layer_name, msg.size(), "message shorter than the 12-byte header");
        }
        if (msg.size() > max_message_len) {  // name views keep 16-bit offsets
            forget();
            return make_error(errc::limit_exceeded, layer_name, max_message_len, "message longer than 65535 octets");
        }
        const std::byte* p = msg.data();
        hdr_.id = load_be<2>(p);
        flags_ = load_be<2>(p + 2);  // decoded by header(), when asked for
        hdr_.qdcount = load_be<2>(p + 4);
        hdr_.ancount = load_be<2>(p + 6);
        hdr_.nscount = load_be<2>(p + 8);
        hdr_.arcount = load_be<2>(p + 10);
        const std::size_t need = header_len + 5u * hdr_.qdcount +
                                 11u * (std::size_t{hdr_.ancount} + hdr_.nscount + hdr_.arcount);
        if (need > msg.size()) {
            forget();
            return make_error(errc::bad_length, layer_name, 4, "section counts exceed the message size");
        }
        msg_ = msg;
        off_ = header_len;
        left_ = hdr_.qdcount;
        return {};
    }

    /// The decoded header (RFC 1035 §4.1.1), by value: its flags are
    /// decoded here, not by reset(), so a parse that does not look at them
    /// does not pay for them.
    [[nodiscard]] dns::header header() const noexcept {
        dns::header h = hdr_;
        h.set_flags(flags_);
        return h;
    }
    /// The whole message being read.
    [[nodiscard]] bytes_view message() const noexcept { return msg_; }
    /// Byte offset of the next unread entry.
    [[nodiscard]] std::size_t offset() const noexcept { return pending_ ? rd_off_ + rd_len_ : off_; }
    /// True once every section has been read (trailing bytes, if any, are ignored).
    [[nodiscard]] bool done() const noexcept { return sec_ == done_sec; }
    /// EDNS parameters, once the OPT record has been read (RFC 6891 §6.1.3).
    /// (By value: decoded from the OPT record's CLASS and TTL when asked for.)
    [[nodiscard]] std::optional<edns_info> edns() const noexcept {
        if (!has_edns_) return std::nullopt;
        rr_header h;
        h.cls = static_cast<rr_class>(edns_cls_);
        h.ttl = edns_ttl_;
        return edns_info::from_header(h);
    }

    /// The next question, or nullopt when the question section is done.
    /// Errors: those of name reading (see name.hpp); truncated when QTYPE or
    /// QCLASS is cut off.
    [[nodiscard]] result<std::optional<dns::question>> question() noexcept {
        dns::question q;
        wire_error e;
        const int r = question_into(q, e);
        if (r < 0) return e;
        if (r == 0) return std::optional<dns::question>{};
        return std::optional<dns::question>{q};
    }

    /// The next answer record's header, or nullopt when the answer section is
    /// done. The RDATA is then read with rdata()/rdata_as<T>() or skipped by
    /// the next call. Errors: see record_header().
    [[nodiscard]] result<std::optional<rr_header>> answer_header() noexcept { return record_header(1); }
    /// As answer_header(), for the authority section.
    [[nodiscard]] result<std::optional<rr_header>> authority_header() noexcept { return record_header(2); }
    /// As answer_header(), for the additional section.
    [[nodiscard]] result<std::optional<rr_header>> additional_header() noexcept { return record_header(3); }

    /// The next whole answer record (header and decoded RDATA), or nullopt.
    [[nodiscard]] result<std::optional<resource>> answer() noexcept { return record(1); }
    /// The next whole authority record, or nullopt.
    [[nodiscard]] result<std::optional<resource>> authority() noexcept { return record(2); }
    /// The next whole additional record, or nullopt.
    [[nodiscard]] result<std::optional<resource>> additional() noexcept { return record(3); }

    /// Decodes the RDATA of the record whose header was just read.
    /// Errors: invalid_state when no header is pending; else decode errors
    /// (rdata.hpp: bad_length, malformed, name errors).
    [[nodiscard]] result<dns::rdata> rdata() noexcept {
        dns::rdata d;
        wire_error e;
        if (!rdata_into(d, e)) return e;
        return d;
    }

    /// Decodes the pending RDATA as type R (e.g. dns::a_rdata). Errors as
    /// rdata(), plus invalid_state when the record's TYPE is not R's.
    template <class R>
    [[nodiscard]] result<R> rdata_as() noexcept {
        if (!pending_) return make_error(errc::invalid_state, layer_name, off_, "no record header pending");
        if constexpr (std::is_same_v<R, unknown_rdata>) {
            R r{msg_.subspan(rd_off_, rd_len_)};
            finish_pending();
            return r;
        } else {
            if (rd_type_ != R::type) return make_error(errc::invalid_state, layer_name, rd_off_, "record has another TYPE");
            auto d = rdata();
            if (!d) return d.error();
            return *std::get_if<R>(&*d);
        }
    }

    /// The raw RDATA bytes of the pending record (empty if none); does not consume.
    [[nodiscard]] bytes_view rdata_bytes() const noexcept {
        return pending_ ? msg_.subspan(rd_off_, rd_len_) : bytes_view{};
    }

    /// Skips the rest of the question section. Errors: as question().
    [[nodiscard]] result<void> skip_all_questions() noexcept { return skip_to(1); }
    /// Skips the rest of the answer (and any earlier) section.
    [[nodiscard]] result<void> skip_all_answers() noexcept { return skip_to(2); }
    /// Skips the rest of the authority (and any earlier) section.
    [[nodiscard]] result<void> skip_all_authorities() noexcept { return skip_to(3); }
    /// Skips the rest of the additional (and any earlier) section.
    [[nodiscard]] result<void> skip_all_additionals() noexcept { return skip_to(done_sec); }

    // -- Out-parameter forms --------------------------------------------------
    // The calls above are thin wrappers over these. They write into storage
    // the caller keeps (so a loop reuses one object), report the outcome as a
    // small enum and fill `err` only on failure. Same semantics and errors.

    /// Outcome of the out-parameter calls.
    enum class outcome : std::uint8_t {
        entry,         ///< the next entry was written to the out-parameter
        section_done,  ///< no more entries in that section (not an error)
        error,         ///< `err` holds the failure
    };

    /// As question(), into `q`.
    [[nodiscard, gnu::always_inline]] outcome next_question(dns::question& q, wire_error& err) noexcept {
        return to_outcome(question_into(q, err));
    }
    /// As answer_header()/authority_header()/additional_header() for `s`
    /// (section::question is invalid_state), into `h`.
    [[nodiscard]] outcome next_header(section s, rr_header& h, wire_error& err) noexcept {
        if (s == section::question) {
            detail::fail(err, errc::invalid_state, offset(), "records are not in the question section");
            return outcome::error;
        }
        return to_outcome(header_into(static_cast<std::uint8_t>(s), h, err));
    }
    /// As answer()/authority()/additional() for `s`, into `r`.
    [[nodiscard]] outcome next_record(section s, resource& r, wire_error& err) noexcept {
        const outcome o = next_header(s, r.header, err);
        if (o != outcome::entry) return o;
        return rdata_into(r.data, err) ? outcome::entry : outcome::error;
    }

    /// Reads every remaining record — the rest of the answer, authority and
    /// additional sections, in that order (RFC 1035 §4.1, §4.1.3) — and
    /// calls `f` for each, with its header and decoded RDATA. Any questions not yet read are skipped first (as
    /// next_record() does), and so is a pending RDATA.
    ///
    /// Same records, same checks, same errors and the same parser state
    /// afterwards as calling next_record() for each section in turn; it is
    /// the hot-path form of that loop (one tight loop over the records, the
    /// common RDATA types decoded inline). Returns true when every section
    /// has been read (done() is then true); false on the first bad record,
    /// with `err` filled (layer "dns", offset into the message) and every
    /// record before it passed to `f`.
    ///
    /// `f(section, const resource&)`: the section (answer, authority or
    /// additional) and the record, a view into the message valid during the
    /// call (copy it to keep it). `f` must not use this parser.
    template <class F>
    [[nodiscard, gnu::always_inline]] bool for_each_record(F&& f, wire_error& err) noexcept(
        noexcept(f(section::answer, std::declval<const resource&>()))) {
        finish_pending();
        if (sec_ == 0 && !skip_to(1, err)) return false;
        const bytes_view msg = msg_;
        const std::size_t size = msg.size();
        std::size_t off = off_;
        std::uint8_t s = sec_;
        std::size_t left = left_;
        // One resource reused for every record (a local: the walk's state
        // stays in registers), made by default-initialising raw storage: g++
        // 12 zeroes all 96 bytes of a `resource r;` (rep stos) but stores
        // only the members' initial values here.
        static_assert(std::is_trivially_destructible_v<resource>);
        alignas(resource) unsigned char storage[sizeof(resource)];
        resource& r = *::new (static_cast<void*>(storage)) resource;
        // The two octets of the previous record's owner when it was one
        // pointer to a cached name (pointer_owner), else `none`, which no
        // two octets equal. The records of an RRset share their owner: a
        // record whose owner is the same pointer keeps r.header.name as it
        // is (the same name: the target is still before `off`, and it was
        // validated, hops included, for the previous record).
        constexpr std::uint32_t none = 0x10000;
        std::uint32_t same_owner = none;
        for (; s < done_sec; ++s, left = s == 2 ? hdr_.nscount : hdr_.arcount) {
            for (; left != 0; --left) {
                const std::size_t start = off;
                rr_header& h = r.header;
                // Common case: 12 bytes left and the owner is one pointer to
                // a cached name; then the 10 fixed bytes are known to be there.
                if (size - off >= 12 && two_octets(msg.data() + off) == same_owner) {
                    off += 2;
                } else if (size - off >= 12 && pointer_owner(msg, off, cache_, h.name)) {
                    same_owner = two_octets(msg.data() + off - 2);
                } else {
                    same_owner = none;
                    if (!owner_from_cache(msg, off, cache_, h.name) &&
                        !detail::read_name_into(msg, off, size, h.name, err, &cache_))
                        return stop(s, left, off, false, 0, h.type);
                    if (size - off < 10) {
                        detail::fail(err, errc::truncated, size, "record header cut off");
                        return stop(s, left, off, false, 0, h.type);
                    }
                }
                const std::byte* p = msg.data() + off;
                h.type = static_cast<rr_type>(load_be<2>(p));
                h.cls = static_cast<rr_class>(load_be<2>(p + 2));
                h.ttl = load_be<4>(p + 4);
                h.rdlength = load_be<2>(p + 8);
                off += 10;
                if (h.rdlength > size - off) {
                    detail::fail(err, errc::truncated, size, "RDATA runs past the end of the message");
                    return stop(s, left, off, false, 0, h.type);
                }
                if (h.type == rr_type::opt) [[unlikely]] {
                    if (!check_opt(s, h, start, err)) return stop(s, left, off, false, 0, h.type);
                }
                if (!detail::decode_rdata_inline(msg, h.type, off, h.rdlength, r.data, err, &cache_))
                    return stop(s, left - 1, off, true, h.rdlength, h.type);
                f(static_cast<section>(s), static_cast<const resource&>(r));
                off += h.rdlength;
            }
        }
        (void)stop(done_sec, 0, off, false, 0, rr_type::a);
        return true;
    }

private:
    static constexpr std::uint8_t done_sec = 4;

    static constexpr outcome to_outcome(int r) noexcept {
        return r > 0 ? outcome::entry : r == 0 ? outcome::section_done : outcome::error;
    }

    void finish_pending() noexcept {
        if (pending_) {
            off_ = rd_off_ + rd_len_;
            pending_ = false;
        }
    }

    // Two octets as they lie in memory (compared, never decoded).
    [[gnu::always_inline]] static std::uint32_t two_octets(const std::byte* p) noexcept {
        std::uint16_t v;
        std::memcpy(&v, p, 2);
        return v;
    }

    // Writes for_each_record's local state back (as the next_record() loop
    // would have left it) and returns false (for the error exits). With
    // `pending`, the record at `off` of length rd_len has its RDATA pending.
    bool stop(std::uint8_t s, std::size_t left, std::size_t off, bool pending, std::size_t rd_len,
              rr_type t) noexcept {
        sec_ = s;
        left_ = static_cast<std::uint16_t>(left);
        off_ = off;
        pending_ = pending;
        if (pending) {
            rd_off_ = off;
            rd_len_ = rd_len;
            rd_type_ = t;
        }
        return false;
    }

    // The state of a parser that has no message (after a failed reset()).
    void forget() noexcept {
        msg_ = {};
        off_ = 0;
        left_ = 0;
    }

    void next_section() noexcept {
        ++sec_;
        switch (sec_) {
            case 1: left_ = hdr_.ancount; break;
            case 2: left_ = hdr_.nscount; break;
            case 3: left_ = hdr_.arcount; break;
            default: left_ = 0; break;
        }
    }

    // 1 = a question in `q`, 0 = section done, -1 = error in `err`.
    [[gnu::always_inline]] int question_into(dns::question& q, wire_error& err) noexcept {
        if (sec_ > 0) return 0;
        if (left_ == 0) {
            next_section();
            return 0;
        }
        if (!detail::read_name_into(msg_, off_, msg_.size(), q.name, err, &cache_)) return -1;
        if (msg_.size() - off_ < 4) {
            detail::fail(err, errc::truncated, msg_.size(), "question cut off after QNAME");
            return -1;
        }
        q.type = static_cast<rr_type>(load_be<2>(msg_.data() + off_));
        q.cls = static_cast<rr_class>(load_be<2>(msg_.data() + off_ + 2));
        off_ += 4;
        --left_;
        return 1;
    }

    // Fast path for the most common owner names in a response: a lone
    // compression pointer to a name already read (so in the suffix cache:
    // the same name, so the same view), and the root (OPT). Gives exactly
    // what scan_name_into would and advances `off` past the name; false
    // means "take the walk" (nothing changed).
    // owner_from_cache's pointer case alone, for a caller that knows 2 bytes
    // are there.
    [[gnu::always_inline]] static bool pointer_owner(bytes_view msg, std::size_t& off,
                                                     const detail::suffix_cache& cache, name_view& out) noexcept {
        const auto b = std::to_integer<std::uint8_t>(msg[off]);
        if ((b & 0xC0u) != 0xC0u) return false;
        const std::size_t target = ((b & 0x3Fu) << 8) | std::to_integer<std::uint8_t>(msg[off + 1]);
        const std::size_t slot = target % detail::suffix_cache::slots;
        if (target >= off || (cache.key[slot] & 0xFFFFu) != target + 1) return false;
        out = name_view{msg.data(), cache.view[slot]};
        off += 2;
        return true;
    }

    [[gnu::always_inline]] static bool owner_from_cache(bytes_view msg, std::size_t& off,
                                                        const detail::suffix_cache& cache, name_view& out) noexcept {
        if (off + 1 >= msg.size()) return false;
        const auto b = std::to_integer<std::uint8_t>(msg[off]);
        if ((b & 0xC0u) != 0xC0u) [[unlikely]] {
            if (b != 0) return false;
            out = name_view{msg.data(), detail::meta::walk(off, 1, 0)};  // copy_wire: one zero octet
            off += 1;
            return true;
        }
        const std::size_t target = ((b & 0x3Fu) << 8) | std::to_integer<std::uint8_t>(msg[off + 1]);
        const std::size_t slot = target % detail::suffix_cache::slots;
        // The cache holds only suffixes a pointer may still reach (put()).
        if (target >= off || (cache.key[slot] & 0xFFFFu) != target + 1) return false;
        out = name_view{msg.data(), cache.view[slot]};
        off += 2;
        return true;
    }

    bool rdata_into(dns::rdata& d, wire_error& err) noexcept {
        if (!pending_) return detail::fail(err, errc::invalid_state, off_, "no record header pending");
        if (rd_type_ == rr_type::a && rd_len_ == 4) {  // inline fast path, same result as decode_rdata_into
            auto& a = d.emplace<a_rdata>();
            std::memcpy(a.address.data(), msg_.data() + rd_off_, 4);
            finish_pending();
            return true;
        }
        if (!detail::decode_rdata_into(msg_, rd_type_, rd_off_, rd_len_, d, err, &cache_)) return false;
        finish_pending();
        return true;
    }

    // Skips whole sections until the parser stands at section `target`.
    bool skip_to(std::uint8_t target, wire_error& err) noexcept {
        finish_pending();
        while (sec_ < target) {
            if (sec_ == 0) {
                dns::question q;
                if (question_into(q, err) < 0) return false;
            } else {
                rr_header h;
                if (header_into(sec_, h, err) < 0) return false;
            }
        }
        finish_pending();
        return true;
    }
    result<void> skip_to(std::uint8_t target) noexcept {
        wire_error e;
        if (!skip_to(target, e)) return e;
        return {};
    }

    // Reads a record header in section s (1..3): 1 = header in `h`, 0 =
    // section done, -1 = error in `err`.
    // Errors: name errors; truncated when the 10 fixed bytes or the RDATA run
    // past the message; malformed for an OPT record outside the additional
    // section, a second OPT record, or an OPT owner other than the root.
    [[gnu::always_inline]] int header_into(std::uint8_t s, rr_header& h, wire_error& err) noexcept {
        finish_pending();
        if (sec_ < s && !skip_to(s, err)) return -1;
        if (sec_ > s) return 0;
        if (left_ == 0) {
            next_section();
            return 0;
        }
        const std::size_t start = off_;
        if (!owner_from_cache(msg_, off_, cache_, h.name) &&
            !detail::read_name_into(msg_, off_, msg_.size(), h.name, err, &cache_))
            return -1;
        if (msg_.size() - off_ < 10) {
            detail::fail(err, errc::truncated, msg_.size(), "record header cut off");
            return -1;
        }
        const std::byte* p = msg_.data() + off_;
        h.type = static_cast<rr_type>(load_be<2>(p));
        h.cls = static_cast<rr_class>(load_be<2>(p + 2));
        h.ttl = load_be<4>(p + 4);
        h.rdlength = load_be<2>(p + 8);
        off_ += 10;
        if (h.rdlength > msg_.size() - off_) {
            detail::fail(err, errc::truncated, msg_.size(), "RDATA runs past the end of the message");
            return -1;
        }
        if (h.type == rr_type::opt) [[unlikely]] {
            if (!check_opt(s, h, start, err)) return -1;
        }
        pending_ = true;
        rd_off_ = off_;
        rd_len_ = h.rdlength;
        rd_type_ = h.type;
        --left_;
        return 1;
    }

    bool check_opt(std::uint8_t s, const rr_header& h, std::size_t start, wire_error& err) noexcept {
        if (s != 3) return detail::fail(err, errc::malformed, start, "OPT record outside the additional section");
        if (has_edns_) return detail::fail(err, errc::malformed, start, "more than one OPT record");
        if (!h.name.is_root()) return detail::fail(err, errc::malformed, start, "OPT owner name is not the root");
        has_edns_ = true;
        edns_cls_ = static_cast<std::uint16_t>(h.cls);
        edns_ttl_ = h.ttl;
        return true;
    }

    result<std::optional<rr_header>> record_header(std::uint8_t s) noexcept {
        rr_header h;
        wire_error e;
        const int r = header_into(s, h, e);
        if (r < 0) return e;
        if (r == 0) return std::optional<rr_header>{};
        return std::optional<rr_header>{h};
    }

    // Fills the returned object in place (one named return value, so no
    // copy of the ~100-byte resource on the way out).
    result<std::optional<resource>> record(std::uint8_t s) noexcept {
        result<std::optional<resource>> out{std::optional<resource>{std::in_place}};
        resource& res = **out;
        wire_error e;
        const int r = header_into(s, res.header, e);
        if (r > 0 && rdata_into(res.data, e)) return out;
        if (r == 0) *out = std::nullopt;
        else out = e;
        return out;
    }

    bytes_view msg_{};
    dns::header hdr_{};  // id and counts (flags_ holds the flags word)
    std::uint16_t flags_ = 0;
    std::size_t off_ = 0;
    std::size_t rd_off_ = 0;
    std::size_t rd_len_ = 0;
    rr_type rd_type_ = rr_type::a;
    std::uint16_t left_ = 0;
    std::uint8_t sec_ = 0;  // 0 question, 1 answer, 2 authority, 3 additional, 4 done
    bool pending_ = false;
    bool has_edns_ = false;        // an OPT record was read: edns() decodes these two
    std::uint16_t edns_cls_ = 0;
    std::uint32_t edns_ttl_ = 0;
    detail::suffix_cache cache_{};
};

}  // namespace wirekit::dns
