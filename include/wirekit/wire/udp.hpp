// wirekit/wire/udp.hpp — UDP (RFC 768), checksummed over the IPv4 or IPv6
// pseudo-header.
//
// Layer L2. `udp::header_layout` is the single source of truth. The datagram
// ends at its Length field, not at the end of the buffer. Over IPv4 a zero
// checksum means "not computed" (RFC 768); over IPv6 the checksum is
// mandatory (RFC 8200 §8.1) and a zero is an error.
#pragma once

#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // field value types
#include <string_view>  // layer name
#include <type_traits>  // std::is_same_v

#include <fmt/format.h>  // fmt::formatter for datagram

#include "../checksum/internet.hpp"  // pseudo-header checksums
#include "../core/address.hpp"       // ipv4_address, ipv6_address
#include "../core/bytes.hpp"         // bytes_view, mutable_bytes
#include "../core/format.hpp"        // generic view tree
#include "../core/layout.hpp"        // layout, field, field_ref
#include "../core/result.hpp"        // result, wire_error
#include "check.hpp"              // detail::check_layout
#include "../core/view.hpp"          // view, WIREKIT_FIELD
#include "ip_protocol.hpp"           // ip_protocol::udp, ipv4_pseudo, ipv6_pseudo

namespace wirekit::udp {

/// UDP header, RFC 768: 8 bytes.
struct header_layout : layout<field<"src_port", 16>,   // source port
                              field<"dst_port", 16>,   // destination port
                              field<"length", 16>,     // header + data, bytes
                              field<"checksum", 16>>   // pseudo-header checksum, 0 = none (IPv4 only)
{
    static constexpr std::string_view name = "udp";
    static constexpr auto total_length = field_ref<"length">;
};

inline constexpr std::size_t header_len = header_layout::fixed_size;  ///< 8 bytes

/// A view of a UDP datagram over `Bytes`.
template <class Bytes = bytes_view>
class basic_datagram : public view<header_layout, Bytes> {
public:
    using base_view = view<header_layout, Bytes>;
    /// An empty view; only assignable (accessors need a real view).
    constexpr basic_datagram() noexcept = default;
    using custom_format = void;

    /// Checks untrusted bytes. Errors (layer "udp"): truncated (below 8 bytes,
    /// or below Length); bad_length at byte 4 when Length < 8.
    [[nodiscard]] static constexpr result<basic_datagram> checked(Bytes b) noexcept {
        if (auto r = check(b); !r) return r.error();
        return unchecked(b);
    }
    /// The checks of checked() without building the view.
    [[nodiscard]] static constexpr result<void> check(Bytes b) noexcept {
        auto r = detail::check_layout<header_layout>(b);
        if (!r && r.error().kind == errc::bad_length) return make_error(errc::bad_length, "udp", 4, "length below 8");
        return r;
    }
    [[nodiscard]] static constexpr basic_datagram unchecked(Bytes b) noexcept { return basic_datagram(base_view::unchecked(b)); }

    WIREKIT_FIELD(src_port)
    WIREKIT_FIELD(dst_port)
    WIREKIT_FIELD(length)
    WIREKIT_FIELD(checksum)

    /// The datagram bytes: [0, Length).
    [[nodiscard]] constexpr Bytes datagram() const noexcept { return this->bytes().first(this->total_length()); }
    /// Verifies over IPv4; a zero checksum ("not computed") verifies.
    [[nodiscard]] constexpr bool verify_checksum(const ipv4_pseudo& ip) const noexcept {
        return checksum() == 0 ||
               ipv4_transport_checksum_valid(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::udp, bytes_view(datagram()));
    }
    /// Verifies over IPv6, where zero is invalid (RFC 8200 §8.1).
    [[nodiscard]] constexpr bool verify_checksum(const ipv6_pseudo& ip) const noexcept {
        return checksum() != 0 &&
               ipv6_transport_checksum_valid(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::udp, bytes_view(datagram()));
    }
    /// Computes and stores the checksum over the datagram (mutable views).
    template <class Pseudo>
    constexpr void fill_checksum(const Pseudo& ip) const noexcept
        requires base_view::is_mutable
    {
        set_checksum(0);
        const bytes_view d(datagram());
        std::uint16_t c;
        if constexpr (std::is_same_v<Pseudo, ipv4_pseudo>)
            c = ipv4_transport_checksum(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::udp, d);
        else
            c = ipv6_transport_checksum(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::udp, d);
        set_checksum(udp_checksum_to_wire(c));
    }

private:
    constexpr explicit basic_datagram(base_view v) noexcept : base_view(v) {}
};

using datagram = basic_datagram<bytes_view>;
using mutable_datagram = basic_datagram<mutable_bytes>;

/// The value of a UDP header. `emit` fills Length and, given the IP
/// addresses, the checksum (over the payload already in place).
struct repr {
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::size_t payload_len = 0;  ///< bytes after the header

    friend constexpr bool operator==(const repr&, const repr&) = default;

    /// Reads a checked datagram and verifies its checksum over IPv4 (a zero
    /// checksum is accepted) or IPv6 (zero rejected). Errors (layer "udp"):
    /// bad_checksum at byte 6.
    template <class Pseudo>
    [[nodiscard]] static constexpr result<repr> parse(datagram d, const Pseudo& ip) noexcept {
        if (!d.verify_checksum(ip)) return make_error(errc::bad_checksum, "udp", 6, "checksum does not verify");
        return parse_unverified(d);
    }
    /// Reads a checked datagram without looking at the checksum.
    [[nodiscard]] static constexpr result<repr> parse_unverified(datagram d) noexcept {
        return repr{d.src_port(), d.dst_port(), d.total_length() - header_len};
    }
    /// 8 + payload bytes.
    [[nodiscard]] constexpr std::size_t buffer_len() const noexcept { return header_len + payload_len; }
    /// Writes the header with a zero checksum (allowed over IPv4 only).
    constexpr void emit(mutable_datagram d) const noexcept {
        d.set_src_port(src_port);
        d.set_dst_port(dst_port);
        d.set_length(static_cast<std::uint16_t>(buffer_len()));
        d.set_checksum(0);
    }
    /// Writes the header and the checksum over `ip` + header + the payload
    /// already in `d` (IPv4: ipv4_pseudo, IPv6: ipv6_pseudo).
    template <class Pseudo>
    constexpr void emit(mutable_datagram d, const Pseudo& ip) const noexcept {
        emit(d);
        d.fill_checksum(ip);
    }
};

}  // namespace wirekit::udp

/// "{}": "UDP, 12000 > 53411, length 12" (payload length, as tcpdump).
/// "{:v}": the field tree.
template <class Bytes>
struct fmt::formatter<wirekit::udp::basic_datagram<Bytes>>
    : wirekit::summary_or_tree_formatter {  // "{}" summary, "{:v}" field tree
    template <class Ctx>
    auto format(const wirekit::udp::basic_datagram<Bytes>& d, Ctx& ctx) const {
        if (tree) return fmt::format_to(ctx.out(), "{:v}", static_cast<const typename wirekit::udp::basic_datagram<Bytes>::base_view&>(d));
        return fmt::format_to(ctx.out(), "UDP, {} > {}, length {}", d.src_port(), d.dst_port(), d.total_length() - wirekit::udp::header_len);
    }
};
