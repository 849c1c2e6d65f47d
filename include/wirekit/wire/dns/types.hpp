// wirekit/wire/dns/types.hpp — DNS constants and the fixed 12-byte header.
//
// Layer L2 (includes core only). Source: RFC 1035 §4.1.1 (header), §3.2.2-3.2.5
// (TYPE, QTYPE, CLASS values); RFC 2535/4035 (AD, CD bits); RFC 6895 §2
// (registries: OPCODE, RCODE); RFC 3596 (AAAA), RFC 2782 (SRV), RFC 6891 (OPT),
// RFC 8659 (CAA).
//
// The header is 12 bytes in network byte order:
//
//     0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
//    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//    |                      ID                       |   offset 0
//    |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |   offset 2
//    |                    QDCOUNT                    |   offset 4
//    |                    ANCOUNT                    |   offset 6
//    |                    NSCOUNT                    |   offset 8
//    |                    ARCOUNT                    |   offset 10
//    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
//
// The offsets and masks below are the single description of this layout in
// wirekit (the compile-time layout engine of core/ was not yet available when
// this codec was written; header::parse/emit are the only users).
#pragma once

#include <cstddef>      // std::size_t, std::byte
#include <cstdint>      // fixed-width integers
#include <string_view>  // mnemonics

#include "wirekit/core/bytes.hpp"   // bytes_view, mutable_bytes
#include "wirekit/core/endian.hpp"  // load_be, store_be
#include "wirekit/core/result.hpp"  // result, wire_error

namespace wirekit::dns {

/// Name of this layer in wire_error::layer.
inline constexpr std::string_view layer_name = "dns";

/// Size of the fixed DNS header in bytes (RFC 1035 §4.1.1).
inline constexpr std::size_t header_len = 12;
/// Longest domain name in wire form, in octets, including the root label (RFC 1035 §2.3.4).
inline constexpr std::size_t max_name_len = 255;
/// Longest label, in octets (RFC 1035 §2.3.4).
inline constexpr std::size_t max_label_len = 63;
/// Largest number of compression pointers followed while reading one name.
/// A name has at most 127 labels, so a pointer per label is 127 hops: no
/// legitimate name needs more. Bounds the work per name (see docs/dns.md).
inline constexpr std::size_t max_pointer_hops = 127;
/// Longest DNS message, in octets: TCP carries each behind a 16-bit length
/// (RFC 1035 §4.2.2), UDP's payload is smaller still. The parser rejects
/// longer input (name views keep 16-bit offsets).
inline constexpr std::size_t max_message_len = 0xFFFF;
/// Largest offset a compression pointer can encode (14 bits, RFC 1035 §4.1.4).
inline constexpr std::size_t max_pointer_offset = 0x3FFF;

/// Resource record TYPE / QTYPE (RFC 1035 §3.2.2, §3.2.3 and later RFCs).
/// Any 16-bit value is representable; the named ones are those wirekit decodes.
enum class rr_type : std::uint16_t {
    a = 1,        ///< IPv4 host address (RFC 1035 §3.4.1)
    ns = 2,       ///< authoritative name server (RFC 1035 §3.3.11)
    cname = 5,    ///< canonical name (RFC 1035 §3.3.1)
    soa = 6,      ///< start of a zone of authority (RFC 1035 §3.3.13)
    ptr = 12,     ///< domain name pointer (RFC 1035 §3.3.12)
    mx = 15,      ///< mail exchange (RFC 1035 §3.3.9)
    txt = 16,     ///< text strings (RFC 1035 §3.3.14)
    aaaa = 28,    ///< IPv6 host address (RFC 3596 §2.1)
    srv = 33,     ///< service location (RFC 2782)
    opt = 41,     ///< EDNS(0) pseudo-record (RFC 6891 §6.1)
    axfr = 252,   ///< QTYPE: zone transfer (RFC 1035 §3.2.3)
    any = 255,    ///< QTYPE: all records, "*" (RFC 1035 §3.2.3)
    caa = 257,    ///< certification authority authorization (RFC 8659 §4.1)
};

/// CLASS / QCLASS (RFC 1035 §3.2.4, §3.2.5; RFC 2136 §1.3 for NONE).
enum class rr_class : std::uint16_t {
    in = 1,     ///< the Internet
    ch = 3,     ///< Chaos
    hs = 4,     ///< Hesiod
    none = 254, ///< NONE (RFC 2136)
    any = 255,  ///< QCLASS "*"
};

/// OPCODE, 4 bits (RFC 1035 §4.1.1, RFC 6895 §2.2).
enum class opcode : std::uint8_t {
    query = 0,   ///< standard query
    iquery = 1,  ///< inverse query (obsolete, RFC 3425)
    status = 2,  ///< server status request
    notify = 4,  ///< RFC 1996
    update = 5,  ///< RFC 2136
};

/// RCODE (RFC 1035 §4.1.1, RFC 6895 §2.3). The header holds the low 4 bits;
/// EDNS(0) adds 8 high bits in the OPT record (RFC 6891 §6.1.3).
enum class rcode : std::uint16_t {
    noerror = 0,   ///< no error
    formerr = 1,   ///< format error
    servfail = 2,  ///< server failure
    nxdomain = 3,  ///< name error: the name does not exist
    notimp = 4,    ///< not implemented
    refused = 5,   ///< refused
    badvers = 16,  ///< bad OPT version (RFC 6891; needs EDNS)
};

/// Mnemonic of a TYPE ("A", "AAAA", ...); empty for types without a name here,
/// which RFC 3597 §5 spells "TYPE<n>" (the formatter does that).
[[nodiscard]] constexpr std::string_view mnemonic(rr_type t) noexcept {
    switch (t) {
        case rr_type::a: return "A";
        case rr_type::ns: return "NS";
        case rr_type::cname: return "CNAME";
        case rr_type::soa: return "SOA";
        case rr_type::ptr: return "PTR";
        case rr_type::mx: return "MX";
        case rr_type::txt: return "TXT";
        case rr_type::aaaa: return "AAAA";
        case rr_type::srv: return "SRV";
        case rr_type::opt: return "OPT";
        case rr_type::axfr: return "AXFR";
        case rr_type::any: return "ANY";
        case rr_type::caa: return "CAA";
    }
    return {};
}

/// Mnemonic of a CLASS ("IN", ...); empty when unnamed ("CLASS<n>", RFC 3597 §5).
[[nodiscard]] constexpr std::string_view mnemonic(rr_class c) noexcept {
    switch (c) {
        case rr_class::in: return "IN";
        case rr_class::ch: return "CH";
        case rr_class::hs: return "HS";
        case rr_class::none: return "NONE";
        case rr_class::any: return "ANY";
    }
    return {};
}

/// Mnemonic of an OPCODE ("QUERY", ...); empty when unnamed.
[[nodiscard]] constexpr std::string_view mnemonic(opcode o) noexcept {
    switch (o) {
        case opcode::query: return "QUERY";
        case opcode::iquery: return "IQUERY";
        case opcode::status: return "STATUS";
        case opcode::notify: return "NOTIFY";
        case opcode::update: return "UPDATE";
    }
    return {};
}

/// Mnemonic of an RCODE ("NOERROR", "NXDOMAIN", ...); empty when unnamed.
[[nodiscard]] constexpr std::string_view mnemonic(rcode r) noexcept {
    switch (r) {
        case rcode::noerror: return "NOERROR";
        case rcode::formerr: return "FORMERR";
        case rcode::servfail: return "SERVFAIL";
        case rcode::nxdomain: return "NXDOMAIN";
        case rcode::notimp: return "NOTIMP";
        case rcode::refused: return "REFUSED";
        case rcode::badvers: return "BADVERS";
    }
    return {};
}

/// The decoded 12-byte message header (RFC 1035 §4.1.1). Flags are booleans,
/// opcode and rcode keep their raw 4-bit values (any value round-trips).
struct header {
    std::uint16_t id = 0;          ///< ID: matches replies to queries
    bool qr = false;               ///< QR: 1 = response
    std::uint8_t opcode = 0;       ///< OPCODE (4 bits), see dns::opcode
    bool aa = false;               ///< AA: authoritative answer
    bool tc = false;               ///< TC: truncated
    bool rd = false;               ///< RD: recursion desired
    bool ra = false;               ///< RA: recursion available
    bool z = false;                ///< Z: reserved, must be zero on send
    bool ad = false;               ///< AD: authentic data (RFC 4035 §3.2.3)
    bool cd = false;               ///< CD: checking disabled (RFC 4035 §3.2.2)
    std::uint8_t rcode = 0;        ///< RCODE, low 4 bits (see dns::rcode)
    std::uint16_t qdcount = 0;     ///< entries in the question section
    std::uint16_t ancount = 0;     ///< RRs in the answer section
    std::uint16_t nscount = 0;     ///< RRs in the authority section
    std::uint16_t arcount = 0;     ///< RRs in the additional section

    friend constexpr bool operator==(const header&, const header&) = default;

    /// The 16-bit flags word at offset 2 as on the wire (host order value).
    [[nodiscard]] constexpr std::uint16_t flags() const noexcept {
        return static_cast<std::uint16_t>((qr ? 0x8000u : 0u) | ((opcode & 0xFu) << 11) |
                                          (aa ? 0x0400u : 0u) | (tc ? 0x0200u : 0u) |
                                          (rd ? 0x0100u : 0u) | (ra ? 0x0080u : 0u) |
                                          (z ? 0x0040u : 0u) | (ad ? 0x0020u : 0u) |
                                          (cd ? 0x0010u : 0u) | (rcode & 0xFu));
    }

    /// Sets every flag field from a flags word (the inverse of flags()).
    constexpr void set_flags(std::uint16_t f) noexcept {
        qr = (f & 0x8000u) != 0;
        opcode = static_cast<std::uint8_t>((f >> 11) & 0xFu);
        aa = (f & 0x0400u) != 0;
        tc = (f & 0x0200u) != 0;
        rd = (f & 0x0100u) != 0;
        ra = (f & 0x0080u) != 0;
        z = (f & 0x0040u) != 0;
        ad = (f & 0x0020u) != 0;
        cd = (f & 0x0010u) != 0;
        rcode = static_cast<std::uint8_t>(f & 0xFu);
    }

    /// Decodes the first 12 bytes of `msg`.
    /// Errors: errc::truncated (offset = msg.size()) when fewer than 12 bytes.
    [[nodiscard]] static result<header> parse(bytes_view msg) noexcept {
        if (msg.size() < header_len)
            return make_error(errc::truncated, layer_name, msg.size(), "message shorter than the 12-byte header");
        header h;
        const std::byte* p = msg.data();
        h.id = load_be<2>(p);
        h.set_flags(load_be<2>(p + 2));
        h.qdcount = load_be<2>(p + 4);
        h.ancount = load_be<2>(p + 6);
        h.nscount = load_be<2>(p + 8);
        h.arcount = load_be<2>(p + 10);
        return h;
    }

    /// Writes the 12 header bytes at the start of `out` (counts as stored here).
    /// Errors: errc::no_space when `out` is shorter than 12 bytes.
    [[nodiscard]] result<void> emit(mutable_bytes out) const noexcept {
        if (out.size() < header_len)
            return make_error(errc::no_space, layer_name, out.size(), "buffer shorter than the 12-byte header");
        std::byte* p = out.data();
        store_be<2>(p, id);
        store_be<2>(p + 2, flags());
        store_be<2>(p + 4, qdcount);
        store_be<2>(p + 6, ancount);
        store_be<2>(p + 8, nscount);
        store_be<2>(p + 10, arcount);
        return {};
    }
};

/// The four message sections, in wire order (RFC 1035 §4.1).
enum class section : std::uint8_t { question, answer, authority, additional };

}  // namespace wirekit::dns
