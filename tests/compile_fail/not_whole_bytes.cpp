// A layout whose fields do not add up to whole bytes is rejected.
// expect: do not add up to a whole number of bytes
#include <wirekit/core/layout.hpp>

#ifdef WIREKIT_COMPILE_FAIL
struct bad : wirekit::layout<wirekit::field<"version", 4>, wirekit::field<"ihl", 3>> {};
#else
struct bad : wirekit::layout<wirekit::field<"version", 4>, wirekit::field<"ihl", 4>> {};
#endif
static_assert(bad::fixed_size == 1);
int main() {}
