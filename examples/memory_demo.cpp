// memory-demo: two wirekit stacks in one process, joined by an
// io::memory_pipe that loses 5% of the frames each way. One stack serves a
// generated file over TCP, the other downloads it. Everything runs in
// virtual time; no privileges, no network.
//
//   memory-demo [--size BYTES] [--loss P] [--delay-ms MS] [--seed N]
//               [--pcap FILE] [--write-received FILE]
//
// Prints the transfer summary (bytes, virtual and wall time, frames lost,
// retransmissions, SHA-256 of what was served and what arrived) and, with
// --pcap, writes every frame either stack transmitted (as a sender-side
// capture: frames the pipe then lost are in it too) for Wireshark or
// tshark. Exit status 0 when the download is intact.
#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/io/pcap.hpp>
#include <wirekit/stack/stack.hpp>

#include "../tests/support/sha256.hpp"  // wirekit::test::sha256

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace wirekit;
using namespace std::chrono_literals;

// SHA-256 (FIPS 180-4) from the test support, checked there against the
// standard's examples and sha256sum.
std::string sha256_hex(const std::vector<std::byte>& v) {
    wirekit::test::sha256 h;
    h.update(std::span<const std::byte>(v));
    return wirekit::test::sha256::hex(h.digest());
}

// ----------------------------------------------------------------- devices

/// frame_device middleware: writes every transmitted frame to a pcap file,
/// stamped with the virtual time (a sender-side capture).
class tx_capture {
public:
    tx_capture(io::memory_pipe::end& d, io::pcap_writer* out, const io::timestamp* now) : dev_(&d), out_(out), now_(now) {}
    [[nodiscard]] io::device_capabilities capabilities() const { return dev_->capabilities(); }
    io::io_result<std::optional<io::frame_ref>> receive() { return dev_->receive(); }
    io::io_result<void> transmit(bytes_view f) {
        if (out_) out_->write(f, *now_);
        return dev_->transmit(f);
    }
    [[nodiscard]] int native_handle() const { return -1; }

private:
    io::memory_pipe::end* dev_;
    io::pcap_writer* out_;
    const io::timestamp* now_;
};

using demo_stack = stack::stack<tx_capture, stack::ethernet, stack::arp<16>, stack::ipv4<stack::reassembly<4>>,
                                stack::icmp, stack::tcp<stack::newreno, 8>>;

struct options {
    std::size_t size = 4 * 1024 * 1024;
    double loss = 0.05;
    long delay_ms = 1;
    std::uint64_t seed = 1;
    std::string pcap;
    std::string write_received;
};

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: memory-demo [--size BYTES] [--loss P] [--delay-ms MS] [--seed N] [--pcap FILE] "
                 "[--write-received FILE]\n");
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage();
            return argv[++i];
        };
        if (a == "--size") o.size = std::stoull(value());
        else if (a == "--loss") o.loss = std::stod(value());
        else if (a == "--delay-ms") o.delay_ms = std::stol(value());
        else if (a == "--seed") o.seed = std::stoull(value());
        else if (a == "--pcap") o.pcap = value();
        else if (a == "--write-received") o.write_received = value();
        else usage();
    }
    if (o.loss < 0 || o.loss >= 1 || o.delay_ms < 0) usage();
    return o;
}

}  // namespace

int main(int argc, char** argv) try {
    const options opt = parse(argc, argv);

    // The file: a deterministic pseudo-random stream (xorshift64).
    std::vector<std::byte> file(opt.size);
    std::uint64_t x = opt.seed * 0x9e3779b97f4a7c15ULL + 1;
    for (auto& b : file) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b = std::byte(x & 0xff);
    }

    std::unique_ptr<io::pcap_writer> trace;
    if (!opt.pcap.empty()) {
        auto w = io::pcap_writer::open(opt.pcap);
        if (!w) {
            std::fprintf(stderr, "memory-demo: cannot write %s\n", opt.pcap.c_str());
            return 1;
        }
        trace = std::make_unique<io::pcap_writer>(std::move(*w));
    }

    io::pipe_config pc;
    pc.seed = opt.seed;
    pc.a_to_b.loss = pc.b_to_a.loss = opt.loss;
    pc.a_to_b.delay = pc.b_to_a.delay = std::chrono::milliseconds(opt.delay_ms);
    io::memory_pipe pipe(pc);
    io::timestamp clock{};
    tx_capture dev_server(pipe.a(), trace.get(), &clock);
    tx_capture dev_client(pipe.b(), trace.get(), &clock);

    stack::stack_config cs;
    cs.mac = mac_address::of(0x02, 0x00, 0x00, 0x00, 0x00, 0x01);
    cs.address = ipv4_address::of(10, 0, 0, 1);
    cs.secret.fill(std::byte{0x5a});
    cs.tcp_msl = 1s;
    stack::stack_config cc = cs;
    cc.mac = mac_address::of(0x02, 0x00, 0x00, 0x00, 0x00, 0x02);
    cc.address = ipv4_address::of(10, 0, 0, 2);
    cc.secret.fill(std::byte{0xa5});
    demo_stack server(dev_server, cs);
    demo_stack client(dev_client, cc);

    constexpr std::uint16_t port = 8080;
    auto listener = server.tcp_listen(port, 4);
    auto conn = client.tcp_connect({cs.address, port});
    if (!listener || !conn) {
        std::fprintf(stderr, "memory-demo: cannot open sockets\n");
        return 1;
    }

    std::optional<stack::tcp_socket> served;
    std::size_t sent = 0;
    bool shut = false, eof = false;
    std::uint64_t server_retransmissions = 0;
    std::vector<std::byte> received;
    received.reserve(file.size());
    std::array<std::byte, 65536> buf{};
    stack::instant now{};
    const auto wall_start = std::chrono::steady_clock::now();
    const stack::instant limit = now + std::chrono::minutes(30);

    while (!eof && now < limit) {
        // Applications.
        if (!served)
            if (auto a = server.accept(*listener); a && *a) served = **a;
        if (served) {
            while (sent < file.size()) {
                auto n = server.send(*served, bytes_view(file).subspan(sent));
                if (!n || *n == 0) break;
                sent += *n;
            }
            if (sent == file.size() && !shut) shut = static_cast<bool>(server.shutdown(*served));
            if (const auto* c = server.connection(*served)) server_retransmissions = c->vars().retransmissions;
        }
        while (true) {
            auto r = client.recv(*conn, mutable_bytes(buf));
            if (!r) {
                eof = true;  // end of stream (or reset: the comparison below tells)
                break;
            }
            if (*r == 0) break;
            received.insert(received.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
        }
        // The network.
        clock = std::chrono::duration_cast<io::timestamp>(now);
        pipe.set_time(clock);
        const bool served_any = server.poll(now);  // both stacks poll every round
        const bool client_any = client.poll(now);
        if (served_any || client_any) continue;
        std::optional<stack::instant> next;
        for (auto t : {server.poll_at(), client.poll_at()})
            if (t && (!next || *t < *next)) next = t;
        if (auto d = pipe.next_delivery()) {
            const auto t = std::chrono::ceil<stack::instant>(*d);
            if (!next || t < *next) next = t;
        }
        now = next ? std::max(now + std::chrono::microseconds(1), *next) : now + 1ms;
    }
    const auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    (void)client.close(*conn);
    if (served) (void)server.close(*served);
    for (int i = 0; i < 1000; ++i) {  // let the closing handshake finish (for a complete trace)
        clock = std::chrono::duration_cast<io::timestamp>(now);
        pipe.set_time(clock);
        server.poll(now);
        client.poll(now);
        now += 10ms;
    }
    if (trace) (void)trace->flush();

    const std::string h_served = sha256_hex(file);
    const std::string h_received = sha256_hex(received);
    const bool intact = received == file;
    const auto lost = pipe.a().stats().lost + pipe.b().stats().lost;
    const auto frames = pipe.a().stats().transmitted + pipe.b().stats().transmitted;
    std::printf("memory-demo: %zu bytes served by 10.0.0.1:%u, downloaded by 10.0.0.2\n", file.size(), port);
    std::printf("  received          %zu bytes\n", received.size());
    std::printf("  virtual time      %.3f s\n", static_cast<double>(now.count()) / 1e6);
    std::printf("  wall time         %.3f s\n", wall);
    std::printf("  frames            %zu sent, %zu lost (loss %.1f%% each way)\n", frames, lost, opt.loss * 100);
    std::printf("  retransmissions   %llu (server)\n", static_cast<unsigned long long>(server_retransmissions));
    std::printf("  sha-256 served    %s\n", h_served.c_str());
    std::printf("  sha-256 received  %s\n", h_received.c_str());
    std::printf("  intact            %s\n", intact ? "yes" : "NO");
    if (trace) std::printf("  pcap              %s (%zu frames)\n", opt.pcap.c_str(), trace->written());
    if (!opt.write_received.empty()) {
        std::ofstream out(opt.write_received, std::ios::binary);
        out.write(reinterpret_cast<const char*>(received.data()), static_cast<std::streamsize>(received.size()));
    }
    return intact ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "memory-demo: %s\n", e.what());
    return 2;
}
