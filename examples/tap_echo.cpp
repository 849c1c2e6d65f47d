// tap-echo — wirekit's user-space TCP/IP stack on a Linux TAP device,
// serving TCP echo (RFC 862) on port 7 and the textbook UDP upper-case
// server (Kurose & Ross, "Computer Networking", §2.7.1 UDPServer) on port
// 12000.
//
//   tap-echo --tap NAME --address A.B.C.D/LEN [--gateway A.B.C.D]
//            [--mac XX:XX:XX:XX:XX:XX] [--offload none|checksum|tso]
//            [--seconds N] [--quiet]
//
// NAME is a TAP interface: attached if it exists (e.g. made by `ip tuntap
// add dev NAME mode tap`), else created (and removed again on exit). The
// stack owns A.B.C.D with its own MAC address (by default 02:77:6b:
// followed by the last three octets of A.B.C.D); the kernel side of the TAP
// gets another address of the same subnet. Runs until SIGINT or SIGTERM,
// or for N seconds. --offload opens the TAP with a virtio-net header and
// checksum offload, or also TCP segmentation offload (io::tap_offload;
// docs/io.md). Prints the stack's counters at the end. Exit status 0,
// 1 on a device error, 2 on bad usage. The common options are parsed by
// tap_program.hpp.
//
// The loop is the whole integration: read the clock, poll(now), serve the
// sockets, then wait on the TAP descriptor until the stack's poll_at().
// See docs/stack.md for running it in a network namespace.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <chrono>
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

using tap_stack = st::stack<io::tap_device, st::ethernet, st::arp<64>, st::ipv4<st::reassembly<8>>, st::icmp,
                            st::udp<4, 64>, st::tcp<st::newreno, 256>>;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

using wirekit::examples::clock_now;
namespace ex = wirekit::examples;

int usage(const char* msg) {
    if (msg) std::fprintf(stderr, "tap-echo: %s\n", msg);
    std::fprintf(stderr, "usage: tap-echo %.*s\n                [--seconds N] [--quiet]\n", int(ex::tap_args_usage.size()),
                 ex::tap_args_usage.data());
    return 2;
}

// One accepted echo connection: bytes received but not yet sent back.
struct echo_conn {
    st::tcp_socket handle;
    std::vector<std::byte> pending;
    std::size_t echoed = 0;
};

}  // namespace

int main(int argc, char** argv) {
    ex::tap_args args;
    double seconds = 0;
    bool quiet = false;
    for (int i = 1; i < argc; ++i) {
        std::string error;
        const auto common = ex::parse_tap_arg(argc, argv, i, args, error);
        if (common == ex::arg_result::bad) return usage(error.c_str());
        if (common == ex::arg_result::taken) continue;
        const std::string_view a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--seconds") {
            const char* v = value();
            char* end = nullptr;
            if (!v || (seconds = std::strtod(v, &end)) <= 0 || *end) return usage("--seconds needs a positive number");
        } else if (a == "--quiet") {
            quiet = true;
        } else if (a == "--help" || a == "-h") {
            usage(nullptr);
            return 0;
        } else {
            return usage(("unknown argument " + std::string(a)).c_str());
        }
    }
    if (auto why = ex::check_tap_args(args); !why.empty()) return usage(why.c_str());

    auto dev = ex::open_tap(args);
    if (!dev) {
        std::fprintf(stderr, "tap-echo: %s\n", dev.error().what().c_str());
        return 1;
    }
    const st::stack_config cfg = ex::stack_config_for(args);
    const auto o = cfg.address.octets;
    tap_stack stack(*dev, cfg);

    auto listener = stack.tcp_listen(7, 128);
    auto udp = stack.udp_bind(12000);
    if (!listener || !udp) {
        std::fprintf(stderr, "tap-echo: cannot open the sockets\n");
        return 1;
    }

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    if (!quiet)
        fmt::print("tap-echo: {} on {} ({}, offload {}), TCP echo on port 7, UDP upper-case on port 12000\n",
                   fmt::format("{}.{}.{}.{}/{}", unsigned(o[0]), unsigned(o[1]), unsigned(o[2]), unsigned(o[3]), cfg.prefix_len),
                   args.tap, fmt::format("{:02x}", fmt::join(cfg.mac.octets, ":")), ex::to_string(args.offload));
    std::fflush(stdout);

    const st::instant start = clock_now();
    const auto limit = std::chrono::duration_cast<st::duration>(std::chrono::duration<double>(seconds));
    std::vector<echo_conn> conns;
    std::vector<std::byte> buf(64 * 1024);
    std::uint64_t datagrams = 0, connections = 0;
    const int handle = dev->native_handle();

    while (!g_stop) {
        st::instant now = clock_now();
        if (seconds > 0 && now - start >= limit) break;
        bool busy = stack.poll(now);

        // TCP echo: accept, then move bytes from recv to send. A connection
        // reads only while what it owes the peer is sent, so a slow reader
        // slows the writer (no unbounded buffering).
        for (;;) {
            auto c = stack.accept(*listener);
            if (!c || !*c) break;
            conns.push_back(echo_conn{**c, {}, 0});
            ++connections;
            busy = true;
        }
        for (auto it = conns.begin(); it != conns.end();) {
            auto& e = *it;
            bool done = false;
            for (int round = 0; round < 64; ++round) {
                if (!e.pending.empty()) {
                    auto n = stack.send(e.handle, bytes_view(e.pending));
                    if (!n) {
                        done = true;
                        break;
                    }
                    if (*n == 0) break;
                    e.pending.erase(e.pending.begin(), e.pending.begin() + static_cast<std::ptrdiff_t>(*n));
                    e.echoed += *n;
                    busy = true;
                    if (!e.pending.empty()) break;
                }
                auto r = stack.recv(e.handle, mutable_bytes(buf));
                if (!r) {
                    done = true;  // end of stream (peer's FIN) or reset
                    break;
                }
                if (*r == 0) break;
                e.pending.assign(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*r));
                busy = true;
            }
            if (done && e.pending.empty()) {
                (void)stack.close(e.handle);  // FIN after the echoed data
                it = conns.erase(it);
                busy = true;
            } else if (done) {
                // Peer closed its side: drain what we owe, then close.
                auto n = stack.send(e.handle, bytes_view(e.pending));
                if (!n) {
                    (void)stack.close(e.handle);
                    it = conns.erase(it);
                } else {
                    e.pending.erase(e.pending.begin(), e.pending.begin() + static_cast<std::ptrdiff_t>(*n));
                    ++it;
                }
            } else {
                ++it;
            }
        }

        // UDP upper-case server: each datagram comes back upper-cased to its sender.
        for (;;) {
            auto d = stack.recvfrom(*udp, mutable_bytes(buf));
            if (!d || !*d) break;
            for (std::size_t i = 0; i < (*d)->size; ++i) {
                const auto c = static_cast<unsigned char>(buf[i]);
                if (c >= 'a' && c <= 'z') buf[i] = static_cast<std::byte>(c - 'a' + 'A');
            }
            (void)stack.sendto(*udp, (*d)->from, bytes_view(buf).first((*d)->size));
            ++datagrams;
            busy = true;
        }

        if (busy) continue;  // poll again at once: the sends above are queued in the stack
        // Bounded, so signals and --seconds are noticed.
        if (auto r = ex::wait_for_work(stack, handle, std::chrono::milliseconds(200)); !r) {
            std::fprintf(stderr, "tap-echo: poll failed\n");
            return 1;
        }
    }

    if (!quiet) {
        const auto s = stack.stats();
        fmt::print("tap-echo: {} TCP connections, {} UDP datagrams; frames in {} out {}, dropped {}, "
                   "ICMP echo replies {}, fragments sent {}, reassembled {}, retransmissions {}, "
                   "bad checksums {}; offload: super-frames in {} (largest frame {} bytes), out {} carrying {} segments, "
                   "partial checksums out {}\n",
                   connections, datagrams, s.frames_received, s.frames_sent, s.dropped, s.icmp_echo_replies_sent,
                   s.ip_fragments_sent, s.ip_reassembled, s.tcp_retransmissions, s.bad_checksum, s.gso_frames_received,
                   s.largest_frame_received, s.gso_frames_sent, s.gso_segments_sent, s.checksum_offloaded);
    }
    return 0;
}
