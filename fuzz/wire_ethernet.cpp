// Fuzz target: Ethernet II frames with VLAN tags and the FCS. The repr must
// re-emit to the same header bytes, and the FCS must verify after write_fcs.
#include <wirekit/wire/ethernet.hpp>

#include <algorithm>
#include <vector>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    (void)ethernet::check_fcs(in);
    auto f = ethernet::frame::checked(in);
    if (!f) return 0;
    fuzz::print_both(*f);
    auto r = ethernet::repr::parse(*f);
    if (!r) return 0;
    const std::size_t hl = r->header_len();
    WIREKIT_FUZZ_CHECK(hl <= size);
    const std::size_t payload = size - hl;
    std::vector<std::byte> out(r->buffer_len(payload) + ethernet::fcs_len);
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(hl), in.end(), out.begin() + static_cast<std::ptrdiff_t>(hl));
    r->emit(ethernet::mutable_frame::unchecked(mutable_bytes(out).first(out.size() - ethernet::fcs_len)), payload);
    WIREKIT_FUZZ_CHECK(std::equal(in.begin(), in.end(), out.begin()));
    ethernet::write_fcs(mutable_bytes(out));
    WIREKIT_FUZZ_CHECK(ethernet::check_fcs(bytes_view(out)).has_value());
    auto again = ethernet::repr::parse(ethernet::frame::unchecked(bytes_view(out)));
    WIREKIT_FUZZ_CHECK(again && *again == *r);
    return 0;
}
