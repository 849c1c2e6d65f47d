// tap-ping — wirekit's user-space stack on a Linux TAP device answers ping
// (ICMP echo, RFC 792) and pings a given address itself.
//
//   tap-ping --tap NAME --address A.B.C.D/LEN [--gateway A.B.C.D]
//            [--mac XX:XX:XX:XX:XX:XX] [--offload none|checksum|tso]
//            [--ping A.B.C.D [--count N]
//            [--size BYTES] [--interval SECONDS] [--wait SECONDS]]
//            [--seconds N]
//
// Without --ping it only answers echo requests, until SIGINT/SIGTERM or
// for N seconds. With --ping it sends N (default 4) echo requests of BYTES
// (default 56) data bytes, INTERVAL (default 1) seconds apart — larger than
// the MTU they are sent as IPv4 fragments — prints a line per reply in the
// style of ping(8) and a summary, waits up to WAIT (default 2) seconds
// after the last request, and exits 0 when every request got its reply, 1
// otherwise (1 also on a device error), 2 on bad usage.
//
// TAP devices as in tap-echo: attached if NAME exists, else created. See
// docs/stack.md for running it in a network namespace.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <map>
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

using ping_stack = st::stack<io::tap_device, st::ethernet, st::arp<16>, st::ipv4<st::reassembly<8>>, st::icmp>;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

using wirekit::examples::clock_now;
namespace ex = wirekit::examples;

int usage(const char* msg) {
    if (msg) std::fprintf(stderr, "tap-ping: %s\n", msg);
    std::fprintf(stderr,
                 "usage: tap-ping %.*s\n"
                 "                [--ping A.B.C.D [--count N] [--size BYTES] [--interval S] [--wait S]]\n"
                 "                [--seconds N]\n",
                 int(ex::tap_args_usage.size()), ex::tap_args_usage.data());
    return 2;
}

std::string to_string(ipv4_address a) {
    return fmt::format("{}.{}.{}.{}", unsigned(a.octets[0]), unsigned(a.octets[1]), unsigned(a.octets[2]), unsigned(a.octets[3]));
}

bool parse_positive(const char* v, double& out) {
    if (!v) return false;
    char* end = nullptr;
    out = std::strtod(v, &end);
    return out > 0 && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
    ex::tap_args args;
    std::optional<ipv4_address> target;
    double seconds = 0, interval = 1, wait_after = 2, count_d = 4, size_d = 56;
    bool size_given = false;
    for (int i = 1; i < argc; ++i) {
        std::string error;
        const auto common = ex::parse_tap_arg(argc, argv, i, args, error);
        if (common == ex::arg_result::bad) return usage(error.c_str());
        if (common == ex::arg_result::taken) continue;
        const std::string_view a = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (a == "--ping") {
            const char* v = value();
            if (!v || !(target = ipv4_address::parse(v))) return usage("--ping needs A.B.C.D");
        } else if (a == "--count") {
            if (!parse_positive(value(), count_d) || count_d != double(long(count_d)) || count_d > 1e6)
                return usage("--count needs a whole number 1..1000000");
        } else if (a == "--size") {
            const char* v = value();
            char* end = nullptr;
            if (!v || (size_d = std::strtod(v, &end)) < 0 || *end || size_d > 65507 - 8 || size_d != double(long(size_d)))
                return usage("--size needs 0..65499 bytes");
            size_given = true;
        } else if (a == "--interval") {
            if (!parse_positive(value(), interval)) return usage("--interval needs a positive number of seconds");
        } else if (a == "--wait") {
            if (!parse_positive(value(), wait_after)) return usage("--wait needs a positive number of seconds");
        } else if (a == "--seconds") {
            if (!parse_positive(value(), seconds)) return usage("--seconds needs a positive number");
        } else if (a == "--help" || a == "-h") {
            usage(nullptr);
            return 0;
        } else {
            return usage(("unknown argument " + std::string(a)).c_str());
        }
    }
    if (auto why = ex::check_tap_args(args); !why.empty()) return usage(why.c_str());
    if (size_given && !target) return usage("--size needs --ping");

    auto dev = ex::open_tap(args);
    if (!dev) {
        std::fprintf(stderr, "tap-ping: %s\n", dev.error().what().c_str());
        return 1;
    }
    const st::stack_config cfg = ex::stack_config_for(args);
    ping_stack stack(*dev, cfg);
    std::random_device rd;

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    const auto count = static_cast<std::size_t>(count_d);
    const auto size = static_cast<std::size_t>(size_d);
    const auto identifier = static_cast<std::uint16_t>(rd());
    // Echo data: a counting pattern, as ping(8) fills it.
    std::vector<std::byte> data(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::byte>(i & 0xff);
    const auto every = std::chrono::duration_cast<st::duration>(std::chrono::duration<double>(interval));
    const auto linger = std::chrono::duration_cast<st::duration>(std::chrono::duration<double>(wait_after));
    const auto limit = std::chrono::duration_cast<st::duration>(std::chrono::duration<double>(seconds));

    if (target)
        fmt::print("PING {} ({}) {}({}) bytes of data from {}.\n", to_string(*target), to_string(*target), size, size + 28,
                   to_string(cfg.address));
    else
        fmt::print("tap-ping: {}/{} on {} answers ping\n", to_string(cfg.address), cfg.prefix_len, args.tap);
    std::fflush(stdout);

    const st::instant start = clock_now();
    std::size_t sent = 0, received = 0;
    std::map<std::uint16_t, st::instant> outstanding;  // sequence -> time sent
    std::vector<double> rtts;
    st::instant next_send = start, last_sent{};
    const int handles[] = {dev->native_handle()};

    while (!g_stop) {
        st::instant now = clock_now();
        if (seconds > 0 && now - start >= limit) break;
        if (target && sent == count && (outstanding.empty() || now - last_sent >= linger)) break;
        bool busy = stack.poll(now);
        if (target && sent < count && now >= next_send) {
            const auto seq = static_cast<std::uint16_t>(sent + 1);
            if (auto r = stack.ping(*target, identifier, seq, bytes_view(data)); !r)
                std::fprintf(stderr, "tap-ping: %s\n", fmt::format("{}", r.error().detail).c_str());
            outstanding[seq] = now;
            ++sent;
            last_sent = now;
            next_send = now + every;
            busy = true;
        }
        while (auto rep = stack.poll_echo_reply()) {
            busy = true;
            if (!target || rep->identifier != identifier || rep->from != *target) continue;
            auto it = outstanding.find(rep->sequence);
            if (it == outstanding.end() || rep->size != size) continue;  // duplicate, stray or wrong length
            const double ms = double(std::chrono::duration_cast<std::chrono::microseconds>(rep->at - it->second).count()) / 1000.0;
            rtts.push_back(ms);
            outstanding.erase(it);
            ++received;
            fmt::print("{} bytes from {}: icmp_seq={} time={:.3f} ms\n", size + 8, to_string(rep->from), rep->sequence, ms);
            std::fflush(stdout);
        }
        if (busy) continue;
        const auto also = target && sent < count ? std::optional<st::instant>(next_send) : std::nullopt;
        if (auto r = ex::wait_for_work(stack, handles[0], std::chrono::milliseconds(200), also); !r) {
            std::fprintf(stderr, "tap-ping: poll failed\n");
            return 1;
        }
    }

    const auto s = stack.stats();
    if (!target) {
        fmt::print("tap-ping: answered {} echo requests\n", s.icmp_echo_replies_sent);
        return 0;
    }
    fmt::print("--- {} ping statistics ---\n", to_string(*target));
    const double loss = sent ? 100.0 * double(sent - received) / double(sent) : 0.0;
    fmt::print("{} packets transmitted, {} received, {:.0f}% packet loss\n", sent, received, loss);
    if (!rtts.empty()) {
        double sum = 0;
        for (double r : rtts) sum += r;
        fmt::print("rtt min/avg/max = {:.3f}/{:.3f}/{:.3f} ms\n", *std::min_element(rtts.begin(), rtts.end()), sum / double(rtts.size()),
                   *std::max_element(rtts.begin(), rtts.end()));
    }
    return received == count && sent == count ? 0 : 1;
}
