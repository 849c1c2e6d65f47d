// Fuzz target: IPv4 headers, options, repr round trip, and fragmentation to
// an input-chosen MTU followed by reassembly back to the same payload.
#include <wirekit/wire/ipv4.hpp>
#include <wirekit/wire/reassembly.hpp>

#include <algorithm>
#include <chrono>
#include <vector>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto p = ipv4::packet::checked(in);
    if (!p) return 0;
    fuzz::print_both(*p);
    (void)p->verify_checksum();
    auto r = ipv4::repr::parse(*p, ipv4::checksum_mode::ignore);
    if (!r) return 0;
    WIREKIT_FUZZ_CHECK(r->header_len() == p->header_length());
    std::vector<std::byte> out(r->buffer_len());
    r->emit(ipv4::mutable_packet::unchecked(mutable_bytes(out)));
    std::copy(p->payload().begin(), p->payload().end(), out.begin() + static_cast<std::ptrdiff_t>(r->header_len()));
    auto q = ipv4::packet::checked(bytes_view(out));
    WIREKIT_FUZZ_CHECK(q.has_value() && q->verify_checksum());
    auto r2 = ipv4::repr::parse(*q);
    WIREKIT_FUZZ_CHECK(r2 && *r2 == *r);

    // Fragment a non-fragment to an MTU chosen by the input, then reassemble.
    if (r->more_fragments || r->fragment_offset != 0 || r->dont_fragment) return 0;
    const std::size_t mtu = 68 + (size * 131) % 1500;
    std::vector<std::byte> scratch(std::max(mtu, r->buffer_len()));
    ipv4::reassembler ra;
    std::vector<std::byte> whole;
    bool failed = false;
    auto n = ipv4::fragment(*r, p->payload(), mtu, mutable_bytes(scratch), [&](bytes_view f) {
        WIREKIT_FUZZ_CHECK(f.size() <= std::max(mtu, r->buffer_len()));
        auto fp = ipv4::packet::checked(f);
        WIREKIT_FUZZ_CHECK(fp.has_value() && fp->verify_checksum());
        auto res = ra.push(*fp, std::chrono::microseconds(0));
        if (!res) { failed = true; return; }
        if (*res) whole.assign((*res)->begin(), (*res)->end());
    });
    if (!n || failed) return 0;  // e.g. a header too long for the MTU
    auto w = ipv4::packet::checked(bytes_view(whole));
    WIREKIT_FUZZ_CHECK(w.has_value());
    WIREKIT_FUZZ_CHECK(std::equal(w->payload().begin(), w->payload().end(), p->payload().begin(), p->payload().end()));
    return 0;
}
