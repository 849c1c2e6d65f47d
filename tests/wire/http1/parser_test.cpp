// HTTP/1.1 head parser: valid forms (RFC 9112 grammar and RFC examples),
// every strictness rule as its own case, limits. Every message is parsed
// whole, split at every offset (with the buffer moved) and byte by byte.
#include "support.hpp"

#include <sys/mman.h>  // the PROT_NONE guard page
#include <unistd.h>    // sysconf

#include <cstring>

using namespace h1test;
using K = outcome::kind_t;

namespace {
// A rejection: kind, byte offset and the detail text naming the problem.
void require_error(const outcome& o, errc kind, std::size_t offset, std::string_view detail) {
    INFO("detail: " << o.err_detail << " at " << o.err_offset);
    REQUIRE(o.kind == K::error);
    CHECK(o.err_kind == kind);
    CHECK(o.err_offset == offset);
    CHECK(o.err_detail == detail);
}
}  // namespace

TEST_CASE("request: RFC 9110 example exchange request", "[http1][parser]") {
    // The example request of RFC 9110's example message exchange (GET /hello.txt, curl/7.64.1).
    const std::string_view m =
        "GET /hello.txt HTTP/1.1\r\n"
        "User-Agent: curl/7.64.1\r\n"
        "Host: www.example.com\r\n"
        "Accept-Language: en, mi\r\n"
        "\r\n";
    const outcome o = req(m);
    REQUIRE(o.kind == K::complete);
    CHECK(o.a == "GET");
    CHECK(o.b == "/hello.txt");
    CHECK(o.major == 1);
    CHECK(o.minor == 1);
    CHECK(o.consumed == m.size());
    REQUIRE(o.fields.size() == 3);
    CHECK(o.fields[0] == std::pair<std::string, std::string>{"User-Agent", "curl/7.64.1"});
    CHECK(o.fields[1] == std::pair<std::string, std::string>{"Host", "www.example.com"});
    CHECK(o.fields[2] == std::pair<std::string, std::string>{"Accept-Language", "en, mi"});
}

TEST_CASE("response: RFC 9110 example exchange response", "[http1][parser]") {
    const std::string_view head =
        "HTTP/1.1 200 OK\r\n"
        "Date: Mon, 27 Jul 2009 12:28:53 GMT\r\n"
        "Server: Apache\r\n"
        "Last-Modified: Wed, 22 Jul 2009 19:15:56 GMT\r\n"
        "ETag: \"34aa387-d-1568eb00\"\r\n"
        "Accept-Ranges: bytes\r\n"
        "Content-Length: 51\r\n"
        "Vary: Accept-Encoding\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n";
    const std::string body = "Hello World! My content includes a trailing CRLF.\r\n";
    const std::string m = std::string(head) + body;
    const outcome o = res(m);
    REQUIRE(o.kind == K::complete);
    CHECK(o.status == 200);
    CHECK(o.b == "OK");
    CHECK(o.consumed == head.size());
    REQUIRE(o.fields.size() == 8);
    CHECK(o.fields[3].second == "\"34aa387-d-1568eb00\"");
    // The RFC's Content-Length matches its body.
    CHECK(body.size() == 51);

    field_slot s[16];
    auto r = parse_response(m, s);
    REQUIRE(r);
    REQUIRE(r->has_value());
    auto f = response_framing(**r, "GET");
    REQUIRE(f);
    CHECK(f->kind == body_kind::content_length);
    CHECK(f->length == 51);
}

TEST_CASE("request: forms of request-target (RFC 9112 §3.2)", "[http1][parser]") {
    CHECK(req("GET /where?q=now HTTP/1.1\r\nHost: x\r\n\r\n").b == "/where?q=now");
    CHECK(req("GET http://www.example.org/pub/WWW/TheProject.html HTTP/1.1\r\n\r\n").b ==
          "http://www.example.org/pub/WWW/TheProject.html");
    CHECK(req("CONNECT www.example.com:80 HTTP/1.1\r\nHost: www.example.com\r\n\r\n").b == "www.example.com:80");
    CHECK(req("OPTIONS * HTTP/1.1\r\nHost: www.example.org:8001\r\n\r\n").b == "*");
}

TEST_CASE("reject: request-target outside its four forms (RFC 9112 §3.2)", "[http1][strict]") {
    require_error(req("GET index.html HTTP/1.1\r\n\r\n"), errc::malformed, 4, "invalid request-target form");
    require_error(req("GET a/b:c HTTP/1.1\r\n\r\n"), errc::malformed, 5, "invalid request-target form");
    require_error(req("GET ~u HTTP/1.1\r\n\r\n"), errc::malformed, 4, "invalid request-target form");
    require_error(req("GET 1http://a/ HTTP/1.1\r\n\r\n"), errc::malformed, 4, "invalid request-target form");
    require_error(req("GET * HTTP/1.1\r\n\r\n"), errc::malformed, 4, "asterisk-form is only for OPTIONS");
    require_error(req("CONNECT /x HTTP/1.1\r\n\r\n"), errc::malformed, 8, "CONNECT needs authority-form (host:port)");
    require_error(req("CONNECT example.com HTTP/1.1\r\n\r\n"), errc::malformed, 8,
                  "CONNECT needs authority-form (host:port)");
    require_error(req("CONNECT example.com:x HTTP/1.1\r\n\r\n"), errc::malformed, 8,
                  "CONNECT needs authority-form (host:port)");
    require_error(req("GET /a#frag HTTP/1.1\r\n\r\n"), errc::malformed, 6, "fragment in request-target");
    CHECK(req("GET urn:isbn:0451450523 HTTP/1.1\r\n\r\n").kind == K::complete);
    CHECK(req("CONNECT [2001:db8::1]:443 HTTP/1.1\r\n\r\n").kind == K::complete);
    // SSDP's "M-SEARCH * HTTP/1.1" is not HTTP/1.1 asterisk-form (OPTIONS only).
    require_error(req("M-SEARCH * HTTP/1.1\r\n\r\n"), errc::malformed, 9, "asterisk-form is only for OPTIONS");
}

TEST_CASE("request: HTTP/1.0, no fields, extension method", "[http1][parser]") {
    auto o = req("GET / HTTP/1.0\r\n\r\n");
    REQUIRE(o.kind == K::complete);
    CHECK(o.minor == 0);
    CHECK(o.fields.empty());
    o = req("M-SEARCH /upnp HTTP/1.1\r\n\r\n");
    REQUIRE(o.kind == K::complete);
    CHECK(o.a == "M-SEARCH");
}

TEST_CASE("request: a higher minor version is accepted (RFC 9110 §2.5)", "[http1][parser]") {
    auto o = req("GET / HTTP/1.2\r\nHost: a\r\n\r\n");
    REQUIRE(o.kind == K::complete);
    CHECK(o.minor == 2);
    field_slot s[4];
    auto r = parse_request("GET / HTTP/1.2\r\n\r\n", s);
    REQUIRE(r);
    CHECK(keep_alive((*r)->version, (*r)->fields));  // treated as 1.1
}

TEST_CASE("request: leading empty lines are skipped (RFC 9112 §2.2)", "[http1][parser]") {
    auto o = req("\r\n\r\nGET / HTTP/1.1\r\n\r\n");
    REQUIRE(o.kind == K::complete);
    CHECK(o.a == "GET");
    CHECK(o.consumed == 22);
}

TEST_CASE("field values: OWS trimmed, inner whitespace kept, obs-text kept, empty value", "[http1][parser]") {
    auto o = req("GET / HTTP/1.1\r\nA:  x  y \t\r\nB:\r\nC: \t \r\nD:\xE9t\xE9\r\nE:\tz\r\n\r\n");
    REQUIRE(o.kind == K::complete);
    REQUIRE(o.fields.size() == 5);
    CHECK(o.fields[0].second == "x  y");
    CHECK(o.fields[1].second.empty());
    CHECK(o.fields[2].second.empty());
    CHECK(o.fields[3].second == "\xE9t\xE9");
    CHECK(o.fields[4].second == "z");
}

TEST_CASE("need more: every proper prefix of a valid head is need_more", "[http1][parser]") {
    const std::string_view m = "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
    for (std::size_t k = 0; k < m.size(); ++k) {
        field_slot s[8];
        request_parser p(s);
        auto r = p.feed(m.substr(0, k));
        REQUIRE(r);
        CHECK(*r == parse_status::need_more);
    }
}

TEST_CASE("never re-scans: consumed grows with the input, the parser resumes", "[http1][parser]") {
    const std::string m = "GET / HTTP/1.1\r\nX-Long: " + std::string(1000, 'a');
    field_slot s[8];
    request_parser p(s);
    REQUIRE(*p.feed(std::string_view(m).substr(0, 500)) == parse_status::need_more);
    CHECK(p.consumed() == 500);
    REQUIRE(*p.feed(std::string_view(m)) == parse_status::need_more);
    CHECK(p.consumed() == m.size());
}

TEST_CASE("response: status-line forms (RFC 9112 §4)", "[http1][parser]") {
    auto o = res("HTTP/1.1 404 Not Found\r\n\r\n");
    CHECK(o.status == 404);
    CHECK(o.b == "Not Found");
    o = res("HTTP/1.1 200 \r\n\r\n");  // empty reason-phrase
    REQUIRE(o.kind == K::complete);
    CHECK(o.b.empty());
    o = res("HTTP/1.0 599 A\tb \xff\r\n\r\n");
    REQUIRE(o.kind == K::complete);
    CHECK(o.b == "A\tb \xff");
}

// ---- strictness: each rule its own case --------------------------------

TEST_CASE("reject: obs-fold in a request (RFC 9112 §5.2)", "[http1][strict]") {
    const std::string_view m = "GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n";
    require_error(req(m), errc::malformed, m.find(" b"), "obs-fold (line folding) is not allowed");
}

TEST_CASE("reject: obs-fold in a response too (documented policy)", "[http1][strict]") {
    const std::string_view m = "HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\n\r\n";
    require_error(res(m), errc::malformed, m.find("\tb"), "obs-fold (line folding) is not allowed");
}

TEST_CASE("reject: whitespace between field name and colon (RFC 9112 §5.1)", "[http1][strict]") {
    std::string_view m = "GET / HTTP/1.1\r\nHost : x\r\n\r\n";
    require_error(req(m), errc::malformed, 20, "whitespace between field name and colon");
    m = "HTTP/1.1 200 OK\r\nContent-Length\t: 1\r\n\r\n";
    require_error(res(m), errc::malformed, m.find('\t'), "whitespace between field name and colon");
}

TEST_CASE("reject: whitespace before the first field line (RFC 9112 §2.2)", "[http1][strict]") {
    const std::string_view m = "GET / HTTP/1.1\r\n Host: x\r\n\r\n";
    require_error(req(m), errc::malformed, 16, "whitespace before the first field line");
}

TEST_CASE("reject: invalid token characters", "[http1][strict]") {
    std::string_view m = "GE(T / HTTP/1.1\r\n\r\n";
    require_error(req(m), errc::malformed, 2, "invalid character in method");
    m = "GET / HTTP/1.1\r\nX[y]: 1\r\n\r\n";
    require_error(req(m), errc::malformed, 17, "invalid character in field name");
    m = "GET / HTTP/1.1\r\n: 1\r\n\r\n";
    require_error(req(m), errc::malformed, 16, "empty field name");
    m = "GET / HTTP/1.1\r\nNoColon\r\n\r\n";
    require_error(req(m), errc::malformed, 23, "field line lacks a colon");
    m = "GET /a\x7f HTTP/1.1\r\n\r\n";
    require_error(req(m), errc::malformed, 6, "invalid character in request-target");
    m = "GET /\xc3\xa9 HTTP/1.1\r\n\r\n";
    require_error(req(m), errc::malformed, 5, "invalid character in request-target");
}

TEST_CASE("reject: control characters in field values", "[http1][strict]") {
    for (char c : std::string_view("\x00\x01\x08\x0b\x0c\x1f\x7f", 7)) {
        std::string m = "GET / HTTP/1.1\r\nX: ab";
        m += c;
        m += "cd\r\n\r\n";
        INFO("byte " << static_cast<int>(static_cast<unsigned char>(c)));
        require_error(req(m), errc::malformed, 21, "control character in field value");
    }
    const std::string_view r = "HTTP/1.1 200 O\x01K\r\n\r\n";
    require_error(res(r), errc::malformed, 14, "control character in reason-phrase");
}

TEST_CASE("reject: bare CR anywhere a line may end", "[http1][strict]") {
    require_error(req("GET / HTTP/1.1\rX: y\r\n\r\n"), errc::malformed, 15, "bare CR");
    require_error(req("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"), errc::malformed, 21, "bare CR");
    require_error(req("GET / HTTP/1.1\r\n\rX"), errc::malformed, 17, "bare CR");
    require_error(res("HTTP/1.1 200 OK\rX\r\n\r\n"), errc::malformed, 16, "bare CR");
}

TEST_CASE("bare LF policy: rejected by default, a line end when accepted", "[http1][strict]") {
    const std::string_view m = "GET / HTTP/1.1\nHost: x\n\n";
    require_error(req(m), errc::malformed, 14, "bare LF");
    require_error(req("GET / HTTP/1.1\r\nHost: x\n\r\n"), errc::malformed, 23, "bare LF");
    require_error(req("GET / HTTP/1.1\r\nHost: x\r\n\n"), errc::malformed, 25, "bare LF");
    require_error(res("HTTP/1.1 200 OK\nA: b\r\n\r\n"), errc::malformed, 15, "bare LF");

    parser_options lf;
    lf.accept_bare_lf = true;
    auto o = req(m, lf);
    REQUIRE(o.kind == K::complete);
    CHECK(o.consumed == m.size());
    REQUIRE(o.fields.size() == 1);
    CHECK(o.fields[0].second == "x");
    // Mixed line ends are fine under that policy; a bare CR still is not.
    o = res("HTTP/1.1 204 No Content\nA: b\r\nC: d\n\r\n", lf);
    REQUIRE(o.kind == K::complete);
    CHECK(o.b == "No Content");
    CHECK(o.fields.size() == 2);
    require_error(req("GET / HTTP/1.1\nA: b\rc\n\n", lf), errc::malformed, 20, "bare CR");
}

TEST_CASE("reject: malformed request-line", "[http1][strict]") {
    require_error(req("GET  / HTTP/1.1\r\n\r\n"), errc::malformed, 4, "empty request-target");
    require_error(req(" GET / HTTP/1.1\r\n\r\n"), errc::malformed, 0, "empty method");
    require_error(req("GET /\r\n\r\n"), errc::malformed, 5, "request-line lacks HTTP-version");
    require_error(req("GET / http/1.1\r\n\r\n"), errc::malformed, 6, "invalid HTTP-version");
    require_error(req("GET / HTTP/1.10\r\n\r\n"), errc::malformed, 14, "expected CRLF after HTTP-version");
    require_error(req("GET / HTTP/1.1 \r\n\r\n"), errc::malformed, 14, "expected CRLF after HTTP-version");
    require_error(req("GET / HTTP/2.0\r\n\r\n"), errc::unsupported, 11, "HTTP major version is not 1");
    require_error(req("GET / HTTP/1.x\r\n\r\n"), errc::malformed, 13, "invalid HTTP-version");
}

TEST_CASE("reject: malformed status-line", "[http1][strict]") {
    require_error(res("HTTP/1.1 20 OK\r\n\r\n"), errc::malformed, 11, "status-code is not 3 digits");
    require_error(res("HTTP/1.1 2000 OK\r\n\r\n"), errc::malformed, 12, "status-code is not 3 digits");
    require_error(res("HTTP/1.1 099 X\r\n\r\n"), errc::malformed, 9, "status-code outside 100..599");
    require_error(res("HTTP/1.1 600 X\r\n\r\n"), errc::malformed, 9, "status-code outside 100..599");
    require_error(res("HTTP/1.1 200\r\n\r\n"), errc::malformed, 12, "expected SP after status-code");
    require_error(res("HTTP/1.1  200 OK\r\n\r\n"), errc::malformed, 9, "status-code is not 3 digits");
    require_error(res("HTTP/1.1\t200 OK\r\n\r\n"), errc::malformed, 8, "expected SP after HTTP-version");
    require_error(res("ICY 200 OK\r\n\r\n"), errc::malformed, 0, "invalid HTTP-version");
}

TEST_CASE("limits: header count is the caller's storage", "[http1][limits]") {
    const std::string_view m = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    CHECK(req(m, {}, 3).kind == K::complete);
    require_error(req(m, {}, 2), errc::limit_exceeded, m.find("C:"), "more field lines than the caller's limit");
    require_error(req(m, {}, 0), errc::limit_exceeded, 16, "more field lines than the caller's limit");
}

TEST_CASE("limits: start line, field line and head size", "[http1][limits]") {
    parser_options o;
    o.max_start_line = 16;
    CHECK(req("GET /23456789 HTTP/1.1\r\n\r\n", o).kind == K::error);
    // "GET /2345 HTTP/1.1" is 18 bytes: the 17th (offset 16) is one too many.
    require_error(req("GET /2345 HTTP/1.1\r\n\r\n", o), errc::limit_exceeded, 16,
                  "start line exceeds max_start_line");
    o.max_start_line = 18;
    CHECK(req("GET /2345 HTTP/1.1\r\n\r\n", o).kind == K::complete);

    parser_options f;
    f.max_field_line = 10;
    CHECK(req("GET / HTTP/1.1\r\nA: 345678\r\n\r\n", f).kind == K::complete);  // 9 bytes
    CHECK(req("GET / HTTP/1.1\r\nA: 3456789\r\n\r\n", f).kind == K::complete);  // 10 bytes
    require_error(req("GET / HTTP/1.1\r\nA: 34567890\r\n\r\n", f), errc::limit_exceeded, 26,
                  "field line exceeds max_field_line");
    // A long line is refused as soon as it passes the limit, before its end arrives.
    const std::string endless = "GET / HTTP/1.1\r\nA: " + std::string(100, 'x');
    require_error(req(endless, f), errc::limit_exceeded, 26, "field line exceeds max_field_line");

    parser_options h;
    const std::string_view m = "GET / HTTP/1.1\r\nA: 1\r\n\r\n";  // 24 bytes
    h.max_head = 24;
    CHECK(req(m, h).kind == K::complete);
    h.max_head = 23;
    require_error(req(m, h), errc::limit_exceeded, 23, "head exceeds max_head");
    h.max_head = 20;
    require_error(req(m, h), errc::limit_exceeded, 20, "head exceeds max_head");
}

TEST_CASE("after an error the parser stays failed - reset starts over", "[http1][parser]") {
    field_slot s[4];
    request_parser p(s);
    auto r = p.feed(std::string_view("GET / HTTP/1.1\r\nA : b\r\n\r\n"));
    REQUIRE(!r);
    auto r2 = p.feed(std::string_view("GET / HTTP/1.1\r\n\r\n"));
    REQUIRE(!r2);
    CHECK(r2.error() == r.error());
    p.reset();
    auto r3 = p.feed(std::string_view("GET / HTTP/1.1\r\n\r\n"));
    REQUIRE(r3);
    CHECK(*r3 == parse_status::complete);
    CHECK(r.error().layer == "http1");
}

TEST_CASE("pipelining: reset and feed the bytes after the previous message", "[http1][parser]") {
    const std::string_view m = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\nGET /c HTTP/1.1\r\n";
    field_slot s[4];
    request_parser p(s);
    std::string_view rest = m;
    std::vector<std::string> targets;
    for (;;) {
        auto r = p.feed(rest);
        REQUIRE(r);
        if (*r == parse_status::need_more) break;
        targets.push_back(str(p.head().target));
        rest.remove_prefix(p.head().head_len);
        p.reset();
    }
    CHECK(targets == std::vector<std::string>{"/a", "/b"});
    CHECK(rest == "GET /c HTTP/1.1\r\n");
}

TEST_CASE("field_list: case-insensitive find and count", "[http1][parser]") {
    field_slot s[8];
    auto r = parse_request("GET / HTTP/1.1\r\nHOST: a\r\nx-y: 1\r\nX-Y: 2\r\n\r\n", s);
    REQUIRE(r);
    REQUIRE(r->has_value());
    const field_list& f = (*r)->fields;
    CHECK(f.find("host") == std::optional<std::string_view>("a"));
    CHECK(f.find("X-y") == std::optional<std::string_view>("1"));
    CHECK(f.count("x-Y") == 2);
    CHECK(!f.find("cookie"));
}

TEST_CASE("trailer section parser (fields only)", "[http1][parser]") {
    field_slot s[4];
    fields_parser p(s);
    auto r = p.feed(std::string_view("Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\nX: 1\r\n\r\n"));
    REQUIRE(r);
    REQUIRE(*r == parse_status::complete);
    REQUIRE(p.fields().size() == 2);
    CHECK(p.fields()[0].value == "Wed, 21 Oct 2015 07:28:00 GMT");
    fields_parser q(s);
    auto e = q.feed(std::string_view("X: 1\r\n y\r\n\r\n"));
    REQUIRE(!e);
    CHECK(e.error().detail == "obs-fold (line folding) is not allowed");
}

TEST_CASE("limits: every limit value gives the same result for every split", "[http1][limits]") {
    // The split harness checks that feeding whole, split and byte by byte
    // agree; sweeping the limits across the message moves each refusal over
    // every byte, including the fast paths (version, CRLF after a value).
    const std::string_view rq = "\r\nGET /a HTTP/1.1\r\nHost: h\r\nX:\tv v \r\n\r\n";
    const std::string_view rs = "HTTP/1.0 404 Not Found\r\nA: b\r\n\r\n";
    for (std::size_t lim = 0; lim <= rq.size() + 1; ++lim) {
        parser_options o;
        o.max_head = lim;
        INFO("max_head " << lim);
        const outcome a = req(rq, o);
        CHECK((a.kind == K::complete) == (lim >= rq.size()));
        o = {};
        o.max_start_line = lim;
        req(rq, o);
        o = {};
        o.max_field_line = lim;
        req(rq, o);
    }
    for (std::size_t lim = 0; lim <= rs.size() + 1; ++lim) {
        parser_options o;
        o.max_head = lim;
        INFO("max_head " << lim);
        const outcome a = res(rs, o);
        CHECK((a.kind == K::complete) == (lim >= rs.size()));
        o = {};
        o.max_start_line = lim;
        CHECK((res(rs, o).kind == K::complete) == (lim >= 22));
        o = {};
        o.max_field_line = lim;
        CHECK((res(rs, o).kind == K::complete) == (lim >= 4));
    }
}

TEST_CASE("no over-read: every prefix placed against a PROT_NONE page", "[http1][parser]") {
    // picohttpparser's test habit: the byte after the input is unmapped, so
    // any read past the end (a 16-byte SIMD load too) crashes the test.
    const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    void* mem = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(mem != MAP_FAILED);
    char* const guard = static_cast<char*>(mem) + page;
    REQUIRE(mprotect(guard, page, PROT_NONE) == 0);
    const std::string_view msgs[] = {
        "GET /wiki/Hypertext_Transfer_Protocol HTTP/1.1\r\nHost: en.wikipedia.org\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Length: 44\r\n\r\n",
        "4\r\nWiki\r\n5;a=b\r\npedia\r\n0\r\nX: y\r\n\r\n",
    };
    for (std::size_t m = 0; m < 3; ++m) {
        for (std::size_t k = 0; k <= msgs[m].size(); ++k) {
            char* at = guard - k;
            std::memcpy(at, msgs[m].data(), k);
            const std::string_view in(at, k);
            field_slot s[16];
            if (m == 0) {
                request_parser p(s);
                auto r = p.feed(in);
                CHECK(r.has_value());
            } else if (m == 1) {
                response_parser p(s);
                auto r = p.feed(in);
                CHECK(r.has_value());
            } else {
                body_decoder d({body_kind::chunked, 0});
                std::string_view rest = in;
                for (;;) {
                    auto ev = d.decode(rest);
                    REQUIRE(ev);
                    rest.remove_prefix(ev->consumed);
                    if (ev->kind == body_event_kind::end || ev->kind == body_event_kind::need_more) break;
                }
            }
        }
    }
    munmap(mem, 2 * page);
}
