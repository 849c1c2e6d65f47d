// wirekit/wire/http1/fields.hpp — field value helpers: list splitting and
// token lookup (RFC 9110 §5.6.1, §5.6.2, §5.6.4).
//
// Layer L2. Works on the views a parser returned; nothing is allocated.
#pragma once

#include <cstddef>      // std::size_t
#include <string_view>  // values and elements are views

#include "wirekit/wire/http1/chars.hpp"   // iequals
#include "wirekit/wire/http1/parser.hpp"  // field_list

namespace wirekit::http1 {

/// Trims optional whitespace (SP / HTAB, RFC 9110 §5.6.3) at both ends.
[[nodiscard]] constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// The elements of a comma-separated list value (`#rule`, RFC 9110 §5.6.1):
/// iterating yields each element without surrounding OWS; empty elements
/// ("a, , b") are skipped as the recipient rule requires. Commas inside a
/// quoted-string (RFC 9110 §5.6.4) do not split.
///
/// ```
/// for (std::string_view coding : list_elements("gzip, chunked")) ...
/// ```
class list_elements {
public:
    constexpr explicit list_elements(std::string_view value) noexcept : v_(value) {}

    class iterator {
    public:
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        constexpr iterator() noexcept = default;
        constexpr explicit iterator(std::string_view rest) noexcept : rest_(rest), at_end_(false) { advance(); }
        constexpr std::string_view operator*() const noexcept { return cur_; }
        constexpr iterator& operator++() noexcept { advance(); return *this; }
        constexpr iterator operator++(int) noexcept { iterator t = *this; advance(); return t; }
        friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.at_end_ == b.at_end_ && (a.at_end_ || a.cur_.data() == b.cur_.data());
        }

    private:
        constexpr void advance() noexcept {
            for (;;) {
                if (done_) { at_end_ = true; return; }
                std::size_t i = 0;
                bool quoted = false;
                for (; i < rest_.size(); ++i) {
                    const char c = rest_[i];
                    if (quoted) {
                        if (c == '\\') ++i;  // quoted-pair
                        else if (c == '"') quoted = false;
                    } else if (c == '"') {
                        quoted = true;
                    } else if (c == ',') {
                        break;
                    }
                }
                std::string_view elem = trim_ows(rest_.substr(0, i < rest_.size() ? i : rest_.size()));
                if (i >= rest_.size()) done_ = true;
                else rest_.remove_prefix(i + 1);
                if (!elem.empty()) { cur_ = elem; return; }
            }
        }
        std::string_view rest_{};
        std::string_view cur_{};
        bool done_ = false;
        bool at_end_ = true;
    };

    [[nodiscard]] constexpr iterator begin() const noexcept { return iterator(v_); }
    [[nodiscard]] constexpr iterator end() const noexcept { return iterator(); }

private:
    std::string_view v_;
};

/// True if any field line named `name` lists an element equal to `token`,
/// ignoring case, e.g. `has_token(fields, "Connection", "close")`.
/// An element "token;param" matches on its token part.
[[nodiscard]] constexpr bool has_token(const field_list& fields, std::string_view name, std::string_view token) noexcept {
    for (field f : fields) {
        if (!iequals(f.name, name)) continue;
        for (std::string_view e : list_elements(f.value)) {
            const std::size_t semi = e.find(';');
            if (iequals(trim_ows(e.substr(0, semi)), token)) return true;
        }
    }
    return false;
}

}  // namespace wirekit::http1
