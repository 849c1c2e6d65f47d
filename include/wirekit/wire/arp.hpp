// wirekit/wire/arp.hpp — ARP for Ethernet and IPv4 (RFC 826).
//
// Layer L2. `arp::packet_layout` is the 28-byte packet for hardware type 1
// (Ethernet, 6-byte addresses) and protocol type 0x0800 (IPv4, 4-byte
// addresses); other combinations are reported as `unsupported`.
// `arp::repr` covers request, reply and gratuitous ARP (RFC 5227 §3).
#pragma once

#include <cstdint>      // field value types
#include <string_view>  // layer name

#include <fmt/format.h>  // fmt::formatter for packet

#include "../core/address.hpp"  // mac_address, ipv4_address
#include "../core/bytes.hpp"    // bytes_view, mutable_bytes
#include "../core/format.hpp"   // address formatters, generic view tree
#include "../core/layout.hpp"   // layout, field
#include "../core/result.hpp"   // result, wire_error
#include "check.hpp"              // detail::check_layout
#include "../core/view.hpp"     // view, WIREKIT_FIELD

namespace wirekit::arp {

/// ARP operation codes (RFC 826; IANA arp-parameters).
namespace operation {
inline constexpr std::uint16_t request = 1;
inline constexpr std::uint16_t reply = 2;
}  // namespace operation

/// ARP packet for Ethernet/IPv4, RFC 826 "Packet format": 28 bytes.
struct packet_layout : layout<field<"htype", 16>,               // ar$hrd: 1 = Ethernet
                              field<"ptype", 16>,               // ar$pro: 0x0800 = IPv4
                              field<"hlen", 8>,                 // ar$hln: 6
                              field<"plen", 8>,                 // ar$pln: 4
                              field<"oper", 16>,                // ar$op: 1 request, 2 reply
                              field<"sha", 48, mac_address>,    // ar$sha: sender hardware address
                              field<"spa", 32, ipv4_address>,   // ar$spa: sender protocol address
                              field<"tha", 48, mac_address>,    // ar$tha: target hardware address
                              field<"tpa", 32, ipv4_address>>   // ar$tpa: target protocol address
{
    static constexpr std::string_view name = "arp";
};

inline constexpr std::size_t packet_len = packet_layout::fixed_size;  ///< 28 bytes

/// A view of an ARP packet over `Bytes`.
template <class Bytes = bytes_view>
class basic_packet : public view<packet_layout, Bytes> {
public:
    using base_view = view<packet_layout, Bytes>;
    /// An empty view; only assignable (accessors need a real view).
    constexpr basic_packet() noexcept = default;
    using custom_format = void;

    /// Checks untrusted bytes. Errors (layer "arp"): truncated (below 28 bytes);
    /// unsupported (htype not 1 at byte 0, ptype not 0x0800 at byte 2, hlen not
    /// 6 at byte 4, plen not 4 at byte 5).
    [[nodiscard]] static constexpr result<basic_packet> checked(Bytes b) noexcept {
        if (auto r = check(b); !r) return r.error();
        return unchecked(b);
    }
    /// The checks of checked() without building the view.
    [[nodiscard]] static constexpr result<void> check(Bytes b) noexcept {
        WIREKIT_TRY_VOID(detail::check_layout<packet_layout>(b));
        const auto p = unchecked(b);
        if (p.htype() != 1) return make_error(errc::unsupported, "arp", 0, "hardware type is not Ethernet");
        if (p.ptype() != 0x0800) return make_error(errc::unsupported, "arp", 2, "protocol type is not IPv4");
        if (p.hlen() != 6) return make_error(errc::unsupported, "arp", 4, "hardware address length is not 6");
        if (p.plen() != 4) return make_error(errc::unsupported, "arp", 5, "protocol address length is not 4");
        return {};
    }
    /// Wraps bytes the caller built (at least 28 bytes).
    [[nodiscard]] static constexpr basic_packet unchecked(Bytes b) noexcept { return basic_packet(base_view::unchecked(b)); }

    WIREKIT_FIELD(htype)
    WIREKIT_FIELD(ptype)
    WIREKIT_FIELD(hlen)
    WIREKIT_FIELD(plen)
    WIREKIT_FIELD(oper)
    WIREKIT_FIELD(sha)
    WIREKIT_FIELD(spa)
    WIREKIT_FIELD(tha)
    WIREKIT_FIELD(tpa)

private:
    constexpr explicit basic_packet(base_view v) noexcept : base_view(v) {}
};

using packet = basic_packet<bytes_view>;
using mutable_packet = basic_packet<mutable_bytes>;

/// The value of an Ethernet/IPv4 ARP packet.
struct repr {
    std::uint16_t oper = operation::request;
    mac_address sha{};   ///< sender hardware address
    ipv4_address spa{};  ///< sender protocol address
    mac_address tha{};   ///< target hardware address (zero in a request)
    ipv4_address tpa{};  ///< target protocol address

    friend constexpr bool operator==(const repr&, const repr&) = default;

    /// A request for `target` from (`mac`, `ip`) (RFC 826: tha unknown, zero).
    [[nodiscard]] static constexpr repr request(mac_address mac, ipv4_address ip, ipv4_address target) noexcept {
        return repr{operation::request, mac, ip, mac_address{}, target};
    }
    /// A reply to request `q` saying `mac` has q.tpa.
    [[nodiscard]] static constexpr repr reply_to(const repr& q, mac_address mac) noexcept {
        return repr{operation::reply, mac, q.tpa, q.sha, q.spa};
    }
    /// A gratuitous ARP announcing (`mac`, `ip`): a request with spa == tpa (RFC 5227 §3).
    [[nodiscard]] static constexpr repr gratuitous(mac_address mac, ipv4_address ip) noexcept {
        return repr{operation::request, mac, ip, mac_address{}, ip};
    }
    /// True when sender and target protocol addresses are equal (RFC 5227 §3).
    [[nodiscard]] constexpr bool is_gratuitous() const noexcept { return spa == tpa; }

    /// Reads a checked packet. Errors (layer "arp"): unsupported operation
    /// (not 1 or 2) at byte 6.
    [[nodiscard]] static constexpr result<repr> parse(packet p) noexcept {
        if (p.oper() != operation::request && p.oper() != operation::reply)
            return make_error(errc::unsupported, "arp", 6, "operation is not request or reply");
        return repr{p.oper(), p.sha(), p.spa(), p.tha(), p.tpa()};
    }
    /// Always 28 bytes.
    [[nodiscard]] constexpr std::size_t buffer_len() const noexcept { return packet_len; }
    /// Writes every field, including htype/ptype/hlen/plen.
    constexpr void emit(mutable_packet p) const noexcept {
        p.set_htype(1);
        p.set_ptype(0x0800);
        p.set_hlen(6);
        p.set_plen(4);
        p.set_oper(oper);
        p.set_sha(sha);
        p.set_spa(spa);
        p.set_tha(tha);
        p.set_tpa(tpa);
    }
};

}  // namespace wirekit::arp

/// "{}": tcpdump's "Request who-has 10.66.0.2 tell 10.66.0.1" / "Reply 10.66.0.2 is-at b8:...".
/// "{:v}": the field tree.
template <class Bytes>
struct fmt::formatter<wirekit::arp::basic_packet<Bytes>>
    : wirekit::summary_or_tree_formatter {  // "{}" summary, "{:v}" field tree
    template <class Ctx>
    auto format(const wirekit::arp::basic_packet<Bytes>& p, Ctx& ctx) const {
        if (tree) return fmt::format_to(ctx.out(), "{:v}", static_cast<const typename wirekit::arp::basic_packet<Bytes>::base_view&>(p));
        if (p.oper() == wirekit::arp::operation::request)
            return fmt::format_to(ctx.out(), "ARP, Request who-has {} tell {}", p.tpa(), p.spa());
        if (p.oper() == wirekit::arp::operation::reply)
            return fmt::format_to(ctx.out(), "ARP, Reply {} is-at {}", p.spa(), p.sha());
        return fmt::format_to(ctx.out(), "ARP, op {}", p.oper());
    }
};
