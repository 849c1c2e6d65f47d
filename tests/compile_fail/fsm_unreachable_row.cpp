// A row that follows an unguarded row for the same (state, event) pair can
// never fire; the table is rejected, naming the pair: (CLOSED, open).
// expect: unreachable_row<[a-z_:]*door_state::closed, [a-z_:]*door_event::open>
#include <array>
#include <string_view>
#include <wirekit/fsm/machine.hpp>

enum class door_state { closed, opened };
enum class door_event { open, close };
template <>
struct wirekit::fsm::names<door_state> {
    static constexpr std::array<std::string_view, 2> value{"CLOSED", "OPENED"};
};
template <>
struct wirekit::fsm::names<door_event> {
    static constexpr std::array<std::string_view, 2> value{"open", "close"};
};
struct door {};
struct input {};
using R = wirekit::fsm::rows<door_state, door_event, door, input>;

struct door_machine {
    using state = door_state;
    using event = door_event;
    using context = door;
    using payload = input;
    static constexpr std::string_view name = "door";
    static constexpr state initial = door_state::closed;
    static constexpr std::array table{
        R::transition(door_state::closed, door_event::open, door_state::opened),
#ifdef WIREKIT_COMPILE_FAIL
        R::ignore(door_state::closed, door_event::open),
#endif
        R::ignore(door_state::closed, door_event::close),
        R::transition(door_state::opened, door_event::close, door_state::closed),
        R::ignore(door_state::opened, door_event::open),
    };
};

int main() {
    wirekit::fsm::machine<door_machine> m;
    door d;
    return static_cast<int>(m.dispatch(d, door_event::open, {}));
}
