// tap-transfer — a TCP client on wirekit's user-space stack over a Linux
// TAP device: connect(), send a file, shutdown(), and save what the server
// sends back until it closes (BSD socket flow, Kurose & Ross §2.7.2).
//
//   tap-transfer --tap NAME --address A.B.C.D/LEN [--gateway A.B.C.D]
//                [--mac MAC] [--offload none|checksum|tso]
//                --connect A.B.C.D:PORT [--send FILE]
//                [--save FILE] [--timeout SECONDS]
//
// Without --send nothing is sent (the write side is shut down at once);
// without --save the received bytes are counted and dropped. Prints bytes
// each way, the time and the stack's retransmission count. Exit status 0
// when the server closed cleanly after everything was sent, 1 on a
// connection error, a device error or the timeout (default 120 s), 2 on bad
// usage. TAP devices and the common options as in tap-echo
// (tap_program.hpp); see docs/stack.md. The last line adds the offload
// counters: TCP super-frames received and sent, segments they carried.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "wirekit/io/device.hpp"
#include "wirekit/io/tap.hpp"
#include "wirekit/stack/route.hpp"
#include "wirekit/stack/stack.hpp"
#include "tap_program.hpp"  // common options, opening the TAP, clock, idle wait

namespace {

namespace io = wirekit::io;
namespace st = wirekit::stack;
using wirekit::bytes_view;
using wirekit::ipv4_address;
using wirekit::mac_address;
using wirekit::mutable_bytes;

using client_stack = st::stack<io::tap_device, st::ethernet, st::arp<16>, st::ipv4<st::reassembly<8>>, st::icmp,
                               st::tcp<st::newreno, 8>>;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

using wirekit::examples::clock_now;
namespace ex = wirekit::examples;

int usage(const char* msg) {
    if (msg) std::fprintf(stderr, "tap-transfer: %s\n", msg);
    std::fprintf(stderr,
                 "usage: tap-transfer %.*s\n"
                 "                    --connect A.B.C.D:PORT [--send FILE] [--save FILE] [--timeout SECONDS]\n",
                 int(ex::tap_args_usage.size()), ex::tap_args_usage.data());
    return 2;
}

std::optional<st::endpoint> parse_endpoint(std::string_view s) {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto addr = ipv4_address::parse(s.substr(0, colon));
    const auto port_text = s.substr(colon + 1);
    if (!addr || port_text.empty() || port_text.size() > 5) return std::nullopt;
    unsigned port = 0;
    for (char c : port_text) {
        if (c < '0' || c > '9') return std::nullopt;
        port = port * 10 + unsigned(c - '0');
    }
    if (port == 0 || port > 65535) return std::nullopt;
    return st::endpoint{*addr, static_cast<std::uint16_t>(port)};
}

}  // namespace

int main(int argc, char** argv) {
    ex::tap_args args;
    std::string send_path, save_path;
    std::optional<st::endpoint> remote;
    double timeout_s = 120;
    for (int i = 1; i < argc; ++i) {
        std::string error;
        const auto common = ex::parse_tap_arg(argc, argv, i, args, error);
        if (common == ex::arg_result::bad) return usage(error.c_str());
        if (common == ex::arg_result::taken) continue;
        const std::string_view a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        const char* v = nullptr;
        if (a == "--connect") {
            if (!(v = value()) || !(remote = parse_endpoint(v))) return usage("--connect needs A.B.C.D:PORT");
        } else if (a == "--send") {
            if (!(v = value())) return usage("--send needs a file");
            send_path = v;
        } else if (a == "--save") {
            if (!(v = value())) return usage("--save needs a file");
            save_path = v;
        } else if (a == "--timeout") {
            char* end = nullptr;
            if (!(v = value()) || (timeout_s = std::strtod(v, &end)) <= 0 || *end) return usage("--timeout needs a positive number");
        } else if (a == "--help" || a == "-h") {
            usage(nullptr);
            return 0;
        } else {
            return usage(("unknown argument " + std::string(a)).c_str());
        }
    }
    if (auto why = ex::check_tap_args(args); !why.empty()) return usage(why.c_str());
    if (!remote) return usage("--connect is required");

    std::ifstream in;
    if (!send_path.empty()) {
        in.open(send_path, std::ios::binary);
        if (!in) return usage(("cannot read " + send_path).c_str());
    }
    std::ofstream out;
    if (!save_path.empty()) {
        out.open(save_path, std::ios::binary | std::ios::trunc);
        if (!out) return usage(("cannot write " + save_path).c_str());
    }

    auto dev = ex::open_tap(args);
    if (!dev) {
        std::fprintf(stderr, "tap-transfer: %s\n", dev.error().what().c_str());
        return 1;
    }
    client_stack stack(*dev, ex::stack_config_for(args));
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    const st::instant start = clock_now();
    const auto limit = std::chrono::duration_cast<st::duration>(std::chrono::duration<double>(timeout_s));
    stack.poll(start);  // gratuitous ARP, and the stack learns the time
    auto sock = stack.tcp_connect(*remote);
    if (!sock) {
        std::fprintf(stderr, "tap-transfer: connect: %s\n", std::string(sock.error().detail).c_str());
        return 1;
    }

    std::vector<std::byte> chunk(256 * 1024), rbuf(256 * 1024);
    std::size_t chunk_len = 0, chunk_off = 0;
    bool input_done = send_path.empty(), shut = false, eof = false, failed = false;
    std::uint64_t sent = 0, received = 0;
    const int handles[] = {dev->native_handle()};

    while (!g_stop && !eof && !failed) {
        st::instant now = clock_now();
        if (now - start >= limit) {
            std::fprintf(stderr, "tap-transfer: timeout\n");
            failed = true;
            break;
        }
        bool busy = stack.poll(now);
        const auto state = stack.state(*sock);
        const bool open = state && *state != st::tcp_state::syn_sent && *state != st::tcp_state::syn_received;
        if (open) {
            // Send: refill the chunk from the file, push as much as the send buffer takes.
            for (int round = 0; round < 64 && !shut; ++round) {
                if (chunk_off == chunk_len && !input_done) {
                    in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(chunk.size()));
                    chunk_len = static_cast<std::size_t>(in.gcount());
                    chunk_off = 0;
                    if (chunk_len == 0) input_done = true;
                }
                if (chunk_off == chunk_len && input_done) {
                    (void)stack.shutdown(*sock);  // FIN after the data
                    shut = true;
                    busy = true;
                    break;
                }
                auto n = stack.send(*sock, bytes_view(chunk).subspan(chunk_off, chunk_len - chunk_off));
                if (!n) {
                    std::fprintf(stderr, "tap-transfer: send: %s (state %d)\n", std::string(n.error().detail).c_str(), state ? int(*state) : -1);
                    failed = true;
                    break;
                }
                if (*n == 0) break;
                chunk_off += *n;
                sent += *n;
                busy = true;
            }
            // Receive what has arrived.
            for (int round = 0; round < 64; ++round) {
                auto n = stack.recv(*sock, mutable_bytes(rbuf));
                if (!n) {
                    if (st::is_end_of_stream(n.error())) {
                        eof = true;
                    } else {
                        std::fprintf(stderr, "tap-transfer: recv: %s\n", std::string(n.error().detail).c_str());
                        failed = true;
                    }
                    break;
                }
                if (*n == 0) break;
                if (out.is_open()) out.write(reinterpret_cast<const char*>(rbuf.data()), static_cast<std::streamsize>(*n));
                received += *n;
                busy = true;
            }
        } else if (!state || *state == st::tcp_state::closed) {
            std::fprintf(stderr, "tap-transfer: connection failed\n");
            failed = true;
        }
        if (busy) continue;
        if (auto r = ex::wait_for_work(stack, handles[0], std::chrono::milliseconds(200)); !r) {
            std::fprintf(stderr, "tap-transfer: poll failed\n");
            return 1;
        }
    }
    if (eof && !shut) failed = true;  // the server closed before we sent everything
    (void)stack.close(*sock);
    // Let the stack finish the closing handshake (our FIN's ACK) briefly.
    for (int i = 0; i < 20 && stack.poll_at(); ++i) {
        stack.poll(clock_now());
        const int h[] = {dev->native_handle()};
        (void)io::wait_readable(h, std::chrono::milliseconds(10));
    }
    const double secs = double(std::chrono::duration_cast<std::chrono::microseconds>(clock_now() - start).count()) / 1e6;
    const auto s = stack.stats();
    fmt::print("tap-transfer: sent {} bytes, received {} bytes in {:.3f} s ({:.1f} Mbit/s received), {} retransmissions\n", sent,
               received, secs, secs > 0 ? double(received) * 8 / secs / 1e6 : 0.0, s.tcp_retransmissions);
    fmt::print("tap-transfer: offload {}: super-frames in {} (largest frame {} bytes), out {} carrying {} segments; "
               "partial checksums out {}, bad checksums {}\n",
               ex::to_string(args.offload), s.gso_frames_received, s.largest_frame_received, s.gso_frames_sent, s.gso_segments_sent,
               s.checksum_offloaded, s.bad_checksum);
    if (out.is_open()) out.close();
    return eof && !failed ? 0 : 1;
}
