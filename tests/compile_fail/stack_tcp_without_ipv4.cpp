// A stack composed with TCP but no IPv4 layer cannot exist: the composition
// is rejected at compile time with a message naming the missing layer.
// expect: tcp<...> needs the ipv4<...> layer below it|needs the ipv4<...> layer
#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/stack/stack.hpp>

namespace st = wirekit::stack;
#ifdef WIREKIT_COMPILE_FAIL
using bad = st::composition<st::ethernet, st::arp<8>, st::tcp<st::newreno>>;
#else
using bad = st::composition<st::ethernet, st::arp<8>, st::ipv4<>, st::tcp<st::newreno>>;
#endif

int main() { return bad::has_tcp ? 0 : 1; }
