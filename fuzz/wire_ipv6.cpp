// Fuzz target: IPv6 fixed header and the extension-header walk.
#include <wirekit/wire/ipv6.hpp>

#include <algorithm>
#include <vector>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto p = ipv6::packet::checked(in);
    if (!p) return 0;
    fuzz::print_both(*p);
    auto c = ipv6::walk(*p);
    if (c) {
        WIREKIT_FUZZ_CHECK(c->upper_offset <= p->total_length());
        WIREKIT_FUZZ_CHECK(ipv6::upper_payload(*p, *c).size() == p->total_length() - c->upper_offset);
    }
    auto r = ipv6::repr::parse(*p);
    WIREKIT_FUZZ_CHECK(r.has_value());
    std::vector<std::byte> out(r->buffer_len());
    r->emit(ipv6::mutable_packet::unchecked(mutable_bytes(out)));
    WIREKIT_FUZZ_CHECK(std::equal(out.begin(), out.begin() + 40, in.begin()));
    return 0;
}
