// wire/virtio_net.hpp against the field layout of VIRTIO 1.2 §5.1.6
// (struct virtio_net_hdr: flags u8, gso_type u8, then le16 hdr_len,
// gso_size, csum_start, csum_offset, num_buffers) and against Linux's own
// definition of it (struct virtio_net_hdr_v1 in <linux/virtio_net.h>).
#include <catch2/catch.hpp>

#include <endian.h>  // le16toh
// The kernel's definition: struct virtio_net_hdr_v1, VIRTIO_NET_HDR_*. The
// UAPI header is C: a control-queue struct has a member named `class`.
#define class class_
#include <linux/virtio_net.h>
#undef class

#include <array>
#include <cstddef>
#include <cstring>

#include "wirekit/wire/virtio_net.hpp"

namespace vn = wirekit::virtio_net;
using wirekit::bytes_view;
using wirekit::mutable_bytes;

namespace {

template <class... B>
constexpr std::array<std::byte, sizeof...(B)> bytes_of(B... b) {
    return {static_cast<std::byte>(b)...};
}

}  // namespace

TEST_CASE("virtio_net header layout is VIRTIO 1.2 §5.1.6 and Linux's struct virtio_net_hdr_v1") {
    STATIC_REQUIRE(vn::header_len == 12);
    STATIC_REQUIRE(vn::legacy_header_len == 10);
    STATIC_REQUIRE(vn::header_len == sizeof(virtio_net_hdr_v1));
    STATIC_REQUIRE(vn::legacy_header_len == sizeof(virtio_net_hdr));
    STATIC_REQUIRE(static_cast<int>(vn::gso_type::tcpv4) == VIRTIO_NET_HDR_GSO_TCPV4);
    STATIC_REQUIRE(static_cast<int>(vn::gso_type::udp) == VIRTIO_NET_HDR_GSO_UDP);
    STATIC_REQUIRE(static_cast<int>(vn::gso_type::tcpv6) == VIRTIO_NET_HDR_GSO_TCPV6);
    // Each field, written alone through the layout, lands where the spec puts it.
    std::array<std::byte, vn::header_len> b{};
    auto h = vn::mutable_header::unchecked(mutable_bytes(b));
    h.set_needs_csum(true);
    CHECK(b == bytes_of(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    b.fill(std::byte{0});
    h.set_data_valid(true);
    CHECK(b == bytes_of(VIRTIO_NET_HDR_F_DATA_VALID, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    b.fill(std::byte{0});
    h.set_gso_ecn(true);
    CHECK(b == bytes_of(0, VIRTIO_NET_HDR_GSO_ECN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    b.fill(std::byte{0});
    h.set_gso_kind(vn::gso_type::udp_l4);
    CHECK(b == bytes_of(0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    b.fill(std::byte{0});
    h.set_hdr_len(0x1234);  // le16: low byte first
    CHECK(b == bytes_of(0, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0, 0, 0));
    b.fill(std::byte{0});
    h.set_gso_size(0x1234);
    CHECK(b == bytes_of(0, 0, 0, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0));
    b.fill(std::byte{0});
    h.set_csum_start(0x1234);
    CHECK(b == bytes_of(0, 0, 0, 0, 0, 0, 0x34, 0x12, 0, 0, 0, 0));
    b.fill(std::byte{0});
    h.set_csum_offset(0x1234);
    CHECK(b == bytes_of(0, 0, 0, 0, 0, 0, 0, 0, 0x34, 0x12, 0, 0));
    b.fill(std::byte{0});
    h.set_num_buffers(0x1234);
    CHECK(b == bytes_of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x34, 0x12));
}

TEST_CASE("virtio_net repr: a TSO super-frame header as the kernel writes it (decode)") {
    // What a TAP with TUN_F_CSUM | TUN_F_TSO4 hands the reader for a 64 KiB
    // TCP/IPv4 send: NEEDS_CSUM, GSO_TCPV4, hdr_len 66 (14 + 20 + 32: TCP
    // with timestamps), gso_size 1448, csum_start 34, csum_offset 16.
    const auto b = bytes_of(0x01, 0x01, 66, 0, 0xa8, 0x05, 34, 0, 16, 0, 0, 0);
    auto h = vn::header::checked(bytes_view(b));
    REQUIRE(h);
    auto r = vn::repr::parse(*h);
    REQUIRE(r);
    CHECK(r->needs_csum);
    CHECK_FALSE(r->data_valid);
    CHECK(r->gso == vn::gso_type::tcpv4);
    CHECK_FALSE(r->gso_ecn);
    CHECK(r->hdr_len == 66);
    CHECK(r->gso_size == 1448);
    CHECK(r->csum_start == 34);
    CHECK(r->csum_offset == 16);
    CHECK(r->num_buffers == 0);
    // The same bytes through the kernel's struct.
    virtio_net_hdr_v1 k{};
    std::memcpy(&k, b.data(), sizeof k);
    CHECK(k.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM);
    CHECK(k.gso_type == VIRTIO_NET_HDR_GSO_TCPV4);
    CHECK(le16toh(k.hdr_len) == r->hdr_len);
    CHECK(le16toh(k.gso_size) == r->gso_size);
    CHECK(le16toh(k.csum_start) == r->csum_start);
    CHECK(le16toh(k.csum_offset) == r->csum_offset);
}

TEST_CASE("virtio_net repr: encode, and round trips through Linux's struct") {
    vn::repr r;
    r.needs_csum = true;
    r.gso = vn::gso_type::tcpv4;
    r.gso_ecn = true;
    r.hdr_len = 54;
    r.gso_size = 1460;
    r.csum_start = 34;
    r.csum_offset = 16;
    std::array<std::byte, vn::header_len> b{};
    b.fill(std::byte{0xee});  // emit writes every byte
    r.emit(vn::mutable_header::unchecked(mutable_bytes(b)));
    CHECK(b == bytes_of(0x01, 0x81, 54, 0, 0xb4, 0x05, 34, 0, 16, 0, 0, 0));
    virtio_net_hdr_v1 k{};
    std::memcpy(&k, b.data(), sizeof k);
    CHECK(k.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM);
    CHECK(k.gso_type == (VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN));
    CHECK(le16toh(k.hdr_len) == 54);
    CHECK(le16toh(k.gso_size) == 1460);
    CHECK(le16toh(k.csum_start) == 34);
    CHECK(le16toh(k.csum_offset) == 16);
    CHECK(le16toh(k.num_buffers) == 0);
    auto back = vn::repr::parse(vn::header::unchecked(bytes_view(b)));
    REQUIRE(back);
    CHECK(*back == r);
    // An empty header (a plain frame) is twelve zero bytes.
    r = vn::repr{};
    r.emit(vn::mutable_header::unchecked(mutable_bytes(b)));
    CHECK(b == std::array<std::byte, vn::header_len>{});
}

TEST_CASE("virtio_net: truncated headers and reserved flag bits are errors") {
    const auto b = bytes_of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);  // 11 bytes
    auto h = vn::header::checked(bytes_view(b));
    REQUIRE_FALSE(h);
    CHECK(h.error().kind == wirekit::errc::truncated);
    const auto reserved = bytes_of(0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    auto r = vn::repr::parse(vn::header::unchecked(bytes_view(reserved)));
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == wirekit::errc::unsupported);
    // RSC_INFO (bit 2) is a defined flag, not reserved.
    const auto rsc = bytes_of(0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    auto h2 = vn::header::unchecked(bytes_view(rsc));
    CHECK(h2.rsc_info());
    CHECK(vn::repr::parse(h2));
}
