// ARP without Ethernet is meaningless (ARP maps IPv4 to Ethernet MAC
// addresses): stack<...> rejects the composition with a readable message.
// expect: arp<N> needs the ethernet layer
#include <wirekit/io/memory_pipe.hpp>
#include <wirekit/stack/stack.hpp>

namespace st = wirekit::stack;
#ifdef WIREKIT_COMPILE_FAIL
using bad = st::stack<wirekit::io::memory_pipe::end, st::arp<8>, st::ipv4<>, st::udp<>>;
#else
using bad = st::stack<wirekit::io::memory_pipe::end, st::ethernet, st::arp<8>, st::ipv4<>, st::udp<>>;
#endif

int main() {
    wirekit::io::memory_pipe pipe;
    bad s(pipe.a(), st::stack_config{});
    return s.poll(st::instant{}) ? 0 : 1;
}
