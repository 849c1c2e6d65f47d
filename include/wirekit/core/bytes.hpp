// wirekit/core/bytes.hpp — byte-span vocabulary shared by every layer.
//
// Layer L0. Every wirekit API that takes packet data takes one of these spans:
// they are non-owning (pointer + length in bytes), so nothing is copied.
#pragma once

#include <cstddef>      // std::byte, std::size_t
#include <span>         // std::span
#include <string_view>  // as_bytes(std::string_view)

namespace wirekit {

/// Read-only bytes (pointer + length in bytes), e.g. a received frame.
using bytes_view = std::span<const std::byte>;
/// Writable bytes (pointer + length in bytes), e.g. a transmit buffer.
using mutable_bytes = std::span<std::byte>;

/// Views the characters of `s` as bytes (no copy). Lifetime is that of `s`.
[[nodiscard]] inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

/// Views `n` bytes at `p` (no copy). `p` may point to any object representation.
[[nodiscard]] inline bytes_view as_bytes(const void* p, std::size_t n) noexcept {
    return {static_cast<const std::byte*>(p), n};
}

/// Views `n` writable bytes at `p` (no copy).
[[nodiscard]] inline mutable_bytes as_writable_bytes(void* p, std::size_t n) noexcept {
    return {static_cast<std::byte*>(p), n};
}

/// Views bytes as characters (no copy), e.g. to compare a payload to a string.
[[nodiscard]] inline std::string_view as_chars(bytes_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace wirekit
