// wirekit/wire/ipv4.hpp — IPv4 header (RFC 791 §3.1; DSCP/ECN per RFC 2474 §3
// and RFC 3168 §5).
//
// Layer L2. `ipv4::header_layout` is the single source of truth for the
// header's offsets. `ipv4::packet` (read-only) and `ipv4::mutable_packet` are
// zero-copy views with bare-name accessors: `ttl()`, `set_ttl(64)`, ...
// The payload ends at Total Length, never at the end of the buffer, so
// Ethernet padding is not IP data.
//
// Also here: the options list (RFC 791 §3.1 "Options"), the header checksum,
// `ipv4::repr` (parse / buffer_len / emit, which fills IHL, Total Length and
// the checksum), fragmentation to an MTU (RFC 791 §3.2, "An Example
// Fragmentation Procedure"), and the fmt formatter ("{}" one line, "{:v}"
// field tree). Reassembly lives in wire/reassembly.hpp.
#pragma once

#include <array>        // option storage
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // field value types
#include <string_view>  // layer name

#include <fmt/format.h>  // fmt::formatter for packet

#include "../core/address.hpp"  // ipv4_address
#include "../core/bytes.hpp"    // bytes_view, mutable_bytes
#include "../core/layout.hpp"   // layout, field, field_ref
#include "../core/result.hpp"   // result, wire_error
#include "check.hpp"              // detail::check_layout
#include "../core/view.hpp"     // view, WIREKIT_FIELD
#include "../core/format.hpp"   // address formatters, generic view tree
#include "../checksum/internet.hpp"  // RFC 1071 header checksum
#include "ip_protocol.hpp"      // protocol numbers for printing

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
    /// An empty view; only assignable (accessors need a real view).
    constexpr basic_packet() noexcept = default;
    using custom_format = void;  ///< printed by the ipv4 formatter below

    /// Checks untrusted bytes. Errors (layer "ipv4"): truncated (shorter than
    /// 20 bytes, IHL × 4 or Total Length), malformed (version not 4, at byte 0),
    /// bad_length (IHL below 5, or Total Length below IHL × 4, at byte 0).
    [[nodiscard]] static constexpr result<basic_packet> checked(Bytes b) noexcept {
        if (auto r = check(b); !r) return r.error();
        return unchecked(b);
    }
    /// The checks of checked() without building the view.
    [[nodiscard]] static constexpr result<void> check(Bytes b) noexcept {
        if (b.size() >= 1 && (std::to_integer<unsigned>(b[0]) >> 4) != 4)
            return make_error(errc::malformed, "ipv4", 0, "version is not 4");
        return detail::check_layout<header_layout>(b);
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

    /// True when the header (with its options) sums to 0xffff (RFC 791 §3.1).
    [[nodiscard]] constexpr bool verify_checksum() const noexcept {
        return internet_checksum_valid(bytes_view(this->header()));
    }
    /// Recomputes and stores the header checksum (mutable views only).
    constexpr void fill_checksum() const noexcept
        requires base_view::is_mutable
    {
        set_header_checksum(0);
        set_header_checksum(internet_checksum(bytes_view(this->header())));
    }
    /// Fragment offset in bytes (the field × 8).
    [[nodiscard]] constexpr std::size_t fragment_offset_bytes() const noexcept { return std::size_t{fragment_offset()} * 8; }
    /// True for any fragment: MF set or a nonzero offset.
    [[nodiscard]] constexpr bool is_fragment() const noexcept { return more_fragments() || fragment_offset() != 0; }

private:
    constexpr explicit basic_packet(base_view v) noexcept : base_view(v) {}
};

using packet = basic_packet<bytes_view>;            ///< read-only IPv4 view
using mutable_packet = basic_packet<mutable_bytes>;  ///< writable IPv4 view

inline constexpr std::size_t min_header_len = header_layout::fixed_size;  ///< 20 bytes
inline constexpr std::size_t max_header_len = 60;                        ///< IHL 15 × 4
inline constexpr std::size_t max_options_len = 40;                       ///< bytes of options
inline constexpr std::size_t max_datagram_len = 65535;                   ///< Total Length limit

// ---------------------------------------------------------------------------
// Options (RFC 791 §3.1 "Options", RFC 2113 Router Alert)

/// Option types (the whole type octet: copied flag, class and number).
namespace option_type {
inline constexpr std::uint8_t eol = 0;            ///< End of Option List
inline constexpr std::uint8_t nop = 1;            ///< No Operation
inline constexpr std::uint8_t record_route = 7;   ///< Record Route
inline constexpr std::uint8_t timestamp = 68;     ///< Internet Timestamp
inline constexpr std::uint8_t security = 130;     ///< Security (RFC 1108)
inline constexpr std::uint8_t lsrr = 131;         ///< Loose Source and Record Route
inline constexpr std::uint8_t stream_id = 136;    ///< Stream Identifier
inline constexpr std::uint8_t ssrr = 137;         ///< Strict Source and Record Route
inline constexpr std::uint8_t router_alert = 148; ///< Router Alert (RFC 2113 §2.1)
}  // namespace option_type

/// One option as found in the header: its type and all its bytes (type,
/// length and data; one byte for EOL and NOP), at `offset` bytes from the
/// start of the options.
struct option {
    std::uint8_t type = 0;
    bytes_view bytes{};
    std::size_t offset = 0;
    /// True when the option must be copied into every fragment (RFC 791 §3.1: the copied flag).
    [[nodiscard]] constexpr bool copied() const noexcept { return (type & 0x80) != 0; }
    /// The option data after type and length (empty for EOL/NOP).
    [[nodiscard]] constexpr bytes_view data() const noexcept { return bytes.size() >= 2 ? bytes.subspan(2) : bytes_view{}; }
    /// The pointer octet of record route, source routes and timestamp (0 for others).
    [[nodiscard]] constexpr std::uint8_t pointer() const noexcept {
        return bytes.size() >= 3 ? std::to_integer<std::uint8_t>(bytes[2]) : std::uint8_t{0};
    }
};

/// The options of one header, in order, stopping after EOL. No allocation:
/// at most 40 entries (every option is at least one byte).
struct option_list {
    std::array<option, max_options_len> items{};
    std::size_t count = 0;
    [[nodiscard]] constexpr const option* begin() const noexcept { return items.data(); }
    [[nodiscard]] constexpr const option* end() const noexcept { return items.data() + count; }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return count; }
    /// The first option of `type`, or nullptr.
    [[nodiscard]] constexpr const option* find(std::uint8_t type) const noexcept {
        for (const auto& o : *this)
            if (o.type == type) return &o;
        return nullptr;
    }
};

/// Walks `opts` (the bytes after the fixed header), calling
/// `on_option(const option&)` for each, in order, and validating each. Offsets in
/// errors count from the start of the IPv4 header (20 + position). Errors
/// (layer "ipv4"): malformed — an option without its length octet, a length
/// below 2, a record-route/source-route/timestamp option that is too short or
/// has a pointer below its minimum, a router alert whose length is not 4;
/// bad_length — an option running past the header.
template <class F>
[[nodiscard]] constexpr result<void> walk_options(bytes_view opts, F&& on_option) noexcept {
    std::size_t at = 0;
    while (at < opts.size()) {
        const auto type = std::to_integer<std::uint8_t>(opts[at]);
        const std::size_t where = min_header_len + at;
        if (type == option_type::eol || type == option_type::nop) {
            on_option(option{type, opts.subspan(at, 1), at});
            ++at;
            if (type == option_type::eol) break;
            continue;
        }
        if (at + 1 >= opts.size()) return make_error(errc::malformed, "ipv4", where, "option without a length octet");
        const std::size_t len = std::to_integer<std::size_t>(opts[at + 1]);
        if (len < 2) return make_error(errc::malformed, "ipv4", where + 1, "option length below 2");
        if (at + len > opts.size()) return make_error(errc::bad_length, "ipv4", where + 1, "option runs past the header");
        const option o{type, opts.subspan(at, len), at};
        switch (type) {
            case option_type::record_route:
            case option_type::lsrr:
            case option_type::ssrr:
                if (len < 3 || (len - 3) % 4 != 0) return make_error(errc::malformed, "ipv4", where + 1, "route option length");
                if (o.pointer() < 4) return make_error(errc::malformed, "ipv4", where + 2, "route option pointer below 4");
                break;
            case option_type::timestamp:
                if (len < 4) return make_error(errc::malformed, "ipv4", where + 1, "timestamp option length below 4");
                if (o.pointer() < 5) return make_error(errc::malformed, "ipv4", where + 2, "timestamp pointer below 5");
                break;
            case option_type::router_alert:
                if (len != 4) return make_error(errc::malformed, "ipv4", where + 1, "router alert length is not 4");
                break;
            default: break;
        }
        on_option(o);
        at += len;
    }
    return {};
}

/// Parses `opts` into a list; errors as walk_options.
[[nodiscard]] constexpr result<option_list> parse_options(bytes_view opts) noexcept {
    option_list list;
    auto r = walk_options(opts, [&](const option& o) { list.items[list.count++] = o; });
    if (!r) return r.error();
    return list;
}

// ---------------------------------------------------------------------------
// repr

/// What to do with the header checksum when parsing.
enum class checksum_mode : std::uint8_t {
    verify,  ///< reject a header whose checksum does not verify
    ignore,  ///< accept it (e.g. a NIC computes checksums later)
};

/// The value of an IPv4 header. `emit` fills version, IHL, Total Length and
/// the header checksum; options are raw bytes, padded with EOL to 4 bytes.
struct repr {
    ipv4_address src_addr{};
    ipv4_address dst_addr{};
    std::uint8_t protocol = 0;         ///< of the payload (ip_protocol::tcp, ...)
    std::uint8_t ttl = 64;             ///< hops
    std::uint8_t dscp = 0;             ///< RFC 2474
    std::uint8_t ecn = 0;              ///< RFC 3168
    std::uint16_t identification = 0;  ///< datagram id for reassembly
    bool dont_fragment = false;        ///< DF
    bool more_fragments = false;       ///< MF
    std::uint16_t fragment_offset = 0; ///< in 8-byte units
    std::size_t payload_len = 0;       ///< bytes after the header
    std::array<std::byte, max_options_len> options{};  ///< raw option bytes
    std::size_t options_len = 0;                        ///< bytes used in `options` (≤ 40)

    friend constexpr bool operator==(const repr&, const repr&) = default;

    /// The options as raw bytes.
    [[nodiscard]] constexpr bytes_view option_bytes() const noexcept { return bytes_view(options).first(options_len); }
    /// Header length in bytes: 20 + options rounded up to 4.
    [[nodiscard]] constexpr std::size_t header_len() const noexcept { return min_header_len + (options_len + 3) / 4 * 4; }
    /// Header + payload, bytes.
    [[nodiscard]] constexpr std::size_t buffer_len() const noexcept { return header_len() + payload_len; }

    /// Reads a checked packet. Errors (layer "ipv4"): bad_checksum at byte 10
    /// (when `mode` is verify); bad_length at byte 6 when fragment offset × 8
    /// + Total Length exceeds 65535; option errors from parse_options.
    [[nodiscard]] static constexpr result<repr> parse(packet p, checksum_mode mode = checksum_mode::verify) noexcept {
        if (mode == checksum_mode::verify && !p.verify_checksum())
            return make_error(errc::bad_checksum, "ipv4", 10, "header checksum does not verify");
        return parse_header(p.header(), p.total_length());
    }

    /// Reads a header whose payload may be absent or cut short — the header
    /// quoted inside an ICMP error (RFC 792). `header` is exactly IHL × 4
    /// bytes; `total_length` is the Total Length field. The checksum is not
    /// verified. Errors as parse().
    [[nodiscard]] static constexpr result<repr> parse_header(bytes_view header, std::size_t total_length) noexcept {
        auto p = packet::unchecked(header);
        repr r;
        r.src_addr = p.src_addr();
        r.dst_addr = p.dst_addr();
        r.protocol = p.protocol();
        r.ttl = p.ttl();
        r.dscp = p.dscp();
        r.ecn = p.ecn();
        r.identification = p.identification();
        r.dont_fragment = p.dont_fragment();
        r.more_fragments = p.more_fragments();
        r.fragment_offset = p.fragment_offset();
        r.payload_len = total_length - header.size();
        if (p.fragment_offset_bytes() + total_length > max_datagram_len)
            return make_error(errc::bad_length, "ipv4", 6, "fragment offset + length above 65535");
        const auto opts = header.subspan(min_header_len);
        WIREKIT_TRY_VOID(walk_options(opts, [](const option&) {}));
        r.options_len = opts.size();
        for (std::size_t i = 0; i < opts.size(); ++i) r.options[i] = opts[i];
        return r;
    }

    /// Writes the header into `p` (which needs header_len() bytes; the
    /// payload area is not touched), including IHL, Total Length and checksum.
    /// Precondition: buffer_len() ≤ 65535 and options_len ≤ 40.
    constexpr void emit(mutable_packet p) const noexcept {
        const std::size_t hl = header_len();
        p.set_version(4);
        p.set_ihl(static_cast<std::uint8_t>(hl / 4));
        p.set_dscp(dscp);
        p.set_ecn(ecn);
        p.set_total_length(static_cast<std::uint16_t>(hl + payload_len));
        p.set_identification(identification);
        p.set_reserved_flag(false);
        p.set_dont_fragment(dont_fragment);
        p.set_more_fragments(more_fragments);
        p.set_fragment_offset(fragment_offset);
        p.set_ttl(ttl);
        p.set_protocol(protocol);
        p.set_src_addr(src_addr);
        p.set_dst_addr(dst_addr);
        auto b = p.bytes();
        for (std::size_t i = 0; i < hl - min_header_len; ++i)
            b[min_header_len + i] = i < options_len ? options[i] : std::byte{0};  // pad with EOL
        p.set_header_checksum(0);
        p.set_header_checksum(internet_checksum(bytes_view(b.first(hl))));
    }
};

// ---------------------------------------------------------------------------
// Fragmentation (RFC 791 §3.2 "Fragmentation" and the example procedure)

/// Splits the datagram `r` + `payload` into fragments that fit `mtu` bytes
/// and hands each to `sink(bytes_view fragment)`, in order. Each fragment is
/// built in `scratch` (at least min(mtu, r.buffer_len()) bytes) and is valid
/// only during the call. Every fragment but the last carries a multiple of 8
/// data bytes and MF; offsets continue from r.fragment_offset (so a fragment
/// can be re-fragmented) and the last keeps r.more_fragments. The first
/// fragment carries all options; later ones only options with the copied
/// flag. Returns the number of fragments (1 when the datagram fits).
/// Errors (layer "ipv4"): limit_exceeded when DF is set and the datagram does
/// not fit; bad_length when the MTU is below 68 (RFC 791 §3.2) or cannot
/// carry 8 data bytes; no_space when `scratch` is too small; bad_length when
/// payload.size() != r.payload_len.
template <class Sink>
constexpr result<std::size_t> fragment(const repr& r, bytes_view payload, std::size_t mtu, mutable_bytes scratch,
                                       Sink&& sink) {
    if (payload.size() != r.payload_len) return make_error(errc::bad_length, "ipv4", 2, "payload size differs from payload_len");
    if (r.buffer_len() <= mtu) {
        if (scratch.size() < r.buffer_len()) return make_error(errc::no_space, "ipv4", 0, "scratch buffer too small");
        r.emit(mutable_packet::unchecked(scratch));
        for (std::size_t i = 0; i < payload.size(); ++i) scratch[r.header_len() + i] = payload[i];
        sink(bytes_view(scratch.first(r.buffer_len())));
        return std::size_t{1};
    }
    if (r.dont_fragment) return make_error(errc::limit_exceeded, "ipv4", 6, "DF set and the datagram exceeds the MTU");
    if (mtu < 68) return make_error(errc::bad_length, "ipv4", 0, "MTU below 68");
    // Later fragments carry only the copied options.
    repr later = r;
    later.options_len = 0;
    if (auto list = parse_options(r.option_bytes()); list) {
        for (const auto& o : *list)
            if (o.copied())
                for (auto byte : o.bytes) later.options[later.options_len++] = byte;
    }
    std::size_t sent = 0, count = 0;
    while (sent < payload.size()) {
        repr f = count == 0 ? r : later;
        const std::size_t hl = f.header_len();
        if (mtu < hl + 8) return make_error(errc::bad_length, "ipv4", 0, "MTU cannot carry 8 data bytes");
        std::size_t n = payload.size() - sent;
        const bool last = n <= mtu - hl;
        if (!last) n = (mtu - hl) / 8 * 8;
        f.payload_len = n;
        f.fragment_offset = static_cast<std::uint16_t>(r.fragment_offset + sent / 8);
        f.more_fragments = last ? r.more_fragments : true;
        if (scratch.size() < f.buffer_len()) return make_error(errc::no_space, "ipv4", 0, "scratch buffer too small");
        f.emit(mutable_packet::unchecked(scratch));
        for (std::size_t i = 0; i < n; ++i) scratch[hl + i] = payload[sent + i];
        sink(bytes_view(scratch.first(f.buffer_len())));
        sent += n;
        ++count;
    }
    return count;
}

/// A short protocol name for printing ("TCP", "UDP", "ICMP"), or "" when unknown.
[[nodiscard]] constexpr std::string_view protocol_name(std::uint8_t p) noexcept {
    switch (p) {
        case ip_protocol::icmp: return "ICMP";
        case ip_protocol::tcp: return "TCP";
        case ip_protocol::udp: return "UDP";
        case ip_protocol::icmpv6: return "ICMPv6";
        default: return "";
    }
}

}  // namespace wirekit::ipv4

/// "{}": tcpdump -v style, e.g.
/// "10.66.0.1 > 10.66.0.2: IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60)".
/// "{:v}": the field tree, then one line per option.
template <class Bytes>
struct fmt::formatter<wirekit::ipv4::basic_packet<Bytes>>
    : wirekit::summary_or_tree_formatter {  // "{}" summary, "{:v}" field tree
    template <class Ctx>
    auto format(const wirekit::ipv4::basic_packet<Bytes>& p, Ctx& ctx) const {
        using P = wirekit::ipv4::basic_packet<Bytes>;
        auto out = ctx.out();
        if (tree) {
            out = fmt::format_to(out, "{:v}", static_cast<const typename P::base_view&>(p));
            if (auto list = wirekit::ipv4::parse_options(wirekit::bytes_view(p.options())); list) {
                for (const auto& o : *list) out = fmt::format_to(out, "\n  option: type={} length={}", o.type, o.bytes.size());
            } else {
                out = fmt::format_to(out, "\n  options: [{}]", list.error());
            }
            return out;
        }
        const char* flags = p.dont_fragment() ? (p.more_fragments() ? "DF+MF" : "DF") : (p.more_fragments() ? "+" : "none");
        const auto name = wirekit::ipv4::protocol_name(p.protocol());
        return fmt::format_to(out, "{} > {}: IP (tos 0x{:x}, ttl {}, id {}, offset {}, flags [{}], proto {}{}({}), length {})",
                              p.src_addr(), p.dst_addr(), p.dscp() << 2 | p.ecn(), p.ttl(), p.identification(),
                              p.fragment_offset_bytes(), flags, name, name.empty() ? "" : " ", p.protocol(), p.total_length());
    }
};
