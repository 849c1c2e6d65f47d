// examples/tap_program.hpp — what the TAP programs (tap-echo, tap-ping,
// tap-transfer) and bench_stack_tap share: the common command-line options,
// opening the TAP, the stack's configuration, the clock and the idle wait of
// the drive loop. Not part of the library; a program copies it with the
// example it starts from.
//
//   wirekit::examples::tap_args args;
//   for (int i = 1; i < argc; ++i) {
//       std::string error;
//       switch (wirekit::examples::parse_tap_arg(argc, argv, i, args, error)) {
//           case arg_result::taken: continue;
//           case arg_result::bad: return usage(error.c_str());
//           case arg_result::not_mine: break;      // the program's own options
//       }
//       ...
//   }
//   if (auto why = check_tap_args(args); !why.empty()) return usage(why.c_str());
//   auto dev = open_tap(args);                       // io_result<io::tap_device>
//   my_stack stack(*dev, stack_config_for(args));
//   for (;;) {                                       // the drive loop (docs/stack.md)
//       bool busy = stack.poll(clock_now());
//       busy |= serve(stack);
//       if (!busy) (void)wait_for_work(stack, dev->native_handle(), 200ms);
//   }
//
// Common options:
//   --tap NAME              the TAP interface (attached if it exists, else created)
//   --address A.B.C.D/LEN   the stack's address and subnet
//   --gateway A.B.C.D       default route (inside the subnet)
//   --mac MAC               the stack's MAC (default 02:77:6b + the address's last three octets)
//   --offload MODE          none (default), checksum or tso: io::tap_offload
#pragma once

#include <algorithm>    // std::clamp
#include <chrono>       // the clock, waits
#include <optional>     // optional options
#include <random>       // std::random_device for the RFC 6528 secret
#include <string>       // names, errors
#include <string_view>  // argument comparison

#include "wirekit/io/device.hpp"    // wait_readable
#include "wirekit/io/tap.hpp"       // tap_device, tap_offload
#include "wirekit/stack/route.hpp"  // ipv4_interface
#include "wirekit/stack/stack.hpp"  // stack_config, instant

namespace wirekit::examples {

/// The programs' clock: CLOCK_MONOTONIC (steady_clock) in microseconds. The
/// stack never reads a clock; it is told the time by every poll.
[[nodiscard]] inline stack::instant clock_now() {
    return std::chrono::duration_cast<stack::instant>(std::chrono::steady_clock::now().time_since_epoch());
}

/// The options every TAP program takes (see the file comment).
struct tap_args {
    std::string tap{};                              ///< --tap NAME
    std::optional<stack::ipv4_interface> address{}; ///< --address A.B.C.D/LEN
    std::optional<ipv4_address> gateway{};          ///< --gateway A.B.C.D
    std::optional<mac_address> mac{};               ///< --mac MAC
    io::tap_offload offload = io::tap_offload::none;  ///< --offload none|checksum|tso
};

/// The usage text of the common options, for a program's usage line.
inline constexpr std::string_view tap_args_usage =
    "--tap NAME --address A.B.C.D/LEN [--gateway A.B.C.D] [--mac MAC] [--offload none|checksum|tso]";

/// What parse_tap_arg made of an argument.
enum class arg_result {
    not_mine,  ///< not a common option: the program's own, or unknown
    taken,     ///< a common option, with its value (i advanced past it)
    bad,       ///< a common option with a missing or bad value (error says which)
};

/// Parses the offload mode names of --offload ("none", "checksum", "tso").
[[nodiscard]] inline std::optional<io::tap_offload> parse_offload(std::string_view s) {
    if (s == "none") return io::tap_offload::none;
    if (s == "checksum") return io::tap_offload::checksum;
    if (s == "tso") return io::tap_offload::tso;
    return std::nullopt;
}

/// The name of an offload mode, as --offload takes it.
[[nodiscard]] inline std::string_view to_string(io::tap_offload o) {
    return o == io::tap_offload::tso ? "tso" : o == io::tap_offload::checksum ? "checksum" : "none";
}

/// Tries argv[i] as a common option. `taken`: stored in `a`, and i is at
/// the option's value; `bad`: `error` says what is wrong.
inline arg_result parse_tap_arg(int argc, char** argv, int& i, tap_args& a, std::string& error) {
    const std::string_view opt = argv[i];
    const auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const auto bad = [&](const char* why) {
        error = why;
        return arg_result::bad;
    };
    const char* v = nullptr;
    if (opt == "--tap") {
        if (!(v = value())) return bad("--tap needs a name");
        a.tap = v;
    } else if (opt == "--address") {
        if (!(v = value()) || !(a.address = stack::ipv4_interface::parse(v))) return bad("--address needs A.B.C.D/LEN");
    } else if (opt == "--gateway") {
        if (!(v = value()) || !(a.gateway = ipv4_address::parse(v))) return bad("--gateway needs A.B.C.D");
    } else if (opt == "--mac") {
        if (!(v = value()) || !(a.mac = mac_address::parse(v)) || !a.mac->is_unicast())
            return bad("--mac needs a unicast XX:XX:XX:XX:XX:XX");
    } else if (opt == "--offload") {
        std::optional<io::tap_offload> o;
        if (!(v = value()) || !(o = parse_offload(v))) return bad("--offload needs none, checksum or tso");
        a.offload = *o;
    } else {
        return arg_result::not_mine;
    }
    return arg_result::taken;
}

/// What is wrong with the common options (--tap and --address are
/// required; the gateway must be on-link), or "" when nothing.
[[nodiscard]] inline std::string check_tap_args(const tap_args& a) {
    if (a.tap.empty() || !a.address) return "--tap and --address are required";
    if (a.gateway && !a.address->subnet().contains(*a.gateway)) return "--gateway must be inside the --address subnet";
    return {};
}

/// Opens (attaches to or creates) the TAP, brings it up, with the offloads
/// asked for. Errors: those of io::tap_device::open.
[[nodiscard]] inline io::io_result<io::tap_device> open_tap(const tap_args& a) {
    io::tap_options o;
    o.bring_up = true;
    o.offload = a.offload;
    return io::tap_device::open(a.tap, o);
}

/// The stack's configuration from the common options (check_tap_args
/// passed): its address, subnet and gateway; its MAC (--mac, else 02:77:6b
/// followed by the address's last three octets); an RFC 6528 secret chosen
/// at random.
[[nodiscard]] inline stack::stack_config stack_config_for(const tap_args& a) {
    stack::stack_config cfg;
    const auto o = a.address->address.octets;
    cfg.mac = a.mac ? *a.mac : mac_address{{std::byte{0x02}, std::byte{0x77}, std::byte{0x6b}, o[1], o[2], o[3]}};
    cfg.address = a.address->address;
    cfg.prefix_len = a.address->length;
    cfg.gateway = a.gateway;
    std::random_device rd;  // RFC 6528: a secret chosen at random, once
    for (auto& b : cfg.secret) b = static_cast<std::byte>(rd());
    return cfg;
}

/// The drive loop's idle step: waits until the TAP descriptor `fd` is
/// readable, or until the earlier of the stack's poll_at() and `also`, but
/// at most `cap` (so signals and deadlines are noticed). Errors: poll(2)'s.
template <class Stack>
io::io_result<void> wait_for_work(const Stack& s, int fd, std::chrono::milliseconds cap,
                                  std::optional<stack::instant> also = std::nullopt) {
    std::optional<stack::instant> at = s.poll_at();
    if (also && (!at || *also < *at)) at = also;
    auto wait = cap;
    if (at) wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(*at - clock_now()), std::chrono::milliseconds(0), cap);
    const int handles[] = {fd};
    auto r = io::wait_readable(handles, wait);
    if (!r) return r.error();
    return {};
}

}  // namespace wirekit::examples
