// wirekit/wire/icmpv6.hpp — ICMPv6 (RFC 4443) with Neighbor Discovery
// (RFC 4861) and MLD (RFC 2710, RFC 3810) message bodies.
//
// Layer L2. `icmpv6::header_layout` is the 8-byte start shared by the
// messages here: Type, Code, Checksum and a 32-bit type-specific word
// (identifier + sequence for echo, MTU for Packet Too Big, pointer for
// Parameter Problem, hop limit + flags + lifetime for a Router
// Advertisement, flags for a Neighbor Advertisement, the record count for an
// MLDv2 report). The checksum covers the IPv6 pseudo-header (RFC 4443 §2.3).
#pragma once

#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // field value types
#include <optional>     // fields present only in some types
#include <string_view>  // layer name

#include <fmt/format.h>  // fmt::formatter for message

#include "../checksum/internet.hpp"  // ipv6 pseudo-header checksum
#include "../core/address.hpp"       // ipv6_address
#include "../core/bytes.hpp"         // bytes_view, mutable_bytes
#include "../core/endian.hpp"        // load_be
#include "../core/format.hpp"        // generic view tree
#include "../core/layout.hpp"        // layout, field
#include "../core/result.hpp"        // result, wire_error
#include "check.hpp"              // detail::check_layout
#include "../core/view.hpp"          // view, WIREKIT_FIELD
#include "ip_protocol.hpp"           // ip_protocol::icmpv6, ipv6_pseudo

namespace wirekit::icmpv6 {

/// Message types (RFC 4443 §2.1, RFC 4861 §4, RFC 2710 §3, RFC 3810 §5).
namespace type {
inline constexpr std::uint8_t dest_unreachable = 1;
inline constexpr std::uint8_t packet_too_big = 2;
inline constexpr std::uint8_t time_exceeded = 3;
inline constexpr std::uint8_t parameter_problem = 4;
inline constexpr std::uint8_t echo_request = 128;
inline constexpr std::uint8_t echo_reply = 129;
inline constexpr std::uint8_t mld_query = 130;
inline constexpr std::uint8_t mld_report = 131;
inline constexpr std::uint8_t mld_done = 132;
inline constexpr std::uint8_t router_solicitation = 133;
inline constexpr std::uint8_t router_advertisement = 134;
inline constexpr std::uint8_t neighbor_solicitation = 135;
inline constexpr std::uint8_t neighbor_advertisement = 136;
inline constexpr std::uint8_t redirect = 137;
inline constexpr std::uint8_t mldv2_report = 143;
}  // namespace type

/// The common 8-byte start of the ICMPv6 messages handled here.
struct header_layout : layout<field<"type", 8>, field<"code", 8>, field<"checksum", 16>, field<"body", 32>> {
    static constexpr std::string_view name = "icmpv6";
};

inline constexpr std::size_t header_len = header_layout::fixed_size;  ///< 8 bytes

/// Minimum message length per type (RFC 4861 §4.1-4.4: RS 8, RA 16, NS/NA 24;
/// RFC 2710 §3: MLDv1 24; RFC 4443: 8 for the rest).
[[nodiscard]] constexpr std::size_t min_len(std::uint8_t t) noexcept {
    switch (t) {
        case type::router_advertisement: return 16;
        case type::neighbor_solicitation:
        case type::neighbor_advertisement:
        case type::mld_query:
        case type::mld_report:
        case type::mld_done: return 24;
        case type::redirect: return 40;
        default: return 8;
    }
}

/// A view of an ICMPv6 message over `Bytes` (the upper-layer payload).
template <class Bytes = bytes_view>
class basic_message : public view<header_layout, Bytes> {
public:
    using base_view = view<header_layout, Bytes>;
    /// An empty view; only assignable (accessors need a real view).
    constexpr basic_message() noexcept = default;
    using custom_format = void;

    /// Checks untrusted bytes: at least 8, and at least the type's minimum
    /// (min_len). Errors (layer "icmpv6"): truncated at b.size().
    [[nodiscard]] static constexpr result<basic_message> checked(Bytes b) noexcept {
        if (auto r = check(b); !r) return r.error();
        return unchecked(b);
    }
    /// The checks of checked() without building the view.
    [[nodiscard]] static constexpr result<void> check(Bytes b) noexcept {
        WIREKIT_TRY_VOID(detail::check_layout<header_layout>(b));
        if (b.size() < min_len(unchecked(b).type())) return make_error(errc::truncated, "icmpv6", b.size(), "shorter than this type's body");
        return {};
    }
    [[nodiscard]] static constexpr basic_message unchecked(Bytes b) noexcept { return basic_message(base_view::unchecked(b)); }

    WIREKIT_FIELD(type)
    WIREKIT_FIELD(code)
    WIREKIT_FIELD(checksum)
    WIREKIT_FIELD(body)

    /// Echo identifier / sequence (RFC 4443 §4.1).
    [[nodiscard]] constexpr std::uint16_t identifier() const noexcept { return static_cast<std::uint16_t>(body() >> 16); }
    [[nodiscard]] constexpr std::uint16_t sequence() const noexcept { return static_cast<std::uint16_t>(body()); }
    /// Packet Too Big MTU (RFC 4443 §3.2).
    [[nodiscard]] constexpr std::uint32_t mtu() const noexcept { return body(); }
    /// Router Advertisement (RFC 4861 §4.2): Cur Hop Limit, M, O, Router Lifetime (seconds).
    [[nodiscard]] constexpr std::uint8_t cur_hop_limit() const noexcept { return static_cast<std::uint8_t>(body() >> 24); }
    [[nodiscard]] constexpr bool managed() const noexcept { return (body() >> 23 & 1u) != 0; }
    [[nodiscard]] constexpr bool other_config() const noexcept { return (body() >> 22 & 1u) != 0; }
    [[nodiscard]] constexpr std::uint16_t router_lifetime() const noexcept { return static_cast<std::uint16_t>(body()); }
    /// Router Advertisement Reachable Time and Retrans Timer, milliseconds
    /// (bytes 8..15); nullopt when the message is shorter than 16 bytes.
    [[nodiscard]] constexpr std::optional<std::uint32_t> reachable_time() const noexcept {
        if (this->bytes().size() < 16) return std::nullopt;
        return load_be<4>(this->bytes().data() + 8);
    }
    [[nodiscard]] constexpr std::optional<std::uint32_t> retrans_timer() const noexcept {
        if (this->bytes().size() < 16) return std::nullopt;
        return load_be<4>(this->bytes().data() + 12);
    }
    /// Neighbor Advertisement flags R, S, O (RFC 4861 §4.4).
    [[nodiscard]] constexpr bool router_flag() const noexcept { return (body() >> 31 & 1u) != 0; }
    [[nodiscard]] constexpr bool solicited_flag() const noexcept { return (body() >> 30 & 1u) != 0; }
    [[nodiscard]] constexpr bool override_flag() const noexcept { return (body() >> 29 & 1u) != 0; }
    /// Target Address of NS/NA/redirect, or the Multicast Address of MLDv1
    /// (bytes 8..23); nullopt when the message is shorter than 24 bytes
    /// (checked() guarantees 24 for those types, not for others).
    [[nodiscard]] constexpr std::optional<ipv6_address> target() const noexcept {
        if (this->bytes().size() < 24) return std::nullopt;
        ipv6_address a;
        for (std::size_t i = 0; i < 16; ++i) a.octets[i] = this->bytes()[8 + i];
        return a;
    }
    /// MLDv2 report: Number of Multicast Address Records (RFC 3810 §5.2).
    [[nodiscard]] constexpr std::uint16_t record_count() const noexcept { return static_cast<std::uint16_t>(body()); }
    /// Bytes after the 8-byte header.
    [[nodiscard]] constexpr Bytes data() const noexcept { return this->bytes().subspan(header_len); }
    /// Verifies the checksum over the IPv6 pseudo-header and the message.
    [[nodiscard]] constexpr bool verify_checksum(const ipv6_pseudo& ip) const noexcept {
        return ipv6_transport_checksum_valid(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::icmpv6, bytes_view(this->bytes()));
    }

private:
    constexpr explicit basic_message(base_view v) noexcept : base_view(v) {}
};

using message = basic_message<bytes_view>;
using mutable_message = basic_message<mutable_bytes>;

/// The value of an ICMPv6 message: type, code, the type-specific word and
/// the rest of the message (owned elsewhere). `emit` copies the data and
/// fills the checksum.
struct repr {
    std::uint8_t type = type::echo_request;
    std::uint8_t code = 0;
    std::uint32_t body = 0;
    bytes_view data{};

    /// Echo request with identifier, sequence and data (RFC 4443 §4.1).
    [[nodiscard]] static constexpr repr echo_request(std::uint16_t id, std::uint16_t seq, bytes_view d) noexcept {
        return repr{type::echo_request, 0, std::uint32_t{id} << 16 | seq, d};
    }
    /// Reads a checked message and verifies its checksum. Errors (layer
    /// "icmpv6"): bad_checksum at byte 2.
    [[nodiscard]] static constexpr result<repr> parse(message m, const ipv6_pseudo& ip) noexcept {
        if (!m.verify_checksum(ip)) return make_error(errc::bad_checksum, "icmpv6", 2, "checksum does not verify");
        return repr{m.type(), m.code(), m.body(), m.data()};
    }
    [[nodiscard]] constexpr std::size_t buffer_len() const noexcept { return header_len + data.size(); }
    /// Writes the message into `m` (buffer_len() bytes) with its checksum.
    constexpr void emit(mutable_message m, const ipv6_pseudo& ip) const noexcept {
        m.set_type(type);
        m.set_code(code);
        m.set_body(body);
        auto b = m.bytes();
        for (std::size_t i = 0; i < data.size(); ++i) b[header_len + i] = data[i];
        m.set_checksum(0);
        m.set_checksum(ipv6_transport_checksum(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::icmpv6,
                                               bytes_view(b.first(buffer_len()))));
    }
};

}  // namespace wirekit::icmpv6

/// "{}": tcpdump style, "ICMP6, neighbor solicitation, who has fe80::1, length 32".
/// "{:v}": the field tree.
template <class Bytes>
struct fmt::formatter<wirekit::icmpv6::basic_message<Bytes>>
    : wirekit::summary_or_tree_formatter {  // "{}" summary, "{:v}" field tree
    template <class Ctx>
    auto format(const wirekit::icmpv6::basic_message<Bytes>& m, Ctx& ctx) const {
        namespace t = wirekit::icmpv6::type;
        if (tree) return fmt::format_to(ctx.out(), "{:v}", static_cast<const typename wirekit::icmpv6::basic_message<Bytes>::base_view&>(m));
        const auto len = m.bytes().size();
        switch (m.type()) {
            case t::echo_request:
            case t::echo_reply:
                return fmt::format_to(ctx.out(), "ICMP6, echo {}, id {}, seq {}, length {}",
                                      m.type() == t::echo_request ? "request" : "reply", m.identifier(), m.sequence(), len);
            case t::router_solicitation: return fmt::format_to(ctx.out(), "ICMP6, router solicitation, length {}", len);
            case t::router_advertisement:
                return fmt::format_to(ctx.out(), "ICMP6, router advertisement, hop limit {}, lifetime {}s, length {}",
                                      m.cur_hop_limit(), m.router_lifetime(), len);
            case t::neighbor_solicitation:
                return fmt::format_to(ctx.out(), "ICMP6, neighbor solicitation, who has {}, length {}", m.target().value_or(wirekit::ipv6_address{}), len);
            case t::neighbor_advertisement:
                return fmt::format_to(ctx.out(), "ICMP6, neighbor advertisement, tgt is {}, length {}", m.target().value_or(wirekit::ipv6_address{}), len);
            case t::mldv2_report:
                return fmt::format_to(ctx.out(), "ICMP6, multicast listener report v2, {} group record(s), length {}",
                                      m.record_count(), len);
            default: return fmt::format_to(ctx.out(), "ICMP6, type {}, code {}, length {}", m.type(), m.code(), len);
        }
    }
};
