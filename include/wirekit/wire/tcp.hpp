// wirekit/wire/tcp.hpp — TCP header (RFC 9293 §3.1; ECN bits per RFC 3168 §6.1).
//
// Layer L2. `tcp::header_layout` is the single source of truth for the
// header's offsets. `tcp::segment` (read-only) and `tcp::mutable_segment`
// are zero-copy views with bare-name accessors: `syn()`, `set_window(...)`.
// TCP has no length field: the segment is whatever the IP layer delivers.
//
// Also here: options (EOL, NOP, MSS, window scale and timestamps of RFC 7323,
// SACK-permitted and SACK of RFC 2018, unknown kinds kept raw) with malformed
// lengths rejected (RFC 9293 §3.1, §3.2), the pseudo-header checksum,
// `tcp::repr` (emit fills Data Offset, options padding and the checksum) and
// the fmt formatter ("{}" tcpdump-like, "{:v}" field tree).
#pragma once

#include <array>        // option storage
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // field value types
#include <optional>     // optional options
#include <string_view>  // layer name
#include <type_traits>  // std::is_same_v

#include <fmt/format.h>  // fmt::formatter for segment

#include "../core/bytes.hpp"   // bytes_view, mutable_bytes
#include "../core/endian.hpp"  // load_be / store_be for options
#include "../core/layout.hpp"  // layout, field, field_ref
#include "../core/result.hpp"  // result, wire_error
#include "check.hpp"              // detail::check_layout
#include "../core/view.hpp"    // view, WIREKIT_FIELD
#include "../core/format.hpp"  // generic view tree
#include "../checksum/internet.hpp"  // pseudo-header checksum
#include "ip_protocol.hpp"     // ip_protocol::tcp, ipv4_pseudo, ipv6_pseudo

namespace wirekit::tcp {

/// TCP header, RFC 9293 §3.1 (20 bytes fixed, then options to Data Offset × 4).
struct header_layout
    : layout<field<"src_port", 16>,         // source port
             field<"dst_port", 16>,         // destination port
             field<"seq_number", 32>,       // sequence number (SEG.SEQ)
             field<"ack_number", 32>,       // acknowledgment number (SEG.ACK)
             field<"data_offset", 4>,       // header length, 32-bit words (5..15)
             field<"reserved", 3>,          // must be zero
             field<"ae", 1, bool>,          // formerly NS (RFC 3540, historic)
             field<"cwr", 1, bool>,         // RFC 3168
             field<"ece", 1, bool>,         // RFC 3168
             field<"urg", 1, bool>,         // urgent pointer significant
             field<"ack", 1, bool>,         // acknowledgment field significant
             field<"psh", 1, bool>,         // push
             field<"rst", 1, bool>,         // reset
             field<"syn", 1, bool>,         // synchronize sequence numbers
             field<"fin", 1, bool>,         // no more data from sender
             field<"window", 16>,           // receive window (SEG.WND), unscaled
             field<"checksum", 16>,         // RFC 1071 over pseudo-header + segment
             field<"urgent_pointer", 16>>   // offset of urgent data end
{
    static constexpr std::string_view name = "tcp";
    /// Header length in bytes: Data Offset × 4 (RFC 9293 §3.1).
    static constexpr auto header_length = field_ref<"data_offset"> * 4;
};

/// A view of a TCP segment over `Bytes`.
template <class Bytes = bytes_view>
class basic_segment : public view<header_layout, Bytes> {
public:
    using base_view = view<header_layout, Bytes>;
    /// An empty view; only assignable (accessors need a real view).
    constexpr basic_segment() noexcept = default;
    using custom_format = void;  ///< printed by the tcp formatter below

    /// Checks untrusted bytes. Errors (layer "tcp"): truncated (shorter than
    /// 20 bytes or Data Offset × 4), bad_length (Data Offset below 5, at byte 0).
    [[nodiscard]] static constexpr result<basic_segment> checked(Bytes b) noexcept {
        if (auto r = check(b); !r) return r.error();
        return unchecked(b);
    }
    /// The checks of checked() without building the view.
    [[nodiscard]] static constexpr result<void> check(Bytes b) noexcept { return detail::check_layout<header_layout>(b); }
    /// Wraps bytes the caller built (at least 20 bytes, Data Offset consistent).
    [[nodiscard]] static constexpr basic_segment unchecked(Bytes b) noexcept {
        return basic_segment(base_view::unchecked(b));
    }

    WIREKIT_FIELD(src_port)
    WIREKIT_FIELD(dst_port)
    WIREKIT_FIELD(seq_number)
    WIREKIT_FIELD(ack_number)
    WIREKIT_FIELD(data_offset)
    WIREKIT_FIELD(reserved)
    WIREKIT_FIELD(ae)
    WIREKIT_FIELD(cwr)
    WIREKIT_FIELD(ece)
    WIREKIT_FIELD(urg)
    WIREKIT_FIELD(ack)
    WIREKIT_FIELD(psh)
    WIREKIT_FIELD(rst)
    WIREKIT_FIELD(syn)
    WIREKIT_FIELD(fin)
    WIREKIT_FIELD(window)
    WIREKIT_FIELD(checksum)
    WIREKIT_FIELD(urgent_pointer)

    /// The 12 bits after Data Offset as one number, bit 0 = FIN ... bit 8 = AE,
    /// bits 9-11 reserved (Wireshark's tcp.flags).
    [[nodiscard]] constexpr std::uint16_t flags() const noexcept {
        return static_cast<std::uint16_t>(reserved() << 9 | ae() << 8 | cwr() << 7 | ece() << 6 | urg() << 5 |
                                          ack() << 4 | psh() << 3 | rst() << 2 | syn() << 1 | fin());
    }

    /// Verifies the checksum over the IPv4 or IPv6 pseudo-header and the
    /// whole segment (all the bytes of this view).
    template <class Pseudo>
    [[nodiscard]] constexpr bool verify_checksum(const Pseudo& ip) const noexcept {
        if constexpr (std::is_same_v<Pseudo, ipv4_pseudo>)
            return ipv4_transport_checksum_valid(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::tcp, bytes_view(this->bytes()));
        else
            return ipv6_transport_checksum_valid(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::tcp, bytes_view(this->bytes()));
    }
    /// Computes and stores the checksum over the whole segment.
    template <class Pseudo>
    constexpr void fill_checksum(const Pseudo& ip) const noexcept
        requires base_view::is_mutable
    {
        set_checksum(0);
        const bytes_view d(this->bytes());
        if constexpr (std::is_same_v<Pseudo, ipv4_pseudo>)
            set_checksum(ipv4_transport_checksum(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::tcp, d));
        else
            set_checksum(ipv6_transport_checksum(ip.src_addr.octets, ip.dst_addr.octets, ip_protocol::tcp, d));
    }

private:
    constexpr explicit basic_segment(base_view v) noexcept : base_view(v) {}
};

using segment = basic_segment<bytes_view>;            ///< read-only TCP view
using mutable_segment = basic_segment<mutable_bytes>;  ///< writable TCP view

inline constexpr std::size_t min_header_len = header_layout::fixed_size;  ///< 20 bytes
inline constexpr std::size_t max_options_len = 40;                       ///< bytes of options

// ---------------------------------------------------------------------------
// Options

/// Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018; IANA tcp-parameters).
namespace option_kind {
inline constexpr std::uint8_t eol = 0;             ///< End of Option List
inline constexpr std::uint8_t nop = 1;             ///< No-Operation
inline constexpr std::uint8_t mss = 2;             ///< Maximum Segment Size, length 4
inline constexpr std::uint8_t window_scale = 3;    ///< Window Scale, length 3 (RFC 7323 §2.2)
inline constexpr std::uint8_t sack_permitted = 4;  ///< SACK-Permitted, length 2 (RFC 2018 §2)
inline constexpr std::uint8_t sack = 5;            ///< SACK, length 2 + 8n (RFC 2018 §3)
inline constexpr std::uint8_t timestamps = 8;      ///< Timestamps, length 10 (RFC 7323 §3.2)
}  // namespace option_kind

/// One SACK block: [left, right) in sequence space (RFC 2018 §3).
struct sack_block {
    std::uint32_t left = 0;
    std::uint32_t right = 0;
    friend constexpr bool operator==(const sack_block&, const sack_block&) = default;
};

/// RFC 7323 §3.2 timestamps: TSval and TSecr.
struct timestamps {
    std::uint32_t tsval = 0;
    std::uint32_t tsecr = 0;
    friend constexpr bool operator==(const timestamps&, const timestamps&) = default;
};

/// The options of one segment, decoded. Unknown kinds are kept, raw (kind,
/// length and data), concatenated in `unknown`. No allocation.
struct option_set {
    std::optional<std::uint16_t> mss{};          ///< bytes
    std::optional<std::uint8_t> window_scale{};  ///< shift count (0..14 meaningful)
    bool sack_permitted = false;
    std::array<sack_block, 4> sack{};            ///< the first sack_count are used
    std::size_t sack_count = 0;
    std::optional<timestamps> ts{};
    std::array<std::byte, max_options_len> unknown{};
    std::size_t unknown_len = 0;

    friend constexpr bool operator==(const option_set&, const option_set&) = default;

    /// Unknown options, raw.
    [[nodiscard]] constexpr bytes_view unknown_bytes() const noexcept { return bytes_view(unknown).first(unknown_len); }
    /// Bytes these options take when emitted, before padding to 4.
    [[nodiscard]] constexpr std::size_t unpadded_len() const noexcept {
        std::size_t n = 0;
        if (mss) n += 4;
        if (sack_permitted && ts) n += 12;
        else if (ts) n += 12;          // NOP NOP TS
        else if (sack_permitted) n += 4;  // NOP NOP SACK-permitted
        if (window_scale) n += 4;      // NOP WS
        if (sack_count) n += 4 + 8 * sack_count;  // NOP NOP SACK
        return n + unknown_len;
    }
    /// Bytes on the wire, padded to a multiple of 4.
    [[nodiscard]] constexpr std::size_t wire_len() const noexcept { return (unpadded_len() + 3) / 4 * 4; }
};

/// Walks `opts` (the header bytes after the fixed 20), validating each
/// option and calling `on_option(kind, bytes)` (bytes = kind, length and
/// data) for each one other than EOL/NOP. Offsets in errors
/// count from the start of the TCP header. Errors (layer "tcp"): malformed
/// when a kind other than EOL/NOP has no length octet or a length below 2
/// (RFC 9293 §3.1 "illegal option length"), when MSS, window scale,
/// SACK-permitted or timestamps have the wrong length, or when SACK is not
/// 2 + 8n with n in 1..4; bad_length when an option runs past the header.
template <class F>
[[nodiscard]] constexpr result<void> walk_options(bytes_view opts, F&& on_option) noexcept {
    std::size_t at = 0;
    while (at < opts.size()) {
        const auto kind = std::to_integer<std::uint8_t>(opts[at]);
        const std::size_t where = min_header_len + at;
        if (kind == option_kind::eol) break;
        if (kind == option_kind::nop) { ++at; continue; }
        if (at + 1 >= opts.size()) return make_error(errc::malformed, "tcp", where, "option without a length octet");
        const std::size_t len = std::to_integer<std::size_t>(opts[at + 1]);
        if (len < 2) return make_error(errc::malformed, "tcp", where + 1, "option length below 2");
        if (at + len > opts.size()) return make_error(errc::bad_length, "tcp", where + 1, "option runs past the header");
        switch (kind) {
            case option_kind::mss:
                if (len != 4) return make_error(errc::malformed, "tcp", where + 1, "MSS length is not 4");
                break;
            case option_kind::window_scale:
                if (len != 3) return make_error(errc::malformed, "tcp", where + 1, "window scale length is not 3");
                break;
            case option_kind::sack_permitted:
                if (len != 2) return make_error(errc::malformed, "tcp", where + 1, "SACK-permitted length is not 2");
                break;
            case option_kind::sack:
                if (len < 10 || len > 34 || (len - 2) % 8 != 0)
                    return make_error(errc::malformed, "tcp", where + 1, "SACK length is not 2 + 8n");
                break;
            case option_kind::timestamps:
                if (len != 10) return make_error(errc::malformed, "tcp", where + 1, "timestamps length is not 10");
                break;
            default: break;
        }
        on_option(kind, opts.subspan(at, len));
        at += len;
    }
    return {};
}

/// Decodes `opts` into an option_set; errors as walk_options.
[[nodiscard]] constexpr result<option_set> parse_options(bytes_view opts) noexcept {
    option_set set;
    auto r = walk_options(opts, [&](std::uint8_t kind, bytes_view o) {
        const std::byte* d = o.data() + 2;
        switch (kind) {
            case option_kind::mss: set.mss = load_be<2>(d); break;
            case option_kind::window_scale: set.window_scale = std::to_integer<std::uint8_t>(d[0]); break;
            case option_kind::sack_permitted: set.sack_permitted = true; break;
            case option_kind::sack:
                // A repeated SACK option replaces the earlier one entirely, so
                // no stale block survives past sack_count (the set stays canonical).
                set.sack = {};
                set.sack_count = (o.size() - 2) / 8;
                for (std::size_t i = 0; i < set.sack_count; ++i)
                    set.sack[i] = sack_block{load_be<4>(d + 8 * i), load_be<4>(d + 8 * i + 4)};
                break;
            case option_kind::timestamps: set.ts = timestamps{load_be<4>(d), load_be<4>(d + 4)}; break;
            default:
                for (auto byte : o) set.unknown[set.unknown_len++] = byte;
                break;
        }
    });
    if (!r) return r.error();
    return set;
}

/// Writes `set` into `out` (exactly set.wire_len() bytes), padded with EOL.
/// Precondition: set.wire_len() <= 40 and out.size() >= set.wire_len().
constexpr void emit_options(const option_set& set, mutable_bytes out) noexcept {
    std::size_t at = 0;
    auto put = [&](std::uint8_t v) { out[at++] = std::byte{v}; };
    auto put32 = [&](std::uint32_t v) { store_be<4>(out.data() + at, v); at += 4; };
    if (set.mss) { put(option_kind::mss); put(4); store_be<2>(out.data() + at, *set.mss); at += 2; }
    if (set.ts) {
        if (set.sack_permitted) { put(option_kind::sack_permitted); put(2); }
        else { put(option_kind::nop); put(option_kind::nop); }
        put(option_kind::timestamps); put(10); put32(set.ts->tsval); put32(set.ts->tsecr);
    } else if (set.sack_permitted) {
        put(option_kind::nop); put(option_kind::nop); put(option_kind::sack_permitted); put(2);
    }
    if (set.window_scale) { put(option_kind::nop); put(option_kind::window_scale); put(3); put(*set.window_scale); }
    if (set.sack_count) {
        put(option_kind::nop); put(option_kind::nop); put(option_kind::sack); put(static_cast<std::uint8_t>(2 + 8 * set.sack_count));
        for (std::size_t i = 0; i < set.sack_count; ++i) { put32(set.sack[i].left); put32(set.sack[i].right); }
    }
    for (std::size_t i = 0; i < set.unknown_len; ++i) out[at++] = set.unknown[i];
    while (at % 4 != 0) put(option_kind::eol);
}

// ---------------------------------------------------------------------------
// repr

/// The control bits (RFC 9293 §3.1, RFC 3168 §6.1 for ECE/CWR).
struct control {
    bool fin = false, syn = false, rst = false, psh = false, ack = false, urg = false, ece = false, cwr = false;
    friend constexpr bool operator==(const control&, const control&) = default;
};

/// The value of a TCP header. `emit` fills Data Offset, the option padding
/// and (given the IP addresses) the checksum over the payload in place.
struct repr {
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint32_t seq_number = 0;
    std::uint32_t ack_number = 0;
    control flags{};
    std::uint16_t window = 0;
    std::uint16_t urgent_pointer = 0;
    option_set options{};
    std::size_t payload_len = 0;  ///< bytes after the header

    friend constexpr bool operator==(const repr&, const repr&) = default;

    /// 20 + options padded to 4.
    [[nodiscard]] constexpr std::size_t header_len() const noexcept { return min_header_len + options.wire_len(); }
    /// Header + payload, bytes.
    [[nodiscard]] constexpr std::size_t buffer_len() const noexcept { return header_len() + payload_len; }

    /// Reads a checked segment, verifying its checksum against `ip`
    /// (ipv4_pseudo / ipv6_pseudo). Errors (layer "tcp"): bad_checksum at
    /// byte 16; option errors from parse_options.
    template <class Pseudo>
    [[nodiscard]] static constexpr result<repr> parse(segment s, const Pseudo& ip) noexcept {
        if (!s.verify_checksum(ip)) return make_error(errc::bad_checksum, "tcp", 16, "checksum does not verify");
        return parse_unverified(s);
    }
    /// Reads a checked segment without the checksum.
    [[nodiscard]] static constexpr result<repr> parse_unverified(segment s) noexcept {
        auto o = parse_options(s.options());
        if (!o) return o.error();
        repr r;
        r.src_port = s.src_port();
        r.dst_port = s.dst_port();
        r.seq_number = s.seq_number();
        r.ack_number = s.ack_number();
        r.flags = control{s.fin(), s.syn(), s.rst(), s.psh(), s.ack(), s.urg(), s.ece(), s.cwr()};
        r.window = s.window();
        r.urgent_pointer = s.urgent_pointer();
        r.options = *o;
        r.payload_len = s.bytes().size() - s.header_length();
        return r;
    }
    /// Writes the header (not the payload) into `s` with a zero checksum.
    /// Errors (layer "tcp"): no_space when the options exceed 40 bytes.
    constexpr result<void> emit(mutable_segment s) const noexcept {
        if (options.wire_len() > max_options_len) return make_error(errc::no_space, "tcp", min_header_len, "options exceed 40 bytes");
        s.set_src_port(src_port);
        s.set_dst_port(dst_port);
        s.set_seq_number(seq_number);
        s.set_ack_number(ack_number);
        s.set_data_offset(static_cast<std::uint8_t>(header_len() / 4));
        s.set_reserved(0);
        s.set_ae(false);
        s.set_cwr(flags.cwr);
        s.set_ece(flags.ece);
        s.set_urg(flags.urg);
        s.set_ack(flags.ack);
        s.set_psh(flags.psh);
        s.set_rst(flags.rst);
        s.set_syn(flags.syn);
        s.set_fin(flags.fin);
        s.set_window(window);
        s.set_checksum(0);
        s.set_urgent_pointer(urgent_pointer);
        emit_options(options, s.bytes().subspan(min_header_len, options.wire_len()));
        return {};
    }
    /// Writes the header and the checksum over `ip` + header + the payload
    /// already in `s` (s.bytes() is exactly buffer_len() bytes).
    template <class Pseudo>
    constexpr result<void> emit(mutable_segment s, const Pseudo& ip) const noexcept {
        WIREKIT_TRY_VOID(emit(s));
        s.fill_checksum(ip);
        return {};
    }
};

}  // namespace wirekit::tcp

/// "{}": tcpdump style, "43210 > 50007: Flags [S], seq 1, ack 0, win 64240,
/// options [mss 1460,sackOK,TS val 1 ecr 0,wscale 7], length 0" (raw numbers).
/// "{:v}": the field tree, then the decoded options.
template <class Bytes>
struct fmt::formatter<wirekit::tcp::basic_segment<Bytes>>
    : wirekit::summary_or_tree_formatter {  // "{}" summary, "{:v}" field tree
    template <class Ctx>
    auto format(const wirekit::tcp::basic_segment<Bytes>& s, Ctx& ctx) const {
        auto out = ctx.out();
        auto o = wirekit::tcp::parse_options(wirekit::bytes_view(s.options()));
        if (tree) {
            out = fmt::format_to(out, "{:v}", static_cast<const typename wirekit::tcp::basic_segment<Bytes>::base_view&>(s));
            if (!o) return fmt::format_to(out, "\n  options: [{}]", o.error());
            if (o->mss) out = fmt::format_to(out, "\n  option mss: {}", *o->mss);
            if (o->window_scale) out = fmt::format_to(out, "\n  option window_scale: {}", *o->window_scale);
            if (o->sack_permitted) out = fmt::format_to(out, "\n  option sack_permitted");
            for (std::size_t i = 0; i < o->sack_count; ++i)
                out = fmt::format_to(out, "\n  option sack: {}-{}", o->sack[i].left, o->sack[i].right);
            if (o->ts) out = fmt::format_to(out, "\n  option timestamps: tsval={} tsecr={}", o->ts->tsval, o->ts->tsecr);
            if (o->unknown_len) out = fmt::format_to(out, "\n  option unknown: {} bytes", o->unknown_len);
            return out;
        }
        char flags[9];
        std::size_t n = 0;
        if (s.syn()) flags[n++] = 'S';
        if (s.fin()) flags[n++] = 'F';
        if (s.psh()) flags[n++] = 'P';
        if (s.rst()) flags[n++] = 'R';
        if (s.urg()) flags[n++] = 'U';
        if (s.ece()) flags[n++] = 'E';
        if (s.cwr()) flags[n++] = 'W';
        if (s.ack()) flags[n++] = '.';
        out = fmt::format_to(out, "{} > {}: Flags [{}], seq {}", s.src_port(), s.dst_port(), std::string_view(flags, n), s.seq_number());
        if (s.ack()) out = fmt::format_to(out, ", ack {}", s.ack_number());
        out = fmt::format_to(out, ", win {}", s.window());
        if (o && s.options().size() > 0) {
            std::string_view sep = "";
            out = fmt::format_to(out, ", options [");
            if (o->mss) { out = fmt::format_to(out, "{}mss {}", sep, *o->mss); sep = ","; }
            if (o->sack_permitted) { out = fmt::format_to(out, "{}sackOK", sep); sep = ","; }
            if (o->ts) { out = fmt::format_to(out, "{}TS val {} ecr {}", sep, o->ts->tsval, o->ts->tsecr); sep = ","; }
            if (o->window_scale) { out = fmt::format_to(out, "{}wscale {}", sep, *o->window_scale); sep = ","; }
            if (o->sack_count) {
                out = fmt::format_to(out, "{}sack {}", sep, o->sack_count);
                for (std::size_t i = 0; i < o->sack_count; ++i) out = fmt::format_to(out, " {{{}:{}}}", o->sack[i].left, o->sack[i].right);
            }
            out = fmt::format_to(out, "]");
        } else if (!o) {
            out = fmt::format_to(out, ", options [{}]", o.error());
        }
        return fmt::format_to(out, ", length {}", s.bytes().size() - s.header_length());
    }
};
