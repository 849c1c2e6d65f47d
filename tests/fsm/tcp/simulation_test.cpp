// Deterministic simulation: two connections joined by io::memory_pipe
// (seeded loss, reordering, duplication, corruption; 10 ms one-way delay),
// driven by a virtual clock. Both sides send a pseudo-random stream to each
// other at once, close, and the received bytes must equal the sent bytes
// exactly, within a bounded virtual time. Segments cross the pipe as real
// TCP bytes (wirekit::tcp::repr emit/parse with the RFC 9293 §3.1
// checksum), so a corrupted frame is caught by the checksum and dropped.
#include "script.hpp"

#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/io/pcap.hpp>
#include <wirekit/wire/craft.hpp>
#include <wirekit/wire/tcp.hpp>

#include <cstdio>
#include <string>

#include <cstdlib>
#include <cstring>

using namespace tcpt;

namespace {

std::vector<std::byte> pattern(std::size_t n, std::uint64_t seed) {
    std::vector<std::byte> v(n);
    std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (auto& b : v) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = std::byte(x & 0xff);
    }
    return v;
}

template <class Conn>
struct side {
    Conn conn;
    wirekit::io::memory_pipe::end& dev;
    std::vector<std::byte> to_send;
    std::size_t sent = 0;
    bool closed_by_us = false;
    std::vector<std::byte> received;
    bool peer_done = false;
    std::size_t bad_checksum = 0;
    wirekit::io::pcap_writer* trace = nullptr;  ///< every transmitted segment, as Ethernet/IPv4/TCP
    tcp::instant now_for_trace{};

    side(const tcp::config& c, wirekit::io::memory_pipe::end& d, std::vector<std::byte> data)
        : conn(c), dev(d), to_send(std::move(data)) {}

    void flush() {
        std::array<std::byte, 1600> buf{};
        while (auto s = conn.poll_transmit()) {
            if (trace) {
                const bool from_a = s->src_addr == addr_a;
                const wirekit::mac_address mac_a{{std::byte{2}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}}};
                const wirekit::mac_address mac_b{{std::byte{2}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{2}}};
                auto frame = (wirekit::ethernet::repr{.dst_addr = from_a ? mac_b : mac_a, .src_addr = from_a ? mac_a : mac_b} /
                              wirekit::ipv4::repr{.src_addr = s->src_addr, .dst_addr = s->dst_addr} / s->hdr /
                              wirekit::craft::payload{wirekit::bytes_view(s->payload)})
                                 .to_bytes();
                REQUIRE(frame);
                trace->write(wirekit::bytes_view(*frame), std::chrono::duration_cast<wirekit::io::timestamp>(now_for_trace));
            }
            auto n = s->emit(buf);
            REQUIRE(n);
            REQUIRE(dev.transmit(wirekit::bytes_view(buf).first(*n)));
        }
    }
    void deliver(tcp::instant now) {
        for (;;) {
            auto f = dev.receive();
            REQUIRE(f);
            if (!f->has_value()) break;
            const auto bytes = (*f)->data;
            auto v = wirekit::tcp::segment::checked(bytes);
            if (!v) {
                ++bad_checksum;
                continue;
            }
            // The peer's addresses: this side's config says who is local.
            const auto local = conn.vars().cfg.local.addr;
            const auto remote = local == addr_a ? addr_b : addr_a;
            auto r = wirekit::tcp::repr::parse(*v, wirekit::ipv4_pseudo{remote, local});
            if (!r) {
                ++bad_checksum;
                continue;
            }
            tcp::segment_in in;
            in.src_addr = remote;
            in.dst_addr = local;
            in.hdr = *r;
            in.payload = bytes.subspan(v->header_length());
            if (in.hdr.dst_port != conn.vars().cfg.local.port) continue;
            conn.on_segment(now, in);
        }
    }
    void app(tcp::instant now) {
        const auto st = conn.current();
        if (st == tcp::state::established || st == tcp::state::close_wait) {
            if (sent < to_send.size()) {
                auto n = conn.send(now, wirekit::bytes_view(to_send).subspan(sent));
                if (n) sent += *n;
            }
            if (sent == to_send.size() && !closed_by_us) {
                REQUIRE(conn.close(now));
                closed_by_us = true;
            }
        }
        std::array<std::byte, 8192> buf{};
        for (;;) {
            auto n = conn.receive(now, buf);
            if (!n) {
                if (n.error().detail == "connection closing") peer_done = true;
                break;
            }
            if (*n == 0) break;
            received.insert(received.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
        }
    }
};

struct run_result {
    bool a_ok = false, b_ok = false;
    tcp::instant finished{};
    std::uint64_t retransmissions = 0;  ///< by timeout and fast retransmit
    std::size_t bad_checksum = 0;
};

template <class Conn = tcp::connection>
run_result simulate(const wirekit::io::impairments& imp, std::size_t bytes, std::uint64_t seed, tcp::instant limit,
                    wirekit::io::pcap_writer* trace = nullptr) {
    wirekit::io::pipe_config pc;
    pc.seed = seed;
    pc.a_to_b = imp;
    pc.b_to_a = imp;
    wirekit::io::memory_pipe pipe(pc);

    tcp::config ca = endpoint_under_test::make_config(std::nullopt, true, 65535);
    tcp::config cb = endpoint_under_test::make_config(std::nullopt, false, 65535);
    ca.msl = std::chrono::seconds(1);  // a short TIME-WAIT keeps the run short
    ca.delayed_ack = cb.delayed_ack = true;  // the defaults (delayed ACK and Nagle on), unlike the scripted tests
    cb.msl = std::chrono::seconds(1);
    side<Conn> a(ca, pipe.a(), pattern(bytes, seed));
    side<Conn> b(cb, pipe.b(), pattern(bytes + 777, seed + 1));
    a.trace = trace;
    b.trace = trace;

    tcp::instant now{0};
    REQUIRE(b.conn.open(now, false));
    REQUIRE(a.conn.open(now, true, tcp::endpoint{addr_b, port_b}));
    a.now_for_trace = now;
    a.flush();

    std::size_t iterations = 0;
    while (now <= limit) {
        ++iterations;
        pipe.set_time(std::chrono::duration_cast<wirekit::io::timestamp>(now));
        a.deliver(now);
        b.deliver(now);
        for (side<Conn>* s : {&a, &b}) {
            s->now_for_trace = now;
            if (auto d = s->conn.next_deadline(); d && *d <= now) s->conn.on_timer(now);
            s->app(now);
            s->flush();
        }
        if (a.conn.current() == tcp::state::closed && b.conn.current() == tcp::state::closed) break;
        // Next event: a delivery, a timer, or (when an application can still
        // write) a short application tick.
        std::optional<tcp::instant> next;
        auto consider = [&](std::optional<tcp::instant> t) {
            if (t && (!next || *t < *next)) next = t;
        };
        if (auto d = pipe.next_delivery()) consider(std::chrono::ceil<tcp::instant>(*d));
        consider(a.conn.next_deadline());
        consider(b.conn.next_deadline());
        if (!next) break;  // nothing can ever happen again
        now = std::max(*next, now + 1us);
    }
    run_result r;
    r.finished = now;
    r.a_ok = b.received == a.to_send;
    r.b_ok = a.received == b.to_send;
    r.retransmissions = a.conn.vars().retransmissions + b.conn.vars().retransmissions +
                        a.conn.vars().fast_retransmits + b.conn.vars().fast_retransmits;
    r.bad_checksum = a.bad_checksum + b.bad_checksum;
    if (std::getenv("WIREKIT_SIM_TRACE"))
        fmt::print("sim: {} iterations, finished at {} us, {} retransmissions, {} bad checksums, A {} B {}, frames a->b {} b->a {}\n",
                   iterations, now.count(), r.retransmissions, r.bad_checksum, a.conn.current(), b.conn.current(),
                   pipe.a().stats().transmitted, pipe.b().stats().transmitted);
    INFO("A state " << fmt::format("{}", a.conn.current()) << ", B state " << fmt::format("{}", b.conn.current())
                    << ", B got " << b.received.size() << "/" << a.to_send.size() << ", A got "
                    << a.received.size() << "/" << b.to_send.size());
    CHECK(a.conn.current() == tcp::state::closed);
    CHECK(b.conn.current() == tcp::state::closed);
    return r;
}

}  // namespace

TEST_CASE("simulation: both directions transfer identical bytes under loss") {
    const std::size_t n = 1 << 20;  // 1 MiB each way
    for (double loss : {0.0, 0.01, 0.05, 0.10}) {
        DYNAMIC_SECTION("loss " << loss) {
            wirekit::io::impairments imp;
            imp.loss = loss;
            imp.delay = std::chrono::milliseconds(10);
            const auto r = simulate(imp, n, 7, std::chrono::hours(2));
            CHECK(r.a_ok);
            CHECK(r.b_ok);
            // Bounded virtual time: 1 MiB through a 64 KiB window at 20 ms RTT
            // is 16 RTTs (0.3 s) plus a 2 s TIME-WAIT; loss adds recovery time.
            const auto bound = loss == 0.0 ? std::chrono::seconds(5) : std::chrono::seconds(300);
            CHECK(r.finished < tcp::instant(bound));
            if (loss == 0.0) CHECK(r.retransmissions == 0);
            else CHECK(r.retransmissions > 0);
        }
    }
}

TEST_CASE("simulation: Tahoe and Reno transfer identical bytes under loss and reordering") {
    // The policies' loss reactions (go-back-N slow start for Tahoe, Reno's
    // early exit from fast recovery) must still deliver every byte.
    const std::size_t n = 256 * 1024;
    for (double loss : {0.01, 0.05, 0.10}) {
        wirekit::io::impairments imp;
        imp.loss = loss;
        imp.reorder = 0.05;
        imp.reorder_delay = std::chrono::milliseconds(5);
        imp.delay = std::chrono::milliseconds(10);
        DYNAMIC_SECTION("Tahoe, loss " << loss) {
            const auto r = simulate<tcp::basic_connection<tcp::tahoe>>(imp, n, 31, std::chrono::hours(2));
            CHECK(r.a_ok);
            CHECK(r.b_ok);
            CHECK(r.finished < tcp::instant(std::chrono::seconds(300)));
        }
        DYNAMIC_SECTION("Reno, loss " << loss) {
            const auto r = simulate<tcp::basic_connection<tcp::reno>>(imp, n, 32, std::chrono::hours(2));
            CHECK(r.a_ok);
            CHECK(r.b_ok);
            CHECK(r.finished < tcp::instant(std::chrono::seconds(300)));
        }
    }
}

TEST_CASE("simulation: reordering, duplication and corruption") {
    const std::size_t n = 256 * 1024;
    SECTION("10% reordering") {
        wirekit::io::impairments imp;
        imp.reorder = 0.10;
        imp.reorder_delay = std::chrono::milliseconds(5);
        imp.delay = std::chrono::milliseconds(10);
        const auto r = simulate(imp, n, 11, std::chrono::hours(1));
        CHECK(r.a_ok);
        CHECK(r.b_ok);
        CHECK(r.finished < tcp::instant(std::chrono::seconds(60)));
    }
    SECTION("5% duplication") {
        wirekit::io::impairments imp;
        imp.duplicate = 0.05;
        imp.delay = std::chrono::milliseconds(10);
        const auto r = simulate(imp, n, 12, std::chrono::hours(1));
        CHECK(r.a_ok);
        CHECK(r.b_ok);
        CHECK(r.finished < tcp::instant(std::chrono::seconds(60)));
    }
    SECTION("1% corruption, caught by the checksum") {
        wirekit::io::impairments imp;
        imp.corrupt = 0.01;
        imp.delay = std::chrono::milliseconds(10);
        const auto r = simulate(imp, n, 13, std::chrono::hours(1));
        CHECK(r.a_ok);
        CHECK(r.b_ok);
        CHECK(r.finished < tcp::instant(std::chrono::seconds(60)));
        CHECK(r.bad_checksum > 0);
    }
}

TEST_CASE("simulation: a 10 MiB transfer at 1% loss") {
    wirekit::io::impairments imp;
    imp.loss = 0.01;
    imp.delay = std::chrono::milliseconds(10);
    const auto r = simulate(imp, 10 << 20, 21, std::chrono::hours(4));
    CHECK(r.a_ok);
    CHECK(r.b_ok);
    CHECK(r.finished < tcp::instant(std::chrono::seconds(300)));
}

namespace {
std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
    return out;
}
std::size_t count_lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}
}  // namespace

TEST_CASE("simulation: the conversation, written as pcap, dissects cleanly in tshark") {
    // Independent truth: Wireshark's TCP dissector and sequence analysis
    // (tshark, run now) on every segment both endpoints transmitted.
    if (std::system("tshark --version > /dev/null 2>&1") != 0) {
        WARN("tshark not installed: skipped");
        return;
    }
    const std::string path = std::string(WIREKIT_BINARY_DIR) + "/fsm_tcp_simulation.pcap";
    const std::size_t n = 200000;
    {
        auto w = wirekit::io::pcap_writer::open(path);
        REQUIRE(w);
        wirekit::io::impairments imp;
        imp.delay = std::chrono::milliseconds(10);
        const auto r = simulate(imp, n, 5, std::chrono::minutes(5), &*w);
        REQUIRE(r.a_ok);
        REQUIRE(r.b_ok);
        REQUIRE(w->flush());
    }
    const std::string ts = "tshark -n -r " + path +
                           " --disable-protocol http -o tcp.check_checksum:TRUE -o tcp.relative_sequence_numbers:FALSE ";
    // Every checksum verifies.
    CHECK(count_lines(run(ts + "-Y 'tcp.checksum.status != 1'")) == 0);
    CHECK(count_lines(run(ts + "-Y 'ip.checksum.status == 0'")) == 0);
    // No loss on this link, so Wireshark must see no retransmission, lost
    // segment, out-of-order segment or duplicate ACK. (Zero windows are
    // legitimate here: a full window lands before the application reads.)
    CHECK(count_lines(run(ts + "-Y 'tcp.analysis.retransmission || tcp.analysis.lost_segment || "
                               "tcp.analysis.ack_lost_segment || tcp.analysis.out_of_order || "
                               "tcp.analysis.duplicate_ack || tcp.analysis.spurious_retransmission'")) == 0);
    // Every segment Wireshark saw is part of its sequence analysis (the
    // stream's sequence numbers add up: no "previous segment not captured").
    CHECK(count_lines(run(ts + "-Y 'tcp.analysis.flags && !tcp.analysis.zero_window && !tcp.analysis.window_full && "
                               "!tcp.analysis.window_update'")) == 0);
    // One connection: two SYNs (SYN, SYN,ACK), two FINs, no RST.
    CHECK(count_lines(run(ts + "-Y 'tcp.flags.syn == 1'")) == 2);
    CHECK(count_lines(run(ts + "-Y 'tcp.flags.fin == 1'")) == 2);
    CHECK(count_lines(run(ts + "-Y 'tcp.flags.reset == 1'")) == 0);
    CHECK(run(ts + "-T fields -e tcp.stream | sort -u") == "0\n");
    // Payload bytes per direction, summed by tshark, equal what each side sent.
    auto sum = [&](const char* filter) {
        std::size_t total = 0;
        const std::string rows = run(ts + "-Y '" + filter + "' -T fields -e tcp.len");
        std::size_t at = 0;
        while (at < rows.size()) {
            const auto nl = rows.find('\n', at);
            total += std::stoul(rows.substr(at, nl - at));
            at = nl + 1;
        }
        return total;
    };
    CHECK(sum("tcp.srcport == 40000") == n);
    CHECK(sum("tcp.srcport == 80") == n + 777);
}

TEST_CASE("simulation: many seeds with combined impairments") {
    // 5% loss, 5% reordering and 2% duplication at once, both directions,
    // fifty seeds: every run delivers identical bytes and closes cleanly.
    for (std::uint64_t seed = 100; seed < 150; ++seed) {
        INFO("seed " << seed);
        wirekit::io::impairments imp;
        imp.loss = 0.05;
        imp.reorder = 0.05;
        imp.reorder_delay = std::chrono::milliseconds(3);
        imp.duplicate = 0.02;
        imp.delay = std::chrono::milliseconds(10);
        const auto r = simulate(imp, 128 * 1024, seed, std::chrono::hours(1));
        CHECK(r.a_ok);
        CHECK(r.b_ok);
        CHECK(r.finished < tcp::instant(std::chrono::seconds(300)));
    }
}
