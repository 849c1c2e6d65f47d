// Helpers: list splitting, HTTP-date, cookies, status registry.
// Truth: RFC examples and epoch values computed with GNU date(1).
#include "support.hpp"

#include <chrono>

#include "wirekit/wire/http1/cookie.hpp"
#include "wirekit/wire/http1/date.hpp"
#include "wirekit/wire/http1/fields.hpp"
#include "wirekit/wire/http1/status.hpp"

using namespace h1test;

namespace {
std::vector<std::string> elements(std::string_view v) {
    std::vector<std::string> out;
    for (std::string_view e : list_elements(v)) out.emplace_back(e);
    return out;
}
}  // namespace

TEST_CASE("list_elements: RFC 9110 §5.6.1 recipient examples", "[http1][fields]") {
    // RFC 9110 §5.6.1.2: "foo,bar", "foo ,bar,", "foo , ,bar,charlie" are
    // valid lists; empty elements do not count.
    using V = std::vector<std::string>;
    CHECK(elements("foo,bar") == V{"foo", "bar"});
    CHECK(elements("foo ,bar,") == V{"foo", "bar"});
    CHECK(elements("foo , ,bar,charlie") == V{"foo", "bar", "charlie"});
    // ... and "", ",", ",   ," are lists with no elements.
    CHECK(elements("").empty());
    CHECK(elements(",").empty());
    CHECK(elements(",   ,").empty());
    // A comma inside a quoted-string does not split (RFC 9110 §5.6.4).
    CHECK(elements("a=\"x,y\", b=\"\\\",\"") == V{"a=\"x,y\"", "b=\"\\\",\""});
    CHECK(elements("\tgzip\t") == V{"gzip"});
}

TEST_CASE("has_token and iequals", "[http1][fields]") {
    field_slot s[8];
    auto r = parse_request("GET / HTTP/1.1\r\nConnection: Upgrade, keep-alive\r\nTE: trailers;q=1\r\n\r\n", s);
    REQUIRE(r);
    REQUIRE(r->has_value());
    const field_list& f = (*r)->fields;
    CHECK(has_token(f, "connection", "KEEP-ALIVE"));
    CHECK(has_token(f, "CONNECTION", "upgrade"));
    CHECK_FALSE(has_token(f, "connection", "close"));
    CHECK(has_token(f, "te", "trailers"));
    CHECK(iequals("Content-Length", "content-LENGTH"));
    CHECK_FALSE(iequals("Content-Length", "Content-Lengt"));
    CHECK_FALSE(iequals("[", "{"));  // only letters fold
}

TEST_CASE("HTTP-date: the three forms of RFC 9110 §5.6.7 are one instant", "[http1][date]") {
    // RFC 9110 §5.6.7 examples; 784111777 from `date -u -d '1994-11-06 08:49:37 UTC' +%s`.
    CHECK(*parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK(*parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
    CHECK(*parse_http_date("Sun Nov  6 08:49:37 1994") == 784111777);
    CHECK(*parse_http_date("Sun Nov 16 08:49:37 1994") == 784111777 + 10 * 86400);
}

TEST_CASE("HTTP-date: values from date(1)", "[http1][date]") {
    CHECK(*parse_http_date("Wed, 09 Jun 2021 10:18:14 GMT") == 1623233894);
    CHECK(*parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT") == 951782400);
    CHECK(*parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
    CHECK(*parse_http_date("Tue, 19 Jan 2038 03:14:08 GMT") == 2147483648);
    CHECK(*parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT") == 253402300799);
    CHECK(*parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT") == -1);
    const auto s = [](std::int64_t t) { const auto a = format_http_date(t); return std::string(a.data(), a.size()); };
    CHECK(s(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(s(1623233894) == "Wed, 09 Jun 2021 10:18:14 GMT");
    CHECK(s(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
    CHECK(s(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(s(-1) == "Wed, 31 Dec 1969 23:59:59 GMT");
    CHECK(s(253402300799) == "Fri, 31 Dec 9999 23:59:59 GMT");
    // Round trip over a spread of instants.
    for (std::int64_t t = -86400LL * 365 * 20; t < 86400LL * 365 * 200; t += 7777777) CHECK(*parse_http_date(s(t)) == t);
}

TEST_CASE("HTTP-date: two-digit years (RFC 9110 §5.6.7)", "[http1][date]") {
    // Without "now": 70..99 -> 19xx, 00..69 -> 20xx.
    CHECK(*parse_http_date("Tuesday, 01-Jan-69 00:00:00 GMT") == 3124224000);
    // With now = 2021-06-09: "69" is within 50 years ahead -> 2069; "94" -> 1994.
    CHECK(*parse_http_date("Tuesday, 01-Jan-69 00:00:00 GMT", 1623233894) == 3124224000);
    CHECK(*parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", 1623233894) == 784111777);
    // With now = 2080-01-01 "94" would be 2094, 14 years ahead: it stays 2094.
    // (date(1): 2080-01-01 = 3471292800; 2094-11-06 08:49:37 = 3939871777.)
    CHECK(*parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", 3471292800) == 3939871777);
}

TEST_CASE("HTTP-date: rejections name the offset", "[http1][date]") {
    auto e = parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC");
    REQUIRE(!e);
    CHECK(e.error().offset == 25);
    CHECK(e.error().detail == "expected \" GMT\"");
    e = parse_http_date("Sun, 6 Nov 1994 08:49:37 GMT");
    CHECK(e.error().detail == "invalid day");
    CHECK(e.error().offset == 5);
    e = parse_http_date("Sun, 06 nov 1994 08:49:37 GMT");  // case-sensitive
    CHECK(e.error().detail == "invalid month");
    e = parse_http_date("Sun, 06 Nov 1994 24:00:00 GMT");
    CHECK(e.error().detail == "invalid hour");
    e = parse_http_date("Sun, 31 Feb 1994 08:49:37 GMT");
    CHECK(e.error().detail == "day of month out of range");
    e = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT ");
    CHECK(e.error().detail == "trailing characters after HTTP-date");
    e = parse_http_date("Sonntag, 06-Nov-94 08:49:37 GMT");
    CHECK(e.error().detail == "invalid day name");
    e = parse_http_date("");
    CHECK(!e);
}

TEST_CASE("Cookie: RFC 6265 §3.1 examples", "[http1][cookie]") {
    std::vector<std::pair<std::string, std::string>> got;
    for (auto [n, v] : cookie_pairs("SID=31d4d96e407aad42; lang=en-US")) got.emplace_back(n, v);
    CHECK(got == std::vector<std::pair<std::string, std::string>>{{"SID", "31d4d96e407aad42"}, {"lang", "en-US"}});
    got.clear();
    for (auto [n, v] : cookie_pairs(" a=\"q\" ;noequals; =x; b=")) got.emplace_back(n, v);
    CHECK(got == std::vector<std::pair<std::string, std::string>>{{"a", "\"q\""}, {"b", ""}});
    CHECK(cookie_pairs("").begin() == cookie_pairs("").end());
}

TEST_CASE("Set-Cookie: RFC 6265 §3.1 examples", "[http1][cookie]") {
    auto c = parse_set_cookie("SID=31d4d96e407aad42; Path=/; Domain=example.com");
    REQUIRE(c);
    CHECK(c->name == "SID");
    CHECK(c->value == "31d4d96e407aad42");
    CHECK(c->path == "/");
    CHECK(c->domain == "example.com");
    CHECK_FALSE(c->secure);

    c = parse_set_cookie("SID=31d4d96e407aad42; Path=/; Secure; HttpOnly");
    REQUIRE(c);
    CHECK(c->secure);
    CHECK(c->http_only);

    c = parse_set_cookie("lang=en-US; Expires=Wed, 09 Jun 2021 10:18:14 GMT");
    REQUIRE(c);
    REQUIRE(c->expires);
    CHECK(*c->expires == 1623233894);

    c = parse_set_cookie("lang=; Expires=Sun, 06 Nov 1994 08:49:37 GMT");
    REQUIRE(c);
    CHECK(c->value.empty());
    CHECK(*c->expires == 784111777);
}

TEST_CASE("Set-Cookie: §5.2 algorithm details", "[http1][cookie]") {
    auto c = parse_set_cookie(" n = v ; max-age=60; DOMAIN=.Example.org; path=rel; SameSite=Lax; foo=bar");
    REQUIRE(c);
    CHECK(c->name == "n");
    CHECK(c->value == "v");
    CHECK(*c->max_age == 60);
    CHECK(c->domain == "Example.org");
    CHECK(c->path.empty());  // not starting with '/': default-path
    CHECK(c->site == same_site::lax);
    c = parse_set_cookie("a=b; Max-Age=-5; Max-Age=1x; SameSite=None; Secure");
    REQUIRE(c);
    CHECK(*c->max_age == -5);  // "1x" is ignored, the earlier value stays
    CHECK(c->site == same_site::none);
    c = parse_set_cookie("a=b; Expires=bogus");
    REQUIRE(c);
    CHECK_FALSE(c->expires);
    auto e = parse_set_cookie("novalue; Path=/");
    REQUIRE(!e);
    CHECK(e.error().detail == "Set-Cookie without '='");
    CHECK(e.error().offset == 7);
    e = parse_set_cookie(" =v");
    CHECK(e.error().detail == "empty cookie name");
}

TEST_CASE("cookie-date: §5.1.1 accepts the HTTP-date forms and more", "[http1][cookie]") {
    CHECK(*parse_cookie_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777);
    CHECK(*parse_cookie_date("Sunday, 06-Nov-94 08:49:37 GMT") == 784111777);
    CHECK(*parse_cookie_date("Sun Nov  6 08:49:37 1994") == 784111777);
    CHECK(*parse_cookie_date("6 november 1994 8:49:37") == 784111777);
    CHECK(!parse_cookie_date("Sun, 06 Nov 08:49:37 GMT"));  // no year
    CHECK(!parse_cookie_date("Sun, 32 Nov 1994 08:49:37 GMT"));
    CHECK(!parse_cookie_date("Sun, 06 Nov 1600 08:49:37 GMT"));
}

TEST_CASE("status registry: RFC 9110 §15 section titles", "[http1][status]") {
    CHECK(reason_phrase(200) == "OK");
    CHECK(reason_phrase(204) == "No Content");
    CHECK(reason_phrase(304) == "Not Modified");
    CHECK(reason_phrase(404) == "Not Found");
    CHECK(reason_phrase(413) == "Content Too Large");
    CHECK(reason_phrase(422) == "Unprocessable Content");
    CHECK(reason_phrase(505) == "HTTP Version Not Supported");
    CHECK(reason_phrase(429) == "Too Many Requests");  // RFC 6585 §4
    CHECK(reason_phrase(299).empty());
    CHECK(reason_phrase(0).empty());
    CHECK(find_status(418)->reference == "RFC 9110 §15.5.19");
    CHECK(class_of(100) == status_class::informational);
    CHECK(class_of(299) == status_class::successful);
    CHECK(class_of(308) == status_class::redirection);
    CHECK(class_of(451) == status_class::client_error);
    CHECK(class_of(599) == status_class::server_error);
    CHECK(class_of(600) == status_class::invalid);
    CHECK(class_of(99) == status_class::invalid);
    // Every entry is found by its own code.
    for (const auto& e : status_registry) CHECK(find_status(e.code) == &e);
}
