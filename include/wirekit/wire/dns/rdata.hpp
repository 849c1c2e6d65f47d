// wirekit/wire/dns/rdata.hpp — typed RDATA views and their decoder.
//
// Layer L2 (includes core only). Every struct here is a small value that
// points into the message (names, strings, option bytes): nothing is copied
// or allocated. Sources are given per type.
//
// Adding a record type (the recipe):
//  1. add its TYPE to rr_type (types.hpp) and its mnemonic;
//  2. declare `struct foo_rdata` below with `static constexpr rr_type type`;
//  3. add it to the `rdata` variant;
//  4. decode it in detail::decode_typed (validate every length against the
//     RDATA bounds; names through read_name with the RDATA end as limit);
//  5. encode it in builder.hpp (detail::encode_rdata), print it in
//     format.hpp, and add a case to tests/wire/dns.
#pragma once

#include <array>        // addresses
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // fixed-width integers
#include <cstring>      // std::memcpy
#include <iterator>     // std::forward_iterator_tag
#include <string_view>  // character-strings, CAA tag
#include <type_traits>  // std::remove_cvref_t
#include <variant>      // rdata

#include "wirekit/core/bytes.hpp"      // bytes_view
#include "wirekit/core/endian.hpp"     // load_be
#include "wirekit/core/result.hpp"     // result, make_error
#include "wirekit/wire/dns/name.hpp"   // name_view, scan_name
#include "wirekit/wire/dns/types.hpp"  // rr_type

namespace wirekit::dns {

/// A: one IPv4 address, 4 bytes in network order (RFC 1035 §3.4.1).
struct a_rdata {
    static constexpr rr_type type = rr_type::a;
    std::array<std::uint8_t, 4> address{};  ///< octets, most significant first
    friend bool operator==(const a_rdata&, const a_rdata&) = default;
};

/// AAAA: one IPv6 address, 16 bytes in network order (RFC 3596 §2.2).
struct aaaa_rdata {
    static constexpr rr_type type = rr_type::aaaa;
    std::array<std::uint8_t, 16> address{};  ///< octets, most significant first
    friend bool operator==(const aaaa_rdata&, const aaaa_rdata&) = default;
};

/// NS: NSDNAME, a host that is authoritative for the owner (RFC 1035 §3.3.11).
struct ns_rdata {
    static constexpr rr_type type = rr_type::ns;
    name_view nsdname;
    friend bool operator==(const ns_rdata&, const ns_rdata&) = default;
};

/// CNAME: the canonical name for the owner (RFC 1035 §3.3.1).
struct cname_rdata {
    static constexpr rr_type type = rr_type::cname;
    name_view cname;
    friend bool operator==(const cname_rdata&, const cname_rdata&) = default;
};

/// PTR: PTRDNAME, a name pointing elsewhere in the name space (RFC 1035 §3.3.12).
struct ptr_rdata {
    static constexpr rr_type type = rr_type::ptr;
    name_view ptrdname;
    friend bool operator==(const ptr_rdata&, const ptr_rdata&) = default;
};

/// MX: PREFERENCE (lower is preferred) and EXCHANGE host (RFC 1035 §3.3.9).
struct mx_rdata {
    static constexpr rr_type type = rr_type::mx;
    std::uint16_t preference = 0;
    name_view exchange;
    friend bool operator==(const mx_rdata&, const mx_rdata&) = default;
};

/// SOA: zone parameters (RFC 1035 §3.3.13). Times are in seconds.
struct soa_rdata {
    static constexpr rr_type type = rr_type::soa;
    name_view mname;             ///< primary name server
    name_view rname;             ///< mailbox of the responsible person
    std::uint32_t serial = 0;    ///< version number (serial arithmetic, RFC 1982)
    std::uint32_t refresh = 0;   ///< seconds
    std::uint32_t retry = 0;     ///< seconds
    std::uint32_t expire = 0;    ///< seconds
    std::uint32_t minimum = 0;   ///< seconds; negative-caching TTL (RFC 2308 §4)
    friend bool operator==(const soa_rdata&, const soa_rdata&) = default;
};

/// Iterates the <character-string>s of TXT RDATA (a length octet, then that
/// many bytes; RFC 1035 §3.3). Only made over validated data.
class character_string_iterator {
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string_view;

    constexpr character_string_iterator() = default;
    constexpr character_string_iterator(const std::byte* p, const std::byte* end) : p_(p), end_(end) {}
    [[nodiscard]] std::string_view operator*() const noexcept {
        return {reinterpret_cast<const char*>(p_ + 1), std::to_integer<std::size_t>(*p_)};
    }
    character_string_iterator& operator++() noexcept {
        p_ += 1 + std::to_integer<std::size_t>(*p_);
        return *this;
    }
    character_string_iterator operator++(int) noexcept { auto t = *this; ++*this; return t; }
    friend bool operator==(const character_string_iterator& a, const character_string_iterator& b) noexcept {
        return a.p_ == b.p_;
    }

private:
    const std::byte* p_ = nullptr;
    const std::byte* end_ = nullptr;
};

/// TXT: one or more <character-string>s (RFC 1035 §3.3.14). `data` is the
/// whole RDATA; iterate to get each string (0..255 raw bytes, not escaped).
struct txt_rdata {
    static constexpr rr_type type = rr_type::txt;
    bytes_view data;  ///< validated: a non-empty sequence of length-prefixed strings
    [[nodiscard]] character_string_iterator begin() const noexcept {
        return {data.data(), data.data() + data.size()};
    }
    [[nodiscard]] character_string_iterator end() const noexcept {
        return {data.data() + data.size(), data.data() + data.size()};
    }
    friend bool operator==(const txt_rdata& a, const txt_rdata& b) noexcept {
        return as_chars(a.data) == as_chars(b.data);
    }
};

/// SRV: service location (RFC 2782). TARGET is never compressed on send.
struct srv_rdata {
    static constexpr rr_type type = rr_type::srv;
    std::uint16_t priority = 0;  ///< lower is tried first
    std::uint16_t weight = 0;    ///< relative weight among equal priorities
    std::uint16_t port = 0;      ///< TCP/UDP port
    name_view target;            ///< host; "." means the service is not offered
    friend bool operator==(const srv_rdata&, const srv_rdata&) = default;
};

/// CAA: certification authority authorization (RFC 8659 §4.1).
struct caa_rdata {
    static constexpr rr_type type = rr_type::caa;
    std::uint8_t flags = 0;  ///< bit 7 (value 128) = issuer critical
    std::string_view tag;    ///< 1..255 ASCII letters and digits, e.g. "issue"
    bytes_view value;        ///< the rest of the RDATA
    friend bool operator==(const caa_rdata& a, const caa_rdata& b) noexcept {
        return a.flags == b.flags && a.tag == b.tag && as_chars(a.value) == as_chars(b.value);
    }
};

/// One EDNS(0) option: OPTION-CODE and OPTION-DATA (RFC 6891 §6.1.2).
struct edns_option {
    std::uint16_t code = 0;  ///< e.g. 10 = COOKIE (RFC 7873), 12 = Padding (RFC 7830)
    bytes_view data;         ///< OPTION-DATA, OPTION-LENGTH bytes
};

/// Iterates the options of OPT RDATA. Only made over validated data.
class edns_option_iterator {
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = edns_option;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = edns_option;

    constexpr edns_option_iterator() = default;
    constexpr explicit edns_option_iterator(const std::byte* p) : p_(p) {}
    [[nodiscard]] edns_option operator*() const noexcept {
        return {load_be<2>(p_), bytes_view{p_ + 4, load_be<2>(p_ + 2)}};
    }
    edns_option_iterator& operator++() noexcept {
        p_ += 4u + load_be<2>(p_ + 2);
        return *this;
    }
    edns_option_iterator operator++(int) noexcept { auto t = *this; ++*this; return t; }
    friend bool operator==(const edns_option_iterator& a, const edns_option_iterator& b) noexcept {
        return a.p_ == b.p_;
    }

private:
    const std::byte* p_ = nullptr;
};

/// OPT: the EDNS(0) option list (RFC 6891 §6.1.2). The record's CLASS and TTL
/// carry the rest of EDNS; see edns_info.
struct opt_rdata {
    static constexpr rr_type type = rr_type::opt;
    bytes_view data;  ///< validated sequence of {code, length, data} options
    [[nodiscard]] edns_option_iterator begin() const noexcept { return edns_option_iterator{data.data()}; }
    [[nodiscard]] edns_option_iterator end() const noexcept {
        return edns_option_iterator{data.data() + data.size()};
    }
    friend bool operator==(const opt_rdata& a, const opt_rdata& b) noexcept {
        return as_chars(a.data) == as_chars(b.data);
    }
};

/// RDATA of a type wirekit does not decode, kept opaque (RFC 3597 §3, §5).
struct unknown_rdata {
    bytes_view data;
    friend bool operator==(const unknown_rdata& a, const unknown_rdata& b) noexcept {
        return as_chars(a.data) == as_chars(b.data);
    }
};

/// The RDATA of one record, decoded by TYPE (unknown types stay opaque).
using rdata = std::variant<unknown_rdata, a_rdata, ns_rdata, cname_rdata, soa_rdata, ptr_rdata, mx_rdata,
                           txt_rdata, aaaa_rdata, srv_rdata, opt_rdata, caa_rdata>;

/// The fixed part of a resource record (RFC 1035 §4.1.3). For OPT the CLASS
/// and TTL fields hold EDNS values (see edns_info).
struct rr_header {
    name_view name;                   ///< owner name
    rr_type type = rr_type::a;        ///< TYPE
    rr_class cls = rr_class::in;      ///< CLASS
    std::uint32_t ttl = 0;            ///< TTL in seconds
    std::uint16_t rdlength = 0;       ///< RDLENGTH in bytes (parser output; the builder computes it)
    friend bool operator==(const rr_header&, const rr_header&) = default;
};

/// One question entry (RFC 1035 §4.1.2).
struct question {
    name_view name;                 ///< QNAME
    rr_type type = rr_type::a;      ///< QTYPE
    rr_class cls = rr_class::in;    ///< QCLASS
    friend bool operator==(const question&, const question&) = default;
};

/// A whole record: header plus decoded RDATA.
struct resource {
    rr_header header;
    dns::rdata data;
};

/// EDNS(0) parameters carried in the OPT record's CLASS and TTL (RFC 6891 §6.1.3).
struct edns_info {
    std::uint16_t udp_payload_size = 0;  ///< requestor's UDP payload size, bytes (CLASS)
    std::uint8_t extended_rcode = 0;     ///< upper 8 bits of the 12-bit RCODE (TTL bits 31-24)
    std::uint8_t version = 0;            ///< EDNS version (TTL bits 23-16)
    bool dnssec_ok = false;              ///< DO bit (RFC 3225), TTL bit 15
    std::uint16_t z = 0;                 ///< remaining 15 flag bits, zero on send

    friend bool operator==(const edns_info&, const edns_info&) = default;

    /// Reads EDNS fields from an OPT record's header.
    [[nodiscard]] static constexpr edns_info from_header(const rr_header& h) noexcept {
        edns_info e;
        e.udp_payload_size = static_cast<std::uint16_t>(h.cls);
        e.extended_rcode = static_cast<std::uint8_t>(h.ttl >> 24);
        e.version = static_cast<std::uint8_t>(h.ttl >> 16);
        e.dnssec_ok = (h.ttl & 0x8000u) != 0;
        e.z = static_cast<std::uint16_t>(h.ttl & 0x7FFFu);
        return e;
    }
    /// The TTL field value that encodes these parameters.
    [[nodiscard]] constexpr std::uint32_t ttl() const noexcept {
        return (std::uint32_t{extended_rcode} << 24) | (std::uint32_t{version} << 16) |
               (dnssec_ok ? 0x8000u : 0u) | (z & 0x7FFFu);
    }
    /// The full 12-bit RCODE from the header's low 4 bits (RFC 6891 §6.1.3).
    [[nodiscard]] constexpr std::uint16_t full_rcode(std::uint8_t header_rcode) const noexcept {
        return static_cast<std::uint16_t>((extended_rcode << 4) | (header_rcode & 0xFu));
    }
};

/// TYPE of the RDATA held by `d`, or `fallback` for unknown_rdata.
[[nodiscard]] inline rr_type type_of(const rdata& d, rr_type fallback) noexcept {
    return std::visit(
        [fallback](const auto& x) -> rr_type {
            if constexpr (requires { std::remove_cvref_t<decltype(x)>::type; })
                return std::remove_cvref_t<decltype(x)>::type;
            else
                return fallback;
        },
        d);
}

namespace detail {

/// Reads a name at `off` whose in-place bytes must end by `limit` into `out`
/// and advances `off` past the in-place bytes; on failure fills `err`.
[[nodiscard, gnu::always_inline]] inline bool read_name_into(bytes_view msg, std::size_t& off, std::size_t limit, name_view& out,
                                         wire_error& err, suffix_cache* cache = nullptr) noexcept {
    name_scan s;
    if (!scan_name_into(msg, off, limit, s, err, cache)) return false;
    out = name_view{msg, off, s};
    off = s.end;
    return true;
}

/// read_name_into as a result.
[[nodiscard]] inline result<name_view> read_name(bytes_view msg, std::size_t& off, std::size_t limit) noexcept {
    name_view v;
    wire_error e;
    if (!read_name_into(msg, off, limit, v, e)) return e;
    return v;
}

/// Decodes the RDATA of type `t` at [off, off+len) of `msg` (the caller has
/// checked that range lies inside msg) into `out`; on failure fills `err`.
/// Names inside may point anywhere before them in the message.
/// Errors: bad_length when fixed-size data has the wrong RDLENGTH or a field
/// overruns/underfills RDATA; malformed for bad names or CAA tags.
[[nodiscard]] inline bool decode_rdata_into(bytes_view msg, rr_type t, std::size_t off, std::size_t len, rdata& out,
                                            wire_error& err, suffix_cache* cache = nullptr) noexcept {
    const std::size_t end = off + len;
    const std::byte* p = msg.data() + off;
    switch (t) {
        case rr_type::a: {
            if (len != 4) return fail(err, errc::bad_length, off, "A RDATA is not 4 bytes");
            auto& r = out.emplace<a_rdata>();
            std::memcpy(r.address.data(), p, 4);
            return true;
        }
        case rr_type::aaaa: {
            if (len != 16) return fail(err, errc::bad_length, off, "AAAA RDATA is not 16 bytes");
            auto& r = out.emplace<aaaa_rdata>();
            std::memcpy(r.address.data(), p, 16);
            return true;
        }
        case rr_type::ns:
        case rr_type::cname:
        case rr_type::ptr: {
            std::size_t at = off;
            name_view n;
            if (!read_name_into(msg, at, end, n, err, cache)) return false;
            if (at != end) return fail(err, errc::bad_length, at, "bytes after the name in RDATA");
            if (t == rr_type::ns) out.emplace<ns_rdata>(ns_rdata{n});
            else if (t == rr_type::cname) out.emplace<cname_rdata>(cname_rdata{n});
            else out.emplace<ptr_rdata>(ptr_rdata{n});
            return true;
        }
        case rr_type::mx: {
            if (len < 3) return fail(err, errc::bad_length, off, "MX RDATA too short");
            mx_rdata r;
            r.preference = load_be<2>(p);
            std::size_t at = off + 2;
            if (!read_name_into(msg, at, end, r.exchange, err, cache)) return false;
            if (at != end) return fail(err, errc::bad_length, at, "bytes after the MX exchange");
            out.emplace<mx_rdata>(r);
            return true;
        }
        case rr_type::soa: {
            soa_rdata r;
            std::size_t at = off;
            if (!read_name_into(msg, at, end, r.mname, err, cache)) return false;
            if (!read_name_into(msg, at, end, r.rname, err, cache)) return false;
            if (end - at != 20) return fail(err, errc::bad_length, at, "SOA needs 20 bytes after its names");
            const std::byte* q = msg.data() + at;
            r.serial = load_be<4>(q);
            r.refresh = load_be<4>(q + 4);
            r.retry = load_be<4>(q + 8);
            r.expire = load_be<4>(q + 12);
            r.minimum = load_be<4>(q + 16);
            out.emplace<soa_rdata>(r);
            return true;
        }
        case rr_type::txt: {
            if (len == 0) return fail(err, errc::bad_length, off, "TXT RDATA is empty");
            std::size_t at = off;
            while (at < end) {
                const std::size_t n = std::to_integer<std::size_t>(msg[at]);
                if (n > end - at - 1) return fail(err, errc::bad_length, at, "character-string overruns RDATA");
                at += 1 + n;
            }
            out.emplace<txt_rdata>(txt_rdata{msg.subspan(off, len)});
            return true;
        }
        case rr_type::srv: {
            if (len < 7) return fail(err, errc::bad_length, off, "SRV RDATA too short");
            srv_rdata r;
            r.priority = load_be<2>(p);
            r.weight = load_be<2>(p + 2);
            r.port = load_be<2>(p + 4);
            std::size_t at = off + 6;
            if (!read_name_into(msg, at, end, r.target, err, cache)) return false;
            if (at != end) return fail(err, errc::bad_length, at, "bytes after the SRV target");
            out.emplace<srv_rdata>(r);
            return true;
        }
        case rr_type::caa: {
            if (len < 2) return fail(err, errc::bad_length, off, "CAA RDATA too short");
            caa_rdata r;
            r.flags = std::to_integer<std::uint8_t>(p[0]);
            const std::size_t tag_len = std::to_integer<std::size_t>(p[1]);
            if (tag_len == 0) return fail(err, errc::malformed, off + 1, "CAA tag is empty");
            if (tag_len > len - 2) return fail(err, errc::bad_length, off + 1, "CAA tag overruns RDATA");
            for (std::size_t i = 0; i < tag_len; ++i) {
                const auto c = std::to_integer<unsigned char>(p[2 + i]);
                const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                if (!alnum) return fail(err, errc::malformed, off + 2 + i, "CAA tag is not alphanumeric");
            }
            r.tag = std::string_view{reinterpret_cast<const char*>(p + 2), tag_len};
            r.value = msg.subspan(off + 2 + tag_len, len - 2 - tag_len);
            out.emplace<caa_rdata>(r);
            return true;
        }
        case rr_type::opt: {
            std::size_t at = off;
            while (at < end) {
                if (end - at < 4) return fail(err, errc::bad_length, at, "EDNS option header overruns RDATA");
                const std::size_t n = load_be<2>(msg.data() + at + 2);
                if (n > end - at - 4) return fail(err, errc::bad_length, at + 2, "EDNS option overruns RDATA");
                at += 4 + n;
            }
            out.emplace<opt_rdata>(opt_rdata{msg.subspan(off, len)});
            return true;
        }
        default:
            out.emplace<unknown_rdata>(unknown_rdata{msg.subspan(off, len)});
            return true;
    }
}

/// decode_rdata_into with the common types inlined: A, the one-name types
/// (NS, CNAME, PTR) and OPT. Same results and errors: anything unusual (a
/// wrong length, a bad name, bytes after the name, options that do not tile
/// RDATA, another type) is left to decode_rdata_into, which then decides (a failed name scan stores nothing
/// in the cache, so running it again gives the same outcome).
[[nodiscard, gnu::always_inline]] inline bool decode_rdata_inline(bytes_view msg, rr_type t, std::size_t off,
                                                                  std::size_t len, rdata& out, wire_error& err,
                                                                  suffix_cache* cache) noexcept {
    if (t == rr_type::a && len == 4) {
        auto& r = out.emplace<a_rdata>();
        std::memcpy(r.address.data(), msg.data() + off, 4);
        return true;
    }
    if (t == rr_type::cname || t == rr_type::ns || t == rr_type::ptr) {
        name_scan sc;
        if (scan_name_into(msg, off, off + len, sc, err, cache) && sc.end == off + len) {
            const name_view n{msg, off, sc};
            if (t == rr_type::cname) out.emplace<cname_rdata>(cname_rdata{n});
            else if (t == rr_type::ns) out.emplace<ns_rdata>(ns_rdata{n});
            else out.emplace<ptr_rdata>(ptr_rdata{n});
            return true;
        }
    }
    if (t == rr_type::opt) {  // options must tile RDATA exactly (RFC 6891 §6.1.2)
        const std::byte* p = msg.data() + off;
        std::size_t at = 0;
        while (at + 4 <= len) at += 4u + load_be<2>(p + at + 2);  // at may pass len: then at != len
        if (at == len) {
            out.emplace<opt_rdata>(opt_rdata{msg.subspan(off, len)});
            return true;
        }
    }
    return decode_rdata_into(msg, t, off, len, out, err, cache);
}

/// decode_rdata_into as a result.
[[nodiscard]] inline result<rdata> decode_rdata(bytes_view msg, rr_type t, std::size_t off, std::size_t len) noexcept {
    rdata d;
    wire_error e;
    if (!decode_rdata_into(msg, t, off, len, d, e)) return e;
    return d;
}

}  // namespace detail
}  // namespace wirekit::dns
