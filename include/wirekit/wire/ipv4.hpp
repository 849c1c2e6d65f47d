// wirekit/wire/ipv4.hpp — IPv4 header (RFC 791 §3.1; DSCP/ECN per RFC 2474 §3
// and RFC 3168 §5).
//
// Layer L2. `ipv4::header_layout` is the single source of truth for the
// header's offsets. `ipv4::packet` (read-only) and `ipv4::mutable_packet` are
// zero-copy views with bare-name accessors: `ttl()`, `set_ttl(64)`, ...
// The payload ends at Total Length, never at the end of the buffer, so
// Ethernet padding is not IP data.
#pragma once

#include <cstdint>      // field value types
#include <string_view>  // layer name

#include "../core/address.hpp"  // ipv4_address
#include "../core/bytes.hpp"    // bytes_view, mutable_bytes
#include "../core/layout.hpp"   // layout, field, field_ref
#include "../core/result.hpp"   // result, wire_error
#include "../core/view.hpp"     // view, WIREKIT_FIELD

namespace wirekit::ipv4 {

/// IPv4 header, RFC 791 §3.1 (20 bytes fixed, then options to IHL × 4).
struct header_layout
    : layout<field<"version", 4>,                  // 4 for IPv4
             field<"ihl", 4>,                      // header length, 32-bit words (5..15)
             field<"dscp", 6>,                     // RFC 2474 §3
             field<"ecn", 2>,                      // RFC 3168 §5
             field<"total_length", 16>,            // header + data, bytes
             field<"identification", 16>,          // fragment reassembly key
             field<"reserved_flag", 1, bool>,      // must be zero
             field<"dont_fragment", 1, bool>,      // DF
             field<"more_fragments", 1, bool>,     // MF
             field<"fragment_offset", 13>,         // in 8-byte units
             field<"ttl", 8>,                      // time to live, hops
             field<"protocol", 8>,                 // IANA protocol number (6 TCP, 17 UDP, 1 ICMP)
             field<"header_checksum", 16>,         // RFC 1071 over the header
             field<"src_addr", 32, ipv4_address>,  // source address
             field<"dst_addr", 32, ipv4_address>>  // destination address
{
    static constexpr std::string_view name = "ipv4";
    /// Header length in bytes: IHL × 4 (RFC 791 §3.1).
    static constexpr auto header_length = field_ref<"ihl"> * 4;
    /// Total Length in bytes, header included (RFC 791 §3.1).
    static constexpr auto total_length = field_ref<"total_length">;
};

/// A view of an IPv4 packet over `Bytes` (std::span<const std::byte> or
/// std::span<std::byte>).
template <class Bytes = bytes_view>
class basic_packet : public view<header_layout, Bytes> {
public:
    using base_view = view<header_layout, Bytes>;

    /// Checks untrusted bytes. Errors (layer "ipv4"): truncated (shorter than
    /// 20 bytes, IHL × 4 or Total Length), malformed (version not 4, at byte 0),
    /// bad_length (IHL below 5, or Total Length below IHL × 4, at byte 0).
    [[nodiscard]] static constexpr result<basic_packet> checked(Bytes b) noexcept {
        if (b.size() >= 1 && (std::to_integer<unsigned>(b[0]) >> 4) != 4)
            return make_error(errc::malformed, "ipv4", 0, "version is not 4");
        auto r = base_view::checked(b);
        if (!r) return r.error();
        return basic_packet(*r);
    }
    /// Wraps bytes the caller built (at least 20 bytes, lengths consistent).
    [[nodiscard]] static constexpr basic_packet unchecked(Bytes b) noexcept {
        return basic_packet(base_view::unchecked(b));
    }

    WIREKIT_FIELD(version)
    WIREKIT_FIELD(ihl)
    WIREKIT_FIELD(dscp)
    WIREKIT_FIELD(ecn)
    WIREKIT_FIELD(total_length)
    WIREKIT_FIELD(identification)
    WIREKIT_FIELD(reserved_flag)
    WIREKIT_FIELD(dont_fragment)
    WIREKIT_FIELD(more_fragments)
    WIREKIT_FIELD(fragment_offset)
    WIREKIT_FIELD(ttl)
    WIREKIT_FIELD(protocol)
    WIREKIT_FIELD(header_checksum)
    WIREKIT_FIELD(src_addr)
    WIREKIT_FIELD(dst_addr)

private:
    constexpr explicit basic_packet(base_view v) noexcept : base_view(v) {}
};

using packet = basic_packet<bytes_view>;            ///< read-only IPv4 view
using mutable_packet = basic_packet<mutable_bytes>;  ///< writable IPv4 view

}  // namespace wirekit::ipv4
