// wirekit/wire/http1/date.hpp — HTTP-date (RFC 9110 §5.6.7): parse all three
// forms, format IMF-fixdate.
//
// Layer L2. Times are seconds since 1970-01-01T00:00:00Z (leap seconds not
// counted, as POSIX time). Used by Date, Last-Modified, If-Modified-Since,
// Expires, Retry-After.
//   IMF-fixdate   Sun, 06 Nov 1994 08:49:37 GMT    (the one to send)
//   rfc850-date   Sunday, 06-Nov-94 08:49:37 GMT   (obsolete, two-digit year)
//   asctime-date  Sun Nov  6 08:49:37 1994         (obsolete, C asctime())
// Errors: malformed, with the byte offset into the given text.
#pragma once

#include <array>        // formatted output
#include <cstddef>      // std::size_t
#include <cstdint>      // std::int64_t
#include <optional>     // the optional "now" for two-digit years
#include <string_view>  // input text

#include "wirekit/core/result.hpp"  // result, wire_error

namespace wirekit::http1 {

namespace detail {

inline constexpr std::array<std::string_view, 7> day_names{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
inline constexpr std::array<std::string_view, 7> day_names_long{"Monday", "Tuesday", "Wednesday", "Thursday",
                                                                 "Friday", "Saturday", "Sunday"};
inline constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/// Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12).
/// The era-based formula of H. Hinnant, "chrono-Compatible Low-Level Date
/// Algorithms" (days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) noexcept {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/// Inverse of days_from_civil (same source, civil_from_days).
constexpr void civil_from_days(std::int64_t z, std::int64_t& y, int& m, int& d) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

constexpr bool is_leap(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
constexpr int days_in_month(std::int64_t y, int m) noexcept {
    constexpr int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/// A cursor over the date text; every failure names its offset.
struct date_cursor {
    std::string_view s;
    std::size_t i = 0;

    wire_error fail(std::string_view what) const noexcept { return make_error(errc::malformed, "http1", i, what); }
    bool lit(std::string_view t) noexcept {
        if (s.substr(i, t.size()) != t) return false;
        i += t.size();
        return true;
    }
    /// Exactly `n` digits; on failure the cursor stays at their start.
    bool digits(int n, int& out) noexcept {
        out = 0;
        const std::size_t start = i;
        for (int k = 0; k < n; ++k) {
            if (i >= s.size() || s[i] < '0' || s[i] > '9') {
                i = start;
                return false;
            }
            out = out * 10 + (s[i] - '0');
            ++i;
        }
        return true;
    }
    /// One of `names` (case-sensitive, RFC 9110 §5.6.7); its index or -1.
    template <std::size_t N>
    int name(const std::array<std::string_view, N>& names) noexcept {
        for (std::size_t k = 0; k < N; ++k)
            if (lit(names[k])) return static_cast<int>(k);
        return -1;
    }
};

/// time-of-day = hour ":" minute ":" second; second may be 60 (leap second).
inline result<int> time_of_day(date_cursor& c) noexcept {
    int h = 0, mi = 0, se = 0;
    if (!c.digits(2, h) || h > 23) return c.fail("invalid hour");
    if (!c.lit(":")) return c.fail("expected ':'");
    if (!c.digits(2, mi) || mi > 59) return c.fail("invalid minute");
    if (!c.lit(":")) return c.fail("expected ':'");
    if (!c.digits(2, se) || se > 60) return c.fail("invalid second");
    return h * 3600 + mi * 60 + se;
}

}  // namespace detail

/// Parses an HTTP-date in any of its three forms (RFC 9110 §5.6.7) into
/// seconds since the epoch. The whole text must match (no surrounding
/// whitespace: trim field values first). The day name must be a valid name
/// but is not checked against the date. A two-digit rfc850 year is resolved
/// as RFC 9110 requires when `now` (seconds since the epoch) is given: a date
/// more than 50 years in the future means the most recent past year with
/// those digits; without `now`, 70..99 mean 19xx and 00..69 mean 20xx.
[[nodiscard]] inline result<std::int64_t> parse_http_date(std::string_view s,
                                                          std::optional<std::int64_t> now = std::nullopt) noexcept {
    detail::date_cursor c{s};
    int day = 0, mon = 0, year = 0;
    int tod = 0;
    bool two_digit_year = false;
    if (const int wd = c.name(detail::day_names); wd >= 0) {
        const std::size_t after_short = c.i;
        if (c.lit(",")) {
            // IMF-fixdate: ", " 2DIGIT SP month SP 4DIGIT SP time SP "GMT"
            if (!c.lit(" ")) return c.fail("expected SP");
            if (!c.digits(2, day)) return c.fail("invalid day");
            if (!c.lit(" ")) return c.fail("expected SP");
            if ((mon = c.name(detail::month_names)) < 0) return c.fail("invalid month");
            if (!c.lit(" ")) return c.fail("expected SP");
            if (!c.digits(4, year)) return c.fail("invalid year");
            if (!c.lit(" ")) return c.fail("expected SP");
            auto t = detail::time_of_day(c);
            if (!t) return t.error();
            tod = *t;
            if (!c.lit(" GMT")) return c.fail("expected \" GMT\"");
        } else if (c.lit(" ")) {
            // asctime-date: month SP ( 2DIGIT / ( SP DIGIT ) ) SP time SP 4DIGIT
            if ((mon = c.name(detail::month_names)) < 0) return c.fail("invalid month");
            if (!c.lit(" ")) return c.fail("expected SP");
            if (c.lit(" ")) {
                if (!c.digits(1, day)) return c.fail("invalid day");
            } else if (!c.digits(2, day)) {
                return c.fail("invalid day");
            }
            if (!c.lit(" ")) return c.fail("expected SP");
            auto t = detail::time_of_day(c);
            if (!t) return t.error();
            tod = *t;
            if (!c.lit(" ")) return c.fail("expected SP");
            if (!c.digits(4, year)) return c.fail("invalid year");
        } else {
            // rfc850-date: day-name-l "," SP 2DIGIT "-" month "-" 2DIGIT SP time SP "GMT"
            c.i = after_short - 3;
            if (!c.lit(detail::day_names_long[static_cast<std::size_t>(wd)])) return c.fail("invalid day name");
            if (!c.lit(", ")) return c.fail("expected \", \"");
            if (!c.digits(2, day)) return c.fail("invalid day");
            if (!c.lit("-")) return c.fail("expected '-'");
            if ((mon = c.name(detail::month_names)) < 0) return c.fail("invalid month");
            if (!c.lit("-")) return c.fail("expected '-'");
            if (!c.digits(2, year)) return c.fail("invalid year");
            two_digit_year = true;
            if (!c.lit(" ")) return c.fail("expected SP");
            auto t = detail::time_of_day(c);
            if (!t) return t.error();
            tod = *t;
            if (!c.lit(" GMT")) return c.fail("expected \" GMT\"");
        }
    } else {
        return c.fail("invalid day name");
    }
    if (c.i != s.size()) return c.fail("trailing characters after HTTP-date");
    ++mon;  // 1..12
    std::int64_t y = year;
    if (two_digit_year) {
        if (now) {
            std::int64_t ny = 0;
            int nm = 0, nd = 0;
            detail::civil_from_days((*now >= 0 ? *now : *now - 86399) / 86400, ny, nm, nd);
            y = (ny / 100) * 100 + year;
            if (y > ny + 50) y -= 100;
            else if (y <= ny - 50) y += 100;
        } else {
            y = year < 70 ? 2000 + year : 1900 + year;
        }
    }
    if (day < 1 || day > detail::days_in_month(y, mon))
        return make_error(errc::malformed, "http1", 0, "day of month out of range");
    return detail::days_from_civil(y, mon, day) * 86400 + tod;
}

/// Formats `t` (seconds since the epoch, year 0..9999) as IMF-fixdate, the
/// preferred HTTP-date form: exactly 29 characters, e.g.
/// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7).
[[nodiscard]] constexpr std::array<char, 29> format_http_date(std::int64_t t) noexcept {
    std::int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    std::int64_t sec = t - days * 86400;
    std::int64_t y = 0;
    int m = 0, d = 0;
    detail::civil_from_days(days, y, m, d);
    // 1970-01-01 was a Thursday (index 3 with Monday = 0).
    const std::int64_t wd = ((days % 7) + 7 + 3) % 7;
    std::array<char, 29> out{};
    const auto put = [&](std::size_t at, std::string_view v) {
        for (std::size_t k = 0; k < v.size(); ++k) out[at + k] = v[k];
    };
    const auto num = [&](std::size_t at, std::int64_t v, int width) {
        for (int k = width - 1; k >= 0; --k) {
            out[at + static_cast<std::size_t>(k)] = static_cast<char>('0' + v % 10);
            v /= 10;
        }
    };
    put(0, detail::day_names[static_cast<std::size_t>(wd)]);
    put(3, ", ");
    num(5, d, 2);
    out[7] = ' ';
    put(8, detail::month_names[static_cast<std::size_t>(m - 1)]);
    out[11] = ' ';
    num(12, y, 4);
    out[16] = ' ';
    num(17, sec / 3600, 2);
    out[19] = ':';
    num(20, sec / 60 % 60, 2);
    out[22] = ':';
    num(23, sec % 60, 2);
    put(25, " GMT");
    return out;
}

}  // namespace wirekit::http1
