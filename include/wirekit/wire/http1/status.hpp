// wirekit/wire/http1/status.hpp — the HTTP status code registry with reason
// phrases (RFC 9110 §15 and the IANA "HTTP Status Code Registry").
//
// Layer L2. Phrases are the registry's descriptions; a reason-phrase on the
// wire is free text and clients must not rely on it (RFC 9112 §4).
#pragma once

#include <array>        // the registry table
#include <cstdint>      // std::uint8_t
#include <string_view>  // phrases and references

namespace wirekit::http1 {

/// One registered status code.
struct status_entry {
    int code;
    std::string_view reason;     ///< registered description, e.g. "Not Found"
    std::string_view reference;  ///< defining document, e.g. "RFC 9110 §15.5.5"
};

/// The registered status codes in ascending order (RFC 9110 §15 and the
/// later RFCs named per entry). 306 and 418 are "(Unused)" in RFC 9110 and
/// are listed with that description.
inline constexpr std::array<status_entry, 63> status_registry{{
    {100, "Continue", "RFC 9110 §15.2.1"},
    {101, "Switching Protocols", "RFC 9110 §15.2.2"},
    {102, "Processing", "RFC 2518 §10.1"},
    {103, "Early Hints", "RFC 8297"},
    {200, "OK", "RFC 9110 §15.3.1"},
    {201, "Created", "RFC 9110 §15.3.2"},
    {202, "Accepted", "RFC 9110 §15.3.3"},
    {203, "Non-Authoritative Information", "RFC 9110 §15.3.4"},
    {204, "No Content", "RFC 9110 §15.3.5"},
    {205, "Reset Content", "RFC 9110 §15.3.6"},
    {206, "Partial Content", "RFC 9110 §15.3.7"},
    {207, "Multi-Status", "RFC 4918 §11.1"},
    {208, "Already Reported", "RFC 5842 §7.1"},
    {226, "IM Used", "RFC 3229 §10.4.1"},
    {300, "Multiple Choices", "RFC 9110 §15.4.1"},
    {301, "Moved Permanently", "RFC 9110 §15.4.2"},
    {302, "Found", "RFC 9110 §15.4.3"},
    {303, "See Other", "RFC 9110 §15.4.4"},
    {304, "Not Modified", "RFC 9110 §15.4.5"},
    {305, "Use Proxy", "RFC 9110 §15.4.6"},
    {306, "(Unused)", "RFC 9110 §15.4.7"},
    {307, "Temporary Redirect", "RFC 9110 §15.4.8"},
    {308, "Permanent Redirect", "RFC 9110 §15.4.9"},
    {400, "Bad Request", "RFC 9110 §15.5.1"},
    {401, "Unauthorized", "RFC 9110 §15.5.2"},
    {402, "Payment Required", "RFC 9110 §15.5.3"},
    {403, "Forbidden", "RFC 9110 §15.5.4"},
    {404, "Not Found", "RFC 9110 §15.5.5"},
    {405, "Method Not Allowed", "RFC 9110 §15.5.6"},
    {406, "Not Acceptable", "RFC 9110 §15.5.7"},
    {407, "Proxy Authentication Required", "RFC 9110 §15.5.8"},
    {408, "Request Timeout", "RFC 9110 §15.5.9"},
    {409, "Conflict", "RFC 9110 §15.5.10"},
    {410, "Gone", "RFC 9110 §15.5.11"},
    {411, "Length Required", "RFC 9110 §15.5.12"},
    {412, "Precondition Failed", "RFC 9110 §15.5.13"},
    {413, "Content Too Large", "RFC 9110 §15.5.14"},
    {414, "URI Too Long", "RFC 9110 §15.5.15"},
    {415, "Unsupported Media Type", "RFC 9110 §15.5.16"},
    {416, "Range Not Satisfiable", "RFC 9110 §15.5.17"},
    {417, "Expectation Failed", "RFC 9110 §15.5.18"},
    {418, "(Unused)", "RFC 9110 §15.5.19"},
    {421, "Misdirected Request", "RFC 9110 §15.5.20"},
    {422, "Unprocessable Content", "RFC 9110 §15.5.21"},
    {423, "Locked", "RFC 4918 §11.3"},
    {424, "Failed Dependency", "RFC 4918 §11.4"},
    {425, "Too Early", "RFC 8470 §5.2"},
    {426, "Upgrade Required", "RFC 9110 §15.5.22"},
    {428, "Precondition Required", "RFC 6585 §3"},
    {429, "Too Many Requests", "RFC 6585 §4"},
    {431, "Request Header Fields Too Large", "RFC 6585 §5"},
    {451, "Unavailable For Legal Reasons", "RFC 7725 §3"},
    {500, "Internal Server Error", "RFC 9110 §15.6.1"},
    {501, "Not Implemented", "RFC 9110 §15.6.2"},
    {502, "Bad Gateway", "RFC 9110 §15.6.3"},
    {503, "Service Unavailable", "RFC 9110 §15.6.4"},
    {504, "Gateway Timeout", "RFC 9110 §15.6.5"},
    {505, "HTTP Version Not Supported", "RFC 9110 §15.6.6"},
    {506, "Variant Also Negotiates", "RFC 2295 §8.1"},
    {507, "Insufficient Storage", "RFC 4918 §11.5"},
    {508, "Loop Detected", "RFC 5842 §7.2"},
    {510, "Not Extended (OBSOLETED)", "RFC 2774 §7"},
    {511, "Network Authentication Required", "RFC 6585 §6"},
}};

namespace detail {
constexpr bool registry_sorted() noexcept {
    for (std::size_t i = 1; i < status_registry.size(); ++i)
        if (status_registry[i - 1].code >= status_registry[i].code) return false;
    return status_registry[0].code == 100;
}
static_assert(registry_sorted(), "status_registry must be filled and sorted");
}  // namespace detail

/// The registry entry for `code`, or nullptr if it is not registered.
[[nodiscard]] constexpr const status_entry* find_status(int code) noexcept {
    std::size_t lo = 0, hi = status_registry.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (status_registry[mid].code < code) lo = mid + 1;
        else hi = mid;
    }
    return lo < status_registry.size() && status_registry[lo].code == code ? &status_registry[lo] : nullptr;
}

/// Registered reason phrase of `code` ("" if unregistered), e.g. 404 -> "Not Found".
[[nodiscard]] constexpr std::string_view reason_phrase(int code) noexcept {
    const status_entry* e = find_status(code);
    return e ? e->reason : std::string_view{};
}

/// The five classes of status codes (RFC 9110 §15): the first digit.
enum class status_class : std::uint8_t {
    invalid,        ///< outside 100..599
    informational,  ///< 1xx
    successful,     ///< 2xx
    redirection,    ///< 3xx
    client_error,   ///< 4xx
    server_error,   ///< 5xx
};

/// Class of `code`. A client treats an unrecognised code as the x00 code of
/// its class (RFC 9110 §15).
[[nodiscard]] constexpr status_class class_of(int code) noexcept {
    if (code < 100 || code > 599) return status_class::invalid;
    return static_cast<status_class>(code / 100);
}

}  // namespace wirekit::http1
