// Fuzz target: ICMPv4 messages, quoted headers, repr round trip.
#include <wirekit/wire/icmpv4.hpp>

#include <algorithm>
#include <vector>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto m = icmpv4::message::checked(in);
    if (!m) return 0;
    fuzz::print_both(*m);
    if (auto q = m->quoted(); q) WIREKIT_FUZZ_CHECK(q->header_bytes.size() >= 20);
    auto r = icmpv4::repr::parse(*m, ipv4::checksum_mode::ignore);
    if (!r) return 0;
    std::vector<std::byte> out(r->buffer_len());
    r->emit(icmpv4::mutable_message::unchecked(mutable_bytes(out)));
    WIREKIT_FUZZ_CHECK(out.size() == size);
    WIREKIT_FUZZ_CHECK(std::equal(out.begin() + 4, out.end(), in.begin() + 4));
    WIREKIT_FUZZ_CHECK(icmpv4::message::unchecked(bytes_view(out)).verify_checksum());
    return 0;
}
