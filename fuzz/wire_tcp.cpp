// Fuzz target: TCP headers and options. parse(emit(parse(x))) == parse(x)
// whenever the re-emitted options fit in 40 bytes.
#include <wirekit/wire/tcp.hpp>

#include <algorithm>
#include <vector>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto s = tcp::segment::checked(in);
    if (!s) return 0;
    fuzz::print_both(*s);
    auto r = tcp::repr::parse_unverified(*s);
    if (!r) return 0;
    std::vector<std::byte> out(r->buffer_len());
    std::copy(s->payload().begin(), s->payload().end(), out.begin() + static_cast<std::ptrdiff_t>(r->header_len()));
    const ipv4_pseudo ip{ipv4_address::of(10, 0, 0, 1), ipv4_address::of(10, 0, 0, 2)};
    auto e = r->emit(tcp::mutable_segment::unchecked(mutable_bytes(out)), ip);
    if (!e) {
        WIREKIT_FUZZ_CHECK(r->options.wire_len() > tcp::max_options_len);
        return 0;
    }
    auto s2 = tcp::segment::checked(bytes_view(out));
    WIREKIT_FUZZ_CHECK(s2.has_value());
    auto r2 = tcp::repr::parse(*s2, ip);
    WIREKIT_FUZZ_CHECK(r2.has_value());
    // The reserved bits and AE are not part of the repr; everything else is.
    WIREKIT_FUZZ_CHECK(*r2 == *r);
    return 0;
}
