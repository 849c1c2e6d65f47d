// Fuzz target: UDP datagrams; repr round trip with checksums over IPv4 and IPv6.
#include <wirekit/wire/udp.hpp>

#include <algorithm>
#include <vector>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto d = udp::datagram::checked(in);
    if (!d) return 0;
    fuzz::print_both(*d);
    WIREKIT_FUZZ_CHECK(d->payload().size() + 8 == d->length());
    auto r = udp::repr::parse_unverified(*d);
    WIREKIT_FUZZ_CHECK(r.has_value());
    std::vector<std::byte> out(r->buffer_len());
    std::copy(d->payload().begin(), d->payload().end(), out.begin() + 8);
    const ipv4_pseudo v4{ipv4_address::of(10, 0, 0, 1), ipv4_address::of(10, 0, 0, 2)};
    const ipv6_pseudo v6{*ipv6_address::parse("2001:db8::1"), *ipv6_address::parse("2001:db8::2")};
    r->emit(udp::mutable_datagram::unchecked(mutable_bytes(out)), v4);
    WIREKIT_FUZZ_CHECK(udp::repr::parse(udp::datagram::unchecked(bytes_view(out)), v4).has_value());
    r->emit(udp::mutable_datagram::unchecked(mutable_bytes(out)), v6);
    auto back = udp::repr::parse(udp::datagram::unchecked(bytes_view(out)), v6);
    WIREKIT_FUZZ_CHECK(back && *back == *r);
    return 0;
}
