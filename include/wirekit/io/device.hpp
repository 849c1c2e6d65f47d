// wirekit/io/device.hpp — the frame_device concept: what every link-layer
// backend (memory_pipe, pcap, tap) and every middleware offers.
//
// Layer L4. A frame device moves whole link-layer frames:
//
//   capabilities()  link type, MTU, checksum offload
//   receive()       the next frame, zero-copy, with its timestamp; or nothing
//                   now (non-blocking); frame bytes stay valid until the next
//                   receive() on the same device
//   transmit(f)     sends one frame (the caller built it, FCS excluded)
//   native_handle() a file descriptor to poll(2) for readability, or -1 when
//                   the device has none (memory_pipe: drive it by time)
//
// Several devices are waited on together with wait_readable() (poll(2)).
#pragma once

#include <poll.h>  // poll, pollfd

#include <cerrno>    // EINTR
#include <chrono>    // timestamps, timeouts
#include <concepts>  // std::same_as
#include <cstddef>   // std::size_t
#include <cstdint>   // std::uint32_t
#include <optional>  // "no frame now"
#include <span>      // handle lists
#include <vector>    // pollfd array

#include "../core/bytes.hpp"  // bytes_view
#include "error.hpp"          // io_result, io_error

namespace wirekit::io {

/// Time of a frame: nanoseconds since the Unix epoch for real devices, or
/// since the start of the simulation for memory_pipe (a virtual clock).
using timestamp = std::chrono::nanoseconds;

/// Link-layer header types: the LINKTYPE_ values of the pcap/pcapng formats
/// (tcpdump.org/linktypes.html, draft-ietf-opsawg-pcaplinktype).
enum class link_type : std::uint32_t {
    null = 0,          ///< BSD loopback
    ethernet = 1,      ///< IEEE 802.3 Ethernet (DLT_EN10MB)
    raw = 101,         ///< raw IPv4/IPv6, no link header
    linux_sll = 113,   ///< Linux "cooked" capture v1
    ipv4 = 228,        ///< raw IPv4
    ipv6 = 229,        ///< raw IPv6
    linux_sll2 = 276,  ///< Linux "cooked" capture v2
};

/// Which checksums the device computes or checks itself. When the transmit
/// side offloads, frames a program captures from it can carry unfilled
/// checksums (tcpdump's "incorrect checksum" on outgoing packets).
struct checksum_offload {
    bool ipv4_header = false;   ///< IPv4 header checksum
    bool transport = false;     ///< TCP/UDP/ICMP checksums
    friend constexpr bool operator==(const checksum_offload&, const checksum_offload&) = default;
};

/// Segmentation offload kinds of a frame (the virtio-net gso_type values
/// wirekit handles; VIRTIO 1.2 §5.1.6).
enum class segmentation : std::uint8_t {
    none,   ///< an ordinary frame, at most MTU + link header
    tcpv4,  ///< a TCP/IPv4 super-frame: one IPv4 + TCP header, then gso_size-byte segments
};

/// Offload metadata of one frame, per frame (the virtio-net header's
/// meaning, VIRTIO 1.2 §5.1.6; Linux Documentation/networking/tuntap.rst,
/// "IFF_VNET_HDR"). Receive: what the host stack left undone or checked.
/// Transmit (offload_frame_device::transmit(frame, offload)): what the
/// device is asked to finish.
struct frame_offload {
    /// The transport checksum is partial (VIRTIO_NET_HDR_F_NEEDS_CSUM): the
    /// field at csum_start + csum_offset holds only the folded, not
    /// complemented, pseudo-header sum; the Internet checksum (RFC 1071) of
    /// the bytes from csum_start to the end of the frame completes it. A
    /// received frame with this flag came from the host's own stack and is
    /// treated as valid (virtio semantics: the data was never on a wire).
    bool needs_checksum = false;
    /// Receive only: the host validated the transport checksum
    /// (VIRTIO_NET_HDR_F_DATA_VALID).
    bool checksum_valid = false;
    std::uint16_t csum_start = 0;   ///< bytes from the frame start to the transport header
    std::uint16_t csum_offset = 0;  ///< bytes from there to the checksum field (TCP 16, UDP 6)
    segmentation gso = segmentation::none;
    std::uint16_t gso_size = 0;     ///< payload bytes per segment of a super-frame (the MSS)
    std::uint16_t hdr_len = 0;      ///< bytes of link + IP + TCP headers of a super-frame
    friend constexpr bool operator==(const frame_offload&, const frame_offload&) = default;
};

/// Offloads of a device that carries frame_offload metadata (a TAP with
/// IFF_VNET_HDR). A device without them (memory_pipe, pcap) has all zero.
struct offload_capabilities {
    /// receive() may deliver frames with needs_checksum / checksum_valid set
    /// (their transport checksums must not be verified).
    bool rx_checksum = false;
    /// Largest frame receive() may deliver, link header included, when the
    /// host sends TCP/IPv4 super-frames (GSO/TSO); 0: at most MTU + link header.
    std::size_t rx_gso_max = 0;
    /// transmit(frame, offload) completes partial transport checksums.
    bool tx_checksum = false;
    /// Largest TCP/IPv4 super-frame transmit(frame, offload) accepts, link
    /// header included; 0: none.
    std::size_t tx_gso_max = 0;
    friend constexpr bool operator==(const offload_capabilities&, const offload_capabilities&) = default;
};

/// What a device is.
struct device_capabilities {
    link_type link = link_type::ethernet;
    std::size_t mtu = 1500;       ///< largest payload after the link header, bytes (snap length for files)
    checksum_offload rx{};        ///< frames received may carry unverified checksums
    checksum_offload tx{};        ///< the device fills these checksums on transmit
    bool can_transmit = true;     ///< false for capture files and read-only captures
    offload_capabilities offload{};  ///< per-frame offloads (offload_frame_device only)
};

/// One received frame: a view of the device's buffer (valid until the next
/// receive() on the same device), its capture time, its original length on
/// the wire (larger than data.size() when a snap length cut it), and its
/// offload metadata (all zero unless the device offers offloads).
struct frame_ref {
    bytes_view data{};
    timestamp time{};
    std::size_t wire_len = 0;
    frame_offload offload{};
};

/// A link-layer device. See the file comment for the contract.
template <class D>
concept frame_device = requires(D& d, const D& cd, bytes_view frame) {
    { cd.capabilities() } -> std::same_as<device_capabilities>;
    { d.receive() } -> std::same_as<io_result<std::optional<frame_ref>>>;
    { d.transmit(frame) } -> std::same_as<io_result<void>>;
    { cd.native_handle() } -> std::same_as<int>;
};

/// A frame device that also transmits with per-frame offload metadata:
/// `transmit(frame, offload)` sends a frame whose transport checksum the
/// device completes (offload.needs_checksum) and, for a super-frame
/// (offload.gso), which the device or the host splits into gso_size-byte
/// segments. capabilities().offload says which of these it accepts.
template <class D>
concept offload_frame_device = frame_device<D> && requires(D& d, bytes_view frame, const frame_offload& o) {
    { d.transmit(frame, o) } -> std::same_as<io_result<void>>;
};

/// Waits up to `timeout` until one of `handles` (native_handle() values;
/// −1 entries are ignored) is readable. Returns the indices of the readable
/// ones (empty on timeout). Errors: poll(2)'s errno (EINTR is retried).
[[nodiscard]] inline io_result<std::vector<std::size_t>> wait_readable(std::span<const int> handles,
                                                                       std::chrono::milliseconds timeout) {
    std::vector<pollfd> fds;
    fds.reserve(handles.size());
    for (int h : handles) fds.push_back(pollfd{h, POLLIN, 0});  // negative fds are ignored by poll
    int n = 0;
    do {
        n = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno_error("poll", errno);
    std::vector<std::size_t> ready;
    for (std::size_t i = 0; i < fds.size(); ++i)
        if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0) ready.push_back(i);
    return ready;
}

}  // namespace wirekit::io
