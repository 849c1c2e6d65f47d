// libFuzzer target: HTTP/1.1 response heads and bodies.
// Input byte 0: bit 0 bare-LF policy, bits 1-2 the request method (GET, HEAD,
// CONNECT, POST), the rest the split point. Same checks as http1_request.
#include "http1_fuzz.hpp"

using namespace http1_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t ctl = data[0];
    const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
    parser_options opt;
    opt.accept_bare_lf = (ctl & 1) != 0;
    opt.max_field_line = 512;
    const head_summary h = differential_head<response_parser>(in, ctl >> 3, opt);
    if (h.state != 1) return 0;

    field_slot slots[16];
    response_parser p(slots, opt);
    auto r = p.feed(in);
    require(r && *r == parse_status::complete, "re-parse differs");
    const response_head head = p.head();
    require(head.status >= 100 && head.status <= 599, "status out of range");

    std::vector<char> out(in.size() + 64);
    message_writer w(out);
    bool wrote = w.status_line(head.status, head.reason, head.version).has_value();
    for (auto f : head.fields) wrote = wrote && w.field(f).has_value();
    wrote = wrote && w.end_head().has_value();
    require(wrote, "writer refused a head the parser accepted");
    field_slot s2[16];
    response_parser p2(s2);
    auto r2 = p2.feed(w.written());
    require(r2 && *r2 == parse_status::complete, "writer output does not parse");
    require(p2.head().status == head.status && p2.head().reason == head.reason &&
                p2.head().fields.size() == head.fields.size(),
            "round trip changed the head");

    static constexpr std::string_view methods[] = {"GET", "HEAD", "CONNECT", "POST"};
    auto f = response_framing(head, methods[(ctl >> 1) & 3]);
    if (!f) return 0;
    body_options bo;
    bo.accept_bare_lf = opt.accept_bare_lf;
    differential_body(*f, in.substr(head.head_len), (ctl >> 3) % 5 + 1, bo);
    return 0;
}
