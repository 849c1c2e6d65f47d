// wirekit/wire/check.hpp — length checks of a layout over untrusted bytes,
// returning result<void>.
//
// Layer L2 helper. The same rules as view<L>::checked() (fixed part, header
// length and total length fit and are consistent), but without building a
// result<view>: the protocol views' `check()` and the whole-frame dissector
// use it so that the hot path keeps views in registers (a result<view> goes
// through memory, costing store-forwarding stalls on every layer).
#pragma once

#include <cstddef>  // std::size_t

#include "../core/bytes.hpp"   // bytes_view
#include "../core/result.hpp"  // result<void>, make_error
#include "../core/view.hpp"    // view<L>

namespace wirekit::detail {

/// Checks `b` against layout L. Errors (layer L::name) exactly as
/// view<L>::checked: truncated at b.size(); bad_length at 0.
template <class L, class Bytes>
[[nodiscard]] constexpr result<void> check_layout(Bytes b) noexcept {
    if (b.size() < L::fixed_size) return make_error(errc::truncated, L::name, b.size(), "shorter than the fixed header");
    const auto v = view<L, Bytes>::unchecked(b);
    const std::size_t hl = v.header_length();
    if (hl < L::fixed_size) return make_error(errc::bad_length, L::name, 0, "header length below the fixed header size");
    if (b.size() < hl) return make_error(errc::truncated, L::name, b.size(), "shorter than the header length");
    if constexpr (requires { L::total_length; }) {
        const std::size_t tl = L::total_length(v);
        if (tl < hl) return make_error(errc::bad_length, L::name, 0, "total length below the header length");
        if (b.size() < tl) return make_error(errc::truncated, L::name, b.size(), "shorter than the total length");
    }
    return {};
}

}  // namespace wirekit::detail
