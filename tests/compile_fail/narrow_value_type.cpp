// A field whose value type cannot hold its width is rejected.
// expect: value type is narrower than the field width
#include <cstdint>
#include <wirekit/core/layout.hpp>

#ifdef WIREKIT_COMPILE_FAIL
struct bad : wirekit::layout<wirekit::field<"total_length", 16, std::uint8_t>> {};
#else
struct bad : wirekit::layout<wirekit::field<"total_length", 16, std::uint16_t>> {};
#endif
static_assert(bad::fixed_size == 2);
int main() {}
