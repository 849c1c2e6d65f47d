// wirekit/core/layout.hpp — compile-time packet layouts (the single source of
// truth for offsets) and their reflection.
//
// Layer L0. A layout is a list of named fields, each with a width in bits and
// a value type, laid out back to back from the first byte, most significant
// bit first — exactly the order of an RFC header diagram. Everything else
// (bit offsets, byte spans, shifts, masks, the fixed size, lookup by name) is
// computed at compile time. No offset or mask is ever written by hand.
//
//     struct ipv4_fixed : wirekit::layout<
//         wirekit::field<"version", 4>,           // RFC 791 §3.1
//         wirekit::field<"ihl", 4>,
//         ...
//         wirekit::field<"dst_addr", 32, wirekit::ipv4_address>> {
//         static constexpr std::string_view name = "ipv4";
//         static constexpr auto header_length = wirekit::field_ref<"ihl"> * 4;   // bytes
//         static constexpr auto total_length = wirekit::field_ref<"total_length">;
//     };
//
// Field value types:
//  * unsigned integers, bool (1-bit flags) and enums: any width 1..64 bits, at
//    any bit offset; a field may straddle bytes as long as it spans at most
//    8 bytes. Big-endian (network byte order) unless declared `le_field`.
//  * byte-array types (trivially copyable, e.g. mac_address): byte-aligned,
//    width exactly 8 × sizeof(T).
//
// Optional members of a layout (all in bytes):
//  * `name`           — layer name used in errors and printing.
//  * `header_length`  — length expression of the header including options
//                       (default: the fixed size).
//  * `total_length`   — length expression of header + payload; the payload
//                       ends there, not at the end of the buffer.
//
// Boost.Hana carries the field list (`layout::fields`, a hana::tuple of
// hana::type<placed_field>) so that generic code — the fmt formatter, tests,
// users' tools — can iterate the fields. Hana stays inside core/.
#pragma once

#include <boost/hana/at.hpp>         // hana::at_c: field type by index
#include <boost/hana/for_each.hpp>   // iteration used by reflection users
#include <boost/hana/length.hpp>     // hana::length for field counts
#include <boost/hana/tuple.hpp>      // the field list
#include <boost/hana/type.hpp>       // hana::type_c wrappers

#include <array>        // compile-time tables of names, widths and offsets
#include <bit>          // std::bit_cast for byte-array fields
#include <cstddef>      // std::byte, std::size_t
#include <cstdint>      // fixed-width integers
#include <limits>       // numeric_limits<T>::digits
#include <string_view>  // field names
#include <type_traits>  // type classification
#include <utility>      // std::index_sequence

#include "endian.hpp"  // load_be/store_be and friends

namespace wirekit {

namespace hana = boost::hana;

// ---------------------------------------------------------------------------
// Names

/// A string usable as a template argument: `field<"ttl", 8>`, `get<"ttl">()`.
template <std::size_t N>
struct fixed_string {
    char value[N]{};
    constexpr fixed_string(const char (&s)[N]) noexcept {  // NOLINT: implicit by design
        for (std::size_t i = 0; i < N; ++i) value[i] = s[i];
    }
    /// The characters without the terminating NUL.
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {value, N - 1}; }
};

/// Byte order of a multi-byte field on the wire.
enum class byte_order : std::uint8_t { big, little };

namespace detail {

/// Smallest unsigned integer holding `Bits` bits.
template <std::size_t Bits>
using uint_for_bits = uint_for_bytes<(Bits + 7) / 8>;

template <class T>
struct underlying_or_self {
    using type = T;
};
template <class T>
    requires std::is_enum_v<T>
struct underlying_or_self<T> {
    using type = std::underlying_type_t<T>;
};

/// True for the types read as integers: unsigned/signed integers, bool, enums.
template <class T>
inline constexpr bool is_integer_field_type = std::is_integral_v<T> || std::is_enum_v<T>;

/// Number of value bits a field value type can hold (bool holds 1).
template <class T>
constexpr std::size_t value_bits() {
    if constexpr (std::is_same_v<T, bool>) return 1;
    else if constexpr (!is_integer_field_type<T>) return 8 * sizeof(T);
    else return std::numeric_limits<std::make_unsigned_t<typename underlying_or_self<T>::type>>::digits;
}

}  // namespace detail

// ---------------------------------------------------------------------------
// Fields

/// One named field of `Bits` bits holding a `T`, in byte order `Order`.
/// `T` defaults to the smallest unsigned integer that holds the field.
/// Source of the layout rules: the bit-numbering convention of RFC 791
/// Appendix B (most significant bit first, "big-endian").
template <fixed_string Name, std::size_t Bits, class T = detail::uint_for_bits<Bits>,
          byte_order Order = byte_order::big>
struct field {
    static_assert(Bits >= 1, "wirekit field: a field must be at least 1 bit wide");
    static_assert(Bits <= 64 || !detail::is_integer_field_type<T>,
                  "wirekit field: integer fields are at most 64 bits wide");
    static_assert(!detail::is_integer_field_type<T> || Bits <= detail::value_bits<T>(),
                  "wirekit field: value type is narrower than the field width");
    static_assert(detail::is_integer_field_type<T> ||
                      (std::is_trivially_copyable_v<T> && sizeof(T) * 8 == Bits),
                  "wirekit field: a byte-array field's type must be trivially copyable and exactly "
                  "as wide as the field");

    static constexpr fixed_string name = Name;  ///< field name, e.g. "ttl"
    static constexpr std::size_t bits = Bits;   ///< width in bits
    static constexpr byte_order order = Order;  ///< byte order on the wire
    using value_type = T;                       ///< type returned by reads
};

/// A little-endian field (byte-aligned, a whole number of bytes).
template <fixed_string Name, std::size_t Bits, class T = detail::uint_for_bits<Bits>>
using le_field = field<Name, Bits, T, byte_order::little>;

/// A field placed in its layout: `F` at bit offset `BitOffset` from the start.
/// Everything a read or write needs is a compile-time constant here.
template <class F, std::size_t BitOffset>
struct placed_field {
    using field_type = F;
    using value_type = typename F::value_type;
    static constexpr fixed_string name = F::name;
    static constexpr std::size_t bits = F::bits;
    static constexpr byte_order order = F::order;
    static constexpr std::size_t bit_offset = BitOffset;                  ///< from the layout start
    static constexpr std::size_t byte_offset = BitOffset / 8;             ///< first byte touched
    static constexpr std::size_t span = (BitOffset % 8 + bits + 7) / 8;  ///< bytes touched
    /// Right shift that brings the field to bit 0 of the big-endian span.
    static constexpr std::size_t shift = span * 8 - BitOffset % 8 - bits;
    static constexpr bool is_integer = detail::is_integer_field_type<value_type>;
    /// True when the field is exactly whole, aligned bytes (no masking needed).
    static constexpr bool is_whole_bytes = BitOffset % 8 == 0 && bits % 8 == 0;

    static_assert(!is_integer || span <= 8,
                  "wirekit layout: an integer field may touch at most 8 bytes");
    static_assert(is_integer || is_whole_bytes,
                  "wirekit layout: a byte-array field must start and end on byte boundaries");
    static_assert(order == byte_order::big || is_whole_bytes,
                  "wirekit layout: a little-endian field must start and end on byte boundaries");
};

// ---------------------------------------------------------------------------
// Layouts

namespace detail {

template <class... Fs>
constexpr std::array<std::size_t, sizeof...(Fs)> bit_offsets() {
    std::array<std::size_t, sizeof...(Fs)> out{};
    std::size_t widths[] = {Fs::bits..., 0};
    std::size_t at = 0;
    for (std::size_t i = 0; i < sizeof...(Fs); ++i) {
        out[i] = at;
        at += widths[i];
    }
    return out;
}

template <std::size_t N>
constexpr bool names_unique(const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = i + 1; j < N; ++j)
            if (names[i] == names[j]) return false;
    return true;
}

/// Index -> type lookup by overload resolution: O(1) instantiations per
/// access, where walking a tuple would be O(N).
template <std::size_t I, class T>
struct indexed {};
template <class... Ts>
struct index_table : Ts... {};
template <std::size_t I, class T>
T select_indexed(indexed<I, T>);  // declared only: used in decltype

template <class Seq, class... Fs>
struct place_all;
template <std::size_t... I, class... Fs>
struct place_all<std::index_sequence<I...>, Fs...> {
    static constexpr auto offsets = bit_offsets<Fs...>();
    using type = hana::tuple<hana::type<placed_field<Fs, offsets[I]>>...>;
    using table = index_table<indexed<I, placed_field<Fs, offsets[I]>>...>;
};

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

}  // namespace detail

/// A compile-time packet layout: the fields `Fs...` back to back.
/// Derive from it to add `name`, `header_length` and `total_length`.
template <class... Fs>
struct layout {
    /// The placed fields, as a hana::tuple of hana::type<placed_field<...>>.
    using fields_type = typename detail::place_all<std::index_sequence_for<Fs...>, Fs...>::type;
    static constexpr fields_type fields{};
    /// Index -> placed_field table used by field_of (cheaper than hana::at_c).
    using field_table = typename detail::place_all<std::index_sequence_for<Fs...>, Fs...>::table;

    static constexpr std::size_t field_count = sizeof...(Fs);
    /// Field names in declaration order.
    static constexpr std::array<std::string_view, sizeof...(Fs)> field_names{Fs::name.view()...};
    /// Total width of the fixed part, in bits.
    static constexpr std::size_t total_bits = (std::size_t{0} + ... + Fs::bits);
    /// Size of the fixed part (the fields), in bytes.
    static constexpr std::size_t fixed_size = total_bits / 8;
    /// Layer name used by errors and printing; derived layouts override it.
    static constexpr std::string_view name = "layout";

    static_assert(sizeof...(Fs) > 0, "wirekit layout: a layout needs at least one field");
    static_assert(total_bits % 8 == 0,
                  "wirekit layout: the fields do not add up to a whole number of bytes");
    static_assert(detail::names_unique(field_names), "wirekit layout: duplicate field name");

    /// Index of the field called `Name`, or detail::npos.
    static constexpr std::size_t find(std::string_view n) noexcept {
        for (std::size_t i = 0; i < field_names.size(); ++i)
            if (field_names[i] == n) return i;
        return detail::npos;
    }
};

/// True for types derived from some wirekit::layout<...>.
template <class L>
concept layout_type = requires {
    L::fields;
    { L::fixed_size } -> std::convertible_to<std::size_t>;
    { L::name } -> std::convertible_to<std::string_view>;
};

namespace detail {
template <class L, fixed_string Name>
constexpr std::size_t checked_index() {
    constexpr std::size_t i = L::find(Name.view());
    static_assert(i != npos, "wirekit layout: no field with this name in the layout");
    return i;
}
}  // namespace detail

/// The placed_field type of the field called `Name` in layout `L`.
/// A missing name fails to compile with "no field with this name".
template <layout_type L, fixed_string Name>
using field_of = decltype(detail::select_indexed<detail::checked_index<L, Name>()>(typename L::field_table{}));

// ---------------------------------------------------------------------------
// Length expressions: the size of a variable tail, computed from fields.

/// Marker base for length expressions (evaluate with `expr(view)`).
struct length_expr_base {};

template <class E>
concept length_expr = std::is_base_of_v<length_expr_base, E>;

/// The value of field `Name`, as a length.
template <fixed_string Name>
struct field_ref_t : length_expr_base {
    template <class V>
    constexpr std::size_t operator()(const V& v) const noexcept {
        return static_cast<std::size_t>(v.template get<Name>());
    }
};
/// Refers to a field's value inside a length expression: `field_ref<"ihl"> * 4`.
template <fixed_string Name>
inline constexpr field_ref_t<Name> field_ref{};

/// A length expression scaled and offset by constants: e * mul + add.
template <length_expr E>
struct affine_t : length_expr_base {
    E e;
    std::size_t mul = 1;
    std::size_t add = 0;
    template <class V>
    constexpr std::size_t operator()(const V& v) const noexcept {
        return e(v) * mul + add;
    }
};

template <length_expr E>
constexpr auto operator*(E e, std::size_t k) noexcept {
    if constexpr (requires { e.mul; }) return affine_t<decltype(e.e)>{{}, e.e, e.mul * k, e.add * k};
    else return affine_t<E>{{}, e, k, 0};
}
template <length_expr E>
constexpr auto operator*(std::size_t k, E e) noexcept {
    return e * k;
}
template <length_expr E>
constexpr auto operator+(E e, std::size_t k) noexcept {
    if constexpr (requires { e.mul; }) return affine_t<decltype(e.e)>{{}, e.e, e.mul, e.add + k};
    else return affine_t<E>{{}, e, 1, k};
}

/// The sum of two length expressions: `field_ref<"hlen"> * 4 + field_ref<"payload_length">`.
template <length_expr A, length_expr B>
struct sum_t : length_expr_base {
    A a;
    B b;
    template <class V>
    constexpr std::size_t operator()(const V& v) const noexcept {
        return a(v) + b(v);
    }
};
template <length_expr A, length_expr B>
constexpr sum_t<A, B> operator+(A a, B b) noexcept {
    return {{}, a, b};
}

}  // namespace wirekit
