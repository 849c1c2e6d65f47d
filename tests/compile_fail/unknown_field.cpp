// Reading a field the layout does not have is rejected, naming the problem.
// expect: no field with this name
#include <array>
#include <wirekit/core/view.hpp>

struct hdr : wirekit::layout<wirekit::field<"ttl", 8>> {};
int main() {
    std::array<std::byte, 1> b{};
    auto v = wirekit::view<hdr>::unchecked(b);
#ifdef WIREKIT_COMPILE_FAIL
    return v.get<"hop_limit">();
#else
    return v.get<"ttl">();
#endif
}
