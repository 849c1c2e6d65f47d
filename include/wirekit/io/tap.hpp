// wirekit/io/tap.hpp — Linux TAP devices (/dev/net/tun, IFF_TAP | IFF_NO_PI):
// the kernel's side of a virtual Ethernet link, so a user-space stack can
// talk to the host (Linux Documentation/networking/tuntap.rst).
//
// Layer L4. Each read(2) returns one Ethernet frame (no FCS, no packet-info
// prefix), each write(2) sends one. Creating an interface needs
// CAP_NET_ADMIN in the network namespace; the device lives in the network
// namespace of the thread that opens it.
#pragma once

#include <fcntl.h>       // open, O_RDWR, O_NONBLOCK
#include <linux/if.h>    // ifreq, IFNAMSIZ, IFF_UP
#include <linux/if_tun.h>  // TUNSETIFF, IFF_TAP, IFF_NO_PI, IFF_TUN_EXCL
#include <sys/ioctl.h>   // ioctl
#include <sys/socket.h>  // socket (for SIOCGIFMTU)
#include <time.h>        // clock_gettime (receive timestamps)
#include <unistd.h>      // read, write, close

#include <cerrno>    // errno
#include <cstddef>   // std::byte
#include <cstring>   // std::memcpy
#include <optional>  // receive outcome
#include <string>    // interface name
#include <utility>   // std::exchange
#include <vector>    // receive buffer

#include "../core/bytes.hpp"  // bytes_view
#include "device.hpp"         // frame_device
#include "error.hpp"          // io_result

namespace wirekit::io {

/// How tap_device::open treats an existing interface of that name.
enum class tap_mode : unsigned char {
    create_or_attach,  ///< attach if it exists, else create (TUNSETIFF's default)
    create,            ///< fail with busy if it exists (IFF_TUN_EXCL)
    attach,            ///< fail with no_device unless it exists
};

/// Options of tap_device::open.
struct tap_options {
    tap_mode mode = tap_mode::create_or_attach;
    bool nonblocking = true;  ///< receive() returns nullopt instead of waiting
    bool bring_up = false;    ///< set IFF_UP after opening (needs CAP_NET_ADMIN)
};

/// An open TAP interface. Movable, not copyable; closing the last descriptor
/// of a non-persistent TAP removes the interface.
class tap_device {
public:
    /// Opens the TAP interface `name` (at most 15 characters; "" lets the
    /// kernel pick tapN). Errors: invalid_argument (name too long),
    /// no_device (/dev/net/tun missing: load the tun module, or attach to a
    /// name that does not exist), permission_denied (needs CAP_NET_ADMIN),
    /// busy (exists in create mode, or exists as another kind of interface).
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
        ifr.ifr_flags = static_cast<short>(IFF_TAP | IFF_NO_PI | (o.mode == tap_mode::create ? IFF_TUN_EXCL : 0));
        std::memcpy(ifr.ifr_name, name.c_str(), name.size());
        if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
            const int e = errno;
            return errno_error("TUNSETIFF", e,
                               e == EPERM ? "creating a TAP interface needs CAP_NET_ADMIN (run as root)"
                               : e == EBUSY ? "the interface exists with another owner or type" : "");
        }
        dev.name_ = ifr.ifr_name;
        if (o.bring_up) {
            if (auto r = dev.set_up(true); !r) return r.error();
        }
        return dev;
    }

    tap_device(tap_device&& o) noexcept : fd_(std::exchange(o.fd_, -1)), name_(std::move(o.name_)), buf_(std::move(o.buf_)) {}
    tap_device& operator=(tap_device&& o) noexcept {
        if (this != &o) {
            close();
            fd_ = std::exchange(o.fd_, -1);
            name_ = std::move(o.name_);
            buf_ = std::move(o.buf_);
        }
        return *this;
    }
    tap_device(const tap_device&) = delete;
    tap_device& operator=(const tap_device&) = delete;
    ~tap_device() { close(); }

    /// The interface name the kernel assigned.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    /// Ethernet, the interface's current MTU (1500 if the query fails), no offload.
    [[nodiscard]] device_capabilities capabilities() const {
        device_capabilities c;
        auto m = mtu();
        c.mtu = m ? *m : 1500;
        return c;
    }
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
    /// waiting (non-blocking). Errors: system (read's errno).
    io_result<std::optional<frame_ref>> receive() {
        if (buf_.empty()) buf_.resize(65536 + 18);
        const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::optional<frame_ref>{};
            return errno_error("read tap", errno);
        }
        timespec ts{};
        ::clock_gettime(CLOCK_REALTIME, &ts);
        const auto len = static_cast<std::size_t>(n);
        return std::optional<frame_ref>(frame_ref{bytes_view(buf_.data(), len),
                                                  std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec), len});
    }
    /// Sends one Ethernet frame into the kernel. Errors: too_big (longer than
    /// MTU + header: EINVAL/EMSGSIZE from the driver), closed, system.
    io_result<void> transmit(bytes_view frame) {
        const ssize_t n = ::write(fd_, frame.data(), frame.size());
        if (n < 0) return errno_error("write tap", errno);
        if (static_cast<std::size_t>(n) != frame.size()) return io_error{io_errc::system, "write tap", 0, "short write"};
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
};

static_assert(frame_device<tap_device>);

}  // namespace wirekit::io
