// Setters exist only on views over mutable bytes.
// expect: is_mutable
#include <array>
#include <wirekit/core/view.hpp>

struct hdr : wirekit::layout<wirekit::field<"ttl", 8>> {};
int main() {
    std::array<std::byte, 1> b{};
#ifdef WIREKIT_COMPILE_FAIL
    auto v = wirekit::view<hdr>::unchecked(b);
#else
    auto v = wirekit::mutable_view<hdr>::unchecked(b);
#endif
    v.set<"ttl">(64);
}
