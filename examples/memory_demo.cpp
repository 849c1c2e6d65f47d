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

// ----------------------------------------------------------------- SHA-256 (FIPS 180-4)
class sha256 {
public:
    void update(const std::byte* p, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            block_[used_++] = std::to_integer<std::uint8_t>(p[i]);
            if (used_ == 64) {
                compress();
                used_ = 0;
            }
        }
        bits_ += static_cast<std::uint64_t>(n) * 8;
    }
    std::string hex() {
        const std::uint64_t bits = bits_;
        const std::byte one{0x80}, zero{0};
        update(&one, 1);
        while (used_ != 56) update(&zero, 1);
        for (int i = 7; i >= 0; --i) {
            const auto b = static_cast<std::byte>(bits >> (8 * i));
            update(&b, 1);
        }
        std::string out;
        char buf[9];
        for (auto w : h_) {
            std::snprintf(buf, sizeof buf, "%08x", w);
            out += buf;
        }
        return out;
    }

private:
    static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
    void compress() {
        static constexpr std::array<std::uint32_t, 64> k{
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
        std::array<std::uint32_t, 64> w{};
        for (int i = 0; i < 16; ++i)
            w[i] = std::uint32_t{block_[4 * i]} << 24 | std::uint32_t{block_[4 * i + 1]} << 16 |
                   std::uint32_t{block_[4 * i + 2]} << 8 | block_[4 * i + 3];
        for (int i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        auto [a, b, c, d, e, f, g, h] = h_;
        for (int i = 0; i < 64; ++i) {
            const std::uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
            const std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        const std::array<std::uint32_t, 8> add{a, b, c, d, e, f, g, h};
        for (int i = 0; i < 8; ++i) h_[i] += add[i];
    }
    std::array<std::uint32_t, 8> h_{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    std::array<std::uint8_t, 64> block_{};
    std::size_t used_ = 0;
    std::uint64_t bits_ = 0;
};

std::string sha256_hex(const std::vector<std::byte>& v) {
    sha256 h;
    h.update(v.data(), v.size());
    return h.hex();
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
