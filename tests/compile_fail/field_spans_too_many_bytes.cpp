// An integer field may touch at most 8 bytes (a 64-bit field must be aligned).
// expect: may touch at most 8 bytes
#include <cstdint>
#include <wirekit/core/view.hpp>

#ifdef WIREKIT_COMPILE_FAIL
struct bad : wirekit::layout<wirekit::field<"a", 4>, wirekit::field<"b", 64>, wirekit::field<"c", 4>> {};
#else
struct bad : wirekit::layout<wirekit::field<"a", 8>, wirekit::field<"b", 64>> {};
#endif
int main() {
    std::array<std::byte, 9> b{};
    return static_cast<int>(wirekit::view<bad>::unchecked(b).get<"b">());
}
