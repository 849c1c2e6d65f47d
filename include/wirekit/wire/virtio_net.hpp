// wirekit/wire/virtio_net.hpp — the virtio-net packet header (struct
// virtio_net_hdr, Virtual I/O Device (VIRTIO) Version 1.2, §5.1.6 "Device
// Operation"), which a Linux TAP device opened with IFF_VNET_HDR puts in
// front of every frame, both ways (Linux Documentation/networking/tuntap.rst,
// include/uapi/linux/virtio_net.h).
//
// Layer L2. It is metadata about the frame that follows, not a protocol on
// the wire: whether the transport checksum is still to be completed
// (NEEDS_CSUM: "partial", the checksum field holds only the pseudo-header
// sum, csum_start/csum_offset say where the real sum starts and goes), or
// has been validated (DATA_VALID), and whether the frame is a segmentation
// offload super-frame (gso_type, gso_size: payload bytes per segment,
// hdr_len: bytes of headers repeated in front of each segment).
//
// `header_layout` is the single source of truth for the field layout:
//
//   byte 0      flags        bit 0 NEEDS_CSUM, bit 1 DATA_VALID, bit 2 RSC_INFO
//   byte 1      gso_type     0 NONE, 1 TCPV4, 3 UDP, 4 TCPV6, 5 UDP_L4; | 0x80 ECN
//   bytes 2-3   hdr_len      le16
//   bytes 4-5   gso_size     le16
//   bytes 6-7   csum_start   le16
//   bytes 8-9   csum_offset  le16
//   bytes 10-11 num_buffers  le16 (VIRTIO_NET_F_MRG_RXBUF, or always in VIRTIO 1.x)
//
// Multi-byte fields are little-endian in VIRTIO 1.x (§5.1.6: "le16"); the
// legacy interface used the guest's byte order, so a TAP is told to use
// little-endian explicitly (TUNSETVNETLE; see io/tap.hpp).
#pragma once

#include <cstddef>      // std::size_t
#include <cstdint>      // field value types
#include <string_view>  // layer name

#include "../core/bytes.hpp"   // bytes_view, mutable_bytes
#include "../core/layout.hpp"  // layout, field, le_field
#include "../core/result.hpp"  // result, make_error
#include "../core/view.hpp"    // view, WIREKIT_FIELD
#include "check.hpp"           // detail::check_layout

namespace wirekit::virtio_net {

/// gso_type without the ECN bit (VIRTIO 1.2 §5.1.6, VIRTIO_NET_HDR_GSO_*).
enum class gso_type : std::uint8_t {
    none = 0,    ///< not a GSO frame
    tcpv4 = 1,   ///< TCP over IPv4 (TSO)
    udp = 3,     ///< UDP fragmentation offload (UFO, deprecated)
    tcpv6 = 4,   ///< TCP over IPv6
    udp_l4 = 5,  ///< UDP segmentation (USO)
};

/// struct virtio_net_hdr, VIRTIO 1.2 §5.1.6, with num_buffers: 12 bytes.
/// The flags and gso_type bytes are split into their named bits (most
/// significant first, as every wirekit layout).
struct header_layout : layout<field<"flags_reserved", 5>,        // flags bits 7-3: must be zero
                              field<"rsc_info", 1, bool>,        // VIRTIO_NET_HDR_F_RSC_INFO (bit 2)
                              field<"data_valid", 1, bool>,      // VIRTIO_NET_HDR_F_DATA_VALID (bit 1)
                              field<"needs_csum", 1, bool>,      // VIRTIO_NET_HDR_F_NEEDS_CSUM (bit 0)
                              field<"gso_ecn", 1, bool>,         // VIRTIO_NET_HDR_GSO_ECN (0x80)
                              field<"gso_kind", 7, gso_type>,    // VIRTIO_NET_HDR_GSO_*
                              le_field<"hdr_len", 16>,           // bytes of headers before the payload
                              le_field<"gso_size", 16>,          // payload bytes per segment (GSO)
                              le_field<"csum_start", 16>,        // checksum covers bytes from here to the end
                              le_field<"csum_offset", 16>,       // ... and is stored at csum_start + csum_offset
                              le_field<"num_buffers", 16>>       // merged receive buffers (0 on transmit)
{
    static constexpr std::string_view name = "virtio_net";
};

/// 12 bytes: the header with num_buffers (VIRTIO 1.x, or legacy with
/// VIRTIO_NET_F_MRG_RXBUF).
inline constexpr std::size_t header_len = header_layout::fixed_size;
/// 10 bytes: the legacy header without num_buffers (Linux's
/// sizeof(struct virtio_net_hdr), a TAP's default vnet header size).
inline constexpr std::size_t legacy_header_len = header_len - 2;

/// A view of a virtio-net header over `Bytes`.
template <class Bytes = bytes_view>
class basic_header : public view<header_layout, Bytes> {
public:
    using base_view = view<header_layout, Bytes>;
    constexpr basic_header() noexcept = default;

    /// Checks untrusted bytes. Errors (layer "virtio_net"): truncated below 12 bytes.
    [[nodiscard]] static constexpr result<basic_header> checked(Bytes b) noexcept {
        if (auto r = detail::check_layout<header_layout>(b); !r) return r.error();
        return unchecked(b);
    }
    [[nodiscard]] static constexpr basic_header unchecked(Bytes b) noexcept { return basic_header(base_view::unchecked(b)); }

    WIREKIT_FIELD(flags_reserved)
    WIREKIT_FIELD(rsc_info)
    WIREKIT_FIELD(data_valid)
    WIREKIT_FIELD(needs_csum)
    WIREKIT_FIELD(gso_ecn)
    WIREKIT_FIELD(gso_kind)
    WIREKIT_FIELD(hdr_len)
    WIREKIT_FIELD(gso_size)
    WIREKIT_FIELD(csum_start)
    WIREKIT_FIELD(csum_offset)
    WIREKIT_FIELD(num_buffers)

private:
    constexpr explicit basic_header(base_view v) noexcept : base_view(v) {}
};

using header = basic_header<bytes_view>;
using mutable_header = basic_header<mutable_bytes>;

/// The value of a virtio-net header.
struct repr {
    bool needs_csum = false;     ///< checksum partial: sum from csum_start to the end, store at csum_start + csum_offset
    bool data_valid = false;     ///< (to the driver) the device validated the checksum
    gso_type gso = gso_type::none;
    bool gso_ecn = false;        ///< the super-frame had CWR set (TCP ECN, RFC 3168)
    std::uint16_t hdr_len = 0;       ///< bytes of link + network + transport headers (GSO)
    std::uint16_t gso_size = 0;      ///< payload bytes per segment (GSO), the MSS
    std::uint16_t csum_start = 0;    ///< offset of the transport header from the frame start (NEEDS_CSUM)
    std::uint16_t csum_offset = 0;   ///< offset of the checksum field within it: 16 for TCP, 6 for UDP
    std::uint16_t num_buffers = 0;   ///< receive buffers merged (VIRTIO_NET_F_MRG_RXBUF); 0 when sent

    friend constexpr bool operator==(const repr&, const repr&) = default;

    /// Reads a header. Errors (layer "virtio_net"): unsupported at byte 0
    /// when a flag bit other than NEEDS_CSUM, DATA_VALID and RSC_INFO (the
    /// ones VIRTIO 1.2 §5.1.6 defines) is set.
    [[nodiscard]] static constexpr result<repr> parse(header h) noexcept {
        if (h.flags_reserved() != 0) return make_error(errc::unsupported, "virtio_net", 0, "reserved flag bits set");
        repr r;
        r.needs_csum = h.needs_csum();
        r.data_valid = h.data_valid();
        r.gso = h.gso_kind();
        r.gso_ecn = h.gso_ecn();
        r.hdr_len = h.hdr_len();
        r.gso_size = h.gso_size();
        r.csum_start = h.csum_start();
        r.csum_offset = h.csum_offset();
        r.num_buffers = h.num_buffers();
        return r;
    }
    /// 12 bytes.
    [[nodiscard]] static constexpr std::size_t buffer_len() noexcept { return header_len; }
    /// Writes all 12 bytes (RSC_INFO and the reserved bits zero).
    constexpr void emit(mutable_header h) const noexcept {
        h.set_flags_reserved(0);
        h.set_rsc_info(false);
        h.set_data_valid(data_valid);
        h.set_needs_csum(needs_csum);
        h.set_gso_ecn(gso_ecn);
        h.set_gso_kind(gso);
        h.set_hdr_len(hdr_len);
        h.set_gso_size(gso_size);
        h.set_csum_start(csum_start);
        h.set_csum_offset(csum_offset);
        h.set_num_buffers(num_buffers);
    }
};

}  // namespace wirekit::virtio_net
