// libFuzzer target: HTTP/1.1 request heads and bodies.
// Input byte 0 picks options (bare-LF policy, split point); the rest is the
// message. Checks: no crash/over-read (ASan), one-shot == byte-at-a-time ==
// split, framing never contradicts itself, the body decoder agrees with
// itself across splits, and a parsed head re-serialized by message_writer
// parses to the same head.
#include "http1_fuzz.hpp"

using namespace http1_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t ctl = data[0];
    const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
    parser_options opt;
    opt.accept_bare_lf = (ctl & 1) != 0;
    opt.max_field_line = 512;
    const head_summary h = differential_head<request_parser>(in, ctl >> 1, opt);
    if (h.state != 1) return 0;

    field_slot slots[16];
    request_parser p(slots, opt);
    auto r = p.feed(in);
    require(r && *r == parse_status::complete, "re-parse differs");
    const request_head head = p.head();
    require(head.head_len <= in.size(), "head_len beyond input");

    // Round trip through the writer.
    std::vector<char> out(in.size() + 64);
    message_writer w(out);
    bool wrote = w.request_line(head.method, head.target, head.version).has_value();
    for (auto f : head.fields) wrote = wrote && w.field(f).has_value();
    wrote = wrote && w.end_head().has_value();
    require(wrote, "writer refused a head the parser accepted");
    parser_options strict = opt;
    strict.accept_bare_lf = false;
    // The writer puts one SP after each colon ("name: value"), so a field
    // line the parser accepted at exactly max_field_line may grow by one.
    strict.max_field_line = opt.max_field_line + 1;
    field_slot s2[16];
    request_parser p2(s2, strict);
    auto r2 = p2.feed(w.written());
    require(r2 && *r2 == parse_status::complete, "writer output does not parse");
    const request_head h2 = p2.head();
    require(h2.method == head.method && h2.target == head.target && h2.version == head.version &&
                h2.fields.size() == head.fields.size(),
            "round trip changed the head");
    for (std::size_t i = 0; i < h2.fields.size(); ++i)
        require(h2.fields[i].name == head.fields[i].name && h2.fields[i].value == head.fields[i].value,
                "round trip changed a field");

    auto f = request_framing(head);
    if (!f) return 0;
    require(f->kind != body_kind::until_close && f->kind != body_kind::tunnel, "request read until close");
    body_options bo;
    bo.accept_bare_lf = opt.accept_bare_lf;
    differential_body(*f, in.substr(head.head_len), (ctl >> 1) % 7 + 1, bo);
    return 0;
}
