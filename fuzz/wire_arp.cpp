// Fuzz target: ARP packets. A parsed repr re-emits the same 28 bytes.
#include <wirekit/wire/arp.hpp>

#include <algorithm>
#include <array>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto p = arp::packet::checked(in);
    if (!p) return 0;
    fuzz::print_both(*p);
    auto r = arp::repr::parse(*p);
    if (!r) return 0;
    std::array<std::byte, arp::packet_len> out{};
    r->emit(arp::mutable_packet::unchecked(mutable_bytes(out)));
    WIREKIT_FUZZ_CHECK(std::equal(out.begin(), out.end(), in.begin()));
    return 0;
}
