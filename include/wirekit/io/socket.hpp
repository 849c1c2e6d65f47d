// wirekit/io/socket.hpp — RAII over kernel UDP and TCP sockets with the BSD
// calls (socket, bind, listen, accept, connect, send, recv, sendto,
// recvfrom, close), errors returned as io_result.
//
// Layer L4. A `socket` owns one descriptor and closes it when destroyed.
// send() may send fewer bytes than asked (POSIX send(2)); send_all() loops
// until everything is sent — the classic partial-send pitfall. recv()
// returning 0 bytes on a stream socket means the peer closed its side.
// SIGPIPE is suppressed (MSG_NOSIGNAL): a closed peer is the error `closed`.
#pragma once

#include <arpa/inet.h>   // htons, ntohs
#include <fcntl.h>       // fcntl, O_NONBLOCK
#include <netinet/in.h>  // sockaddr_in, sockaddr_in6, IPPROTO_*
#include <netinet/tcp.h> // TCP_NODELAY
#include <sys/socket.h>  // the BSD socket API
#include <unistd.h>      // close

#include <cerrno>    // errno
#include <cstddef>   // std::size_t
#include <cstdint>   // std::uint16_t
#include <cstring>   // std::memcpy
#include <string>    // to_string
#include <utility>   // std::exchange, std::pair
#include <variant>   // endpoint address

#include "../core/address.hpp"  // ipv4_address, ipv6_address
#include "../core/bytes.hpp"    // bytes_view, mutable_bytes
#include "error.hpp"            // io_result, io_error
#include "stream.hpp"           // byte_stream (checked below)

namespace wirekit::io {

/// An IP address and port (host byte order for the port).
struct endpoint {
    std::variant<ipv4_address, ipv6_address> address{ipv4_address{}};
    std::uint16_t port = 0;

    /// 127.0.0.1:port.
    [[nodiscard]] static endpoint loopback_v4(std::uint16_t port) noexcept { return {ipv4_address::of(127, 0, 0, 1), port}; }
    [[nodiscard]] bool is_v6() const noexcept { return address.index() == 1; }
    /// "a.b.c.d:port" or "[v6]:port".
    [[nodiscard]] std::string to_string() const {
        char buf[INET6_ADDRSTRLEN] = {};
        if (is_v6()) ::inet_ntop(AF_INET6, std::get<1>(address).octets.data(), buf, sizeof buf);
        else ::inet_ntop(AF_INET, std::get<0>(address).octets.data(), buf, sizeof buf);
        std::string s;
        if (is_v6()) s += '[';
        s += buf;
        if (is_v6()) s += ']';
        s += ':';
        s += std::to_string(port);
        return s;
    }
    friend bool operator==(const endpoint&, const endpoint&) = default;
};

namespace detail {
inline socklen_t to_sockaddr(const endpoint& ep, sockaddr_storage& ss) noexcept {
    ss = {};
    if (ep.is_v6()) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(ep.port);
        std::memcpy(&s6->sin6_addr, std::get<1>(ep.address).octets.data(), 16);
        return sizeof(sockaddr_in6);
    }
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(ep.port);
    std::memcpy(&s4->sin_addr, std::get<0>(ep.address).octets.data(), 4);
    return sizeof(sockaddr_in);
}
inline endpoint from_sockaddr(const sockaddr_storage& ss) noexcept {
    endpoint ep;
    if (ss.ss_family == AF_INET6) {
        const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        ipv6_address a{};
        std::memcpy(a.octets.data(), &s6->sin6_addr, 16);
        ep.address = a;
        ep.port = ntohs(s6->sin6_port);
    } else {
        const auto* s4 = reinterpret_cast<const sockaddr_in*>(&ss);
        ipv4_address a{};
        std::memcpy(a.octets.data(), &s4->sin_addr, 4);
        ep.address = a;
        ep.port = ntohs(s4->sin_port);
    }
    return ep;
}
}  // namespace detail

/// Transport of a socket.
enum class transport : unsigned char { udp, tcp };

/// One kernel socket (UDP or TCP, IPv4 or IPv6). Movable, not copyable.
class socket {
public:
    /// socket(2): a UDP or TCP socket, IPv4 or (ipv6 = true) IPv6.
    [[nodiscard]] static io_result<socket> open(transport t, bool ipv6 = false) {
        const int fd = ::socket(ipv6 ? AF_INET6 : AF_INET, (t == transport::tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC,
                                t == transport::tcp ? IPPROTO_TCP : IPPROTO_UDP);
        if (fd < 0) return errno_error("socket", errno);
        return socket(fd);
    }
    socket(socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    socket& operator=(socket&& o) noexcept {
        if (this != &o) {
            close();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    socket(const socket&) = delete;
    socket& operator=(const socket&) = delete;
    ~socket() { close(); }

    /// bind(2), with SO_REUSEADDR set first. Errors: permission_denied
    /// (port below 1024), system (EADDRINUSE ...).
    io_result<void> bind(const endpoint& ep) {
        const int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_storage ss;
        const socklen_t n = detail::to_sockaddr(ep, ss);
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&ss), n) < 0) return errno_error("bind", errno);
        return {};
    }
    /// listen(2) (TCP).
    io_result<void> listen(int backlog = 16) {
        if (::listen(fd_, backlog) < 0) return errno_error("listen", errno);
        return {};
    }
    /// accept(2) (TCP): the connected socket and the peer's address.
    io_result<std::pair<socket, endpoint>> accept() {
        sockaddr_storage ss{};
        socklen_t n = sizeof ss;
        const int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &n, SOCK_CLOEXEC);
        if (fd < 0) return errno_error("accept", errno);
        return std::pair<socket, endpoint>(socket(fd), detail::from_sockaddr(ss));
    }
    /// connect(2). For UDP it fixes the default destination. Errors: system
    /// (ECONNREFUSED ...), timed_out.
    io_result<void> connect(const endpoint& ep) {
        sockaddr_storage ss;
        const socklen_t n = detail::to_sockaddr(ep, ss);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&ss), n) < 0) return errno_error("connect", errno);
        return {};
    }
    /// send(2): bytes sent, possibly fewer than data.size(). Errors: closed
    /// (peer gone), system (EAGAIN on a non-blocking socket is an error too).
    io_result<std::size_t> send(bytes_view data) {
        const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) return errno_error("send", errno);
        return static_cast<std::size_t>(n);
    }
    /// Sends all of `data`, looping over partial sends (and EINTR).
    io_result<void> send_all(bytes_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                return errno_error("send", errno);
            }
            data = data.subspan(static_cast<std::size_t>(n));
        }
        return {};
    }
    /// recv(2): bytes received into `buf`; 0 on a stream socket = orderly close.
    io_result<std::size_t> recv(mutable_bytes buf) {
        const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
        if (n < 0) return errno_error("recv", errno);
        return static_cast<std::size_t>(n);
    }
    /// sendto(2) (UDP): one datagram to `to`. Errors: too_big, system.
    io_result<std::size_t> sendto(bytes_view data, const endpoint& to) {
        sockaddr_storage ss;
        const socklen_t n = detail::to_sockaddr(to, ss);
        const ssize_t r = ::sendto(fd_, data.data(), data.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&ss), n);
        if (r < 0) return errno_error("sendto", errno);
        return static_cast<std::size_t>(r);
    }
    /// recvfrom(2) (UDP): bytes of one datagram (truncated to buf) and its sender.
    io_result<std::pair<std::size_t, endpoint>> recvfrom(mutable_bytes buf) {
        sockaddr_storage ss{};
        socklen_t n = sizeof ss;
        const ssize_t r = ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss), &n);
        if (r < 0) return errno_error("recvfrom", errno);
        return std::pair<std::size_t, endpoint>(static_cast<std::size_t>(r), detail::from_sockaddr(ss));
    }
    /// The address this socket is bound to (getsockname(2)), e.g. to learn an ephemeral port.
    io_result<endpoint> local_endpoint() const {
        sockaddr_storage ss{};
        socklen_t n = sizeof ss;
        if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &n) < 0) return errno_error("getsockname", errno);
        return detail::from_sockaddr(ss);
    }
    /// Sets O_NONBLOCK (then send/recv fail with EAGAIN instead of waiting).
    io_result<void> set_nonblocking(bool on) {
        const int fl = ::fcntl(fd_, F_GETFL);
        if (fl < 0 || ::fcntl(fd_, F_SETFL, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK)) < 0) return errno_error("fcntl", errno);
        return {};
    }
    /// SO_RCVTIMEO: recv/recvfrom/accept give up after `ms` milliseconds (error system/EAGAIN).
    io_result<void> set_receive_timeout(int ms) {
        timeval tv{ms / 1000, (ms % 1000) * 1000};
        if (::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) return errno_error("setsockopt", errno);
        return {};
    }
    /// shutdown(2) of the sending side (TCP FIN) — the peer's recv returns 0.
    io_result<void> shutdown_send() {
        if (::shutdown(fd_, SHUT_WR) < 0) return errno_error("shutdown", errno);
        return {};
    }
    /// close(2) now (the destructor does it otherwise).
    void close() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    [[nodiscard]] int native_handle() const noexcept { return fd_; }
    [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }

private:
    explicit socket(int fd) noexcept : fd_(fd) {}
    int fd_ = -1;
};

static_assert(byte_stream<socket>);  // a connected TCP socket is a byte_stream

}  // namespace wirekit::io
