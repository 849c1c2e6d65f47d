// Test harness for tests/stack: two stacks over one io::memory_pipe, driven
// by a virtual clock. Each end is wrapped in `capture`, which keeps a copy
// of every frame transmitted (when enabled) so tests can check the wire
// against the RFCs independently of the stack's own parsing.
#pragma once

#include <catch2/catch.hpp>

#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/stack/stack.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <vector>

namespace stk {

using namespace wirekit;
using namespace std::chrono_literals;
using stack::instant;

/// frame_device middleware: forwards everything, records transmitted frames.
template <class Device>
class capture {
public:
    explicit capture(Device& d) : dev_(&d) {}
    [[nodiscard]] io::device_capabilities capabilities() const { return dev_->capabilities(); }
    io::io_result<std::optional<io::frame_ref>> receive() { return dev_->receive(); }
    io::io_result<void> transmit(bytes_view f) {
        if (recording) sent.emplace_back(f.begin(), f.end());
        return dev_->transmit(f);
    }
    [[nodiscard]] int native_handle() const { return dev_->native_handle(); }

    bool recording = true;
    std::vector<std::vector<std::byte>> sent;

private:
    Device* dev_;
};

using device = capture<io::memory_pipe::end>;
/// The composition under test: every layer.
using full_stack = stack::stack<device, stack::ethernet, stack::arp<64>, stack::ipv4<stack::reassembly<8>>, stack::icmp,
                                stack::udp<>, stack::tcp<stack::newreno>>;

inline const mac_address mac_a = mac_address::of(0x02, 0, 0, 0, 0, 0x0a);
inline const mac_address mac_b = mac_address::of(0x02, 0, 0, 0, 0, 0x0b);
inline const ipv4_address ip_a = ipv4_address::of(10, 0, 0, 1);
inline const ipv4_address ip_b = ipv4_address::of(10, 0, 0, 2);

inline stack::stack_config config_for(mac_address mac, ipv4_address ip, std::uint8_t key) {
    stack::stack_config c;
    c.mac = mac;
    c.address = ip;
    c.prefix_len = 24;
    c.secret.fill(std::byte{key});
    c.tcp_msl = 1s;  // TIME-WAIT 2 s: keeps virtual runs short
    return c;
}

/// Two stacks, a and b, over one pipe, and a virtual clock.
template <class Stack = full_stack>
struct world {
    io::memory_pipe pipe;
    device dev_a;
    device dev_b;
    Stack a;
    Stack b;
    instant now{};

    /// `tweak` adjusts both stacks' settings.
    explicit world(io::pipe_config pc = {}, const std::function<void(stack::stack_config&)>& tweak = {})
        : pipe(pc), dev_a(pipe.a()), dev_b(pipe.b()), a(dev_a, tweaked(config_for(mac_a, ip_a, 1), tweak)),
          b(dev_b, tweaked(config_for(mac_b, ip_b, 2), tweak)) {}
    static stack::stack_config tweaked(stack::stack_config c, const std::function<void(stack::stack_config&)>& f) {
        if (f) f(c);
        return c;
    }

    /// One step: poll both stacks at `now`; when neither did anything,
    /// advance the clock to the next event (a delivery or a timer).
    void step() {
        pipe.set_time(std::chrono::duration_cast<io::timestamp>(now));
        const bool x = a.poll(now);
        const bool y = b.poll(now);
        if (x || y) return;
        std::optional<instant> t;
        auto take = [&t](std::optional<instant> v) {
            if (v && (!t || *v < *t)) t = v;
        };
        take(a.poll_at());
        take(b.poll_at());
        if (auto d = pipe.next_delivery()) take(std::chrono::ceil<instant>(*d));
        now = t ? std::max(now + 1us, *t) : now + 1ms;
    }
    /// Calls `app` and steps until `done()` or until `limit` of virtual time
    /// passed. Returns whether done() became true.
    bool run(const std::function<void()>& app, const std::function<bool()>& done, stack::duration limit) {
        const instant end = now + limit;
        while (!done()) {
            if (now > end) return false;
            app();
            step();
        }
        return true;
    }
    bool run(const std::function<bool()>& done, stack::duration limit) {
        return run([] {}, done, limit);
    }
};

/// A deterministic byte pattern (xorshift64), `n` bytes.
inline std::vector<std::byte> pattern(std::size_t n, std::uint64_t seed) {
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

}  // namespace stk
