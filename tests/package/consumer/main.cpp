// A consumer that needs nothing but wirekit::wirekit: declare a layout, read
// an RFC 791 header through the shipped IPv4 view, print it with fmt.
#include <wirekit/core.hpp>
#include <wirekit/wire/ipv4.hpp>

#include <array>
#include <cstdio>

int main() {
    // 20-byte IPv4 header: version 4, IHL 5, total length 20, TTL 64, proto 17.
    const std::array<unsigned char, 20> raw = {0x45, 0, 0, 20, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
    auto p = wirekit::ipv4::packet::checked(wirekit::as_bytes(raw.data(), raw.size()));
    if (!p || p->ttl() != 64 || p->protocol() != 17 || !p->dont_fragment()) return 1;
    fmt::print("consumer ok: {}\n", p->dst_addr());
    return 0;
}
