// libFuzzer target: differential accept/reject check of wirekit's request
// parser + framing + body decoder against llhttp (Debian node-llhttp ships its
// generated C sources in /usr/share/llhttp).
//
// Not built by the fuzz/*.cpp glob: it needs llhttp's C sources compiled as C
// and linked in (see docs/http1.md, "Differential testing"). Build by hand:
//   for f in api http llhttp; do clang -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
//     -I/usr/share/include/llhttp -c /usr/share/llhttp/$f.c; done
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -Iinclude \
//     -I/usr/share/include/llhttp fuzz/http1_llhttp.cc api.o http.o llhttp.o -o fuzz_http1_llhttp
//
// For the first message of the input, both parsers say "accepted" (head and
// body complete), "rejected" (an error) or "incomplete". A disagreement that
// is not one of the documented, deliberate differences (classified below and
// listed in docs/http1.md) aborts with both verdicts printed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "wirekit/wire/http1/http1.hpp"

extern "C" {
#include <llhttp.h>
}

namespace {

using namespace wirekit;
using namespace wirekit::http1;

enum class verdict { accepted, rejected, incomplete };
const char* name(verdict v) {
    return v == verdict::accepted ? "accepted" : v == verdict::rejected ? "rejected" : "incomplete";
}

struct wk_result {
    verdict v = verdict::incomplete;
    std::string_view detail;
    std::size_t offset = 0;  // error offset, or bytes used when accepted
};

wk_result run_wirekit(std::string_view in) {
    field_slot slots[64];
    request_parser p(slots);
    auto r = p.feed(in);
    if (!r) return {verdict::rejected, r.error().detail, r.error().offset};
    if (*r == parse_status::need_more) return {};
    const request_head h = p.head();
    auto f = request_framing(h);
    if (!f) return {verdict::rejected, f.error().detail, f.error().offset};
    body_decoder d(*f);
    std::string_view rest = in.substr(h.head_len);
    for (;;) {
        auto ev = d.decode(rest);
        if (!ev) return {verdict::rejected, ev.error().detail, h.head_len + ev.error().offset};
        rest.remove_prefix(ev->consumed);
        if (ev->kind == body_event_kind::end)
            return {verdict::accepted, {}, h.head_len + static_cast<std::size_t>(d.consumed())};
        if (ev->kind == body_event_kind::need_more) return {};
    }
}

int on_complete(llhttp_t*) { return HPE_PAUSED; }

struct ll_result {
    verdict v = verdict::incomplete;
    const char* reason = "";
    std::size_t offset = 0;  // error offset, or bytes used when accepted
};

ll_result run_llhttp(std::string_view in) {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_complete = on_complete;
    llhttp_t p;
    llhttp_init(&p, HTTP_REQUEST, &s);
    const llhttp_errno_t e = llhttp_execute(&p, in.data(), in.size());
    const char* pos = llhttp_get_error_pos(&p);
    if (e == HPE_PAUSED) return {verdict::accepted, "", pos ? static_cast<std::size_t>(pos - in.data()) : 0};
    if (e == HPE_OK) return {};
    return {verdict::rejected, llhttp_get_error_reason(&p),
            pos ? static_cast<std::size_t>(pos - in.data()) : 0};
}

bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }

// Deliberate differences, documented in docs/http1.md ("Differential testing").
// Returns the class name, or nullptr for an unexplained disagreement.
const char* known_difference(std::string_view in, const wk_result& w, const ll_result& l) {
    if (w.v == verdict::rejected) {
        // wirekit is stricter on these; llhttp accepts them by default.
        if (contains(w.detail, "bare LF")) return "bare LF";
        if (contains(w.detail, "CONNECT request with content")) return "CONNECT with content";
        if (contains(w.detail, "framing field in trailer")) return "framing field in trailers";
        if (contains(w.detail, "obs-fold")) return "obs-fold";
        if (contains(w.detail, "request-target") || contains(w.detail, "form")) return "request-target";
        if (contains(w.detail, "HTTP major version")) return "HTTP major version";
        if (contains(w.detail, "Transfer-Encoding") || contains(w.detail, "transfer coding") ||
            contains(w.detail, "transfer-coding") || contains(w.detail, "chunked"))
            return "Transfer-Encoding rules";
        if (contains(w.detail, "Content-Length")) return "Content-Length rules";
        if (contains(w.detail, "chunk")) return "chunk grammar";
        if (contains(w.detail, "control character in field value")) return "CTL in value";
        if (contains(w.detail, "exceeds") || contains(w.detail, "caller's limit")) return "limits";
        if (contains(w.detail, "whitespace before the first field line")) return "leading whitespace";
        if (contains(w.detail, "invalid HTTP-version")) return "HTTP-version";
        if (contains(w.detail, "field name")) return "field name";
        if (contains(w.detail, "bare CR")) return "bare CR";
        if (contains(w.detail, "method")) return "method";
        // "GET /x\r\n": llhttp takes it as an HTTP/0.9 request; wirekit does not speak 0.9.
        if (contains(w.detail, "lacks HTTP-version")) return "HTTP/0.9";
    }
    if (w.v == verdict::accepted && l.v == verdict::rejected) {
        // llhttp only knows registered methods; wirekit accepts any token.
        if (contains(l.reason, "method")) return "unregistered method";
        // Identical repeated Content-Length values are one value for wirekit
        // (RFC 9110 §8.6 permits that); llhttp refuses any repetition.
        if (contains(l.reason, "Duplicate Content-Length")) return "identical Content-Length repeated";
        // ... also as a list ("4, 4"), and with HTAB as OWS around the value
        // (RFC 9110 §5.5 trims it); llhttp refuses both.
        if (contains(l.reason, "Invalid character in Content-Length")) return "Content-Length list or HTAB OWS";
        // "PRI" is an ordinary extension method in HTTP/1.1; llhttp expects
        // the HTTP/2 connection preface after it (RFC 9113 §3.4).
        if (contains(l.reason, "HTTP/2 Connection Preface")) return "PRI method";
        // "chunked<HTAB>": HTAB is OWS and not part of the value (RFC 9110
        // §5.5); llhttp does not see chunked there and refuses the request.
        if (contains(l.reason, "invalid `Transfer-Encoding`")) return "HTAB OWS around Transfer-Encoding";
        // BWS around ';' and '=' in chunk extensions is in RFC 9112 §7.1.1's
        // grammar; llhttp refuses whitespace there.
        // That includes BWS between chunk-size and ';' ("0 ;a").
        if (contains(l.reason, "chunk extension") || contains(l.reason, "chunk size"))
            return "BWS in chunk extensions";
        // wirekit checks the request-target's form and its bytes (VCHAR), not
        // the full RFC 3986 syntax after the scheme or inside the path.
        if (contains(l.reason, "url")) return "URI syntax inside the target";
        // wirekit takes HTTP/1.2..1.9 as 1.1 (RFC 9110 §2.5); llhttp refuses them.
        if (contains(l.reason, "Invalid HTTP version")) return "minor version above 1";
        // llhttp refuses some forms wirekit accepts by the RFC grammar.
        return nullptr;
    }
    // llhttp waits for the rest of an HTTP/2 preface after "PRI ..." (see above).
    if (w.v == verdict::accepted && in.substr(0, 4) == "PRI ") return "PRI method";
    if (w.v == verdict::incomplete && l.v == verdict::rejected) {
        if (contains(l.reason, "method")) return "unregistered method";
    }
    return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const wk_result w = run_wirekit(in);
    const ll_result l = run_llhttp(in);
    // "incomplete" against a verdict is not a disagreement on the bytes seen
    // when the other side had to look further (llhttp stops at its first error,
    // wirekit may still wait for the body): only accept vs reject counts,
    // and incomplete vs accept.
    const bool disagree = (w.v == verdict::accepted && l.v != verdict::accepted) ||
                          (l.v == verdict::accepted && w.v != verdict::accepted);
    if (w.v == verdict::accepted && l.v == verdict::accepted && w.offset != l.offset) {
        // Both accept but end the message at different bytes: the shape of
        // request smuggling. Never expected.
        std::fprintf(stderr, "http1 vs llhttp: message ends at %zu (wirekit) vs %zu (llhttp)\n", w.offset, l.offset);
        std::abort();
    }
    if (!disagree) return 0;
    if (known_difference(in, w, l)) return 0;
    std::fprintf(stderr, "http1 vs llhttp: wirekit %s (%.*s at %zu), llhttp %s (%s at %zu)\n", name(w.v),
                static_cast<int>(w.detail.size()), w.detail.data(), w.offset, name(l.v), l.reason, l.offset);
    std::abort();
}
