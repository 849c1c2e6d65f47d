// Fuzz target: IPv4 reassembly under arbitrary fragment sequences. The input
// is read as records (id, offset, length, flags, time step); fragments are
// built and pushed. Invariants: memory and datagrams in flight stay within the
// configured bounds, and a completed datagram is at most 65535 bytes with
// offset 0 and MF clear.
#include <wirekit/wire/reassembly.hpp>

#include <chrono>
#include <vector>

#include "wire_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace wirekit;
    ipv4::reassembly_config cfg;
    cfg.max_datagrams = 4;
    cfg.max_fragments = 16;
    cfg.max_memory = 64 * 1024;
    cfg.timeout = std::chrono::seconds(2);
    ipv4::reassembler ra(cfg);
    std::vector<std::byte> buf;
    std::chrono::microseconds now{0};
    for (std::size_t i = 0; i + 6 <= size; i += 6) {
        const std::uint8_t* r = data + i;
        ipv4::repr f;
        f.src_addr = ipv4_address::of(10, 0, 0, 1);
        f.dst_addr = ipv4_address::of(10, 0, 0, 2);
        f.protocol = (r[5] & 0x40) ? ip_protocol::tcp : ip_protocol::udp;
        f.identification = r[0] & 0x03;
        f.fragment_offset = static_cast<std::uint16_t>(((r[1] << 8) | r[2]) & 0x1fff);
        f.payload_len = std::size_t{r[3]} * 8 + (r[5] & 0x07);
        f.more_fragments = (r[5] & 0x80) != 0;
        now += std::chrono::milliseconds(r[4]);
        if (f.buffer_len() > 65535) continue;
        buf.assign(f.buffer_len(), std::byte{r[4]});
        f.emit(ipv4::mutable_packet::unchecked(mutable_bytes(buf)));
        auto p = ipv4::packet::checked(bytes_view(buf));
        WIREKIT_FUZZ_CHECK(p.has_value());
        auto res = ra.push(*p, now);
        WIREKIT_FUZZ_CHECK(ra.memory() <= cfg.max_memory);
        WIREKIT_FUZZ_CHECK(ra.in_flight() <= cfg.max_datagrams);
        if (res && *res) {
            auto w = ipv4::packet::checked(**res);
            WIREKIT_FUZZ_CHECK(w.has_value());
            WIREKIT_FUZZ_CHECK(w->verify_checksum());
            WIREKIT_FUZZ_CHECK(!w->more_fragments() && w->fragment_offset() == 0);
        }
    }
    return 0;
}
