// The stack's use of per-frame offloads (io::offload_frame_device), checked
// without a kernel: `virtio_link` stands for a virtio-net device in front
// of a memory_pipe end. On transmit it checks every offload request as the
// host would rely on it (VIRTIO 1.2 §5.1.6: csum_start/csum_offset point at
// the TCP checksum, which holds the pseudo-header sum over the whole TCP
// length; gso_size, hdr_len, lengths) and then either segments super-frames
// in software exactly as Linux's tcp_gso_segment does (SEQ advanced per
// segment, PSH and FIN only on the last, CWR only on the first, IPv4 ID
// incremented, checksums completed) or hands them whole, checksum still
// partial, to the peer (as a host does for its own TCP: GRO'd traffic).
#include <catch2/catch.hpp>

#include <wirekit/checksum/internet.hpp>
#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/io/middleware.hpp>
#include <wirekit/stack/stack.hpp>
#include <wirekit/wire/ethernet.hpp>
#include <wirekit/wire/ipv4.hpp>
#include <wirekit/wire/tcp.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <deque>
#include <optional>
#include <vector>

#include "stack/harness.hpp"  // stk::pattern, addresses, config_for

namespace {

using namespace wirekit;
using namespace std::chrono_literals;
using stack::instant;

constexpr std::size_t eth_len = ethernet::header_len;

/// Frames handed whole from one virtio_link to the other (a lossless side
/// channel next to the pipe, which only carries MTU-sized frames).
using whole_queue = std::deque<std::vector<std::byte>>;

/// A virtio-net-like device over a memory_pipe end (see the file comment).
class virtio_link {
public:
    enum class mode {
        segment,  ///< super-frames are segmented and checksummed here (host forwards them)
        whole,    ///< super-frames reach the peer whole with NEEDS_CSUM (host's own TCP)
    };
    virtio_link(io::memory_pipe::end& d, mode m, whole_queue* out, whole_queue* in) : dev_(&d), mode_(m), out_(out), in_(in) {}

    [[nodiscard]] io::device_capabilities capabilities() const {
        auto c = dev_->capabilities();
        c.offload.rx_checksum = true;
        c.offload.rx_gso_max = eth_len + 65535;
        c.offload.tx_checksum = true;
        c.offload.tx_gso_max = eth_len + 65535;
        return c;
    }
    io::io_result<std::optional<io::frame_ref>> receive() {
        if (!in_->empty()) {
            rx_ = std::move(in_->front());
            in_->pop_front();
            io::frame_ref f{bytes_view(rx_), {}, rx_.size()};
            f.offload.needs_checksum = true;
            f.offload.csum_start = eth_len + 20;
            f.offload.csum_offset = 16;
            if (rx_.size() > eth_len + 1500) f.offload.gso = io::segmentation::tcpv4;
            return std::optional<io::frame_ref>(f);
        }
        return dev_->receive();
    }
    io::io_result<void> transmit(bytes_view f) { return dev_->transmit(f); }
    io::io_result<void> transmit(bytes_view f, const io::frame_offload& o) {
        ++requests;
        if (refuse_gso && o.gso != io::segmentation::none) {
            ++refused;
            return io::io_error{io::io_errc::invalid_argument, "virtio_link", 0, "no GSO here"};
        }
        if (!check(f, o)) {
            ++errors;
            return io::io_error{io::io_errc::invalid_argument, "virtio_link", 0, "bad offload request"};
        }
        if (o.gso != io::segmentation::none) {
            ++super_frames;
            largest_super_frame = std::max(largest_super_frame, f.size());
        }
        if (mode_ == mode::whole) {
            out_->emplace_back(f.begin(), f.end());
            return {};
        }
        return segment(f, o);
    }
    [[nodiscard]] int native_handle() const { return -1; }

    std::size_t requests = 0;       // transmit(frame, offload) calls
    std::size_t errors = 0;         // requests the host would reject or mis-handle
    std::size_t super_frames = 0;   // requests with GSO
    std::size_t segments = 0;       // frames made from super-frames
    std::size_t largest_super_frame = 0;
    bool refuse_gso = false;        // reject super-frames (a host without TSO)
    std::size_t refused = 0;

private:
    /// What the host relies on (VIRTIO 1.2 §5.1.6; Linux virtio_net_hdr_to_skb, tcp_gso_segment).
    static bool check(bytes_view f, const io::frame_offload& o) {
        if (!o.needs_checksum || o.csum_start != eth_len + 20 || o.csum_offset != 16) return false;
        if (f.size() < eth_len + 40) return false;
        auto ip = ipv4::packet::checked(f.subspan(eth_len));
        if (!ip || ip->total_length() != f.size() - eth_len || ip->protocol() != ip_protocol::tcp || !ip->verify_checksum()) return false;
        const auto tcp_bytes = f.subspan(eth_len + 20);
        auto seg = tcp::segment::checked(tcp_bytes);
        if (!seg) return false;
        // The partial checksum: the pseudo-header sum over the whole TCP length.
        const auto pseudo = ipv4_pseudo_header(ip->src_addr().octets, ip->dst_addr().octets, ip_protocol::tcp,
                                               static_cast<std::uint16_t>(tcp_bytes.size()))
                                .sum();
        if (seg->checksum() != pseudo) return false;
        if (o.gso == io::segmentation::none) return true;
        const std::size_t payload = tcp_bytes.size() - seg->header_length();
        return o.gso_size > 0 && o.hdr_len == eth_len + 20 + seg->header_length() && payload > o.gso_size && !seg->syn() &&
               !seg->rst();
    }
    /// Linux's tcp_gso_segment, in software; or just completes the checksum.
    io::io_result<void> segment(bytes_view f, const io::frame_offload& o) {
        const auto ip = ipv4::packet::unchecked(f.subspan(eth_len));
        const auto seg = tcp::segment::unchecked(f.subspan(eth_len + 20));
        const std::size_t hl = eth_len + 20 + seg.header_length();
        const std::size_t payload = f.size() - hl;
        const std::size_t mss = o.gso == io::segmentation::none ? payload : o.gso_size;
        const std::size_t count = mss ? (payload + mss - 1) / mss : 1;
        for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) {
            const std::size_t off = i * mss;
            const std::size_t len = std::min(mss, payload - off);
            std::vector<std::byte> out(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(hl));
            out.insert(out.end(), f.begin() + static_cast<std::ptrdiff_t>(hl + off), f.begin() + static_cast<std::ptrdiff_t>(hl + off + len));
            auto oip = ipv4::mutable_packet::unchecked(mutable_bytes(out).subspan(eth_len));
            oip.set_total_length(static_cast<std::uint16_t>(out.size() - eth_len));
            oip.set_identification(static_cast<std::uint16_t>(ip.identification() + i));
            oip.fill_checksum();
            auto os = tcp::mutable_segment::unchecked(mutable_bytes(out).subspan(eth_len + 20));
            os.set_seq_number(seg.seq_number() + static_cast<std::uint32_t>(off));
            const bool last = i + 1 == count;
            os.set_psh(seg.psh() && last);
            os.set_fin(seg.fin() && last);
            os.set_cwr(seg.cwr() && i == 0);
            os.fill_checksum(ipv4_pseudo{ip.src_addr(), ip.dst_addr()});
            if (o.gso != io::segmentation::none) ++segments;
            if (auto r = dev_->transmit(bytes_view(out)); !r) return r;
        }
        return {};
    }

    io::memory_pipe::end* dev_;
    mode mode_;
    whole_queue* out_;
    whole_queue* in_;
    std::vector<std::byte> rx_{};
};

static_assert(io::offload_frame_device<virtio_link>);
// Tracing keeps the offloads; fault injection does not (see docs/io.md).
static_assert(io::offload_frame_device<io::tracer<virtio_link>>);
static_assert(!io::offload_frame_device<io::fault_injector<virtio_link>>);

template <class Device>
using stack_on = stack::stack<Device, stack::ethernet, stack::arp<16>, stack::ipv4<stack::reassembly<8>>, stack::icmp, stack::udp<>,
                              stack::tcp<stack::newreno>>;

/// Stack a on a virtio_link (mode `m`), stack b on a virtio_link or the bare
/// pipe end; a virtual clock; both sockets' data moved by `app`.
template <class DevB>
struct offload_world {
    io::memory_pipe pipe;
    whole_queue a_to_b, b_to_a;
    virtio_link link_a;
    std::optional<virtio_link> link_b;
    stack_on<virtio_link> a;
    stack_on<DevB> b;
    instant now{};

    static DevB& dev_b(offload_world& w) {
        if constexpr (std::is_same_v<DevB, virtio_link>) return *w.link_b;
        else return w.pipe.b();
    }
    offload_world(io::pipe_config pc, virtio_link::mode m)
        : pipe(pc), link_a(pipe.a(), m, &a_to_b, &b_to_a), link_b(make_b(pipe, m, a_to_b, b_to_a)),
          a(link_a, stk::config_for(stk::mac_a, stk::ip_a, 1)), b(dev_b(*this), stk::config_for(stk::mac_b, stk::ip_b, 2)) {}
    static std::optional<virtio_link> make_b(io::memory_pipe& p, virtio_link::mode m, whole_queue& ab, whole_queue& ba) {
        if constexpr (std::is_same_v<DevB, virtio_link>) return virtio_link(p.b(), m, &ba, &ab);
        else return std::nullopt;
    }

    void step() {
        pipe.set_time(std::chrono::duration_cast<io::timestamp>(now));
        const bool x = a.poll(now);
        const bool y = b.poll(now);
        if (x || y || !a_to_b.empty() || !b_to_a.empty()) return;
        std::optional<instant> t;
        auto take = [&t](std::optional<instant> v) {
            if (v && (!t || *v < *t)) t = v;
        };
        take(a.poll_at());
        take(b.poll_at());
        if (auto d = pipe.next_delivery()) take(std::chrono::ceil<instant>(*d));
        now = t ? std::max(now + 1us, *t) : now + 1ms;
    }
};

/// Moves `data` from `src`'s connection to `dst`'s and back the other way
/// at once; returns true when both arrived complete within `limit`.
template <class W>
bool transfer(W& w, const std::vector<std::byte>& a_data, const std::vector<std::byte>& b_data, std::vector<std::byte>& at_b,
              std::vector<std::byte>& at_a, stack::duration limit) {
    auto l = w.b.tcp_listen(9000, 4);
    REQUIRE(l);
    auto ca = w.a.tcp_connect({stk::ip_b, 9000});
    REQUIRE(ca);
    std::optional<stack::tcp_socket> cb;
    std::size_t sent_a = 0, sent_b = 0;
    bool shut_a = false, shut_b = false, eof_a = false, eof_b = false;
    std::vector<std::byte> buf(64 * 1024);
    const instant end = w.now + limit;
    while (!(eof_a && eof_b)) {
        if (w.now > end) { UNSCOPED_INFO("timeout " << at_a.size() << " " << at_b.size() << " " << sent_a << " " << sent_b); return false; }
        if (!cb)
            if (auto c = w.b.accept(*l); c && *c) cb = **c;
        if (auto st = w.a.state(*ca); st && (*st == stack::tcp_state::established || *st == stack::tcp_state::close_wait)) {
            if (sent_a < a_data.size())
                if (auto n = w.a.send(*ca, bytes_view(a_data).subspan(sent_a)); n) sent_a += *n;
            if (sent_a == a_data.size() && !shut_a) shut_a = w.a.shutdown(*ca).has_value();
        }
        if (cb) {
            if (sent_b < b_data.size())
                if (auto n = w.b.send(*cb, bytes_view(b_data).subspan(sent_b)); n) sent_b += *n;
            if (sent_b == b_data.size() && !shut_b) shut_b = w.b.shutdown(*cb).has_value();
            for (;;) {
                auto n = w.b.recv(*cb, mutable_bytes(buf));
                if (!n) {
                    eof_b = stack::is_end_of_stream(n.error());
                    if (!eof_b) { UNSCOPED_INFO("b recv: " << n.error().detail); return false; }
                    break;
                }
                if (*n == 0) break;
                at_b.insert(at_b.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
            }
        }
        const auto sta = w.a.state(*ca);
        for (; sta && *sta != stack::tcp_state::syn_sent;) {
            auto n = w.a.recv(*ca, mutable_bytes(buf));
            if (!n) {
                eof_a = stack::is_end_of_stream(n.error());
                if (!eof_a) { UNSCOPED_INFO("a recv: " << n.error().detail << " at " << at_a.size()); return false; }
                break;
            }
            if (*n == 0) break;
            at_a.insert(at_a.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        w.step();
    }
    return true;
}

}  // namespace

TEST_CASE("TCP over a device with TSO: super-frames are well-formed and segment into the same byte streams (also under 2% loss)") {
    for (const double loss : {0.0, 0.02}) {
        INFO("loss " << loss);
        io::pipe_config pc;
        pc.seed = 11;
        pc.a_to_b.loss = loss;
        pc.b_to_a.loss = loss;
        pc.a_to_b.delay = 1ms;
        pc.b_to_a.delay = 1ms;
        offload_world<io::memory_pipe::end> w(pc, virtio_link::mode::segment);
        const auto a_data = stk::pattern(3u << 20, 1), b_data = stk::pattern(1u << 20, 2);
        std::vector<std::byte> at_a, at_b;
        REQUIRE(transfer(w, a_data, b_data, at_b, at_a, 600s));
        CHECK(at_b == a_data);
        CHECK(at_a == b_data);
        CHECK(w.link_a.errors == 0);
        CHECK(w.link_a.super_frames > 0);
        CHECK(w.link_a.segments > 2 * w.link_a.super_frames);
        CHECK(w.link_a.largest_super_frame > eth_len + 1500);
        const auto s = w.a.stats();
        CHECK(s.gso_frames_sent == w.link_a.super_frames);
        CHECK(s.gso_segments_sent == w.link_a.segments);
        CHECK(s.checksum_offloaded == w.link_a.requests);
        if (loss > 0) CHECK(s.tcp_retransmissions > 0);
        // The peer without offloads saw only MTU-sized frames, all verified.
        CHECK(w.b.stats().largest_frame_received <= eth_len + 1500);
        CHECK(w.b.stats().bad_checksum == 0);
    }
}

TEST_CASE("TCP over two devices with TSO: segments larger than the MSS with partial checksums are received whole and trusted") {
    io::pipe_config pc;
    pc.seed = 12;
    offload_world<virtio_link> w(pc, virtio_link::mode::whole);
    const auto a_data = stk::pattern(4u << 20, 3), b_data = stk::pattern(2u << 20, 4);
    std::vector<std::byte> at_a, at_b;
    REQUIRE(transfer(w, a_data, b_data, at_b, at_a, 600s));
    CHECK(at_b == a_data);
    CHECK(at_a == b_data);
    CHECK(w.link_a.errors == 0);
    CHECK(w.link_b->errors == 0);
    // Each stack received the other's super-frames as single segments
    // larger than the MSS (RFC 9293 §3.10.7.4: any segment in the window).
    CHECK(w.b.stats().gso_frames_received > 0);
    CHECK(w.b.stats().largest_frame_received > eth_len + 1500);
    CHECK(w.a.stats().gso_frames_received > 0);
    // Their checksums were partial, which would not verify: trusted, not dropped.
    CHECK(w.a.stats().bad_checksum == 0);
    CHECK(w.b.stats().bad_checksum == 0);
    CHECK(w.a.stats().dropped == 0);
    CHECK(w.b.stats().dropped == 0);
}

TEST_CASE("a stack on a device without offloads never sends offload requests or frames beyond the MTU") {
    io::memory_pipe pipe;
    stk::device da(pipe.a()), db(pipe.b());
    stk::full_stack a(da, stk::config_for(stk::mac_a, stk::ip_a, 1)), b(db, stk::config_for(stk::mac_b, stk::ip_b, 2));
    STATIC_REQUIRE_FALSE(io::offload_frame_device<stk::device>);
    auto l = b.tcp_listen(7, 4);
    auto c = a.tcp_connect({stk::ip_b, 7});
    REQUIRE(l);
    REQUIRE(c);
    const auto data = stk::pattern(512 * 1024, 5);
    std::size_t sent = 0, got = 0;
    std::optional<stack::tcp_socket> cb;
    std::vector<std::byte> buf(65536);
    instant now{};
    for (int i = 0; i < 200000 && got < data.size(); ++i) {
        pipe.set_time(std::chrono::duration_cast<io::timestamp>(now));
        a.poll(now);
        b.poll(now);
        if (!cb)
            if (auto x = b.accept(*l); x && *x) cb = **x;
        if (sent < data.size())
            if (auto n = a.send(*c, bytes_view(data).subspan(sent)); n) sent += *n;
        if (cb)
            if (auto n = b.recv(*cb, mutable_bytes(buf)); n) got += *n;
        now += 100us;
    }
    CHECK(got == data.size());
    const auto s = a.stats();
    CHECK(s.gso_frames_sent == 0);
    CHECK(s.checksum_offloaded == 0);
    for (const auto& f : da.sent) CHECK(f.size() <= eth_len + 1500);
}

TEST_CASE("a device that refuses super-frames: the stack drops the one, segments in software from then on, and the data arrives") {
    io::pipe_config pc;
    pc.seed = 13;
    offload_world<io::memory_pipe::end> w(pc, virtio_link::mode::segment);
    w.link_a.refuse_gso = true;
    const auto a_data = stk::pattern(1u << 20, 6), b_data = stk::pattern(4096, 7);
    std::vector<std::byte> at_a, at_b;
    REQUIRE(transfer(w, a_data, b_data, at_b, at_a, 600s));
    CHECK(at_b == a_data);
    CHECK(at_a == b_data);
    CHECK(w.link_a.refused == 1);
    CHECK(w.a.stats().gso_frames_sent == 0);
    CHECK(w.a.stats().checksum_offloaded > 0);  // partial checksums still offloaded
    CHECK(w.a.stats().tcp_retransmissions > 0);
}

TEST_CASE("fault_injector: a received frame it corrupts loses its offload checksum flags, so the receiver verifies it") {
    io::memory_pipe pipe;
    whole_queue in, out;
    virtio_link link(pipe.a(), virtio_link::mode::whole, &out, &in);
    in.push_back(std::vector<std::byte>(60, std::byte{0x11}));
    in.push_back(std::vector<std::byte>(60, std::byte{0x22}));
    {
        auto r = link.receive();  // untouched: the flag as the host set it
        REQUIRE(r);
        REQUIRE(*r);
        CHECK((*r)->offload.needs_checksum);
    }
    io::fault_injector<virtio_link> faulty(link, {.corrupt = 1.0}, {}, 3);
    auto r = faulty.receive();
    REQUIRE(r);
    REQUIRE(*r);
    CHECK(faulty.rx_stats().corrupted == 1);
    CHECK_FALSE((*r)->offload.needs_checksum);
    CHECK_FALSE((*r)->offload.checksum_valid);
}
