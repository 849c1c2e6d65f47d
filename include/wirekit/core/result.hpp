// wirekit/core/result.hpp — result<T> and wire_error: errors without exceptions.
//
// Layer L0. Every parse path in wirekit returns result<T>. A failure carries a
// wire_error saying what kind of problem, in which layer ("ipv4", "dns", ...),
// at which byte offset of the input, plus a short static description. Nothing
// on these paths throws or allocates.
//
// Stream parsers (DNS over TCP, HTTP/1.1) have a separate "need more data"
// outcome; it is not a wire_error.
#pragma once

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t
#include <cstdio>       // std::fputs (contract-violation message)
#include <cstdlib>      // std::abort
#include <string_view>  // layer and detail texts
#include <type_traits>  // std::is_void_v
#include <utility>      // std::move, std::in_place
#include <variant>      // storage of value-or-error

namespace wirekit {

/// What went wrong while reading or writing bytes.
enum class errc : std::uint8_t {
    truncated,       ///< the input ends before the structure does
    malformed,       ///< a field holds a value the format forbids
    bad_length,      ///< a length field disagrees with the bytes or with another field
    bad_checksum,    ///< a checksum or CRC does not verify
    unsupported,     ///< valid, but a feature wirekit does not implement
    limit_exceeded,  ///< a caller-chosen or built-in resource bound was hit
    no_space,        ///< an output buffer is too small (builders, emitters)
    invalid_state,   ///< an operation not allowed in the current state
};

/// Short lower-case name of an error kind, e.g. "truncated".
[[nodiscard]] constexpr std::string_view to_string(errc e) noexcept {
    switch (e) {
        case errc::truncated: return "truncated";
        case errc::malformed: return "malformed";
        case errc::bad_length: return "bad_length";
        case errc::bad_checksum: return "bad_checksum";
        case errc::unsupported: return "unsupported";
        case errc::limit_exceeded: return "limit_exceeded";
        case errc::no_space: return "no_space";
        case errc::invalid_state: return "invalid_state";
    }
    return "unknown";
}

/// A parse or build failure: kind, layer name, byte offset into the input
/// that layer was given, and a static human-readable detail.
/// `layer` and `detail` must point to static storage (string literals).
struct wire_error {
    errc kind = errc::malformed;
    std::string_view layer{};   ///< e.g. "ipv4", "dns", "http1"
    std::size_t offset = 0;     ///< byte offset of the offending data
    std::string_view detail{};  ///< e.g. "IHL below 5"

    friend constexpr bool operator==(const wire_error&, const wire_error&) = default;

    /// Returns this error re-based into an enclosing layer's coordinates:
    /// the offset grows by `base` (the inner layer's position in the outer).
    [[nodiscard]] constexpr wire_error shifted(std::size_t base) const noexcept {
        wire_error e = *this;
        e.offset += base;
        return e;
    }
};

/// Builds a wire_error; spelled out at failure sites for readability.
[[nodiscard]] constexpr wire_error make_error(errc kind, std::string_view layer, std::size_t offset,
                                              std::string_view detail = {}) noexcept {
    return wire_error{kind, layer, offset, detail};
}

namespace detail {
[[noreturn]] inline void contract_violation(const char* what) noexcept {
    std::fputs("wirekit: contract violation: ", stderr);
    std::fputs(what, stderr);
    std::fputs("\n", stderr);
    std::abort();
}
}  // namespace detail

/// Either a T or a wire_error (a small std::expected for C++20).
/// Accessing the wrong alternative is a contract violation and aborts:
/// test `has_value()` (or `if (r)`) first.
template <class T>
class [[nodiscard]] result {
public:
    using value_type = T;

    constexpr result(const T& v) : v_(std::in_place_index<0>, v) {}                 // NOLINT: implicit
    constexpr result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}           // NOLINT: implicit
    constexpr result(const wire_error& e) : v_(std::in_place_index<1>, e) {}        // NOLINT: implicit

    [[nodiscard]] constexpr bool has_value() const noexcept { return v_.index() == 0; }
    constexpr explicit operator bool() const noexcept { return has_value(); }

    [[nodiscard]] constexpr T& value() & { check_value(); return *std::get_if<0>(&v_); }
    [[nodiscard]] constexpr const T& value() const& { check_value(); return *std::get_if<0>(&v_); }
    [[nodiscard]] constexpr T&& value() && { check_value(); return std::move(*std::get_if<0>(&v_)); }
    [[nodiscard]] constexpr const wire_error& error() const {
        if (has_value()) detail::contract_violation("result::error() on a value");
        return *std::get_if<1>(&v_);
    }
    /// The value, or `fallback` when this holds an error.
    [[nodiscard]] constexpr T value_or(T fallback) const& { return has_value() ? value() : fallback; }

    constexpr T& operator*() & { return value(); }
    constexpr const T& operator*() const& { return value(); }
    constexpr T* operator->() { return &value(); }
    constexpr const T* operator->() const { return &value(); }

private:
    constexpr void check_value() const {
        if (!has_value()) detail::contract_violation("result::value() on an error");
    }
    std::variant<T, wire_error> v_;
};

/// result<void>: success, or a wire_error.
template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    constexpr result() noexcept = default;
    constexpr result(const wire_error& e) noexcept : err_(e), failed_(true) {}  // NOLINT: implicit

    [[nodiscard]] constexpr bool has_value() const noexcept { return !failed_; }
    constexpr explicit operator bool() const noexcept { return !failed_; }
    constexpr void value() const {
        if (failed_) detail::contract_violation("result<void>::value() on an error");
    }
    [[nodiscard]] constexpr const wire_error& error() const {
        if (!failed_) detail::contract_violation("result<void>::error() on success");
        return err_;
    }

private:
    wire_error err_{};
    bool failed_ = false;
};

/// Evaluates `expr` (a result<U>); on error returns that error from the
/// enclosing function, otherwise yields nothing. For result<void>-style checks.
#define WIREKIT_TRY_VOID(expr)                                   \
    do {                                                         \
        if (auto wirekit_try_r_ = (expr); !wirekit_try_r_)       \
            return wirekit_try_r_.error();                       \
    } while (0)

}  // namespace wirekit
