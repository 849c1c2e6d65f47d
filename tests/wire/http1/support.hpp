// Test helpers for the HTTP/1.1 codec: owning snapshots of parse outcomes and
// "feed every split" drivers.
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "wirekit/wire/http1/body.hpp"
#include "wirekit/wire/http1/parser.hpp"

namespace h1test {

using namespace wirekit;
using namespace wirekit::http1;

/// Owning copy of a head parse outcome, comparable across runs.
struct outcome {
    enum class kind_t { complete, need_more, error } kind = kind_t::need_more;
    std::string a, b;  // method/target or reason
    int major = 0, minor = 0, status = 0;
    std::vector<std::pair<std::string, std::string>> fields;
    std::size_t consumed = 0;
    errc err_kind = errc::malformed;
    std::size_t err_offset = 0;
    std::string err_detail;

    bool operator==(const outcome&) const = default;
};

inline std::string str(std::string_view s) { return std::string(s); }

template <class Parser>
outcome snapshot(const Parser& p, const result<parse_status>& r) {
    outcome o;
    if (!r) {
        o.kind = outcome::kind_t::error;
        o.err_kind = r.error().kind;
        o.err_offset = r.error().offset;
        o.err_detail = str(r.error().detail);
        return o;
    }
    if (*r == parse_status::need_more) {
        o.kind = outcome::kind_t::need_more;
        return o;
    }
    o.kind = outcome::kind_t::complete;
    o.consumed = p.consumed();
    auto h = p.head();
    if constexpr (std::is_same_v<decltype(h), request_head>) {
        o.a = str(h.method);
        o.b = str(h.target);
    } else {
        o.status = h.status;
        o.b = str(h.reason);
    }
    o.major = h.version.major;
    o.minor = h.version.minor;
    for (auto f : h.fields) o.fields.emplace_back(str(f.name), str(f.value));
    return o;
}

/// Parses `msg` whole; then, for every split offset k, feeds msg[0,k) and
/// then all of msg (each time from a freshly allocated copy, so the buffer
/// moves); then feeds one byte at a time. Every run must agree with the
/// whole-input outcome. Returns that outcome.
template <class Parser>
outcome parse_every_split(std::string_view msg, const parser_options& opt = {}, std::size_t nslots = 64) {
    std::vector<field_slot> slots(nslots);
    Parser whole(slots, opt);
    const auto r0 = whole.feed(msg);
    const outcome ref = snapshot(whole, r0);
    for (std::size_t k = 0; k <= msg.size(); ++k) {
        std::vector<field_slot> s2(nslots);
        Parser p(s2, opt);
        std::string first(msg.substr(0, k));
        auto r1 = p.feed(std::string_view(first));
        if (!r1 || *r1 == parse_status::complete) {
            // The prefix alone already decided: it must be the same decision.
            INFO("split at " << k);
            REQUIRE(snapshot(p, r1) == ref);
            continue;
        }
        std::string all(msg);
        auto r2 = p.feed(std::string_view(all));
        INFO("split at " << k);
        REQUIRE(snapshot(p, r2) == ref);
    }
    // Byte at a time, copying the growing prefix each time.
    std::vector<field_slot> s3(nslots);
    Parser p(s3, opt);
    std::optional<outcome> last;
    for (std::size_t k = 1; k <= msg.size(); ++k) {
        std::string pre(msg.substr(0, k));
        auto r = p.feed(std::string_view(pre));
        if (!r || *r == parse_status::complete) {
            last = snapshot(p, r);
            break;
        }
    }
    if (!last) last = outcome{};  // need_more
    REQUIRE(*last == ref);
    return ref;
}

inline outcome req(std::string_view m, const parser_options& o = {}, std::size_t nslots = 64) {
    return parse_every_split<request_parser>(m, o, nslots);
}
inline outcome res(std::string_view m, const parser_options& o = {}, std::size_t nslots = 64) {
    return parse_every_split<response_parser>(m, o, nslots);
}

/// Decodes a whole body in one piece: content, trailer text, or an error.
struct body_outcome {
    bool ok = false;
    bool ended = false;
    std::string content, trailers;
    std::size_t consumed = 0;
    errc err_kind = errc::malformed;
    std::size_t err_offset = 0;
    std::string err_detail;
    bool operator==(const body_outcome&) const = default;
};

/// Feeds `pieces` in order, then finish() when `eof`.
inline body_outcome decode_pieces(body_framing f, const std::vector<std::string>& pieces, bool eof,
                                  const body_options& o = {}) {
    body_decoder d(f, o);
    body_outcome out;
    auto fail = [&](const wire_error& e) {
        // How much data came out before the error depends on the split;
        // the error itself must not.
        out = body_outcome{};
        out.err_kind = e.kind;
        out.err_offset = e.offset;
        out.err_detail = str(e.detail);
        return out;
    };
    for (const std::string& piece : pieces) {
        std::string_view in = piece;
        for (;;) {
            auto ev = d.decode(in);
            if (!ev) return fail(ev.error());
            REQUIRE(ev->consumed <= in.size());
            in.remove_prefix(ev->consumed);
            out.consumed += ev->consumed;
            if (ev->kind == body_event_kind::data) out.content += str(ev->bytes);
            if (ev->kind == body_event_kind::trailers) out.trailers += str(ev->bytes);
            if (ev->kind == body_event_kind::end) { out.ended = true; break; }
            if (ev->kind == body_event_kind::need_more) {
                REQUIRE(in.empty());
                break;
            }
        }
        if (out.ended) break;
    }
    if (!out.ended) {
        // A body that ended exactly with the input reports `end` on the next call.
        auto ev = d.decode(std::string_view{});
        if (!ev) return fail(ev.error());
        REQUIRE(ev->consumed == 0);
        if (ev->kind == body_event_kind::end) out.ended = true;
    }
    if (eof && !out.ended) {
        auto r = d.finish();
        if (!r) return fail(r.error());
        out.ended = true;
    }
    out.ok = true;
    return out;
}

/// Decodes `body` whole, split at every offset, and byte by byte; all agree.
inline body_outcome decode_every_split(body_framing f, std::string_view body, bool eof = false,
                                       const body_options& o = {}) {
    const body_outcome ref = decode_pieces(f, {str(body)}, eof, o);
    for (std::size_t k = 0; k <= body.size(); ++k) {
        INFO("split at " << k);
        REQUIRE(decode_pieces(f, {str(body.substr(0, k)), str(body.substr(k))}, eof, o) == ref);
    }
    std::vector<std::string> bytes;
    for (char c : body) bytes.emplace_back(1, c);
    REQUIRE(decode_pieces(f, bytes, eof, o) == ref);
    return ref;
}

}  // namespace h1test
