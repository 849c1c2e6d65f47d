// wirekit-decode http-request / http-response on the captured streams (seed corpus files are the
// reassembled TCP payloads, after one control byte): JSON keys and values as
// tshark shows them, exit 3 for an incomplete message, exit 1 for malformed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/run_command.hpp"

namespace {

using wirekit::test::run_result;
run_result run(const std::string& cmd) { return wirekit::test::run_command(cmd); }

const std::string tool = std::string(WIREKIT_BINARY_DIR) + "/examples/wirekit-decode";
const std::string corpus = std::string(WIREKIT_SOURCE_DIR) + "/fuzz/corpus/";

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("wirekit-decode http: pipelined HEAD requests and responses (http-keepalive.pcap)", "[http1][tool]") {
    REQUIRE(std::filesystem::exists(tool));  // built with the examples (a dependency of this suite)
    const auto q = run("tail -c +2 " + corpus + "http1_request/http-keepalive-00 | " + tool + " http-request");
    CHECK(q.status == 0);
    // tshark: three HEAD requests, /hello.html, /nope, /hello.html, HTTP/1.1.
    CHECK(count(q.out, "\"http.request.method\": \"HEAD\"") == 3);
    CHECK(count(q.out, "\"http.request.uri\": \"/hello.html\"") == 2);
    CHECK(count(q.out, "\"http.request.uri\": \"/nope\"") == 1);
    CHECK(count(q.out, "\"http.request.version\": \"HTTP/1.1\"") == 3);
    CHECK(count(q.out, "[\"User-Agent\", \"curl/7.88.1\"]") == 3);
    // Frame lengths from tshark (tcp.len): 84, 78, 84.
    CHECK(has(q.out, "\"consumed\": 84}\n{\"http.request.method\": \"HEAD\", \"http.request.uri\": \"/nope\""));
    CHECK(has(q.out, "\"consumed\": 78}"));

    const auto s = run("tail -c +2 " + corpus + "http1_response/http-keepalive-00 | " + tool + " http-response --method HEAD");
    CHECK(s.status == 0);
    CHECK(count(s.out, "\"http.response.code\": 200, \"http.response.phrase\": \"OK\"") == 2);
    CHECK(count(s.out, "\"http.response.code\": 404, \"http.response.phrase\": \"Not Found\"") == 1);
    CHECK(count(s.out, "\"body_length\": 0") == 3);  // responses to HEAD
    CHECK(has(s.out, "[\"Content-Length\", \"153\"]"));
    // tcp.len of the three responses: 236, 155, 236.
    CHECK(count(s.out, "\"consumed\": 236}") == 2);
    CHECK(count(s.out, "\"consumed\": 155}") == 1);
}

TEST_CASE("wirekit-decode http: response body as hex (http-get.pcap)", "[http1][tool]") {
    REQUIRE(std::filesystem::exists(tool));  // built with the examples (a dependency of this suite)
    const auto s = run("tail -c +2 " + corpus + "http1_response/http-get-00 | " + tool + " http-response");
    CHECK(s.status == 0);
    // tshark http.file_data: "<html><body><h1>It works</h1></body></html>\n", 44 bytes.
    std::string hex;
    for (unsigned char c : std::string("<html><body><h1>It works</h1></body></html>\n")) {
        static const char digits[] = "0123456789abcdef";
        hex += digits[c >> 4];
        hex += digits[c & 15];
    }
    CHECK(has(s.out, "\"body_length\": 44, \"body_hex\": \"" + hex + "\""));
    CHECK(has(s.out, "[\"ETag\", \"\\\"5e0be100-2c\\\"\"]"));
}

TEST_CASE("wirekit-decode http: incomplete and malformed input", "[http1][tool]") {
    REQUIRE(std::filesystem::exists(tool));  // built with the examples (a dependency of this suite)
    const auto inc = run("printf 'GET / HTTP/1.1\\r\\nHost: a\\r\\n' | " + tool + " http-request");
    CHECK(inc.status == 3);
    CHECK(inc.out == "{\"incomplete\": true}\n");
    const auto body = run("printf 'POST / HTTP/1.1\\r\\nContent-Length: 5\\r\\n\\r\\nab' | " + tool + " http-request");
    CHECK(body.status == 3);
    const auto bad = run("printf 'GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n' | " + tool + " http-request");
    CHECK(bad.status == 1);
    CHECK(has(bad.out, "\"error\": {"));
    CHECK(has(bad.out, "\"detail\": \"whitespace between field name and colon\""));
    CHECK(has(bad.out, "\"offset\": 20"));
    const auto smuggle = run("printf 'POST / HTTP/1.1\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n' | " +
                             tool + " http-request");
    CHECK(smuggle.status == 1);
    CHECK(has(smuggle.out, "both Content-Length and Transfer-Encoding"));
}
