// wirekit/wire/dns/builder.hpp — writes a DNS message into a caller's buffer.
//
// Layer L2 (includes core only). Source: RFC 1035 §4.1 (format), §4.1.4
// (compression); RFC 3597 §4 (compress only the names of NS, CNAME, SOA,
// PTR, MX RDATA); RFC 2782 (SRV target never compressed); RFC 6891 §6.1.1
// (OPT rules).
//
// The builder mirrors the parser: the header first, then entries section by
// section, in order (question, answer, authority, additional). Counts are
// kept by the builder and written by finish(). Owner names, questions and
// the names in NS/CNAME/SOA/PTR/MX RDATA are compressed against earlier names
// (exact byte match, so the case of every name is preserved).
//
// Truncation: when an entry does not fit, the call fails with errc::no_space
// and the builder is left exactly as before that call, so the caller can set
// TC (set_truncated) and finish() a valid, shorter message.
//
//     std::array<std::byte, 512> buf;
//     dns::builder b{buf, dns::header{.id = 0x1234, .rd = true}};
//     auto www = dns::name_buffer::from_text("www.example.test.");
//     b.question({www->view(), dns::rr_type::a, dns::rr_class::in});
//     auto msg = b.finish();   // result<bytes_view>, a view into buf
#pragma once

#include <array>        // compression table
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // fixed-width integers
#include <span>         // std::span of TXT strings
#include <string_view>  // TXT strings
#include <variant>      // std::visit

#include "wirekit/core/bytes.hpp"      // mutable_bytes, bytes_view
#include "wirekit/core/endian.hpp"     // store_be
#include "wirekit/core/result.hpp"     // result, make_error
#include "wirekit/wire/dns/name.hpp"   // name_view
#include "wirekit/wire/dns/rdata.hpp"  // rdata types
#include "wirekit/wire/dns/types.hpp"  // header

namespace wirekit::dns {

/// Builds one message into a caller-provided buffer; allocates nothing.
class builder {
public:
    /// Starts a message in `buf` with header `h` (its counts are ignored and
    /// replaced by finish()). A buffer under 12 bytes makes finish() fail
    /// with no_space.
    builder(mutable_bytes buf, const dns::header& h) noexcept : buf_(buf), hdr_(h) {
        hdr_.qdcount = hdr_.ancount = hdr_.nscount = hdr_.arcount = 0;
        off_ = header_len;
    }

    /// Sets or clears the TC bit (RFC 1035 §4.1.1), e.g. after no_space.
    void set_truncated(bool tc = true) noexcept { hdr_.tc = tc; }
    /// Bytes written so far (header included).
    [[nodiscard]] std::size_t size() const noexcept { return off_ <= buf_.size() ? off_ : 0; }

    /// Appends a question. Errors: invalid_state after any record was added;
    /// no_space; limit_exceeded at 65535 entries.
    [[nodiscard]] result<void> question(const dns::question& q) noexcept {
        if (sec_ != 0) return make_error(errc::invalid_state, layer_name, off_, "question after a record");
        const snapshot s = save();
        auto r = [&]() -> result<void> {
            WIREKIT_TRY_VOID(bump(hdr_.qdcount));
            WIREKIT_TRY_VOID(put_name(q.name, true));
            WIREKIT_TRY_VOID(put16(static_cast<std::uint16_t>(q.type)));
            return put16(static_cast<std::uint16_t>(q.cls));
        }();
        if (!r) restore(s);
        return r;
    }

    /// Appends a record to the answer section. `h.rdlength` is ignored; the
    /// RDATA alternative must match `h.type` (unknown_rdata matches any type).
    /// Errors: invalid_state when a later section was started; malformed when
    /// RDATA and TYPE disagree, for an OPT record here, or bad CAA/TXT data;
    /// no_space; limit_exceeded at 65535 entries.
    [[nodiscard]] result<void> answer(const rr_header& h, const dns::rdata& d) noexcept { return add(1, h, d); }
    /// Appends a record to the authority section (see answer()).
    [[nodiscard]] result<void> authority(const rr_header& h, const dns::rdata& d) noexcept { return add(2, h, d); }
    /// Appends a record to the additional section (see answer()); an OPT
    /// record is allowed here once, with the root as owner.
    [[nodiscard]] result<void> additional(const rr_header& h, const dns::rdata& d) noexcept { return add(3, h, d); }

    /// Appends the OPT pseudo-record (RFC 6891 §6.1.2) to the additional
    /// section from EDNS parameters and raw option bytes (already encoded
    /// {code, length, data} sequence; may be empty). Errors: as additional().
    [[nodiscard]] result<void> opt(const edns_info& e, bytes_view options = {}) noexcept {
        rr_header h;
        h.type = rr_type::opt;
        h.cls = static_cast<rr_class>(e.udp_payload_size);
        h.ttl = e.ttl();
        return add(3, h, opt_rdata{options});
    }

    /// Appends a TXT record made of `strings` (each 0..255 bytes) to `sec`
    /// (answer, authority or additional). Errors: malformed for a string over
    /// 255 bytes or no strings; as answer().
    [[nodiscard]] result<void> txt(section sec, const rr_header& h, std::span<const std::string_view> strings) noexcept {
        if (strings.empty()) return make_error(errc::malformed, layer_name, off_, "TXT needs at least one string");
        for (auto s : strings)
            if (s.size() > 255) return make_error(errc::malformed, layer_name, off_, "character-string over 255 bytes");
        const auto n = static_cast<std::uint8_t>(sec);
        if (n == 0) return make_error(errc::invalid_state, layer_name, off_, "TXT in the question section");
        const snapshot s = save();
        auto r = [&]() -> result<void> {
            WIREKIT_TRY_VOID(start_record(n, h, rr_type::txt));
            const std::size_t len_at = off_ - 2;
            for (auto str : strings) {
                WIREKIT_TRY_VOID(put8(static_cast<std::uint8_t>(str.size())));
                WIREKIT_TRY_VOID(put_bytes(as_bytes(str)));
            }
            return end_record(len_at);
        }();
        if (!r) restore(s);
        return r;
    }

    /// Writes the header with the final counts and returns the message (a
    /// view into the caller's buffer). The builder may continue afterwards.
    /// Errors: no_space when the buffer is under 12 bytes.
    [[nodiscard]] result<bytes_view> finish() noexcept {
        WIREKIT_TRY_VOID(hdr_.emit(buf_));
        return bytes_view{buf_.data(), off_};
    }

private:
    struct snapshot {
        std::size_t off;
        std::size_t nptrs;
        dns::header hdr;
        std::uint8_t sec;
        bool opt;
    };
    snapshot save() const noexcept { return {off_, nptrs_, hdr_, sec_, opt_written_}; }
    void restore(const snapshot& s) noexcept {
        off_ = s.off;
        nptrs_ = s.nptrs;
        hdr_ = s.hdr;
        sec_ = s.sec;
        opt_written_ = s.opt;
    }

    result<void> no_space() const noexcept {
        return make_error(errc::no_space, layer_name, off_, "message does not fit the buffer");
    }
    result<void> put8(std::uint8_t v) noexcept {
        if (buf_.size() < off_ + 1) return no_space();
        buf_[off_++] = static_cast<std::byte>(v);
        return {};
    }
    result<void> put16(std::uint16_t v) noexcept {
        if (buf_.size() < off_ + 2) return no_space();
        store_be<2>(buf_.data() + off_, v);
        off_ += 2;
        return {};
    }
    result<void> put32(std::uint32_t v) noexcept {
        if (buf_.size() < off_ + 4) return no_space();
        store_be<4>(buf_.data() + off_, v);
        off_ += 4;
        return {};
    }
    result<void> put_bytes(bytes_view b) noexcept {
        if (buf_.size() < off_ + b.size()) return no_space();
        for (std::size_t i = 0; i < b.size(); ++i) buf_[off_ + i] = b[i];
        off_ += b.size();
        return {};
    }
    result<void> bump(std::uint16_t& count) noexcept {
        if (count == 0xFFFF) return make_error(errc::limit_exceeded, layer_name, off_, "more than 65535 entries");
        ++count;
        return {};
    }

    // True when the (possibly compressed) name at buf_[at] equals the flat
    // uncompressed name w[0..] byte for byte.
    bool same_suffix(std::size_t at, const std::byte* w) const noexcept {
        std::size_t i = 0;
        for (;;) {
            auto b = std::to_integer<std::uint8_t>(buf_[at]);
            while ((b & 0xC0u) == 0xC0u) {
                at = ((b & 0x3Fu) << 8) | std::to_integer<std::uint8_t>(buf_[at + 1]);
                b = std::to_integer<std::uint8_t>(buf_[at]);
            }
            if (w[i] != buf_[at]) return false;
            if (b == 0) return true;
            for (std::size_t k = 1; k <= b; ++k)
                if (w[i + k] != buf_[at + k]) return false;
            i += 1u + b;
            at += 1u + b;
        }
    }

    // Writes a name, compressing it if `compress`; every label written in
    // place is remembered as a compression target.
    result<void> put_name(const name_view& n, bool compress) noexcept {
        std::array<std::byte, max_name_len> w{};
        const std::size_t total = n.copy_wire(w.data());
        std::size_t i = 0;
        while (w[i] != std::byte{0}) {
            const std::size_t rest = total - i;  // uncompressed length of this suffix
            if (compress) {
                for (std::size_t k = 0; k < nptrs_; ++k) {
                    if (ptrs_[k].len == rest && same_suffix(ptrs_[k].off, w.data() + i)) {
                        return put16(static_cast<std::uint16_t>(0xC000u | ptrs_[k].off));
                    }
                }
            }
            const std::size_t here = off_;
            const std::size_t lab = 1u + std::to_integer<std::size_t>(w[i]);
            WIREKIT_TRY_VOID(put_bytes(bytes_view{w.data() + i, lab}));
            if (here <= max_pointer_offset && nptrs_ < ptrs_.size())
                ptrs_[nptrs_++] = ptr_entry{static_cast<std::uint16_t>(here), static_cast<std::uint8_t>(rest)};
            i += lab;
        }
        return put8(0);
    }

    // Owner name, TYPE, CLASS, TTL and a placeholder RDLENGTH.
    result<void> start_record(std::uint8_t s, const rr_header& h, rr_type t) noexcept {
        if (s < sec_) return make_error(errc::invalid_state, layer_name, off_, "record for an earlier section");
        sec_ = s;
        std::uint16_t& count = s == 1 ? hdr_.ancount : s == 2 ? hdr_.nscount : hdr_.arcount;
        WIREKIT_TRY_VOID(bump(count));
        if (t == rr_type::opt) {
            if (s != 3) return make_error(errc::malformed, layer_name, off_, "OPT record outside the additional section");
            if (opt_written_) return make_error(errc::malformed, layer_name, off_, "more than one OPT record");
            if (!h.name.is_root()) return make_error(errc::malformed, layer_name, off_, "OPT owner name is not the root");
            opt_written_ = true;
        }
        WIREKIT_TRY_VOID(put_name(h.name, true));
        WIREKIT_TRY_VOID(put16(static_cast<std::uint16_t>(t)));
        WIREKIT_TRY_VOID(put16(static_cast<std::uint16_t>(h.cls)));
        WIREKIT_TRY_VOID(put32(h.ttl));
        return put16(0);
    }

    // Fills RDLENGTH at `len_at` from the bytes written since.
    result<void> end_record(std::size_t len_at) noexcept {
        const std::size_t n = off_ - len_at - 2;
        if (n > 0xFFFF) return make_error(errc::limit_exceeded, layer_name, len_at, "RDATA over 65535 bytes");
        store_be<2>(buf_.data() + len_at, static_cast<std::uint16_t>(n));
        return {};
    }

    result<void> put_rdata(const dns::rdata& d) noexcept {
        struct visitor {
            builder& b;
            result<void> operator()(const unknown_rdata& r) { return b.put_bytes(r.data); }
            result<void> operator()(const a_rdata& r) { return b.put_bytes(as_bytes(r.address.data(), 4)); }
            result<void> operator()(const aaaa_rdata& r) { return b.put_bytes(as_bytes(r.address.data(), 16)); }
            result<void> operator()(const ns_rdata& r) { return b.put_name(r.nsdname, true); }
            result<void> operator()(const cname_rdata& r) { return b.put_name(r.cname, true); }
            result<void> operator()(const ptr_rdata& r) { return b.put_name(r.ptrdname, true); }
            result<void> operator()(const mx_rdata& r) {
                WIREKIT_TRY_VOID(b.put16(r.preference));
                return b.put_name(r.exchange, true);
            }
            result<void> operator()(const soa_rdata& r) {
                WIREKIT_TRY_VOID(b.put_name(r.mname, true));
                WIREKIT_TRY_VOID(b.put_name(r.rname, true));
                for (std::uint32_t v : {r.serial, r.refresh, r.retry, r.expire, r.minimum}) WIREKIT_TRY_VOID(b.put32(v));
                return {};
            }
            result<void> operator()(const txt_rdata& r) {
                // Must be a valid, non-empty character-string sequence.
                if (r.data.empty()) return make_error(errc::malformed, layer_name, b.off_, "TXT RDATA is empty");
                std::size_t at = 0;
                while (at < r.data.size()) at += 1 + std::to_integer<std::size_t>(r.data[at]);
                if (at != r.data.size())
                    return make_error(errc::malformed, layer_name, b.off_, "TXT RDATA is not a string sequence");
                return b.put_bytes(r.data);
            }
            result<void> operator()(const srv_rdata& r) {
                WIREKIT_TRY_VOID(b.put16(r.priority));
                WIREKIT_TRY_VOID(b.put16(r.weight));
                WIREKIT_TRY_VOID(b.put16(r.port));
                return b.put_name(r.target, false);
            }
            result<void> operator()(const opt_rdata& r) {
                std::size_t at = 0;
                while (at + 4 <= r.data.size()) at += 4u + load_be<2>(r.data.data() + at + 2);
                if (at != r.data.size())
                    return make_error(errc::malformed, layer_name, b.off_, "OPT RDATA is not an option sequence");
                return b.put_bytes(r.data);
            }
            result<void> operator()(const caa_rdata& r) {
                if (r.tag.empty() || r.tag.size() > 255)
                    return make_error(errc::malformed, layer_name, b.off_, "CAA tag must be 1..255 bytes");
                WIREKIT_TRY_VOID(b.put8(r.flags));
                WIREKIT_TRY_VOID(b.put8(static_cast<std::uint8_t>(r.tag.size())));
                WIREKIT_TRY_VOID(b.put_bytes(as_bytes(r.tag)));
                return b.put_bytes(r.value);
            }
        };
        return std::visit(visitor{*this}, d);
    }

    result<void> add(std::uint8_t s, const rr_header& h, const dns::rdata& d) noexcept {
        if (!std::holds_alternative<unknown_rdata>(d) && type_of(d, h.type) != h.type)
            return make_error(errc::malformed, layer_name, off_, "RDATA does not match TYPE");
        const snapshot snap = save();
        auto r = [&]() -> result<void> {
            WIREKIT_TRY_VOID(start_record(s, h, h.type));
            const std::size_t len_at = off_ - 2;
            WIREKIT_TRY_VOID(put_rdata(d));
            return end_record(len_at);
        }();
        if (!r) restore(snap);
        return r;
    }

    struct ptr_entry {
        std::uint16_t off;  // where a run of labels starts in buf_
        std::uint8_t len;   // uncompressed length of the name from there
    };

    mutable_bytes buf_;
    dns::header hdr_;
    std::size_t off_ = header_len;
    std::array<ptr_entry, 128> ptrs_{};
    std::size_t nptrs_ = 0;
    std::uint8_t sec_ = 0;
    bool opt_written_ = false;
};

}  // namespace wirekit::dns
