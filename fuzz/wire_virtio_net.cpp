// Fuzz target: the virtio-net header (VIRTIO 1.2 §5.1.6) that a TAP opened
// with IFF_VNET_HDR puts before every frame. checked() on arbitrary bytes,
// then the repr round trip: parse, emit, parse again gives the same value,
// and the emitted bytes equal the input's first 12 except the RSC_INFO bit
// (which emit clears).
#include <wirekit/wire/virtio_net.hpp>

#include <algorithm>
#include <array>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    const bytes_view in(reinterpret_cast<const std::byte*>(data), size);
    auto h = virtio_net::header::checked(in);
    WIREKIT_FUZZ_CHECK(h.has_value() == (size >= virtio_net::header_len));
    if (!h) return 0;
    auto r = virtio_net::repr::parse(*h);
    if (!r) return 0;
    std::array<std::byte, virtio_net::header_len> out{};
    r->emit(virtio_net::mutable_header::unchecked(mutable_bytes(out)));
    auto back = virtio_net::repr::parse(virtio_net::header::unchecked(bytes_view(out)));
    WIREKIT_FUZZ_CHECK(back && *back == *r);
    std::array<std::byte, virtio_net::header_len> expect{};
    std::copy_n(in.begin(), virtio_net::header_len, expect.begin());
    virtio_net::mutable_header::unchecked(mutable_bytes(expect)).set_rsc_info(false);
    WIREKIT_FUZZ_CHECK(out == expect);
    return 0;
}
