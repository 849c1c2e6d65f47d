// A bool holds one bit: a 2-bit field cannot be bool.
// expect: value type is narrower than the field width
#include <wirekit/core/layout.hpp>

#ifdef WIREKIT_COMPILE_FAIL
struct bad : wirekit::layout<wirekit::field<"ecn", 2, bool>, wirekit::field<"rest", 6>> {};
#else
struct bad : wirekit::layout<wirekit::field<"ecn", 2>, wirekit::field<"rest", 6>> {};
#endif
static_assert(bad::fixed_size == 1);
int main() {}
