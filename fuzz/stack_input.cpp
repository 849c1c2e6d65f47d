// Fuzz target: arbitrary frames, time steps and socket calls into a whole
// stack (ethernet, arp, ipv4 with reassembly, icmp, udp, tcp with a
// listener and an echo loop). Checked after every step: nothing crashes
// (ASan/UBSan), every frame the stack transmits is a well-formed Ethernet
// frame of at most MTU + 14 bytes whose IPv4 packets carry a valid header
// checksum, and the socket tables stay within their capacities.
//
// Input: records, each starting with an op byte (op % 4):
//   0  raw frame: u16 length, bytes (delivered as they are)
//   1  IPv4 datagram to the stack, valid Ethernet and IPv4 headers and, for
//      TCP and UDP, a valid checksum: protocol selector, flags/offset byte,
//      u16 length, transport bytes (so the bytes reach the transport layers)
//   2  time passes: n x 10 ms
//   3  socket calls: connect / send / close on the stack's side
#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/stack/stack.hpp>
#include <wirekit/wire/ethernet.hpp>
#include <wirekit/wire/ipv4.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <vector>

namespace {

using namespace wirekit;
namespace st = wirekit::stack;

#define STACK_FUZZ_CHECK(cond)                                                               \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            std::fprintf(stderr, "stack_input invariant failed: %s (line %d)\n", #cond, __LINE__); \
            std::abort();                                                                    \
        }                                                                                    \
    } while (0)

const mac_address mac_us = mac_address::of(2, 0, 0, 0, 0, 2);
const mac_address mac_peer = mac_address::of(2, 0, 0, 0, 0, 1);
const ipv4_address ip_us = ipv4_address::of(10, 0, 0, 2);
const ipv4_address ip_peer = ipv4_address::of(10, 0, 0, 1);

/// The stack's device: checks every transmitted frame, then forwards it.
class checked_device {
public:
    explicit checked_device(io::memory_pipe::end& e) : e_(&e) {}
    [[nodiscard]] io::device_capabilities capabilities() const { return e_->capabilities(); }
    io::io_result<std::optional<io::frame_ref>> receive() { return e_->receive(); }
    io::io_result<void> transmit(bytes_view f) {
        STACK_FUZZ_CHECK(f.size() >= ethernet::min_frame_len && f.size() <= e_->capabilities().mtu + ethernet::header_len);
        auto fr = ethernet::frame::checked(f);
        STACK_FUZZ_CHECK(fr.has_value());
        if (fr->ethertype() == ethernet::ethertype::ipv4) {
            auto ip = ipv4::packet::checked(f.subspan(ethernet::header_len));
            STACK_FUZZ_CHECK(ip.has_value());
            STACK_FUZZ_CHECK(ip->verify_checksum());
            STACK_FUZZ_CHECK(ip->src_addr() == ip_us);
        }
        return e_->transmit(f);
    }
    [[nodiscard]] int native_handle() const { return -1; }

private:
    io::memory_pipe::end* e_;
};

using fuzz_stack = st::stack<checked_device, st::ethernet, st::arp<4>, st::ipv4<st::reassembly<2>>, st::icmp,
                             st::udp<2, 4>, st::tcp<st::newreno, 8>>;

struct reader {
    const std::uint8_t* p;
    std::size_t n;
    bool empty() const { return n == 0; }
    std::uint8_t u8() {
        if (!n) return 0;
        --n;
        return *p++;
    }
    std::uint16_t u16() { return static_cast<std::uint16_t>(u8() << 8 | u8()); }
    bytes_view take(std::size_t k) {
        k = std::min(k, n);
        bytes_view v(reinterpret_cast<const std::byte*>(p), k);
        p += k;
        n -= k;
        return v;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    io::memory_pipe pipe;
    checked_device dev(pipe.b());
    st::stack_config cfg;
    cfg.mac = mac_us;
    cfg.address = ip_us;
    cfg.tcp_msl = std::chrono::seconds(1);
    fuzz_stack s(dev, cfg);
    auto listener = s.tcp_listen(80, 2);
    auto udp = s.udp_bind(7);
    STACK_FUZZ_CHECK(listener && udp);
    std::vector<st::tcp_socket> conns;
    st::instant now{};
    std::array<std::byte, 2048> buf{};
    std::vector<std::byte> frame;

    auto step = [&] {
        pipe.set_time(std::chrono::duration_cast<io::timestamp>(now));
        for (int i = 0; i < 16 && s.poll(now); ++i) {
        }
        while (auto f = pipe.a().receive()) {  // drain what the stack sent
            if (!*f) break;
        }
        if (auto a = s.accept(*listener); a && *a) conns.push_back(**a);
        for (auto c : conns) {
            auto r = s.recv(c, mutable_bytes(buf));
            if (r && *r) (void)s.send(c, bytes_view(buf).first(*r));
        }
        if (auto r = s.recvfrom(*udp, mutable_bytes(buf)); r && *r) (void)s.sendto(*udp, (*r)->from, bytes_view(buf).first((*r)->size));
        STACK_FUZZ_CHECK(s.tcp_sockets_in_use() <= 8);
    };

    reader in{data, size};
    while (!in.empty()) {
        switch (in.u8() % 4) {
            case 0: {
                const auto b = in.take(in.u16() % 1600);
                if (b.size() <= 1514) (void)pipe.a().transmit(b);
                break;
            }
            case 1: {
                static constexpr std::array<std::uint8_t, 4> protos{6, 17, 1, 253};
                const std::uint8_t proto = protos[in.u8() % 4];
                const std::uint8_t frag = in.u8();
                const auto body = in.take(in.u16() % 1480);
                frame.assign(ethernet::header_len + ipv4::min_header_len + body.size(), std::byte{0});
                ethernet::repr e;
                e.dst_addr = mac_us;
                e.src_addr = mac_peer;
                e.ethertype = ethernet::ethertype::ipv4;
                e.emit(ethernet::mutable_frame::unchecked(mutable_bytes(frame)), frame.size() - ethernet::header_len);
                auto t = mutable_bytes(frame).subspan(ethernet::header_len + ipv4::min_header_len);
                std::copy(body.begin(), body.end(), t.begin());
                if (proto == 6 && t.size() >= 20) {
                    t[16] = t[17] = std::byte{0};
                    const auto c = ipv4_transport_checksum(ip_peer.octets, ip_us.octets, 6, bytes_view(t));
                    t[16] = std::byte(c >> 8);
                    t[17] = std::byte(c & 0xff);
                } else if (proto == 17 && t.size() >= 8) {
                    t[4] = std::byte(t.size() >> 8);
                    t[5] = std::byte(t.size() & 0xff);
                    t[6] = t[7] = std::byte{0};  // "no checksum" over IPv4 (RFC 768)
                }
                ipv4::repr ip;
                ip.src_addr = ip_peer;
                ip.dst_addr = ip_us;
                ip.protocol = proto;
                ip.identification = static_cast<std::uint16_t>(frag >> 4);
                ip.more_fragments = (frag & 1) != 0;
                ip.fragment_offset = static_cast<std::uint16_t>((frag >> 1) & 7) * 23;
                ip.payload_len = body.size();
                ip.emit(ipv4::mutable_packet::unchecked(mutable_bytes(frame).subspan(ethernet::header_len)));
                (void)pipe.a().transmit(bytes_view(frame));
                break;
            }
            case 2: now += std::chrono::milliseconds(10) * (in.u8() + 1); break;
            case 3: {
                const std::uint8_t what = in.u8();
                if (what % 3 == 0) {
                    if (auto c = s.tcp_connect({ip_peer, static_cast<std::uint16_t>(1000 + what)})) conns.push_back(*c);
                } else if (!conns.empty()) {
                    const auto c = conns[what % conns.size()];
                    if (what % 3 == 1) (void)s.send(c, in.take(in.u8()));
                    else (void)s.close(c);
                }
                break;
            }
        }
        step();
    }
    now += std::chrono::minutes(10);  // every timer fires; everything ends or gives up
    step();
    step();
    return 0;
}
