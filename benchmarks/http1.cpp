// HTTP/1.1 head parsing: wirekit vs llhttp vs nodejs http-parser.
//
// Names: http_parse_request/IMPLEMENTATION/SIZE and
// http_parse_response/IMPLEMENTATION/SIZE. Every implementation delivers
// every span (method, target, each field name and value): wirekit by walking
// the field list, the C parsers through their data callbacks; the sum of span
// lengths is kept so nothing is optimised away. Compare ratios, not times.
//
// The reference parsers are optional:
//   WIREKIT_HAVE_LLHTTP       link llhttp's C sources (Debian node-llhttp:
//                             /usr/share/llhttp/{api,http,llhttp}.c)
//   WIREKIT_HAVE_HTTP_PARSER  link libhttp_parser (Debian libhttp-parser-dev)
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdlib>
#include <string>
#include <string_view>
#include <type_traits>

#include "wirekit/wire/http1/parser.hpp"

#if defined(WIREKIT_HAVE_LLHTTP)
extern "C" {
#include <llhttp.h>
}
#endif
#if defined(WIREKIT_HAVE_HTTP_PARSER)
// http_parser.h and llhttp.h declare the same enumerators: keep the older
// parser in its own namespace (its own includes are pulled in first).
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
namespace hp {
#include <http_parser.h>
}
#endif

namespace {

using namespace wirekit::http1;

// A minimal GET (curl-like).
constexpr std::string_view minimal_get =
    "GET /favicon.ico HTTP/1.1\r\n"
    "Host: www.example.com\r\n"
    "Accept: */*\r\n"
    "\r\n";

// A realistic browser navigation request (Firefox-like header set).
constexpr std::string_view browser_get =
    "GET /wiki/Hypertext_Transfer_Protocol HTTP/1.1\r\n"
    "Host: en.wikipedia.org\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://www.google.com/\r\n"
    "Connection: keep-alive\r\n"
    "Cookie: WMF-Last-Access=21-Nov-2026; GeoIP=DE:BE:Berlin:52.52:13.40:v4\r\n"
    "Upgrade-Insecure-Requests: 1\r\n"
    "Sec-Fetch-Dest: document\r\n"
    "Sec-Fetch-Mode: navigate\r\n"
    "\r\n";

// Many short fields.
constexpr std::string_view many_headers =
    "POST /api/v1/items?page=2&sort=desc HTTP/1.1\r\n"
    "Host: api.example.com\r\n"
    "User-Agent: wirekit-bench/1.0\r\n"
    "Accept: application/json\r\n"
    "Accept-Encoding: gzip\r\n"
    "Accept-Language: en\r\n"
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc\r\n"
    "Cache-Control: no-cache\r\n"
    "Connection: keep-alive\r\n"
    "Content-Length: 0\r\n"
    "Content-Type: application/json\r\n"
    "DNT: 1\r\n"
    "Origin: https://app.example.com\r\n"
    "Pragma: no-cache\r\n"
    "Referer: https://app.example.com/items\r\n"
    "Sec-Fetch-Dest: empty\r\n"
    "Sec-Fetch-Mode: cors\r\n"
    "Sec-Fetch-Site: same-site\r\n"
    "TE: trailers\r\n"
    "X-Request-ID: 6f1c2a9e-8d7b-4c3a-9e2f-1b0a3c5d7e9f\r\n"
    "X-Forwarded-For: 203.0.113.7\r\n"
    "X-Forwarded-Proto: https\r\n"
    "X-Client-Version: 4.12.0\r\n"
    "X-Feature-Flags: a,b,c,d\r\n"
    "If-None-Match: \"5e0be100-2c\"\r\n"
    "\r\n";

// A typical response head (nginx).
constexpr std::string_view response_head_text =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Sat, 21 Nov 2026 08:07:16 GMT\r\n"
    "Content-Type: text/html\r\n"
    "Content-Length: 44\r\n"
    "Last-Modified: Wed, 01 Jan 2020 00:00:00 GMT\r\n"
    "Connection: keep-alive\r\n"
    "ETag: \"5e0be100-2c\"\r\n"
    "Accept-Ranges: bytes\r\n"
    "\r\n";

template <class Parser>
void bench_wirekit(benchmark::State& state, std::string_view msg) {
    field_slot slots[64];
    std::size_t sum = 0;
    for (auto _ : state) {
        Parser p(slots);
        auto r = p.feed(msg);
        if (!r || *r != parse_status::complete) {
            state.SkipWithError("wirekit parse failed");
            break;
        }
        const auto h = p.head();
        if constexpr (std::is_same_v<Parser, request_parser>) sum += h.method.size() + h.target.size();
        else sum += h.reason.size();
        for (field f : h.fields) sum += f.name.size() + f.value.size();
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg.size()));
}

#if defined(WIREKIT_HAVE_LLHTTP)
struct ll_ctx {
    std::size_t sum = 0;
    bool done = false;
};
int ll_span(llhttp_t* p, const char*, std::size_t n) {
    static_cast<ll_ctx*>(p->data)->sum += n;
    return 0;
}
int ll_headers_done(llhttp_t* p) {
    static_cast<ll_ctx*>(p->data)->done = true;
    return 0;
}
void bench_llhttp(benchmark::State& state, std::string_view msg, llhttp_type_t type) {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_url = ll_span;
    s.on_status = ll_span;
    s.on_method = ll_span;
    s.on_header_field = ll_span;
    s.on_header_value = ll_span;
    s.on_headers_complete = ll_headers_done;
    ll_ctx ctx;
    for (auto _ : state) {
        llhttp_t p;
        llhttp_init(&p, type, &s);
        p.data = &ctx;
        ctx.done = false;
        const llhttp_errno_t e = llhttp_execute(&p, msg.data(), msg.size());
        if (e != HPE_OK || !ctx.done) {
            state.SkipWithError("llhttp parse failed");
            break;
        }
        benchmark::DoNotOptimize(ctx.sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg.size()));
}
#endif

#if defined(WIREKIT_HAVE_HTTP_PARSER)
using hp::http_parser;
using hp::http_parser_settings;
using hp::http_parser_type;
struct hp_ctx {
    std::size_t sum = 0;
    bool done = false;
};
int hp_span(http_parser* p, const char*, std::size_t n) {
    static_cast<hp_ctx*>(p->data)->sum += n;
    return 0;
}
int hp_headers_done(http_parser* p) {
    static_cast<hp_ctx*>(p->data)->done = true;
    return 0;
}
void bench_http_parser(benchmark::State& state, std::string_view msg, http_parser_type type) {
    http_parser_settings s{};
    s.on_url = hp_span;
    s.on_status = hp_span;
    s.on_header_field = hp_span;
    s.on_header_value = hp_span;
    s.on_headers_complete = hp_headers_done;
    hp_ctx ctx;
    for (auto _ : state) {
        http_parser p;
        hp::http_parser_init(&p, type);
        p.data = &ctx;
        ctx.done = false;
        const std::size_t n = hp::http_parser_execute(&p, &s, msg.data(), msg.size());
        if (n != msg.size() || !ctx.done) {
            state.SkipWithError("http_parser parse failed");
            break;
        }
        benchmark::DoNotOptimize(ctx.sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * msg.size()));
}
#endif

struct named {
    const char* size;
    std::string_view msg;
};
constexpr named requests[] = {{"minimal_get", minimal_get}, {"browser_get", browser_get}, {"many_headers", many_headers}};

[[maybe_unused]] const bool registered = [] {
    for (const named& n : requests) {
        const std::string sz = std::string(n.size) + "_" + std::to_string(n.msg.size()) + "B";
        benchmark::RegisterBenchmark(("http_parse_request/wirekit/" + sz).c_str(),
                                     [m = n.msg](benchmark::State& s) { bench_wirekit<request_parser>(s, m); });
#if defined(WIREKIT_HAVE_LLHTTP)
        benchmark::RegisterBenchmark(("http_parse_request/llhttp/" + sz).c_str(),
                                     [m = n.msg](benchmark::State& s) { bench_llhttp(s, m, HTTP_REQUEST); });
#endif
#if defined(WIREKIT_HAVE_HTTP_PARSER)
        benchmark::RegisterBenchmark(("http_parse_request/http_parser/" + sz).c_str(),
                                     [m = n.msg](benchmark::State& s) { bench_http_parser(s, m, hp::HTTP_REQUEST); });
#endif
    }
    const std::string rs = "nginx_200_" + std::to_string(response_head_text.size()) + "B";
    benchmark::RegisterBenchmark(("http_parse_response/wirekit/" + rs).c_str(),
                                 [](benchmark::State& s) { bench_wirekit<response_parser>(s, response_head_text); });
#if defined(WIREKIT_HAVE_LLHTTP)
    benchmark::RegisterBenchmark(("http_parse_response/llhttp/" + rs).c_str(),
                                 [](benchmark::State& s) { bench_llhttp(s, response_head_text, HTTP_RESPONSE); });
#endif
#if defined(WIREKIT_HAVE_HTTP_PARSER)
    benchmark::RegisterBenchmark(("http_parse_response/http_parser/" + rs).c_str(),
                                 [](benchmark::State& s) { bench_http_parser(s, response_head_text, hp::HTTP_RESPONSE); });
#endif
    return true;
}();

}  // namespace
