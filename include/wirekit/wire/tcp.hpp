// wirekit/wire/tcp.hpp — TCP header (RFC 9293 §3.1; ECN bits per RFC 3168 §6.1).
//
// Layer L2. `tcp::header_layout` is the single source of truth for the
// header's offsets. `tcp::segment` (read-only) and `tcp::mutable_segment`
// are zero-copy views with bare-name accessors: `syn()`, `set_window(...)`.
// TCP has no length field: the segment is whatever the IP layer delivers.
#pragma once

#include <cstdint>      // field value types
#include <string_view>  // layer name

#include "../core/bytes.hpp"   // bytes_view, mutable_bytes
#include "../core/layout.hpp"  // layout, field, field_ref
#include "../core/result.hpp"  // result, wire_error
#include "../core/view.hpp"    // view, WIREKIT_FIELD

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

    /// Checks untrusted bytes. Errors (layer "tcp"): truncated (shorter than
    /// 20 bytes or Data Offset × 4), bad_length (Data Offset below 5, at byte 0).
    [[nodiscard]] static constexpr result<basic_segment> checked(Bytes b) noexcept {
        auto r = base_view::checked(b);
        if (!r) return r.error();
        return basic_segment(*r);
    }
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

private:
    constexpr explicit basic_segment(base_view v) noexcept : base_view(v) {}
};

using segment = basic_segment<bytes_view>;            ///< read-only TCP view
using mutable_segment = basic_segment<mutable_bytes>;  ///< writable TCP view

}  // namespace wirekit::tcp
