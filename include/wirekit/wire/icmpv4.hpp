// wirekit/wire/icmpv4.hpp — ICMP for IPv4 (RFC 792), with the
// fragmentation-needed next-hop MTU of RFC 1191 §4.
//
// Layer L2. `icmpv4::header_layout` holds the 8-byte header common to every
// message: Type, Code, Checksum and the 32-bit "rest of header", whose
// meaning depends on the type (identifier + sequence number for echo, the
// next-hop MTU for "fragmentation needed", a pointer for parameter problem).
// The message has no length field: it is the whole IPv4 payload.
// Error messages quote the original IPv4 header and at least 8 bytes of its
// data (RFC 792); `quoted()` reads them back.
#pragma once

#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // field value types
#include <string_view>  // layer name

#include <fmt/format.h>  // fmt::formatter for message

#include "../checksum/internet.hpp"  // RFC 1071 checksum
#include "../core/bytes.hpp"         // bytes_view, mutable_bytes
#include "../core/format.hpp"        // generic view tree, wire_error formatter
#include "../core/layout.hpp"        // layout, field
#include "../core/result.hpp"        // result, wire_error
#include "check.hpp"              // detail::check_layout
#include "../core/view.hpp"          // view, WIREKIT_FIELD
#include "ipv4.hpp"                  // quoted headers, checksum_mode

namespace wirekit::icmpv4 {

/// Message types (RFC 792; IANA icmp-parameters).
namespace type {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t dest_unreachable = 3;
inline constexpr std::uint8_t source_quench = 4;
inline constexpr std::uint8_t redirect = 5;
inline constexpr std::uint8_t echo_request = 8;
inline constexpr std::uint8_t time_exceeded = 11;
inline constexpr std::uint8_t parameter_problem = 12;
inline constexpr std::uint8_t timestamp = 13;
inline constexpr std::uint8_t timestamp_reply = 14;
}  // namespace type

/// Destination Unreachable codes (RFC 792, RFC 1191 for code 4).
namespace unreachable {
inline constexpr std::uint8_t net = 0;
inline constexpr std::uint8_t host = 1;
inline constexpr std::uint8_t protocol = 2;
inline constexpr std::uint8_t port = 3;
inline constexpr std::uint8_t frag_needed = 4;  ///< with the next-hop MTU (RFC 1191 §4)
inline constexpr std::uint8_t source_route_failed = 5;
}  // namespace unreachable

/// Time Exceeded codes (RFC 792).
namespace time_exceeded_code {
inline constexpr std::uint8_t ttl = 0;         ///< time to live exceeded in transit
inline constexpr std::uint8_t reassembly = 1;  ///< fragment reassembly time exceeded
}  // namespace time_exceeded_code

/// The 8-byte ICMP header, RFC 792.
struct header_layout : layout<field<"type", 8>,              // message type
                              field<"code", 8>,              // subtype
                              field<"checksum", 16>,         // RFC 1071 over the whole message
                              field<"rest_of_header", 32>>   // type-specific
{
    static constexpr std::string_view name = "icmpv4";
};

inline constexpr std::size_t header_len = header_layout::fixed_size;  ///< 8 bytes

/// True for the error types that quote an original datagram (RFC 792).
[[nodiscard]] constexpr bool is_error(std::uint8_t t) noexcept {
    return t == type::dest_unreachable || t == type::source_quench || t == type::redirect ||
           t == type::time_exceeded || t == type::parameter_problem;
}

/// The datagram quoted in an ICMP error: its IPv4 header and the data bytes
/// that followed (at least 8 in a conforming message, RFC 792).
struct quote {
    ipv4::repr header{};
    bytes_view header_bytes{};
    bytes_view leading_data{};
};

/// A view of an ICMPv4 message over `Bytes` (the whole IPv4 payload).
template <class Bytes = bytes_view>
class basic_message : public view<header_layout, Bytes> {
public:
    using base_view = view<header_layout, Bytes>;
    /// An empty view; only assignable (accessors need a real view).
    constexpr basic_message() noexcept = default;
    using custom_format = void;

    /// Checks untrusted bytes: at least 8. Errors (layer "icmpv4"): truncated.
    [[nodiscard]] static constexpr result<basic_message> checked(Bytes b) noexcept {
        if (auto r = check(b); !r) return r.error();
        return unchecked(b);
    }
    /// The checks of checked() without building the view.
    [[nodiscard]] static constexpr result<void> check(Bytes b) noexcept { return detail::check_layout<header_layout>(b); }
    [[nodiscard]] static constexpr basic_message unchecked(Bytes b) noexcept { return basic_message(base_view::unchecked(b)); }

    WIREKIT_FIELD(type)
    WIREKIT_FIELD(code)
    WIREKIT_FIELD(checksum)
    WIREKIT_FIELD(rest_of_header)

    /// Echo / timestamp identifier: the high 16 bits of rest_of_header.
    [[nodiscard]] constexpr std::uint16_t identifier() const noexcept { return static_cast<std::uint16_t>(rest_of_header() >> 16); }
    /// Echo / timestamp sequence number: the low 16 bits of rest_of_header.
    [[nodiscard]] constexpr std::uint16_t sequence() const noexcept { return static_cast<std::uint16_t>(rest_of_header()); }
    /// Next-hop MTU of "fragmentation needed" (RFC 1191 §4): the low 16 bits.
    [[nodiscard]] constexpr std::uint16_t next_hop_mtu() const noexcept { return static_cast<std::uint16_t>(rest_of_header()); }
    /// Parameter problem pointer (RFC 792): the high 8 bits.
    [[nodiscard]] constexpr std::uint8_t pointer() const noexcept { return static_cast<std::uint8_t>(rest_of_header() >> 24); }
    /// Everything after the 8-byte header: echo data, or the quoted datagram.
    [[nodiscard]] constexpr Bytes data() const noexcept { return this->bytes().subspan(header_len); }
    /// True when the message (checksum field included) sums to 0xffff.
    [[nodiscard]] constexpr bool verify_checksum() const noexcept { return internet_checksum_valid(bytes_view(this->bytes())); }

    /// The datagram quoted by an error message. Errors (layer "icmpv4",
    /// offsets from the ICMP header): unsupported when the type is not an
    /// error; truncated when the quote is shorter than 20 bytes or its IHL;
    /// malformed when the quoted version is not 4 or IHL < 5.
    [[nodiscard]] constexpr result<quote> quoted() const noexcept {
        if (!is_error(type())) return make_error(errc::unsupported, "icmpv4", 0, "not an error message");
        const bytes_view d = data();
        if (d.size() < ipv4::min_header_len) return make_error(errc::truncated, "icmpv4", this->bytes().size(), "quoted header cut short");
        auto q = ipv4::packet::unchecked(d);
        if (q.version() != 4) return make_error(errc::malformed, "icmpv4", header_len, "quoted version is not 4");
        const std::size_t hl = q.header_length();
        if (hl < ipv4::min_header_len) return make_error(errc::malformed, "icmpv4", header_len, "quoted IHL below 5");
        if (d.size() < hl) return make_error(errc::truncated, "icmpv4", this->bytes().size(), "quoted header cut short");
        const std::size_t tl = q.total_length() < hl ? hl : q.total_length();
        auto h = ipv4::repr::parse_header(d.first(hl), tl);
        if (!h) return h.error().shifted(header_len);
        return quote{*h, d.first(hl), d.subspan(hl)};
    }

private:
    constexpr explicit basic_message(base_view v) noexcept : base_view(v) {}
};

using message = basic_message<bytes_view>;
using mutable_message = basic_message<mutable_bytes>;

/// The value of an ICMPv4 message. `data` refers to bytes owned elsewhere
/// (echo payload, or the quoted datagram of an error). `emit` writes the
/// header, copies `data` and fills the checksum.
struct repr {
    std::uint8_t type = type::echo_request;
    std::uint8_t code = 0;
    std::uint32_t rest_of_header = 0;  ///< host order; see the helpers
    bytes_view data{};

    /// Echo request (type 8) with identifier, sequence number and data.
    [[nodiscard]] static constexpr repr echo_request(std::uint16_t id, std::uint16_t seq, bytes_view d) noexcept {
        return repr{type::echo_request, 0, std::uint32_t{id} << 16 | seq, d};
    }
    /// Echo reply (type 0).
    [[nodiscard]] static constexpr repr echo_reply(std::uint16_t id, std::uint16_t seq, bytes_view d) noexcept {
        return repr{type::echo_reply, 0, std::uint32_t{id} << 16 | seq, d};
    }
    /// Destination unreachable with `code`, quoting `original` (the IPv4
    /// header + at least 8 data bytes); `mtu` is set for code 4 (RFC 1191).
    [[nodiscard]] static constexpr repr dest_unreachable(std::uint8_t c, bytes_view original, std::uint16_t mtu = 0) noexcept {
        return repr{type::dest_unreachable, c, c == unreachable::frag_needed ? mtu : 0u, original};
    }
    /// Time exceeded (type 11) with `code`, quoting `original`.
    [[nodiscard]] static constexpr repr time_exceeded(std::uint8_t c, bytes_view original) noexcept {
        return repr{type::time_exceeded, c, 0, original};
    }

    [[nodiscard]] constexpr std::uint16_t identifier() const noexcept { return static_cast<std::uint16_t>(rest_of_header >> 16); }
    [[nodiscard]] constexpr std::uint16_t sequence() const noexcept { return static_cast<std::uint16_t>(rest_of_header); }
    [[nodiscard]] constexpr std::uint16_t next_hop_mtu() const noexcept { return static_cast<std::uint16_t>(rest_of_header); }

    /// Reads a checked message. Errors (layer "icmpv4"): bad_checksum at
    /// byte 2 (when `mode` is verify); truncated for an error message whose
    /// quote is shorter than an IPv4 header + 8 bytes.
    [[nodiscard]] static constexpr result<repr> parse(message m, ipv4::checksum_mode mode = ipv4::checksum_mode::verify) noexcept {
        if (mode == ipv4::checksum_mode::verify && !m.verify_checksum())
            return make_error(errc::bad_checksum, "icmpv4", 2, "checksum does not verify");
        if (is_error(m.type())) {
            auto q = m.quoted();
            if (!q) return q.error();
            if (q->leading_data.size() < 8) return make_error(errc::truncated, "icmpv4", m.bytes().size(), "quote has fewer than 8 data bytes");
        }
        return repr{m.type(), m.code(), m.rest_of_header(), m.data()};
    }
    /// 8 + data bytes.
    [[nodiscard]] constexpr std::size_t buffer_len() const noexcept { return header_len + data.size(); }
    /// Writes header and data into `m` (buffer_len() bytes) and the checksum.
    constexpr void emit(mutable_message m) const noexcept {
        m.set_type(type);
        m.set_code(code);
        m.set_rest_of_header(rest_of_header);
        auto b = m.bytes();
        for (std::size_t i = 0; i < data.size(); ++i) b[header_len + i] = data[i];
        m.set_checksum(0);
        m.set_checksum(internet_checksum(bytes_view(b.first(buffer_len()))));
    }
};

}  // namespace wirekit::icmpv4

/// "{}": tcpdump style, "ICMP echo request, id 1234, seq 1, length 64",
/// "ICMP 10.66.0.2 unreachable - need to frag (mtu 1400), length 36".
/// "{:v}": the field tree.
template <class Bytes>
struct fmt::formatter<wirekit::icmpv4::basic_message<Bytes>>
    : wirekit::summary_or_tree_formatter {  // "{}" summary, "{:v}" field tree
    template <class Ctx>
    auto format(const wirekit::icmpv4::basic_message<Bytes>& m, Ctx& ctx) const {
        namespace t = wirekit::icmpv4::type;
        if (tree) return fmt::format_to(ctx.out(), "{:v}", static_cast<const typename wirekit::icmpv4::basic_message<Bytes>::base_view&>(m));
        const auto len = m.bytes().size();
        switch (m.type()) {
            case t::echo_request:
            case t::echo_reply:
                return fmt::format_to(ctx.out(), "ICMP echo {}, id {}, seq {}, length {}",
                                      m.type() == t::echo_request ? "request" : "reply", m.identifier(), m.sequence(), len);
            case t::dest_unreachable: {
                auto q = m.quoted();
                if (m.code() == wirekit::icmpv4::unreachable::frag_needed)
                    return q ? fmt::format_to(ctx.out(), "ICMP {} unreachable - need to frag (mtu {}), length {}", q->header.dst_addr, m.next_hop_mtu(), len)
                             : fmt::format_to(ctx.out(), "ICMP unreachable - need to frag (mtu {}), length {}", m.next_hop_mtu(), len);
                return q ? fmt::format_to(ctx.out(), "ICMP {} unreachable, code {}, length {}", q->header.dst_addr, m.code(), len)
                         : fmt::format_to(ctx.out(), "ICMP unreachable, code {}, length {}", m.code(), len);
            }
            case t::time_exceeded:
                return fmt::format_to(ctx.out(), "ICMP time exceeded {}, length {}",
                                      m.code() == 0 ? "in-transit" : "in fragment reassembly", len);
            default: return fmt::format_to(ctx.out(), "ICMP type {}, code {}, length {}", m.type(), m.code(), len);
        }
    }
};
