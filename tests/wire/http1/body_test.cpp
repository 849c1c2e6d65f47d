// Body framing (RFC 9112 §6.3), smuggling rejections, persistence (§9.3) and
// the incremental body decoder (§6, §7.1). Every body is decoded whole, split
// at every offset and byte by byte.
#include "support.hpp"

using namespace h1test;

namespace {

result<body_framing> req_framing(std::string_view m) {
    static field_slot s[32];
    auto r = parse_request(m, s);
    REQUIRE(r);
    REQUIRE(r->has_value());
    return request_framing(**r);
}

result<body_framing> res_framing(std::string_view m, std::string_view method = "GET") {
    static field_slot s[32];
    auto r = parse_response(m, s);
    REQUIRE(r);
    REQUIRE(r->has_value());
    return response_framing(**r, method);
}

void require_framing_error(const result<body_framing>& r, errc kind, std::size_t off, std::string_view detail) {
    REQUIRE(!r);
    INFO("detail: " << r.error().detail << " at " << r.error().offset);
    CHECK(r.error().kind == kind);
    CHECK(r.error().offset == off);
    CHECK(r.error().detail == detail);
}

const body_framing chunked{body_kind::chunked, 0};

}  // namespace

TEST_CASE("framing: requests (RFC 9112 §6.3)", "[http1][framing]") {
    CHECK(*req_framing("GET / HTTP/1.1\r\nHost: a\r\n\r\n") == body_framing{body_kind::none, 0});
    CHECK(*req_framing("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n") == body_framing{body_kind::content_length, 12});
    CHECK(*req_framing("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n") == body_framing{body_kind::none, 0});
    CHECK(*req_framing("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == chunked);
    CHECK(*req_framing("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n") == chunked);
    CHECK(*req_framing("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n") == chunked);
    // Identical duplicates are one value (RFC 9110 §8.6).
    CHECK(*req_framing("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n") ==
          body_framing{body_kind::content_length, 5});
    CHECK(*req_framing("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n") == body_framing{body_kind::content_length, 5});
    CHECK(*req_framing("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n") ==
          body_framing{body_kind::content_length, UINT64_MAX});
}

TEST_CASE("framing: responses (RFC 9112 §6.3 rules 1, 2, 8)", "[http1][framing]") {
    const std::string_view cl = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n";
    CHECK(*res_framing(cl) == body_framing{body_kind::content_length, 7});
    CHECK(*res_framing(cl, "HEAD") == body_framing{body_kind::none, 0});
    CHECK(*res_framing("HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n") == body_framing{body_kind::none, 0});
    CHECK(*res_framing("HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n") == body_framing{body_kind::none, 0});
    CHECK(*res_framing("HTTP/1.1 100 Continue\r\n\r\n") == body_framing{body_kind::none, 0});
    CHECK(*res_framing("HTTP/1.1 101 Switching Protocols\r\n\r\n") == body_framing{body_kind::none, 0});
    CHECK(*res_framing("HTTP/1.1 200 OK\r\n\r\n") == body_framing{body_kind::until_close, 0});
    CHECK(*res_framing("HTTP/1.1 200 OK\r\n\r\n", "CONNECT") == body_framing{body_kind::tunnel, 0});
    CHECK(*res_framing("HTTP/1.1 407 Auth\r\nContent-Length: 2\r\n\r\n", "CONNECT") ==
          body_framing{body_kind::content_length, 2});
    CHECK(*res_framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") == chunked);
    // A response whose final coding is not chunked is read until close (rule 4).
    CHECK(*res_framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n") == body_framing{body_kind::until_close, 0});
}

TEST_CASE("smuggling: both Content-Length and Transfer-Encoding", "[http1][strict][framing]") {
    const std::string_view m = "POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find("Transfer-Encoding"),
                          "both Content-Length and Transfer-Encoding");
    const std::string_view r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n";
    require_framing_error(res_framing(r), errc::malformed, r.find("Content-Length"),
                          "both Content-Length and Transfer-Encoding");
}

TEST_CASE("smuggling: differing duplicate Content-Length", "[http1][strict][framing]") {
    std::string_view m = "POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n";
    require_framing_error(req_framing(m), errc::bad_length, m.rfind('5'), "differing Content-Length values");
    m = "POST / HTTP/1.1\r\nContent-Length: 4, 40\r\n\r\n";
    require_framing_error(req_framing(m), errc::bad_length, m.find("40"), "differing Content-Length values");
}

TEST_CASE("smuggling: invalid Content-Length values", "[http1][strict][framing]") {
    std::string_view m = "POST / HTTP/1.1\r\nContent-Length: +4\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find('+'), "Content-Length is not a number");
    m = "POST / HTTP/1.1\r\nContent-Length: 4x\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find('x'), "Content-Length is not a number");
    m = "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find('x'), "Content-Length is not a number");
    m = "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find("\r\n\r\n"), "empty Content-Length");
    m = "POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find("18446"), "Content-Length overflows 64 bits");
}

TEST_CASE("smuggling: request whose final transfer coding is not chunked", "[http1][strict][framing]") {
    std::string_view m = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find("chunked"),
                          "final transfer coding of a request is not chunked");
    m = "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find("identity"),
                          "final transfer coding of a request is not chunked");
    m = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.rfind("chunked"), "chunked applied more than once");
    m = "POST / HTTP/1.1\r\nTransfer-Encoding: \"chunked\"\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find('"'), "invalid transfer-coding");
    m = "POST / HTTP/1.1\r\nTransfer-Encoding: ,\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find(','), "empty Transfer-Encoding");
    m = "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find("Transfer"), "Transfer-Encoding in an HTTP/1.0 request");
}

TEST_CASE("smuggling: a CONNECT request with content (RFC 9110 §9.3.6)", "[http1][strict][framing]") {
    std::string_view m = "CONNECT a:443 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find("Transfer"), "CONNECT request with content");
    m = "CONNECT a:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
    require_framing_error(req_framing(m), errc::malformed, m.find("Content"), "CONNECT request with content");
    CHECK(*req_framing("CONNECT a:443 HTTP/1.1\r\nContent-Length: 0\r\n\r\n") == body_framing{body_kind::none, 0});
    CHECK(*req_framing("CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n") == body_framing{body_kind::none, 0});
}

TEST_CASE("persistence by version and Connection (RFC 9112 §9.3)", "[http1][framing]") {
    field_slot s[8];
    auto ka = [&](std::string_view m) {
        auto r = parse_request(m, s);
        REQUIRE(r);
        REQUIRE(r->has_value());
        return keep_alive((*r)->version, (*r)->fields);
    };
    CHECK(ka("GET / HTTP/1.1\r\n\r\n"));
    CHECK_FALSE(ka("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
    CHECK_FALSE(ka("GET / HTTP/1.1\r\nConnection: Upgrade, CLOSE\r\n\r\n"));
    CHECK_FALSE(ka("GET / HTTP/1.0\r\n\r\n"));
    CHECK(ka("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
    CHECK_FALSE(ka("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"));

    auto rr = parse_response("HTTP/1.1 200 OK\r\n\r\n", s);
    REQUIRE(rr);
    REQUIRE(rr->has_value());
    const auto f = response_framing(**rr, "GET");
    CHECK(keep_alive((*rr)->version, (*rr)->fields));
    CHECK_FALSE(persists((*rr)->version, (*rr)->fields, *f));  // until close
}

TEST_CASE("decoder: Content-Length", "[http1][body]") {
    const auto o = decode_every_split({body_kind::content_length, 5}, "helloGET / HTTP/1.1\r\n");
    CHECK(o.ok);
    CHECK(o.ended);
    CHECK(o.content == "hello");
    CHECK(o.consumed == 5);
    const auto t = decode_every_split({body_kind::content_length, 5}, "hel", true);
    CHECK_FALSE(t.ok);
    CHECK(t.err_kind == errc::truncated);
    CHECK(t.err_offset == 3);
    CHECK(t.err_detail == "connection closed before the end of the body");
    CHECK(decode_every_split({body_kind::none, 0}, "GET").consumed == 0);
}

TEST_CASE("decoder: read until close (RFC 9112 §6.3 rule 8)", "[http1][body]") {
    const auto o = decode_every_split({body_kind::until_close, 0}, "all of it\r\n0\r\n", true);
    CHECK(o.ok);
    CHECK(o.content == "all of it\r\n0\r\n");
}

TEST_CASE("decoder: chunked, RFC 9112 §7.1 forms", "[http1][body]") {
    // Chunks, upper- and lower-case hex, leading zeros, extensions, trailer.
    const std::string_view b =
        "4\r\nWiki\r\n"
        "5;name=value\r\npedia\r\n"
        "0E ; a ; b = \"q\\\"x\" ;c=d\r\n in\r\n\r\nchunks.\r\n"
        "000\r\n"
        "Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
        "\r\n"
        "NEXT";
    const auto o = decode_every_split(chunked, b);
    REQUIRE(o.ok);
    CHECK(o.ended);
    CHECK(o.content == "Wikipedia in\r\n\r\nchunks.");
    CHECK(o.trailers == "Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n");
    CHECK(o.consumed == b.size() - 4);

    // The trailer text is a field section for fields_parser.
    field_slot s[4];
    fields_parser p(s);
    auto r = p.feed(std::string_view(o.trailers));
    REQUIRE(r);
    REQUIRE(*r == parse_status::complete);
    CHECK(p.fields().find("expires") == std::optional<std::string_view>("Wed, 21 Oct 2015 07:28:00 GMT"));

    const auto e = decode_every_split(chunked, "0\r\n\r\n");
    CHECK(e.ok);
    CHECK(e.content.empty());
    CHECK(e.trailers == "\r\n");
    CHECK(decode_every_split(chunked, "a\r\n0123456789\r\n0\r\n\r\n").content == "0123456789");
    CHECK(decode_every_split(chunked, "A\r\n0123456789\r\n0\r\n\r\n").content == "0123456789");
}

TEST_CASE("reject: chunk-size overflow and non-hex digits", "[http1][strict][body]") {
    auto o = decode_every_split(chunked, "10000000000000000\r\n");  // 2^64
    CHECK_FALSE(o.ok);
    CHECK(o.err_offset == 16);
    CHECK(o.err_detail == "chunk-size overflows 64 bits");
    o = decode_every_split(chunked, "ffffffffffffffff\r\n");  // 2^64 - 1 fits
    CHECK(o.ok);
    o = decode_every_split(chunked, "g\r\n");
    CHECK(o.err_detail == "chunk-size is not hexadecimal");
    CHECK(o.err_offset == 0);
    o = decode_every_split(chunked, "-1\r\n");
    CHECK(o.err_detail == "chunk-size is not hexadecimal");
    o = decode_every_split(chunked, "0x5\r\nhello\r\n0\r\n\r\n");
    CHECK(o.err_detail == "invalid character after chunk-size");
    CHECK(o.err_offset == 1);
    o = decode_every_split(chunked, "\r\n");
    CHECK(o.err_detail == "chunk-size is not hexadecimal");
    o = decode_every_split(chunked, "5 \r\nhello\r\n0\r\n\r\n");  // BWS only before ';'
    CHECK(o.err_detail == "invalid chunk extension");
    CHECK(o.err_offset == 2);
}

TEST_CASE("reject: bad chunk terminator", "[http1][strict][body]") {
    auto o = decode_every_split(chunked, "5\r\nhelloX\r\n0\r\n\r\n");
    CHECK_FALSE(o.ok);
    CHECK(o.err_offset == 8);
    CHECK(o.err_detail == "bad chunk terminator (CRLF expected after chunk data)");
    CHECK(o.content == "");  // the error replaces the outcome
    o = decode_every_split(chunked, "5\r\nhello\rX0\r\n\r\n");
    CHECK(o.err_offset == 9);
    CHECK(o.err_detail == "bad chunk terminator (CRLF expected after chunk data)");
    o = decode_every_split(chunked, "5\r\nhello\n0\r\n\r\n");
    CHECK(o.err_detail == "bad chunk terminator (CRLF expected after chunk data)");
    body_options lf;
    lf.accept_bare_lf = true;
    o = decode_every_split(chunked, "5\nhello\n0\n\n", false, lf);
    CHECK(o.ok);
    CHECK(o.content == "hello");
}

TEST_CASE("reject: malformed chunk extensions and trailers", "[http1][strict][body]") {
    auto o = decode_every_split(chunked, "1;\r\na\r\n0\r\n\r\n");
    CHECK(o.err_detail == "invalid chunk extension name");
    o = decode_every_split(chunked, "1;a=\r\na\r\n0\r\n\r\n");
    CHECK(o.err_detail == "invalid chunk extension value");
    o = decode_every_split(chunked, "1;a=\"x\x01\"\r\na\r\n0\r\n\r\n");
    CHECK(o.err_detail == "control character in chunk extension");
    o = decode_every_split(chunked, "1;a\rb\r\na\r\n0\r\n\r\n");
    CHECK(o.err_detail == "bare CR");
    o = decode_every_split(chunked, "0\r\nX : y\r\n\r\n");
    CHECK(o.err_detail == "whitespace between field name and colon");
    CHECK(o.err_offset == 4);
    o = decode_every_split(chunked, "0\r\nX: y\r\n z\r\n\r\n");
    CHECK(o.err_detail == "obs-fold (line folding) is not allowed");
    o = decode_every_split(chunked, "0\r\nX: y\x7f\r\n\r\n");
    CHECK(o.err_detail == "control character in field value");
    o = decode_every_split(chunked, "0\r\nX: y\n\r\n");
    CHECK(o.err_detail == "bare LF");
    // Framing fields in the trailer section (RFC 9110 §6.5.1).
    o = decode_every_split(chunked, "0\r\nA: b\r\nTransfer-ENCODING: chunked\r\n\r\n");
    CHECK(o.err_detail == "framing field in trailer section");
    CHECK(o.err_offset == 9);
    o = decode_every_split(chunked, "0\r\ncontent-length: 5\r\n\r\n");
    CHECK(o.err_detail == "framing field in trailer section");
    CHECK(o.err_offset == 3);
    CHECK(decode_every_split(chunked, "0\r\nContent-Lengths: 5\r\nContent-Lengt: 5\r\n\r\n").ok);
    o = decode_every_split(chunked, "5\r\nhel", true);
    CHECK(o.err_kind == errc::truncated);
}

TEST_CASE("limits: chunk line and trailer section", "[http1][limits][body]") {
    body_options o;
    o.max_chunk_line = 8;
    CHECK(decode_every_split(chunked, "1;abcdef\r\nx\r\n0\r\n\r\n", false, o).ok);
    auto r = decode_every_split(chunked, "1;abcdefg\r\nx\r\n0\r\n\r\n", false, o);
    CHECK(r.err_kind == errc::limit_exceeded);
    CHECK(r.err_detail == "chunk-size line exceeds max_chunk_line");
    CHECK(r.err_offset == 8);
    // Leading zeros count too: an endless size line is refused.
    r = decode_every_split(chunked, std::string(20, '0'), false, o);
    CHECK(r.err_kind == errc::limit_exceeded);
    o.max_trailers = 6;
    CHECK(decode_every_split(chunked, "0\r\nA:b\r\n\r\n", false, o).err_kind == errc::limit_exceeded);
    o.max_trailers = 7;
    CHECK(decode_every_split(chunked, "0\r\nA:b\r\n\r\n", false, o).ok);
}
