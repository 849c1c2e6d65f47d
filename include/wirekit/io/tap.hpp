// wirekit/io/tap.hpp — Linux TAP devices (/dev/net/tun, IFF_TAP | IFF_NO_PI):
// the kernel's side of a virtual Ethernet link, so a user-space stack can
// talk to the host (Linux Documentation/networking/tuntap.rst).
//
// Layer L4. Each read(2) returns one Ethernet frame (no FCS, no packet-info
// prefix), each write(2) sends one. Creating an interface needs
// CAP_NET_ADMIN in the network namespace; the device lives in the network
// namespace of the thread that opens it.
//
// Offloads (tap_options::offload): with IFF_VNET_HDR every frame, both ways,
// follows a 12-byte virtio-net header (wire/virtio_net.hpp; VIRTIO 1.2
// §5.1.6; tuntap.rst). TUNSETOFFLOAD then tells the kernel what the reader
// handles, and the kernel sends accordingly: TUN_F_CSUM — TCP/UDP frames
// with partial checksums (NEEDS_CSUM), never completed in software;
// TUN_F_TSO4 — TCP/IPv4 super-frames of up to 64 KiB (gso_type TCPV4,
// one header, the segments' payloads back to back), never segmented in
// software. The other way, a frame written with NEEDS_CSUM and/or GSO
// metadata enters the kernel as a CHECKSUM_PARTIAL / GSO skb, like a frame
// from a NIC that did GRO and checked the checksum: TCP receives the
// super-frame in one piece. Without the option the TAP has no vnet header
// and TUNSETOFFLOAD(0) resets the interface's features (they outlive the
// descriptor of a persistent TAP), so the kernel segments and checksums
// everything in software.
#pragma once

#include <fcntl.h>       // open, O_RDWR, O_NONBLOCK
#include <linux/if.h>    // ifreq, IFNAMSIZ, IFF_UP
#include <linux/if_tun.h>  // TUNSETIFF, IFF_TAP, IFF_NO_PI, IFF_TUN_EXCL
#include <sys/ioctl.h>   // ioctl
#include <sys/socket.h>  // socket (for SIOCGIFMTU)
#include <sys/uio.h>     // writev (virtio-net header + frame)
#include <time.h>        // clock_gettime (receive timestamps)
#include <unistd.h>      // read, write, close

#include <array>     // virtio-net header scratch
#include <bit>       // std::endian
#include <cerrno>    // errno
#include <cstddef>   // std::byte
#include <cstring>   // std::memcpy
#include <optional>  // receive outcome
#include <string>    // interface name
#include <utility>   // std::exchange
#include <vector>    // receive buffer

#include "../core/bytes.hpp"  // bytes_view
#include "../wire/virtio_net.hpp"  // virtio_net header (IFF_VNET_HDR)
#include "device.hpp"         // frame_device
#include "error.hpp"          // io_result

namespace wirekit::io {

/// How tap_device::open treats an existing interface of that name.
enum class tap_mode : unsigned char {
    create_or_attach,  ///< attach if it exists, else create (TUNSETIFF's default)
    create,            ///< fail with busy if it exists (IFF_TUN_EXCL)
    attach,            ///< fail with no_device unless it exists
};

/// Offloads tap_device::open asks for (see the file comment).
enum class tap_offload : unsigned char {
    none,      ///< no virtio-net header; every frame MTU-sized and fully checksummed
    checksum,  ///< IFF_VNET_HDR + TUN_F_CSUM: partial checksums both ways
    tso,       ///< also TUN_F_TSO4: TCP/IPv4 super-frames up to 64 KiB both ways
};

/// Options of tap_device::open.
struct tap_options {
    tap_mode mode = tap_mode::create_or_attach;
    bool nonblocking = true;  ///< receive() returns nullopt instead of waiting
    bool bring_up = false;    ///< set IFF_UP after opening (needs CAP_NET_ADMIN)
    tap_offload offload = tap_offload::none;  ///< virtio-net header and offloads
};

/// Largest TCP/IPv4 super-frame either way with tap_offload::tso: an IPv4
/// datagram of at most 65535 bytes (RFC 791) behind a 14-byte Ethernet
/// header (the TAP's default gso_max_size is 64 KiB).
inline constexpr std::size_t tap_gso_max = 14 + 65535;

/// An open TAP interface. Movable, not copyable; closing the last descriptor
/// of a non-persistent TAP removes the interface.
class tap_device {
public:
    /// Opens the TAP interface `name` (at most 15 characters; "" lets the
    /// kernel pick tapN). Errors: invalid_argument (name too long),
    /// no_device (/dev/net/tun missing: load the tun module, or attach to a
    /// name that does not exist), permission_denied (needs CAP_NET_ADMIN),
    /// busy (exists in create mode, or exists as another kind of interface);
    /// with o.offload, the errno of TUNSETVNETHDRSZ or TUNSETOFFLOAD (a
    /// kernel without virtio-net header support), as system or
    /// invalid_argument.
    [[nodiscard]] static io_result<tap_device> open(const std::string& name, const tap_options& o = {}) {
        if (name.size() >= IFNAMSIZ) return io_error{io_errc::invalid_argument, "tap_device::open", 0, "interface name longer than 15 characters"};
        if (o.mode == tap_mode::attach && !interface_exists(name))
            return io_error{io_errc::no_device, "tap_device::open", ENODEV, "no interface named '" + name + "' to attach to"};
        const int fd = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC | (o.nonblocking ? O_NONBLOCK : 0));
        if (fd < 0) {
            const int e = errno;
            return errno_error("open /dev/net/tun", e,
                               e == ENOENT ? "no TUN/TAP support: modprobe tun" : e == EACCES || e == EPERM ? "needs read/write access to /dev/net/tun" : "");
        }
        tap_device dev(fd);
        ifreq ifr{};
        const bool vnet = o.offload != tap_offload::none;
        ifr.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | (o.mode == tap_mode::create ? IFF_TUN_EXCL : 0) |
                                           (vnet ? IFF_VNET_HDR : 0));
        std::memcpy(ifr.ifr_name, name.c_str(), name.size());
        if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
            const int e = errno;
            return errno_error("TUNSETIFF", e,
                               e == EPERM ? "creating a TAP interface needs CAP_NET_ADMIN (run as root)"
                               : e == EBUSY ? "the interface exists with another owner or type" : "");
        }
        dev.name_ = ifr.ifr_name;
        if (vnet) {
            // The header with num_buffers (VIRTIO 1.x), little-endian fields.
            int size = static_cast<int>(virtio_net::header_len);
            if (::ioctl(fd, TUNSETVNETHDRSZ, &size) < 0) return errno_error("TUNSETVNETHDRSZ", errno);
            int le = 1;
            if (::ioctl(fd, TUNSETVNETLE, &le) < 0 && std::endian::native != std::endian::little)
                return errno_error("TUNSETVNETLE", errno, "the kernel cannot use little-endian virtio headers");
            dev.vnet_ = true;
        }
        const unsigned long features = o.offload == tap_offload::tso        ? TUN_F_CSUM | TUN_F_TSO4
                                       : o.offload == tap_offload::checksum ? TUN_F_CSUM
                                                                            : 0;
        if (::ioctl(fd, TUNSETOFFLOAD, features) < 0) return errno_error("TUNSETOFFLOAD", errno);
        dev.offload_ = o.offload;
        if (o.bring_up) {
            if (auto r = dev.set_up(true); !r) return r.error();
        }
        return dev;
    }

    tap_device(tap_device&& o) noexcept
        : fd_(std::exchange(o.fd_, -1)), name_(std::move(o.name_)), buf_(std::move(o.buf_)), vnet_(o.vnet_), offload_(o.offload_) {}
    tap_device& operator=(tap_device&& o) noexcept {
        if (this != &o) {
            close();
            fd_ = std::exchange(o.fd_, -1);
            name_ = std::move(o.name_);
            buf_ = std::move(o.buf_);
            vnet_ = o.vnet_;
            offload_ = o.offload_;
        }
        return *this;
    }
    tap_device(const tap_device&) = delete;
    tap_device& operator=(const tap_device&) = delete;
    ~tap_device() { close(); }

    /// The interface name the kernel assigned.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    /// Ethernet, the interface's current MTU (1500 if the query fails), and
    /// the offloads opened with: tap_offload::checksum — rx_checksum and
    /// tx_checksum; tap_offload::tso — also rx_gso_max and tx_gso_max of
    /// tap_gso_max bytes. capabilities().rx / .tx stay false: the plain
    /// transmit(frame) sends no offload metadata.
    [[nodiscard]] device_capabilities capabilities() const {
        device_capabilities c;
        auto m = mtu();
        c.mtu = m ? *m : 1500;
        if (offload_ != tap_offload::none) {
            c.offload.rx_checksum = true;
            c.offload.tx_checksum = true;
        }
        if (offload_ == tap_offload::tso) {
            c.offload.rx_gso_max = tap_gso_max;
            c.offload.tx_gso_max = tap_gso_max;
        }
        return c;
    }
    /// The offloads opened with.
    [[nodiscard]] tap_offload offload() const noexcept { return offload_; }
    /// The interface MTU in bytes (SIOCGIFMTU). Errors: the ioctl's errno.
    [[nodiscard]] io_result<std::size_t> mtu() const {
        ifreq ifr = request();
        if (auto r = if_ioctl(SIOCGIFMTU, ifr, "SIOCGIFMTU"); !r) return r.error();
        return static_cast<std::size_t>(ifr.ifr_mtu);
    }
    /// Brings the interface up or down (SIOCSIFFLAGS). Errors: permission_denied, system.
    io_result<void> set_up(bool up) {
        ifreq ifr = request();
        if (auto r = if_ioctl(SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS"); !r) return r;
        ifr.ifr_flags = static_cast<short>(up ? (ifr.ifr_flags | IFF_UP) : (ifr.ifr_flags & ~IFF_UP));
        return if_ioctl(SIOCSIFFLAGS, ifr, "SIOCSIFFLAGS");
    }
    /// The next frame the kernel sent to this interface (bytes valid until
    /// the next receive), stamped with CLOCK_REALTIME; nullopt when none is
    /// waiting (non-blocking). With offloads, frame_ref::offload is the
    /// frame's virtio-net header (partial or validated checksum, GSO
    /// super-frame) and the frame may be up to tap_gso_max bytes. Errors:
    /// system (read's errno, or a virtio-net header that is short or has
    /// reserved bits set); unsupported (a GSO type other than TCPV4). The
    /// offending frame is consumed either way.
    io_result<std::optional<frame_ref>> receive() {
        if (buf_.empty()) buf_.resize(virtio_net::header_len + tap_gso_max + 18);  // + VLAN tags
        const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::optional<frame_ref>{};
            return errno_error("read tap", errno);
        }
        timespec ts{};
        ::clock_gettime(CLOCK_REALTIME, &ts);
        auto len = static_cast<std::size_t>(n);
        const std::byte* data = buf_.data();
        frame_offload off{};
        if (vnet_) {
            auto h = virtio_net::header::checked(bytes_view(buf_.data(), len));
            if (!h) return io_error{io_errc::system, "read tap", 0, "frame shorter than its virtio-net header"};
            auto r = virtio_net::repr::parse(*h);
            if (!r) return io_error{io_errc::system, "read tap", 0, "virtio-net header with reserved flags"};
            if (r->gso != virtio_net::gso_type::none && r->gso != virtio_net::gso_type::tcpv4)
                return io_error{io_errc::unsupported, "read tap", 0, "GSO type other than TCPV4 (not enabled)"};
            off.needs_checksum = r->needs_csum;
            off.checksum_valid = r->data_valid;
            off.csum_start = r->csum_start;
            off.csum_offset = r->csum_offset;
            off.gso = r->gso == virtio_net::gso_type::tcpv4 ? segmentation::tcpv4 : segmentation::none;
            off.gso_size = r->gso_size;
            off.hdr_len = r->hdr_len;
            data += virtio_net::header_len;
            len -= virtio_net::header_len;
        }
        return std::optional<frame_ref>(frame_ref{bytes_view(data, len),
                                                  std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec), len, off});
    }
    /// Sends one Ethernet frame into the kernel (with offloads: behind a
    /// virtio-net header that asks for nothing). Errors: too_big (longer
    /// than MTU + header: EINVAL/EMSGSIZE from the driver), closed, system.
    io_result<void> transmit(bytes_view frame) {
        if (vnet_) return transmit(frame, frame_offload{});
        const ssize_t n = ::write(fd_, frame.data(), frame.size());
        if (n < 0) return errno_error("write tap", errno);
        if (static_cast<std::size_t>(n) != frame.size()) return io_error{io_errc::system, "write tap", 0, "short write"};
        return {};
    }
    /// Sends one Ethernet frame with offload metadata, in one writev(2) of
    /// the virtio-net header and the frame (no copy): `o.needs_checksum`
    /// asks the kernel to complete the transport checksum (the field holds
    /// the pseudo-header sum); `o.gso == segmentation::tcpv4` marks a
    /// TCP/IPv4 super-frame of segments of o.gso_size payload bytes
    /// (needs needs_checksum and tap_offload::tso). Errors: unsupported
    /// (offload metadata without the matching tap_offload), invalid_argument
    /// (the kernel rejected the header: EINVAL), closed, system.
    io_result<void> transmit(bytes_view frame, const frame_offload& o) {
        if (!vnet_) {
            if (o.needs_checksum || o.gso != segmentation::none)
                return io_error{io_errc::unsupported, "write tap", 0, "offload metadata on a TAP opened without offloads"};
            return transmit(frame);
        }
        if (o.gso != segmentation::none && offload_ != tap_offload::tso)
            return io_error{io_errc::unsupported, "write tap", 0, "a GSO super-frame needs tap_offload::tso"};
        virtio_net::repr r;
        r.needs_csum = o.needs_checksum;
        r.csum_start = o.csum_start;
        r.csum_offset = o.csum_offset;
        r.gso = o.gso == segmentation::tcpv4 ? virtio_net::gso_type::tcpv4 : virtio_net::gso_type::none;
        r.gso_size = o.gso_size;
        r.hdr_len = o.hdr_len;
        std::array<std::byte, virtio_net::header_len> h{};
        r.emit(virtio_net::mutable_header::unchecked(mutable_bytes(h)));
        iovec iov[2] = {{h.data(), h.size()}, {const_cast<std::byte*>(frame.data()), frame.size()}};
        const ssize_t n = ::writev(fd_, iov, 2);
        if (n < 0) {
            const int e = errno;
            if (e == EINVAL) return io_error{io_errc::invalid_argument, "write tap", e, "the kernel rejected the frame or its virtio-net header"};
            return errno_error("write tap", e);
        }
        if (static_cast<std::size_t>(n) != h.size() + frame.size()) return io_error{io_errc::system, "write tap", 0, "short write"};
        return {};
    }
    /// The /dev/net/tun descriptor (readable when a frame waits).
    [[nodiscard]] int native_handle() const { return fd_; }

    /// True when an interface called `name` exists in this network namespace.
    [[nodiscard]] static bool interface_exists(const std::string& name) {
        const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) return false;
        ifreq ifr{};
        std::memcpy(ifr.ifr_name, name.c_str(), name.size() < IFNAMSIZ ? name.size() : IFNAMSIZ - 1);
        const bool ok = ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
        ::close(s);
        return ok;
    }

private:
    explicit tap_device(int fd) : fd_(fd) {}
    void close() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    [[nodiscard]] ifreq request() const {
        ifreq ifr{};
        std::memcpy(ifr.ifr_name, name_.c_str(), name_.size() < IFNAMSIZ ? name_.size() : IFNAMSIZ - 1);
        return ifr;
    }
    static io_result<void> if_ioctl(unsigned long req, ifreq& ifr, std::string_view op) {
        const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) return errno_error("socket", errno);
        const int rc = ::ioctl(s, req, &ifr);
        const int e = errno;
        ::close(s);
        if (rc < 0) return errno_error(op, e, e == EPERM ? "needs CAP_NET_ADMIN" : "");
        return {};
    }

    int fd_ = -1;
    std::string name_{};
    std::vector<std::byte> buf_{};
    bool vnet_ = false;  // IFF_VNET_HDR: a virtio-net header before every frame
    tap_offload offload_ = tap_offload::none;
};

static_assert(frame_device<tap_device>);
static_assert(offload_frame_device<tap_device>);

}  // namespace wirekit::io
