// wirekit/wire/ethernet.hpp — Ethernet II frames, IEEE 802.1Q / 802.1ad
// (QinQ) VLAN tags, padding and the frame check sequence.
//
// Layer L2. `ethernet::header_layout` (destination, source, EtherType) and
// `ethernet::vlan_tag_layout` (PCP, DEI, VID, inner EtherType) are the single
// sources of truth for offsets. `ethernet::frame` is the zero-copy view;
// `ethernet::repr` parses up to two tags and emits them, padding short frames
// to the 60-byte minimum (IEEE 802.3 §4.2.3.3, minFrameSize 64 with the FCS).
// The FCS is CRC-32/ISO-HDLC (IEEE 802.3 §3.2.9), sent least significant
// byte first; captures usually strip it, so it is handled by separate calls.
//
// Ethernet has no length field: the payload runs to the end of the frame,
// and the inner layer (IPv4 Total Length, ...) says where its data ends, so
// padding never becomes data.
#pragma once

#include <array>        // vlan tag storage
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // field value types
#include <string_view>  // layer name

#include <fmt/format.h>  // fmt::formatter for frame

#include "../checksum/crc.hpp"            // crc<>
#include "../checksum/crc_catalogue.hpp"  // crc32_iso_hdlc
#include "../core/address.hpp"            // mac_address
#include "../core/bytes.hpp"              // bytes_view, mutable_bytes
#include "../core/endian.hpp"             // load_be / store_le
#include "../core/format.hpp"             // formatters of addresses and generic views
#include "../core/layout.hpp"             // layout, field
#include "../core/result.hpp"             // result, wire_error
#include "check.hpp"              // detail::check_layout
#include "../core/view.hpp"               // view, WIREKIT_FIELD

namespace wirekit::ethernet {

/// EtherType values (IEEE 802 numbers registry, IANA "ieee-802-numbers").
namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;    ///< RFC 894
inline constexpr std::uint16_t arp = 0x0806;     ///< RFC 826
inline constexpr std::uint16_t vlan = 0x8100;    ///< IEEE 802.1Q C-tag
inline constexpr std::uint16_t ipv6 = 0x86dd;    ///< RFC 2464
inline constexpr std::uint16_t qinq = 0x88a8;    ///< IEEE 802.1ad S-tag
inline constexpr std::uint16_t qinq_old = 0x9100;  ///< pre-standard QinQ S-tag
}  // namespace ethertype

/// True for the TPIDs that introduce a VLAN tag (0x8100, 0x88a8, 0x9100).
[[nodiscard]] constexpr bool is_vlan_tpid(std::uint16_t t) noexcept {
    return t == ethertype::vlan || t == ethertype::qinq || t == ethertype::qinq_old;
}

/// Ethernet II header (IEEE 802.3 §3.1.1 with the DIX Type field): 14 bytes.
struct header_layout : layout<field<"dst_addr", 48, mac_address>,  // destination MAC
                              field<"src_addr", 48, mac_address>,  // source MAC
                              field<"ethertype", 16>>              // EtherType or TPID
{
    static constexpr std::string_view name = "ethernet";
};

/// The 4 bytes after a TPID (IEEE 802.1Q-2018 §9.6): TCI and the next
/// EtherType. Byte offsets are relative to the tag's TCI.
struct vlan_tag_layout : layout<field<"pcp", 3>,        // priority code point
                                field<"dei", 1, bool>,  // drop eligible indicator
                                field<"vid", 12>,       // VLAN identifier (0..4095)
                                field<"ethertype", 16>> // EtherType or next TPID
{
    static constexpr std::string_view name = "vlan";
};

inline constexpr std::size_t header_len = header_layout::fixed_size;  ///< 14 bytes
inline constexpr std::size_t tag_len = 4;                             ///< bytes per VLAN tag
inline constexpr std::size_t min_frame_len = 60;  ///< bytes without FCS (IEEE 802.3 §4.4.2)
inline constexpr std::size_t fcs_len = 4;         ///< bytes of FCS
inline constexpr std::size_t max_tags = 2;        ///< QinQ: S-tag + C-tag

/// A view of an Ethernet II frame (without FCS) over `Bytes`.
template <class Bytes = bytes_view>
class basic_frame : public view<header_layout, Bytes> {
public:
    using base_view = view<header_layout, Bytes>;
    /// An empty view; only assignable (accessors need a real view).
    constexpr basic_frame() noexcept = default;
    using custom_format = void;  ///< printed by the formatter below

    /// Checks untrusted bytes: at least 14 bytes. Errors (layer "ethernet"):
    /// truncated at b.size().
    [[nodiscard]] static constexpr result<basic_frame> checked(Bytes b) noexcept {
        if (auto r = check(b); !r) return r.error();
        return unchecked(b);
    }
    /// The checks of checked() without building the view.
    [[nodiscard]] static constexpr result<void> check(Bytes b) noexcept { return detail::check_layout<header_layout>(b); }
    /// Wraps bytes the caller built (at least 14 bytes).
    [[nodiscard]] static constexpr basic_frame unchecked(Bytes b) noexcept { return basic_frame(base_view::unchecked(b)); }

    WIREKIT_FIELD(dst_addr)
    WIREKIT_FIELD(src_addr)
    WIREKIT_FIELD(ethertype)

private:
    constexpr explicit basic_frame(base_view v) noexcept : base_view(v) {}
};

using frame = basic_frame<bytes_view>;            ///< read-only Ethernet view
using mutable_frame = basic_frame<mutable_bytes>;  ///< writable Ethernet view

/// One VLAN tag: its TPID (0x8100 C-tag, 0x88a8 S-tag) and TCI fields.
struct vlan_tag {
    std::uint16_t tpid = ethertype::vlan;  ///< the EtherType that introduced this tag
    std::uint8_t pcp = 0;                  ///< priority (0..7)
    bool dei = false;                      ///< drop eligible
    std::uint16_t vid = 0;                 ///< VLAN id (0..4095)
    friend constexpr bool operator==(const vlan_tag&, const vlan_tag&) = default;
};

/// The value of an Ethernet header: addresses, up to two VLAN tags (outer
/// first) and the EtherType of the payload (after the tags).
struct repr {
    mac_address dst_addr{};
    mac_address src_addr{};
    std::array<vlan_tag, max_tags> tags{};
    std::size_t tag_count = 0;  ///< 0, 1 (802.1Q) or 2 (QinQ)
    std::uint16_t ethertype = 0;  ///< of the payload, after any tags

    friend constexpr bool operator==(const repr& a, const repr& b) noexcept {
        if (a.dst_addr != b.dst_addr || a.src_addr != b.src_addr || a.tag_count != b.tag_count ||
            a.ethertype != b.ethertype)
            return false;
        for (std::size_t i = 0; i < a.tag_count; ++i)
            if (!(a.tags[i] == b.tags[i])) return false;
        return true;
    }

    /// Parses the header and its tags. Errors (layer "ethernet"): truncated
    /// inside a tag (offset = end of the input); unsupported for more than two
    /// stacked tags (at the third TPID's offset).
    [[nodiscard]] static constexpr result<repr> parse(frame f) noexcept {
        repr r;
        if (auto e = parse_into(f, r); !e) return e.error();
        return r;
    }
    /// parse() into an existing repr (no copy of the result). Errors as parse().
    [[nodiscard]] static constexpr result<void> parse_into(frame f, repr& r) noexcept {
        r.dst_addr = f.dst_addr();
        r.src_addr = f.src_addr();
        r.tag_count = 0;
        std::uint16_t type = f.ethertype();
        std::size_t at = ethernet::header_len;
        const auto b = f.bytes();
        while (is_vlan_tpid(type)) {
            if (r.tag_count == max_tags) return make_error(errc::unsupported, "ethernet", at - 2, "more than two VLAN tags");
            if (b.size() < at + tag_len) return make_error(errc::truncated, "ethernet", b.size(), "inside a VLAN tag");
            auto t = view<vlan_tag_layout>::unchecked(b.subspan(at, tag_len));
            r.tags[r.tag_count++] = vlan_tag{type, t.get<"pcp">(), t.get<"dei">(), t.get<"vid">()};
            type = t.get<"ethertype">();
            at += tag_len;
        }
        r.ethertype = type;
        return {};
    }

    /// Header length in bytes: 14 + 4 per tag.
    [[nodiscard]] constexpr std::size_t header_len() const noexcept { return ethernet::header_len + tag_len * tag_count; }
    /// Frame length (without FCS) for `payload_len` bytes of payload,
    /// padded to the 60-byte minimum.
    [[nodiscard]] constexpr std::size_t buffer_len(std::size_t payload_len) const noexcept {
        const std::size_t n = header_len() + payload_len;
        return n < min_frame_len ? min_frame_len : n;
    }
    /// Writes the header and tags at the start of `f`, and zeroes any padding
    /// between header_len() + payload_len and the end of `f` (the caller sizes
    /// `f` with buffer_len()). Precondition: f.bytes().size() >= header_len() + payload_len.
    constexpr void emit(mutable_frame f, std::size_t payload_len) const noexcept {
        f.set_dst_addr(dst_addr);
        f.set_src_addr(src_addr);
        auto b = f.bytes();
        std::uint16_t type = tag_count ? tags[0].tpid : ethertype;
        f.set_ethertype(type);
        for (std::size_t i = 0; i < tag_count; ++i) {
            auto t = mutable_view<vlan_tag_layout>::unchecked(b.subspan(ethernet::header_len + tag_len * i, tag_len));
            t.set<"pcp">(tags[i].pcp);
            t.set<"dei">(tags[i].dei);
            t.set<"vid">(tags[i].vid);
            t.set<"ethertype">(i + 1 < tag_count ? tags[i + 1].tpid : ethertype);
        }
        for (std::size_t i = header_len() + payload_len; i < b.size(); ++i) b[i] = std::byte{0};
    }
};

/// The payload of a frame after its header and tags (to the end of the
/// bytes: Ethernet has no length field). `r` must come from parse(f).
[[nodiscard]] constexpr bytes_view payload(frame f, const repr& r) noexcept { return f.bytes().subspan(r.header_len()); }

/// The Ethernet FCS of `frame` (destination address through padding, without
/// FCS): CRC-32/ISO-HDLC, IEEE 802.3 §3.2.9.
[[nodiscard]] constexpr std::uint32_t fcs(bytes_view frame_bytes) noexcept {
    return static_cast<std::uint32_t>(crc<crc32_iso_hdlc>::compute(frame_bytes));
}
/// Writes the FCS of `out.first(out.size() - 4)` into the last 4 bytes of
/// `out`, least significant byte first (the bit order of IEEE 802.3
/// §3.2.9 e)). Precondition: out.size() >= 4.
constexpr void write_fcs(mutable_bytes out) noexcept {
    const auto body = out.first(out.size() - fcs_len);
    store_le<4>(out.data() + body.size(), fcs(bytes_view(body)));
}
/// Verifies a frame that carries its FCS in the last 4 bytes. Errors (layer
/// "ethernet"): truncated (fewer than 4 + 14 bytes), bad_checksum at the FCS offset.
[[nodiscard]] constexpr result<bytes_view> check_fcs(bytes_view with_fcs) noexcept {
    if (with_fcs.size() < header_len + fcs_len) return make_error(errc::truncated, "ethernet", with_fcs.size(), "no room for an FCS");
    const auto body = with_fcs.first(with_fcs.size() - fcs_len);
    if (load_le<4>(with_fcs.data() + body.size()) != fcs(body))
        return make_error(errc::bad_checksum, "ethernet", body.size(), "FCS does not match");
    return body;
}

}  // namespace wirekit::ethernet

/// "{}": "b8:e3:56:15:6a:72 > ff:ff:ff:ff:ff:ff, ethertype 0x0806, vlan 10" (tcpdump -e style).
/// "{:v}": the field tree, one tag per line.
template <class Bytes>
struct fmt::formatter<wirekit::ethernet::basic_frame<Bytes>>
    : wirekit::summary_or_tree_formatter {  // "{}" summary, "{:v}" field tree
    template <class Ctx>
    auto format(const wirekit::ethernet::basic_frame<Bytes>& f, Ctx& ctx) const {
        auto r = wirekit::ethernet::repr::parse(f);
        auto out = ctx.out();
        if (!tree) {
            out = fmt::format_to(out, "{} > {}", f.src_addr(), f.dst_addr());
            if (r) {
                for (std::size_t i = 0; i < r->tag_count; ++i) out = fmt::format_to(out, ", vlan {} p {}", r->tags[i].vid, r->tags[i].pcp);
                out = fmt::format_to(out, ", ethertype 0x{:04x}, length {}", r->ethertype, f.bytes().size());
            } else {
                out = fmt::format_to(out, ", [{}]", r.error());
            }
            return out;
        }
        out = fmt::format_to(out, "ethernet ({} bytes)\n  dst_addr: {}\n  src_addr: {}", f.bytes().size(), f.dst_addr(), f.src_addr());
        if (!r) return fmt::format_to(out, "\n  [{}]", r.error());
        for (std::size_t i = 0; i < r->tag_count; ++i)
            out = fmt::format_to(out, "\n  vlan: tpid=0x{:04x} pcp={} dei={} vid={}", r->tags[i].tpid, r->tags[i].pcp, int(r->tags[i].dei), r->tags[i].vid);
        return fmt::format_to(out, "\n  ethertype: 0x{:04x}", r->ethertype);
    }
};
