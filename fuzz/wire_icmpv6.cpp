// Fuzz target: ICMPv6 messages (echo, ND, MLD); checksum round trip.
#include <wirekit/wire/icmpv6.hpp>

#include <algorithm>
#include <vector>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto m = icmpv6::message::checked(in);
    if (!m) return 0;
    fuzz::print_both(*m);
    // Type-specific accessors never read past the message, whatever the type.
    if (auto t = m->target(); t) WIREKIT_FUZZ_CHECK(size >= 24);
    (void)m->reachable_time();
    (void)m->retrans_timer();
    const ipv6_pseudo ph{*ipv6_address::parse("fe80::1"), *ipv6_address::parse("ff02::1")};
    icmpv6::repr r{m->type(), m->code(), m->body(), m->data()};
    std::vector<std::byte> out(r.buffer_len());
    r.emit(icmpv6::mutable_message::unchecked(mutable_bytes(out)), ph);
    auto again = icmpv6::repr::parse(icmpv6::message::unchecked(bytes_view(out)), ph);
    WIREKIT_FUZZ_CHECK(again.has_value());
    WIREKIT_FUZZ_CHECK(std::equal(out.begin() + 4, out.end(), in.begin() + 4));
    return 0;
}
