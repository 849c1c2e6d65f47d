// wirekit/io/error.hpp — errors of the I/O layer: io_error and io_result<T>.
//
// Layer L4. Parse paths use result<T>/wire_error (core/result.hpp), whose
// texts are static. I/O failures are different: they come from the kernel
// (an errno) or from libpcap (a message it formats at run time), so io_error
// carries a kind, the failing call's name, the errno and a message string.
// Nothing in the I/O layer throws; every fallible call returns io_result<T>.
#pragma once

#include <cerrno>       // errno values in kind mapping
#include <cstring>      // std::strerror
#include <string>       // io_error::message
#include <string_view>  // operation names
#include <type_traits>  // std::is_void_v
#include <utility>      // std::move
#include <variant>      // value-or-error storage

#include "../core/result.hpp"  // detail::contract_violation

namespace wirekit::io {

/// What kind of I/O failure happened, by whose fault.
enum class io_errc : unsigned char {
    permission_denied,  ///< EPERM/EACCES: needs root or CAP_NET_ADMIN / CAP_NET_RAW
    no_device,          ///< the device, interface or file does not exist (ENOENT, ENODEV, ENXIO)
    busy,               ///< EBUSY: the interface exists with another owner or type
    bad_file,           ///< a capture file is unreadable, corrupt or truncated
    bad_filter,         ///< a BPF filter expression did not compile
    unsupported,        ///< the operation is not possible on this device (e.g. transmit to a file)
    too_big,            ///< a frame longer than the device accepts (EMSGSIZE)
    closed,             ///< the peer or the device is gone (EPIPE, ECONNRESET, end of stream)
    timed_out,          ///< a bounded wait ended
    invalid_argument,   ///< bad name, address or option
    system,             ///< any other errno (see io_error::sys_errno)
};

/// Short name of an io_errc, e.g. "permission_denied".
[[nodiscard]] constexpr std::string_view to_string(io_errc e) noexcept {
    switch (e) {
        case io_errc::permission_denied: return "permission_denied";
        case io_errc::no_device: return "no_device";
        case io_errc::busy: return "busy";
        case io_errc::bad_file: return "bad_file";
        case io_errc::bad_filter: return "bad_filter";
        case io_errc::unsupported: return "unsupported";
        case io_errc::too_big: return "too_big";
        case io_errc::closed: return "closed";
        case io_errc::timed_out: return "timed_out";
        case io_errc::invalid_argument: return "invalid_argument";
        case io_errc::system: return "system";
    }
    return "unknown";
}

/// An I/O failure: kind, the call that failed ("TUNSETIFF", "pcap_activate",
/// "connect" ...; static storage), the errno (0 when not from the kernel)
/// and a human-readable message (e.g. libpcap's error buffer).
struct io_error {
    io_errc kind = io_errc::system;
    std::string_view operation{};
    int sys_errno = 0;
    std::string message{};

    /// "operation: message (kind)", for logs and tool output.
    [[nodiscard]] std::string what() const {
        std::string s(operation);
        s += ": ";
        s += message;
        s += " (";
        s += to_string(kind);
        s += ')';
        return s;
    }
};

/// Maps an errno to an io_errc.
[[nodiscard]] constexpr io_errc errc_from_errno(int e) noexcept {
    switch (e) {
        case EPERM: case EACCES: return io_errc::permission_denied;
        case ENOENT: case ENODEV: case ENXIO: return io_errc::no_device;
        case EBUSY: return io_errc::busy;
        case EMSGSIZE: return io_errc::too_big;
        case EPIPE: case ECONNRESET: case ENOTCONN: return io_errc::closed;
        case ETIMEDOUT: return io_errc::timed_out;
        case EINVAL: return io_errc::invalid_argument;
        default: return io_errc::system;
    }
}

/// An io_error from errno `e` after `operation` failed; `hint` is appended
/// to strerror's text (e.g. "run as root or grant CAP_NET_ADMIN").
[[nodiscard]] inline io_error errno_error(std::string_view operation, int e, std::string_view hint = {}) {
    io_error err{errc_from_errno(e), operation, e, std::strerror(e)};
    if (!hint.empty()) {
        err.message += " — ";
        err.message += hint;
    }
    return err;
}

/// Either a T or an io_error. Accessing the wrong alternative aborts (a
/// contract violation): test `if (r)` first.
template <class T>
class [[nodiscard]] io_result {
public:
    io_result(const T& v) : v_(std::in_place_index<0>, v) {}        // NOLINT: implicit
    io_result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT: implicit
    io_result(io_error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT: implicit

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] T& value() & { check(); return *std::get_if<0>(&v_); }
    [[nodiscard]] const T& value() const& { check(); return *std::get_if<0>(&v_); }
    [[nodiscard]] T&& value() && { check(); return std::move(*std::get_if<0>(&v_)); }
    [[nodiscard]] const io_error& error() const {
        if (has_value()) wirekit::detail::contract_violation("io_result::error() on a value");
        return *std::get_if<1>(&v_);
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    void check() const {
        if (!has_value()) wirekit::detail::contract_violation("io_result::value() on an error");
    }
    std::variant<T, io_error> v_;
};

/// io_result<void>: success or an io_error.
template <>
class [[nodiscard]] io_result<void> {
public:
    io_result() = default;
    io_result(io_error e) : err_(std::move(e)), failed_(true) {}  // NOLINT: implicit
    [[nodiscard]] bool has_value() const noexcept { return !failed_; }
    explicit operator bool() const noexcept { return !failed_; }
    [[nodiscard]] const io_error& error() const {
        if (!failed_) wirekit::detail::contract_violation("io_result<void>::error() on success");
        return err_;
    }

private:
    io_error err_{};
    bool failed_ = false;
};

}  // namespace wirekit::io
