// Crafting a frame whose layers cannot nest on the wire (TCP directly inside
// Ethernet: no EtherType says "TCP") is rejected at compile time, naming the problem.
// expect: cannot carry the next one
#include <wirekit/wire/craft.hpp>

int main() {
    using namespace wirekit;
#ifdef WIREKIT_COMPILE_FAIL
    auto frame = ethernet::repr{} / tcp::repr{};
#else
    auto frame = ethernet::repr{} / ipv4::repr{} / tcp::repr{};
#endif
    return static_cast<int>(frame.buffer_len() % 2);
}
