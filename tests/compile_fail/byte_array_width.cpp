// A byte-array field must be exactly as wide as its type.
// expect: must be trivially copyable and exactly as wide as the field
#include <wirekit/core/address.hpp>
#include <wirekit/core/layout.hpp>

#ifdef WIREKIT_COMPILE_FAIL
struct bad : wirekit::layout<wirekit::field<"src", 32, wirekit::mac_address>> {};
#else
struct bad : wirekit::layout<wirekit::field<"src", 48, wirekit::mac_address>> {};
#endif
static_assert(bad::fixed_size >= 4);
int main() {}
