// A RST arriving in TIME-WAIT (stack_config::tcp_rfc1337, RFC 1337 §3 F1):
// the connection closed first on our side, the peer's data and FIN arrived
// and are not read yet; then the peer, already CLOSED, answers a duplicate
// ACK with a RST (the Linux kernel does, after retransmitting its FIN). The
// data must stay readable. Over memory_pipe, with the RST injected from the
// peer's side of the link.
#include <catch2/catch.hpp>

#include <wirekit/wire/ethernet.hpp>
#include <wirekit/wire/ipv4.hpp>
#include <wirekit/wire/tcp.hpp>

#include <vector>

#include "stack/harness.hpp"

namespace {

using namespace stk;

/// An Ethernet + IPv4 + TCP frame from b to a: <SEQ=seq><CTL=RST>.
std::vector<std::byte> rst_frame(std::uint16_t src_port, std::uint16_t dst_port, std::uint32_t seq) {
    tcp::repr t;
    t.src_port = src_port;
    t.dst_port = dst_port;
    t.seq_number = seq;
    t.flags.rst = true;
    ipv4::repr ip;
    ip.src_addr = ip_b;
    ip.dst_addr = ip_a;
    ip.protocol = ip_protocol::tcp;
    ip.payload_len = t.buffer_len();
    ethernet::repr e;
    e.dst_addr = mac_a;
    e.src_addr = mac_b;
    e.ethertype = ethernet::ethertype::ipv4;
    std::vector<std::byte> f(e.buffer_len(ip.buffer_len()));
    auto fb = mutable_bytes(f);
    e.emit(ethernet::mutable_frame::unchecked(fb), ip.buffer_len());
    ip.emit(ipv4::mutable_packet::unchecked(fb.subspan(ethernet::header_len, ip.buffer_len())));
    (void)t.emit(tcp::mutable_segment::unchecked(fb.subspan(ethernet::header_len + 20, t.buffer_len())), ipv4_pseudo{ip_b, ip_a});
    return f;
}

/// Brings a connection a -> b to TIME-WAIT on a with `data` from b unread;
/// then injects b's RST at RCV.NXT. Returns what a can still read and
/// whether it ended with end of stream.
std::pair<std::vector<std::byte>, bool> time_wait_then_rst(bool rfc1337) {
    world<> w({}, [&](stack::stack_config& c) { c.tcp_rfc1337 = rfc1337; });
    auto l = w.b.tcp_listen(80, 4);
    REQUIRE(l);
    auto ca = w.a.tcp_connect({ip_b, 80});
    REQUIRE(ca);
    std::optional<stack::tcp_socket> cb;
    REQUIRE(w.run([&] {
        if (!cb)
            if (auto c = w.b.accept(*l); c && *c) cb = **c;
    }, [&] { return cb.has_value(); }, 5s));
    // a closes first (FIN-WAIT-2), then b sends its data and closes: a is in TIME-WAIT.
    REQUIRE(w.a.shutdown(*ca));
    REQUIRE(w.run([&] { return w.a.state(*ca) && *w.a.state(*ca) == stack::tcp_state::fin_wait_2; }, 5s));
    const auto data = pattern(3000, 9);
    REQUIRE(*w.b.send(*cb, bytes_view(data)) == data.size());
    REQUIRE(w.b.close(*cb));
    REQUIRE(w.run([&] { return w.a.state(*ca) && *w.a.state(*ca) == stack::tcp_state::time_wait; }, 5s));
    const auto* conn = w.a.connection(*ca);
    REQUIRE(conn);
    REQUIRE(w.a.status(*ca)->receive_queued == data.size());
    const auto f = rst_frame(80, conn->status().local.port, conn->vars().rcv_nxt);
    REQUIRE(w.dev_b.transmit(bytes_view(f)));
    w.step();
    std::vector<std::byte> got(8192);
    auto n = w.a.recv(*ca, mutable_bytes(got));
    if (!n) return {{}, false};
    got.resize(*n);
    std::vector<std::byte> more(16);
    auto end = w.a.recv(*ca, mutable_bytes(more));
    CHECK(got == data);
    return {got, !end && stack::is_end_of_stream(end.error())};
}

}  // namespace

TEST_CASE("a RST in TIME-WAIT is ignored (RFC 1337): data not yet read stays readable, then end of stream") {
    auto [got, eof] = time_wait_then_rst(true);
    CHECK(got.size() == 3000);
    CHECK(eof);
}

TEST_CASE("with tcp_rfc1337 off, a RST in TIME-WAIT deletes the TCB as RFC 9293 §3.10.7.4 says (the unread data is lost)") {
    auto [got, eof] = time_wait_then_rst(false);
    CHECK(got.empty());
    CHECK_FALSE(eof);
}
