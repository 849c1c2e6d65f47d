// A layout with two fields of the same name is rejected.
// expect: duplicate field name
#include <wirekit/core/layout.hpp>

#ifdef WIREKIT_COMPILE_FAIL
struct bad : wirekit::layout<wirekit::field<"ttl", 8>, wirekit::field<"ttl", 8>> {};
#else
struct bad : wirekit::layout<wirekit::field<"ttl", 8>, wirekit::field<"protocol", 8>> {};
#endif
static_assert(bad::fixed_size == 2);
int main() {}
