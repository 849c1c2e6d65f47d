// message_writer: output compared with RFC text, and round trips through the
// parser and the body decoder.
#include "support.hpp"

#include "wirekit/wire/http1/serializer.hpp"

using namespace h1test;

TEST_CASE("writer: the RFC 9110 example request, byte for byte", "[http1][writer]") {
    char buf[256];
    message_writer w(buf);
    REQUIRE(w.request_line("GET", "/hello.txt"));
    REQUIRE(w.field("User-Agent", "curl/7.64.1"));
    REQUIRE(w.field("Host", "www.example.com"));
    REQUIRE(w.field("Accept-Language", "en, mi"));
    REQUIRE(w.end_head());
    CHECK(w.written() ==
          "GET /hello.txt HTTP/1.1\r\n"
          "User-Agent: curl/7.64.1\r\n"
          "Host: www.example.com\r\n"
          "Accept-Language: en, mi\r\n"
          "\r\n");
}

TEST_CASE("writer: response with registered reason and Content-Length", "[http1][writer]") {
    char buf[256];
    message_writer w(buf);
    REQUIRE(w.status_line(404));
    REQUIRE(w.content_length(9));
    REQUIRE(w.end_head());
    REQUIRE(w.body("not found"));
    CHECK(w.written() == "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
    w.clear();
    REQUIRE(w.status_line(200, "", {1, 0}));
    REQUIRE(w.content_length(0));
    REQUIRE(w.content_length(18446744073709551615ULL));
    CHECK(w.written() == "HTTP/1.0 200 \r\nContent-Length: 0\r\nContent-Length: 18446744073709551615\r\n");
}

TEST_CASE("writer: chunked output (RFC 9112 §7.1) decodes back", "[http1][writer]") {
    char buf[512];
    message_writer w(buf);
    REQUIRE(w.request_line("POST", "/upload"));
    REQUIRE(w.chunked());
    REQUIRE(w.end_head());
    REQUIRE(w.chunk("Wiki"));
    REQUIRE(w.chunk(std::string(26, 'x'), ";part=2"));
    REQUIRE(w.chunk(""));  // writes nothing
    const field trailers[] = {{"Expires", "Wed, 21 Oct 2015 07:28:00 GMT"}};
    REQUIRE(w.last_chunk(trailers));
    const std::string_view out = w.written();
    CHECK(out.substr(out.find("\r\n\r\n") + 4) ==
          "4\r\nWiki\r\n1a;part=2\r\n" + std::string(26, 'x') + "\r\n0\r\nExpires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n");

    field_slot s[8];
    auto r = parse_request(out, s);
    REQUIRE(r);
    REQUIRE(r->has_value());
    const request_head h = **r;
    auto f = request_framing(h);
    REQUIRE(f);
    CHECK(f->kind == body_kind::chunked);
    const auto b = decode_every_split(*f, out.substr(h.head_len));
    REQUIRE(b.ok);
    CHECK(b.content == "Wiki" + std::string(26, 'x'));
    CHECK(b.trailers == "Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n");
    CHECK(b.consumed == out.size() - h.head_len);
}

TEST_CASE("writer: refuses inputs that would inject or corrupt lines", "[http1][writer]") {
    char buf[256];
    message_writer w(buf);
    CHECK(w.request_line("GE T", "/").error().detail == "method is not a token");
    CHECK(w.request_line("GET", "/a b").error().detail == "invalid character in request-target");
    CHECK(w.request_line("GET", "").error().detail == "empty request-target");
    CHECK(w.request_line("GET", "x").error().detail == "invalid request-target form");
    CHECK(w.request_line("CONNECT", "/").error().detail == "CONNECT needs authority-form (host:port)");
    CHECK(w.request_line("GET", "/", {2, 0}).error().detail == "HTTP-version must be 1.x");
    CHECK(w.status_line(99).error().detail == "status-code outside 100..599");
    CHECK(w.status_line(200, "OK\r\nX: y").error().detail == "control character in reason-phrase");
    CHECK(w.field("X-A", "v\r\nInjected: 1").error().detail == "control character in field value");
    CHECK(w.field("X A", "v").error().detail == "field name is not a token");
    CHECK(w.field("X", " v").error().detail == "field value has surrounding whitespace");
    CHECK(w.chunk("x", ";a\r\n").error().detail == "line break in chunk extension");
    CHECK(w.size() == 0);  // nothing was written
}

TEST_CASE("writer: no_space leaves the buffer unchanged", "[http1][writer]") {
    char buf[20];
    message_writer w(buf);
    REQUIRE(w.request_line("GET", "/"));  // 16 bytes
    auto e = w.field("Host", "a");
    REQUIRE(!e);
    CHECK(e.error().kind == errc::no_space);
    CHECK(e.error().offset == 16);
    CHECK(w.size() == 16);
    REQUIRE(w.end_head());
    const field t[] = {{"A", "b"}};
    CHECK(!w.last_chunk(t));
    CHECK(w.size() == 18);
}

TEST_CASE("writer output is accepted by the parser (round trip of many shapes)", "[http1][writer]") {
    const char* methods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
    for (const char* m : methods) {
        char buf[256];
        message_writer w(buf);
        const std::string_view target = std::string_view(m) == "CONNECT" ? "h:443" : "/p?q=1";
        REQUIRE(w.request_line(m, target, {1, 0}));
        REQUIRE(w.field("Host", "h"));
        REQUIRE(w.field("X-Empty", ""));
        REQUIRE(w.field("X-Inner", "a \t b"));
        REQUIRE(w.end_head());
        const outcome o = req(w.written());
        REQUIRE(o.kind == outcome::kind_t::complete);
        CHECK(o.a == m);
        CHECK(o.b == target);
        CHECK(o.minor == 0);
        REQUIRE(o.fields.size() == 3);
        CHECK(o.fields[2].second == "a \t b");
    }
    for (const auto& e : status_registry) {
        char buf[256];
        message_writer w(buf);
        REQUIRE(w.status_line(e.code));
        REQUIRE(w.end_head());
        const outcome o = res(w.written());
        REQUIRE(o.kind == outcome::kind_t::complete);
        CHECK(o.status == e.code);
        CHECK(o.b == e.reason);
    }
}
