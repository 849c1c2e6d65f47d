// Fuzz target: the whole-frame dissector (Ethernet → ARP/IPv4/IPv6 →
// TCP/UDP/ICMP/ICMPv6), checksum verification and every layer's formatter.
#include <wirekit/wire/dissect.hpp>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto d = dissect(in);
    if (!d) {
        WIREKIT_FUZZ_CHECK(d.error().offset <= size);
        return 0;
    }
    (void)verify_checksums(*d);
    fuzz::print_both(d->eth);
    if (d->arp) fuzz::print_both(*d->arp);
    if (d->ipv4) fuzz::print_both(*d->ipv4);
    if (d->ipv6) fuzz::print_both(*d->ipv6);
    if (d->tcp) fuzz::print_both(*d->tcp);
    if (d->udp) fuzz::print_both(*d->udp);
    if (d->icmpv4) fuzz::print_both(*d->icmpv4);
    if (d->icmpv6) fuzz::print_both(*d->icmpv6);
    WIREKIT_FUZZ_CHECK(d->transport_offset + d->transport.size() <= size);
    return 0;
}
