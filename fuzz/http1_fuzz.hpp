// Shared checks of the HTTP/1.1 fuzz targets: a parse fed whole must agree
// with the same bytes fed one at a time and with a two-piece split; a body
// decoded whole must agree with byte-at-a-time decoding. Any disagreement
// aborts (libFuzzer reports it as a crash).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "wirekit/wire/http1/http1.hpp"

namespace http1_fuzz {

using namespace wirekit;
using namespace wirekit::http1;

inline void require(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "http1 fuzz check failed: %s\n", what);
        std::abort();
    }
}

/// Comparable summary of one head parse.
struct head_summary {
    int state = 0;  // 0 need_more, 1 complete, 2 error
    wire_error err{};
    std::size_t consumed = 0;
    std::string a, b;
    int status = 0, minor = 0;
    std::vector<std::string> fields;
    bool operator==(const head_summary&) const = default;
};

template <class Parser>
head_summary summarize(const Parser& p, const result<parse_status>& r) {
    head_summary s;
    if (!r) {
        s.state = 2;
        s.err = r.error();
        return s;
    }
    if (*r == parse_status::need_more) return s;
    s.state = 1;
    s.consumed = p.consumed();
    const auto h = p.head();
    if constexpr (std::is_same_v<decltype(h), const request_head>) {
        s.a = std::string(h.method);
        s.b = std::string(h.target);
    } else {
        s.status = h.status;
        s.b = std::string(h.reason);
    }
    s.minor = h.version.minor;
    for (auto f : h.fields) {
        s.fields.emplace_back(f.name);
        s.fields.emplace_back(f.value);
    }
    return s;
}

/// Parses `in` whole, byte by byte, and split at `cut`; all must agree.
template <class Parser>
head_summary differential_head(std::string_view in, std::size_t cut, const parser_options& opt) {
    field_slot s1[16], s2[16], s3[16];
    Parser whole(s1, opt);
    const head_summary ref = summarize(whole, whole.feed(in));

    Parser bytes(s2, opt);
    head_summary by{};
    for (std::size_t k = 1; k <= in.size(); ++k) {
        auto r = bytes.feed(in.substr(0, k));
        by = summarize(bytes, r);
        if (by.state != 0) break;
        require(bytes.consumed() == k, "need_more must have consumed every byte");
    }
    if (in.empty()) by = summarize(bytes, bytes.feed(in));
    require(by == ref, "byte-at-a-time parse differs from one-shot");

    Parser split(s3, opt);
    cut = in.empty() ? 0 : cut % in.size();
    std::string first(in.substr(0, cut));  // a separate buffer: the parser must cope with a move
    auto r1 = split.feed(std::string_view(first));
    head_summary sp = summarize(split, r1);
    if (sp.state == 0) sp = summarize(split, split.feed(in));
    require(sp == ref, "split parse differs from one-shot");
    return ref;
}

struct body_summary {
    bool ok = true;
    wire_error err{};
    bool ended = false;
    std::string content, trailers;
    std::size_t consumed = 0;
    bool operator==(const body_summary&) const = default;
};

inline body_summary decode(body_framing f, std::string_view in, std::size_t step, const body_options& o) {
    body_decoder d(f, o);
    body_summary s;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t n = step == 0 ? in.size() - pos : std::min(step, in.size() - pos);
        std::string_view piece = in.substr(pos, n);
        bool stop = false;
        for (;;) {
            auto ev = d.decode(piece);
            if (!ev) {
                body_summary e;
                e.ok = false;
                e.err = ev.error();
                return e;
            }
            require(ev->consumed <= piece.size(), "decoder consumed more than its input");
            piece.remove_prefix(ev->consumed);
            pos += ev->consumed;
            s.consumed += ev->consumed;
            if (ev->kind == body_event_kind::data) s.content.append(ev->bytes);
            if (ev->kind == body_event_kind::trailers) s.trailers.append(ev->bytes);
            if (ev->kind == body_event_kind::end) { s.ended = true; stop = true; break; }
            if (ev->kind == body_event_kind::need_more) {
                require(piece.empty(), "need_more with input left");
                break;
            }
        }
        if (stop || pos >= in.size()) break;
    }
    if (!s.ended) {
        auto ev = d.decode({});
        require(ev.has_value(), "decode of nothing failed");
        if (ev->kind == body_event_kind::end) s.ended = true;
    }
    require(s.content.size() == d.content_length(), "content_length() disagrees with the data delivered");
    return s;
}

/// Whole vs byte-by-byte vs `step`-sized pieces.
inline body_summary differential_body(body_framing f, std::string_view in, std::size_t step, const body_options& o) {
    const body_summary ref = decode(f, in, 0, o);
    require(decode(f, in, 1, o) == ref, "byte-at-a-time body differs from one-shot");
    require(decode(f, in, step == 0 ? 1 : step, o) == ref, "stepped body differs from one-shot");
    if (ref.ok && ref.ended && f.kind == body_kind::chunked) {
        // The trailer text is a field section the fields parser accepts.
        field_slot slots[64];
        parser_options po;
        po.accept_bare_lf = o.accept_bare_lf;
        po.max_field_line = 1 << 20;
        po.max_head = 1 << 20;
        fields_parser fp(slots, po);
        auto r = fp.feed(std::string_view(ref.trailers));
        require(!r || *r == parse_status::complete, "trailer text is not a complete field section");
    }
    return ref;
}

}  // namespace http1_fuzz
