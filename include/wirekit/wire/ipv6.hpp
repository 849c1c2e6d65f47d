// wirekit/wire/ipv6.hpp — IPv6 fixed header and the extension-header chain
// (RFC 8200 §3, §4).
//
// Layer L2. `ipv6::header_layout` is the 40-byte fixed header; the payload
// ends at 40 + Payload Length. `walk()` follows Next Header through
// hop-by-hop options, routing, fragment, destination options and AH, and
// stops at the first upper-layer protocol (or No Next Header, or ESP).
// Jumbograms (RFC 2675) are not supported: Payload Length 0 means no payload.
#pragma once

#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // field value types
#include <string_view>  // layer name

#include <fmt/format.h>  // fmt::formatter for packet

#include "../core/address.hpp"  // ipv6_address
#include "../core/bytes.hpp"    // bytes_view, mutable_bytes
#include "../core/endian.hpp"   // load_be for the fragment header
#include "../core/format.hpp"   // address formatters, generic view tree
#include "../core/layout.hpp"   // layout, field, field_ref
#include "../core/result.hpp"   // result, wire_error
#include "check.hpp"              // detail::check_layout
#include "../core/view.hpp"     // view, WIREKIT_FIELD
#include "ip_protocol.hpp"      // Next Header numbers

namespace wirekit::ipv6 {

/// IPv6 fixed header, RFC 8200 §3: 40 bytes.
struct header_layout : layout<field<"version", 4>,                  // 6
                              field<"traffic_class", 8>,            // DSCP + ECN (RFC 2474, RFC 3168)
                              field<"flow_label", 20>,              // RFC 6437
                              field<"payload_length", 16>,          // bytes after the fixed header
                              field<"next_header", 8>,              // first extension or upper layer
                              field<"hop_limit", 8>,                // hops
                              field<"src_addr", 128, ipv6_address>, // source
                              field<"dst_addr", 128, ipv6_address>> // destination
{
    static constexpr std::string_view name = "ipv6";
    /// 40 + Payload Length bytes.
    static constexpr auto total_length = field_ref<"payload_length"> + 40;
};

inline constexpr std::size_t header_len = header_layout::fixed_size;  ///< 40 bytes
inline constexpr std::size_t max_extension_headers = 8;  ///< walk() limit (a resource bound, not from the RFC)

/// A view of an IPv6 packet over `Bytes`.
template <class Bytes = bytes_view>
class basic_packet : public view<header_layout, Bytes> {
public:
    using base_view = view<header_layout, Bytes>;
    /// An empty view; only assignable (accessors need a real view).
    constexpr basic_packet() noexcept = default;
    using custom_format = void;

    /// Checks untrusted bytes. Errors (layer "ipv6"): malformed (version not
    /// 6, byte 0); truncated (below 40 or 40 + Payload Length).
    [[nodiscard]] static constexpr result<basic_packet> checked(Bytes b) noexcept {
        if (auto r = check(b); !r) return r.error();
        return unchecked(b);
    }
    /// The checks of checked() without building the view.
    [[nodiscard]] static constexpr result<void> check(Bytes b) noexcept {
        if (b.size() >= 1 && (std::to_integer<unsigned>(b[0]) >> 4) != 6)
            return make_error(errc::malformed, "ipv6", 0, "version is not 6");
        return detail::check_layout<header_layout>(b);
    }
    [[nodiscard]] static constexpr basic_packet unchecked(Bytes b) noexcept { return basic_packet(base_view::unchecked(b)); }

    WIREKIT_FIELD(version)
    WIREKIT_FIELD(traffic_class)
    WIREKIT_FIELD(flow_label)
    WIREKIT_FIELD(payload_length)
    WIREKIT_FIELD(next_header)
    WIREKIT_FIELD(hop_limit)
    WIREKIT_FIELD(src_addr)
    WIREKIT_FIELD(dst_addr)

private:
    constexpr explicit basic_packet(base_view v) noexcept : base_view(v) {}
};

using packet = basic_packet<bytes_view>;
using mutable_packet = basic_packet<mutable_bytes>;

/// One extension header found by walk(): its Next Header value (type), its
/// offset from the start of the IPv6 header, and its bytes.
struct extension_header {
    std::uint8_t type = 0;
    std::size_t offset = 0;
    bytes_view bytes{};
};

/// Fields of a Fragment header (RFC 8200 §4.5).
struct fragment_info {
    std::uint16_t fragment_offset = 0;  ///< 8-byte units
    bool more_fragments = false;
    std::uint32_t identification = 0;
};

/// A summary of the extension-header chain of a packet and the upper layer
/// it leads to. The headers themselves are passed to walk()'s callback.
struct chain {
    std::size_t count = 0;                                  ///< extension headers
    std::uint8_t upper_protocol = ip_protocol::ipv6_nonxt;  ///< e.g. 58 ICMPv6, 6 TCP
    std::size_t upper_offset = header_len;                  ///< from the start of the IPv6 header
    bool has_fragment = false;
    fragment_info fragment{};
};

/// True for the Next Header values walk() steps over.
[[nodiscard]] constexpr bool is_extension(std::uint8_t nh) noexcept {
    return nh == ip_protocol::hopopt || nh == ip_protocol::ipv6_route || nh == ip_protocol::ipv6_frag ||
           nh == ip_protocol::ipv6_opts || nh == ip_protocol::ah;
}

/// Walks the extension headers of a checked packet (RFC 8200 §4.1 order is
/// not enforced, except that hop-by-hop must come first, §4.3), calling
/// `on_header(const extension_header&)` for each. Errors (layer "ipv6",
/// offsets from the IPv6 header): truncated — a header runs past the
/// payload; malformed — hop-by-hop not first; limit_exceeded — more than 8
/// extension headers.
template <class F>
[[nodiscard]] constexpr result<chain> walk(packet p, F&& on_header) noexcept {
    chain c;
    const bytes_view all = p.bytes().first(p.total_length());
    std::uint8_t nh = p.next_header();
    std::size_t at = header_len;
    while (is_extension(nh)) {
        if (c.count == max_extension_headers) return make_error(errc::limit_exceeded, "ipv6", at, "too many extension headers");
        if (nh == ip_protocol::hopopt && c.count != 0) return make_error(errc::malformed, "ipv6", at, "hop-by-hop header not first");
        if (all.size() < at + 2) return make_error(errc::truncated, "ipv6", all.size(), "inside an extension header");
        const auto next = std::to_integer<std::uint8_t>(all[at]);
        const std::size_t hlen = std::to_integer<std::size_t>(all[at + 1]);
        std::size_t len;
        if (nh == ip_protocol::ipv6_frag) len = 8;
        else if (nh == ip_protocol::ah) len = (hlen + 2) * 4;  // RFC 4302 §2.2
        else len = (hlen + 1) * 8;                             // RFC 8200 §4.3-4.6
        if (all.size() < at + len) return make_error(errc::truncated, "ipv6", all.size(), "extension header runs past the payload");
        ++c.count;
        on_header(extension_header{nh, at, all.subspan(at, len)});
        if (nh == ip_protocol::ipv6_frag) {
            const std::uint16_t w = load_be<2>(all.data() + at + 2);
            c.has_fragment = true;
            c.fragment = fragment_info{static_cast<std::uint16_t>(w >> 3), (w & 1u) != 0, load_be<4>(all.data() + at + 4)};
        }
        nh = next;
        at += len;
    }
    c.upper_protocol = nh;
    c.upper_offset = at;
    return c;
}

/// walk() without a callback: the summary only.
[[nodiscard]] constexpr result<chain> walk(packet p) noexcept {
    return walk(p, [](const extension_header&) {});
}

/// The upper-layer bytes a chain leads to: [upper_offset, 40 + Payload Length).
[[nodiscard]] constexpr bytes_view upper_payload(packet p, const chain& c) noexcept {
    return p.bytes().first(p.total_length()).subspan(c.upper_offset);
}

/// The value of a fixed IPv6 header (no extension headers). `emit` fills
/// version and Payload Length.
struct repr {
    ipv6_address src_addr{};
    ipv6_address dst_addr{};
    std::uint8_t next_header = ip_protocol::ipv6_nonxt;
    std::uint8_t hop_limit = 64;
    std::uint8_t traffic_class = 0;
    std::uint32_t flow_label = 0;  ///< 20 bits
    std::size_t payload_len = 0;   ///< bytes after the fixed header

    friend constexpr bool operator==(const repr&, const repr&) = default;

    /// Reads a checked packet (never fails; the result type keeps the shape of every repr).
    [[nodiscard]] static constexpr result<repr> parse(packet p) noexcept {
        return repr{p.src_addr(), p.dst_addr(), p.next_header(), p.hop_limit(), p.traffic_class(), p.flow_label(), p.payload_length()};
    }
    /// 40 + payload bytes.
    [[nodiscard]] constexpr std::size_t buffer_len() const noexcept { return header_len + payload_len; }
    /// Writes the fixed header (not the payload). Precondition: payload_len ≤ 65535.
    constexpr void emit(mutable_packet p) const noexcept {
        p.set_version(6);
        p.set_traffic_class(traffic_class);
        p.set_flow_label(flow_label);
        p.set_payload_length(static_cast<std::uint16_t>(payload_len));
        p.set_next_header(next_header);
        p.set_hop_limit(hop_limit);
        p.set_src_addr(src_addr);
        p.set_dst_addr(dst_addr);
    }
};

}  // namespace wirekit::ipv6

/// "{}": "fe80::1 > ff02::16: IP6 (hlim 1, next-header 0, payload length 36)".
/// "{:v}": the field tree, then one line per extension header.
template <class Bytes>
struct fmt::formatter<wirekit::ipv6::basic_packet<Bytes>>
    : wirekit::summary_or_tree_formatter {  // "{}" summary, "{:v}" field tree
    template <class Ctx>
    auto format(const wirekit::ipv6::basic_packet<Bytes>& p, Ctx& ctx) const {
        auto out = ctx.out();
        if (!tree)
            return fmt::format_to(out, "{} > {}: IP6 (hlim {}, next-header {}, payload length {})", p.src_addr(), p.dst_addr(),
                                  p.hop_limit(), p.next_header(), p.payload_length());
        out = fmt::format_to(out, "{:v}", static_cast<const typename wirekit::ipv6::basic_packet<Bytes>::base_view&>(p));
        auto c = wirekit::ipv6::walk(wirekit::ipv6::packet::unchecked(wirekit::bytes_view(p.bytes())),
                                     [&](const wirekit::ipv6::extension_header& h) {
                                         out = fmt::format_to(out, "\n  extension: type={} length={}", h.type, h.bytes.size());
                                     });
        if (!c) return fmt::format_to(out, "\n  extensions: [{}]", c.error());
        return fmt::format_to(out, "\n  upper layer: {}", c->upper_protocol);
    }
};
