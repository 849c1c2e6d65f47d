// Helpers for scripted TCP tests: "at time t this segment arrives, expect
// these segments out and this state". Segments are written the way RFC 9293
// draws them: <SEQ=100><ACK=301><CTL=SYN,ACK>.
#pragma once

#include <catch2/catch.hpp>

#include <wirekit/fsm/format.hpp>
#include <wirekit/fsm/tcp/connection.hpp>

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tcpt {

namespace tcp = wirekit::fsm::tcp;
using namespace std::chrono_literals;

inline const wirekit::ipv4_address addr_a = wirekit::ipv4_address::of(10, 0, 0, 1);
inline const wirekit::ipv4_address addr_b = wirekit::ipv4_address::of(10, 0, 0, 2);
inline constexpr std::uint16_t port_a = 40000;
inline constexpr std::uint16_t port_b = 80;

/// Control bits from "SYN,ACK" style text.
inline wirekit::tcp::control ctl(std::string_view text) {
    wirekit::tcp::control c;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t comma = text.find(',', at);
        if (comma == std::string_view::npos) comma = text.size();
        const auto f = text.substr(at, comma - at);
        if (f == "SYN") c.syn = true;
        else if (f == "ACK") c.ack = true;
        else if (f == "FIN") c.fin = true;
        else if (f == "RST") c.rst = true;
        else if (f == "PSH") c.psh = true;
        else if (f == "URG") c.urg = true;
        else FAIL("unknown control bit " << std::string(f));
        at = comma + 1;
    }
    return c;
}

inline std::string ctl_text(const wirekit::tcp::control& c) {
    std::string s;
    auto add = [&](bool on, const char* n) {
        if (!on) return;
        if (!s.empty()) s += ',';
        s += n;
    };
    add(c.syn, "SYN");
    add(c.rst, "RST");
    add(c.fin, "FIN");
    add(c.ack, "ACK");
    add(c.urg, "URG");
    return s;
}

/// A segment as the RFC writes it; payload as text.
struct seg {
    std::uint32_t seq = 0;
    std::optional<std::uint32_t> ack{};
    std::string ctl{};
    std::string data{};
    std::uint16_t wnd = 65535;
    std::optional<std::uint16_t> mss{};
    std::uint16_t up = 0;
};

/// RFC notation of an output segment: "<SEQ=101><ACK=301><CTL=ACK>" (+ "<DATA=n>").
/// PSH is not shown (the RFC figures do not track it).
inline std::string rfc_text(const tcp::segment_out& s) {
    auto c = s.hdr.flags;
    c.psh = false;
    std::string t = fmt::format("<SEQ={}>", s.hdr.seq_number);
    if (c.ack) t += fmt::format("<ACK={}>", s.hdr.ack_number);
    t += fmt::format("<CTL={}>", ctl_text(c));
    if (!s.payload.empty()) t += fmt::format("<DATA={}>", s.payload.size());
    return t;
}

/// A connection plus a byte store for segment payloads. `Conn` is
/// tcp::connection or another tcp::basic_connection<policy>.
template <class Conn>
struct basic_endpoint_under_test {
    Conn conn;
    std::vector<std::string> payloads;  // keeps arriving payload bytes alive
    tcp::instant now{0};

    explicit basic_endpoint_under_test(std::optional<std::uint32_t> iss, bool is_a = true,
                                 std::size_t rcv_buf = 65535)
        : conn(make_config(iss, is_a, rcv_buf)) {}

    static tcp::config make_config(std::optional<std::uint32_t> iss, bool is_a, std::size_t rcv_buf) {
        tcp::config c;
        c.local = is_a ? tcp::endpoint{addr_a, port_a} : tcp::endpoint{addr_b, port_b};
        c.fixed_iss = iss;
        c.mss = 1460;
        c.receive_buffer = rcv_buf;
        // The scripted tests write down every ACK at the moment the RFC's
        // figures show it: one per segment (RFC 9293 §3.10.7.4 "send an
        // acknowledgment"). Delayed ACK (RFC 1122 §4.2.3.2, a SHOULD) is off
        // here and tested on its own in flow_test.cpp.
        c.delayed_ack = false;
        for (std::size_t i = 0; i < c.secret.size(); ++i) c.secret[i] = std::byte(i * 7 + 1);
        return c;
    }
    tcp::endpoint peer() const {
        return conn.vars().cfg.local.port == port_a ? tcp::endpoint{addr_b, port_b} : tcp::endpoint{addr_a, port_a};
    }

    /// Delivers `s` at time `t` (seconds since 0 unless given).
    void arrive(const seg& s, tcp::instant t) {
        now = t;
        tcp::segment_in in;
        const auto p = peer();
        in.src_addr = p.addr;
        in.dst_addr = conn.vars().cfg.local.addr;
        in.hdr.src_port = p.port;
        in.hdr.dst_port = conn.vars().cfg.local.port;
        in.hdr.seq_number = s.seq;
        in.hdr.ack_number = s.ack.value_or(0);
        in.hdr.flags = ctl(s.ctl);
        if (s.ack) in.hdr.flags.ack = true;
        in.hdr.window = s.wnd;
        in.hdr.urgent_pointer = s.up;
        in.hdr.options.mss = s.mss;
        payloads.push_back(s.data);
        const auto& d = payloads.back();
        in.payload = wirekit::bytes_view(reinterpret_cast<const std::byte*>(d.data()), d.size());
        in.hdr.payload_len = d.size();
        conn.on_segment(t, in);
    }
    void arrive(const seg& s) { arrive(s, now); }

    /// Everything sent since the last call, in RFC notation.
    std::vector<std::string> sent() {
        std::vector<std::string> out;
        while (auto s = conn.poll_transmit()) out.push_back(rfc_text(*s));
        return out;
    }
    std::vector<tcp::segment_out> sent_raw() {
        std::vector<tcp::segment_out> out;
        while (auto s = conn.poll_transmit()) out.push_back(std::move(*s));
        return out;
    }
    std::vector<tcp::notice> notices() {
        std::vector<tcp::notice> out;
        while (auto n = conn.poll_notice()) out.push_back(*n);
        return out;
    }
    std::string state() const { return fmt::format("{}", conn.current()); }
};

using endpoint_under_test = basic_endpoint_under_test<tcp::connection>;

using lines = std::vector<std::string>;

}  // namespace tcpt

namespace Catch {
template <>
struct StringMaker<wirekit::fsm::tcp::state> {
    static std::string convert(wirekit::fsm::tcp::state s) { return fmt::format("{}", s); }
};
}  // namespace Catch
