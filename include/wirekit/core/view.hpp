// wirekit/core/view.hpp — zero-copy views of bytes through a layout.
//
// Layer L0. `view<L>` reads, and `mutable_view<L>` also writes, the fields of
// layout `L` in place over a span of bytes: no copy, no allocation. A view is
// a pointer and a length; copying it is free and never copies packet bytes.
//
// Two ways in (smoltcp's new_checked / new_unchecked contract):
//   * `view<L>::checked(bytes)` — the only way untrusted input enters. It
//     verifies that the fixed part, the header length and the total length
//     (when the layout declares them) fit in `bytes`, and that they are
//     consistent. After it succeeds, no accessor can read out of bounds.
//   * `view<L>::unchecked(bytes)` — for buffers the code built itself; the
//     caller promises `bytes.size() >= L::fixed_size`.
#pragma once

#include <cstddef>      // std::byte, std::size_t
#include <cstring>      // std::memcpy
#include <span>         // std::span
#include <string_view>  // layer names
#include <type_traits>  // std::is_const_v

#include "bytes.hpp"   // bytes_view, mutable_bytes
#include "endian.hpp"  // load/store helpers
#include "layout.hpp"  // layouts, placed fields, length expressions
#include "result.hpp"  // result<T>, wire_error

namespace wirekit {

namespace detail {

/// Reads the placed field `P` from the layout start `base`.
template <class P>
constexpr typename P::value_type read_field(const std::byte* base) noexcept {
    using T = typename P::value_type;
    const std::byte* p = base + P::byte_offset;
    if constexpr (!P::is_integer) {
        if constexpr (std::is_default_constructible_v<T>) {
            if (!std::is_constant_evaluated()) {
                // One copy straight into the value (GCC otherwise keeps
                // several dead copies of the byte array on the stack).
                T v;
                std::memcpy(static_cast<void*>(&v), p, sizeof(T));
                return v;
            }
        }
        std::array<std::byte, sizeof(T)> raw{};
        for (std::size_t i = 0; i < sizeof(T); ++i) raw[i] = p[i];
        return std::bit_cast<T>(raw);
    } else {
        using U = uint_for_bytes<P::span>;
        U raw = P::order == byte_order::big ? load_be<P::span>(p) : load_le<P::span>(p);
        if constexpr (!P::is_whole_bytes) {
            constexpr U mask = static_cast<U>(P::bits >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << P::bits) - 1));
            raw = static_cast<U>((raw >> P::shift) & mask);
        }
        if constexpr (std::is_same_v<T, bool>) return raw != 0;
        else if constexpr (std::is_enum_v<T>) return static_cast<T>(static_cast<std::underlying_type_t<T>>(raw));
        else return static_cast<T>(raw);
    }
}

/// Writes `v` into the placed field `P` at layout start `base`; bits above
/// the field width are discarded (debug builds treat them as a contract
/// violation).
template <class P>
constexpr void write_field(std::byte* base, typename P::value_type v) noexcept {
    using T = typename P::value_type;
    std::byte* p = base + P::byte_offset;
    if constexpr (!P::is_integer) {
        auto raw = std::bit_cast<std::array<std::byte, sizeof(T)>>(v);
        for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = raw[i];
    } else {
        using U = uint_for_bytes<P::span>;
        std::uint64_t x;
        if constexpr (std::is_enum_v<T>) x = static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<std::underlying_type_t<T>>>(v));
        else if constexpr (std::is_same_v<T, bool>) x = v ? 1u : 0u;
        else x = static_cast<std::uint64_t>(static_cast<std::make_unsigned_t<T>>(v));
        constexpr std::uint64_t mask = P::bits >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << P::bits) - 1);
#ifndef NDEBUG
        if ((x & ~mask) != 0) contract_violation("wirekit view: value does not fit in the field");
#endif
        x &= mask;
        if constexpr (P::is_whole_bytes) {
            if constexpr (P::order == byte_order::big) store_be<P::span>(p, static_cast<U>(x));
            else store_le<P::span>(p, static_cast<U>(x));
        } else {
            constexpr U field_mask = static_cast<U>(mask << P::shift);
            U raw = load_be<P::span>(p);
            raw = static_cast<U>((raw & static_cast<U>(~field_mask)) | (static_cast<U>(x << P::shift) & field_mask));
            store_be<P::span>(p, raw);
        }
    }
}

}  // namespace detail

/// A view of `Bytes` (std::span<const std::byte> or std::span<std::byte>)
/// through layout `L`. Setters exist only when the bytes are mutable.
template <layout_type L, class Bytes = bytes_view>
class view {
public:
    using layout_type = L;
    using span_type = Bytes;
    using byte_type = typename Bytes::element_type;
    /// True when the view can write (it wraps std::span<std::byte>).
    static constexpr bool is_mutable = !std::is_const_v<byte_type>;

    /// An empty view; only assignable. Accessors need a real view.
    constexpr view() noexcept = default;

    /// Wraps bytes the caller built itself. Precondition (unchecked):
    /// `b.size() >= L::fixed_size`, and any length fields are consistent.
    [[nodiscard]] static constexpr view unchecked(Bytes b) noexcept { return view(b); }

    /// Wraps untrusted bytes after checking that every length fits.
    /// Errors (layer = L::name):
    ///  * truncated at offset b.size() — shorter than the fixed part, the
    ///    header length or the total length;
    ///  * bad_length at the offset of the header — header length below the
    ///    fixed size, or total length below the header length.
    [[nodiscard]] static constexpr result<view> checked(Bytes b) noexcept {
        if (b.size() < L::fixed_size)
            return make_error(errc::truncated, L::name, b.size(), "shorter than the fixed header");
        view v(b);
        const std::size_t hl = v.header_length();
        if (hl < L::fixed_size)
            return make_error(errc::bad_length, L::name, 0, "header length below the fixed header size");
        if (b.size() < hl) return make_error(errc::truncated, L::name, b.size(), "shorter than the header length");
        if constexpr (requires { L::total_length; }) {
            const std::size_t tl = L::total_length(v);
            if (tl < hl) return make_error(errc::bad_length, L::name, 0, "total length below the header length");
            if (b.size() < tl) return make_error(errc::truncated, L::name, b.size(), "shorter than the total length");
        }
        return v;
    }

    /// Reads field `Name` (a compile-time name: `v.get<"ttl">()`).
    template <fixed_string Name>
    [[nodiscard]] constexpr auto get() const noexcept {
        return detail::read_field<field_of<L, Name>>(bytes_.data());
    }

    /// Writes field `Name`. Only on mutable views. Bits above the field width
    /// are a contract violation (checked in debug builds, discarded otherwise).
    template <fixed_string Name>
        requires is_mutable
    constexpr void set(typename field_of<L, Name>::value_type v) const noexcept {
        detail::write_field<field_of<L, Name>>(bytes_.data(), v);
    }

    /// All bytes the view was given (header, payload and anything after).
    [[nodiscard]] constexpr Bytes bytes() const noexcept { return bytes_; }

    /// Header length in bytes: L::header_length over this view's fields, or
    /// L::fixed_size when the layout has no variable header.
    [[nodiscard]] constexpr std::size_t header_length() const noexcept {
        if constexpr (requires { L::header_length; }) return L::header_length(*this);
        else return L::fixed_size;
    }

    /// Total length in bytes: L::total_length when declared, else the span size.
    [[nodiscard]] constexpr std::size_t total_length() const noexcept {
        if constexpr (requires { L::total_length; }) return L::total_length(*this);
        else return bytes_.size();
    }

    /// The header: fixed part plus options, header_length() bytes.
    [[nodiscard]] constexpr Bytes header() const noexcept { return bytes_.first(header_length()); }
    /// The variable part of the header after the fixed fields (e.g. IPv4 options).
    [[nodiscard]] constexpr Bytes options() const noexcept {
        return bytes_.subspan(L::fixed_size, header_length() - L::fixed_size);
    }
    /// The payload: from header_length() to total_length(). Bytes after the
    /// total length (e.g. Ethernet padding) are not payload.
    [[nodiscard]] constexpr Bytes payload() const noexcept {
        return bytes_.subspan(header_length(), total_length() - header_length());
    }

    /// The same bytes, read-only.
    [[nodiscard]] constexpr view<L, bytes_view> as_const() const noexcept {
        return view<L, bytes_view>::unchecked(bytes_view(bytes_));
    }
    constexpr operator view<L, bytes_view>() const noexcept  // NOLINT: implicit to const
        requires is_mutable
    {
        return as_const();
    }

protected:
    constexpr explicit view(Bytes b) noexcept : bytes_(b) {}

private:
    Bytes bytes_{};
};

/// Declares the bare-name accessor pair for field `name` inside a class
/// derived from view<L, Bytes> (which must alias itself as `base_view`):
///   `name()` reads the field; `set_name(v)` writes it (mutable views only).
/// The layout stays the single source of truth; this only spells the names.
#define WIREKIT_FIELD(name)                                                                          \
    [[nodiscard]] constexpr auto name() const noexcept { return this->template get<#name>(); }      \
    constexpr void set_##name(typename ::wirekit::field_of<typename base_view::layout_type, #name>::value_type v) \
        const noexcept                                                                               \
        requires base_view::is_mutable                                                              \
    {                                                                                                \
        this->template set<#name>(v);                                                                \
    }

/// A writable view of layout L over std::span<std::byte>.
template <layout_type L>
using mutable_view = view<L, mutable_bytes>;

}  // namespace wirekit
