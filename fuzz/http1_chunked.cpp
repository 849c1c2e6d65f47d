// libFuzzer target: the chunked body decoder alone (RFC 9112 §7.1).
// Input byte 0: bit 0 bare-LF policy, the rest a piece size. The decoder fed
// whole, byte by byte and in pieces must agree, and a completed trailer
// section must be a field section that fields_parser accepts.
#include "http1_fuzz.hpp"

using namespace http1_fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t ctl = data[0];
    const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
    body_options o;
    o.accept_bare_lf = (ctl & 1) != 0;
    o.max_chunk_line = 256;
    o.max_trailers = 1024;
    differential_body({body_kind::chunked, 0}, in, (ctl >> 1) + 1u, o);
    return 0;
}
