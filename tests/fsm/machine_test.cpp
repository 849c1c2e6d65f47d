// Generic state machine: dispatch semantics, guards, hooks, hierarchy,
// orthogonal regions, printing and diagram export. The truth here is the
// documented semantics (fsm/machine.hpp header comment, UML 2.5.1 §14.2.3:
// exit, then effect, then entry) exercised on small machines whose expected
// traces are written out by hand.
#include <catch2/catch.hpp>

#include <wirekit/fsm/diagram.hpp>
#include <wirekit/fsm/format.hpp>
#include <wirekit/fsm/machine.hpp>

#include <string>
#include <vector>

namespace fsm = wirekit::fsm;

// ---------------------------------------------------------------------------
// A coin-operated turnstile with a maintenance mode and a jam guard.
enum class gate { locked, unlocked, broken };
enum class gate_ev { coin, push, fail, repair };

template <>
struct wirekit::fsm::names<gate> {
    static constexpr std::array<std::string_view, 3> value{"LOCKED", "UNLOCKED", "BROKEN"};
};
template <>
struct wirekit::fsm::names<gate_ev> {
    static constexpr std::array<std::string_view, 4> value{"coin", "push", "fail", "repair"};
};

struct gate_ctx {
    std::vector<std::string> log;
    int coins = 0;
    bool jammed = false;
};
struct gate_in {
    int cents = 0;
};

namespace turnstile_actions {
inline void unlock(gate_ctx& c, const gate_in& in) {
    c.coins += in.cents;
    c.log.push_back("unlock");
}
inline void refund(gate_ctx& c, const gate_in&) { c.log.push_back("refund"); }
inline void lock(gate_ctx& c, const gate_in&) { c.log.push_back("lock"); }
inline void alarm(gate_ctx& c, const gate_in&) { c.log.push_back("alarm"); }
inline bool enough(const gate_ctx&, const gate_in& in) { return in.cents >= 50; }
inline bool jammed(const gate_ctx& c, const gate_in&) { return c.jammed; }
}  // namespace turnstile_actions

struct turnstile {
    using state = gate;
    using event = gate_ev;
    using context = gate_ctx;
    using payload = gate_in;
    using R = fsm::rows<gate, gate_ev, gate_ctx, gate_in>;
    static constexpr std::string_view name = "turnstile";
    static constexpr state initial = gate::locked;
    static constexpr std::array table{
        R::transition(gate::locked, gate_ev::coin, gate::unlocked, R::when(&turnstile_actions::enough, "50 cents"),
                      R::act(&turnstile_actions::unlock, "unlock")),
        R::internal(gate::locked, gate_ev::coin, R::act(&turnstile_actions::refund, "refund")),
        R::internal(gate::locked, gate_ev::push, R::act(&turnstile_actions::alarm, "alarm")),
        R::internal(gate::unlocked, gate_ev::coin, R::act(&turnstile_actions::refund, "refund")),
        R::transition(gate::unlocked, gate_ev::push, gate::locked, R::when(&turnstile_actions::jammed, "jammed")),
        R::transition(gate::unlocked, gate_ev::push, gate::locked, R::act(&turnstile_actions::lock, "lock")),
        R::ignore(gate::broken, gate_ev::coin),
        R::ignore(gate::broken, gate_ev::push),
        R::transition(gate::broken, gate_ev::repair, gate::locked),
        R::any_transition(gate_ev::fail, gate::broken),
        R::any_ignore(gate_ev::repair),
    };
    static void on_exit(context& c, state s) { c.log.push_back(fmt::format("exit {}", s)); }
    static void on_entry(context& c, state s) { c.log.push_back(fmt::format("enter {}", s)); }
};
static_assert(fsm::exhaustive<turnstile>);

TEST_CASE("fsm: rows fire in table order, guards select, hooks wrap actions") {
    fsm::machine<turnstile> m;
    gate_ctx c;
    CHECK(m.current() == gate::locked);

    CHECK(m.dispatch(c, gate_ev::coin, {10}) == fsm::outcome::internal);  // guard false -> next row: refund
    CHECK(m.current() == gate::locked);
    CHECK(c.log == std::vector<std::string>{"refund"});

    c.log.clear();
    CHECK(m.dispatch(c, gate_ev::coin, {50}) == fsm::outcome::transitioned);
    CHECK(m.current() == gate::unlocked);
    CHECK(c.coins == 50);
    CHECK(c.log == std::vector<std::string>{"exit LOCKED", "unlock", "enter UNLOCKED"});

    c.log.clear();
    CHECK(m.dispatch(c, gate_ev::push, {}) == fsm::outcome::transitioned);
    CHECK(c.log == std::vector<std::string>{"exit UNLOCKED", "lock", "enter LOCKED"});

    // The guarded row first: jammed -> locked without the "lock" action.
    m.reset(gate::unlocked);
    c.log.clear();
    c.jammed = true;
    CHECK(m.dispatch(c, gate_ev::push, {}) == fsm::outcome::transitioned);
    CHECK(c.log == std::vector<std::string>{"exit UNLOCKED", "enter LOCKED"});
}

TEST_CASE("fsm: any_state rows apply where no specific row does - ignore does nothing") {
    fsm::machine<turnstile> m;
    gate_ctx c;
    for (gate s : {gate::locked, gate::unlocked, gate::broken}) {
        m.reset(s);
        CHECK(m.dispatch(c, gate_ev::fail, {}) == fsm::outcome::transitioned);
        CHECK(m.current() == gate::broken);
    }
    c.log.clear();
    CHECK(m.dispatch(c, gate_ev::coin, {100}) == fsm::outcome::ignored);
    CHECK(m.dispatch(c, gate_ev::push, {}) == fsm::outcome::ignored);
    CHECK(c.log.empty());
    CHECK(m.dispatch(c, gate_ev::repair, {}) == fsm::outcome::transitioned);  // specific row beats any_ignore
    CHECK(m.current() == gate::locked);
    CHECK(m.dispatch(c, gate_ev::repair, {}) == fsm::outcome::ignored);       // any_ignore elsewhere
    CHECK(m.current() == gate::locked);
}

TEST_CASE("fsm: states and outcomes print with their names") {
    CHECK(fmt::format("{}", gate::unlocked) == "UNLOCKED");
    CHECK(fmt::format("[{:>9}]", gate::broken) == "[   BROKEN]");
    CHECK(fmt::format("{}", fsm::outcome::rejected) == "rejected");
    fsm::machine<turnstile> m;
    CHECK(fmt::format("{}", m) == "LOCKED");
    CHECK(fsm::name_of(static_cast<gate>(7)) == "?");
}

// ---------------------------------------------------------------------------
// Hierarchy: a light whose ON state contains a brightness sub-machine.
enum class lamp { off, on };
enum class dim { low, high };
enum class lamp_ev { toggle, brighter, dimmer, power_cut };
template <>
struct wirekit::fsm::names<lamp> {
    static constexpr std::array<std::string_view, 2> value{"OFF", "ON"};
};
template <>
struct wirekit::fsm::names<dim> {
    static constexpr std::array<std::string_view, 2> value{"LOW", "HIGH"};
};
template <>
struct wirekit::fsm::names<lamp_ev> {
    static constexpr std::array<std::string_view, 4> value{"toggle", "brighter", "dimmer", "power cut"};
};
struct lamp_ctx {
    int parent_actions = 0;
    int child_actions = 0;
};
struct none {};
inline void count_parent(lamp_ctx& c, const none&) { ++c.parent_actions; }
inline void count_child(lamp_ctx& c, const none&) { ++c.child_actions; }

struct lamp_machine {
    using state = lamp;
    using event = lamp_ev;
    using context = lamp_ctx;
    using payload = none;
    using R = fsm::rows<lamp, lamp_ev, lamp_ctx, none>;
    static constexpr std::string_view name = "lamp";
    static constexpr state initial = lamp::off;
    static constexpr std::array table{
        R::transition(lamp::off, lamp_ev::toggle, lamp::on, R::act(&count_parent, "switch on")),
        R::transition(lamp::on, lamp_ev::toggle, lamp::off, R::act(&count_parent, "switch off")),
        R::ignore(lamp::off, lamp_ev::brighter),
        R::ignore(lamp::off, lamp_ev::dimmer),
        R::internal(lamp::on, lamp_ev::brighter, R::act(&count_parent, "parent sees brighter")),
        R::internal(lamp::on, lamp_ev::dimmer, R::act(&count_parent, "parent sees dimmer")),
        R::any_transition(lamp_ev::power_cut, lamp::off),
    };
};
struct brightness {
    using state = dim;
    using event = lamp_ev;
    using context = lamp_ctx;
    using payload = none;
    using R = fsm::rows<dim, lamp_ev, lamp_ctx, none>;
    static constexpr std::string_view name = "brightness";
    static constexpr state initial = dim::low;
    static constexpr std::array table{
        R::transition(dim::low, lamp_ev::brighter, dim::high, R::act(&count_child, "up")),
        R::transition(dim::high, lamp_ev::dimmer, dim::low, R::act(&count_child, "down")),
        R::defer(dim::low, lamp_ev::dimmer),     // the parent sees it
        R::ignore(dim::high, lamp_ev::brighter),  // consumed here
        R::any_defer(lamp_ev::toggle),
        R::any_defer(lamp_ev::power_cut),
    };
};
using lamp_hsm = fsm::composite<fsm::machine<lamp_machine>, lamp::on, fsm::machine<brightness>>;

TEST_CASE("fsm: a sub-machine runs inside its superstate, deferring to the parent") {
    lamp_hsm m;
    lamp_ctx c;
    CHECK_FALSE(m.child_active());
    CHECK(m.dispatch(c, lamp_ev::brighter, {}) == fsm::outcome::ignored);  // parent OFF ignores, child not running
    CHECK(c.child_actions == 0);

    CHECK(m.dispatch(c, lamp_ev::toggle, {}) == fsm::outcome::transitioned);
    CHECK(m.child_active());
    CHECK(fmt::format("{}", m) == "ON/LOW");

    CHECK(m.dispatch(c, lamp_ev::dimmer, {}) == fsm::outcome::internal);  // LOW defers -> parent's internal row
    CHECK(c.parent_actions == 2);
    CHECK(c.child_actions == 0);

    CHECK(m.dispatch(c, lamp_ev::brighter, {}) == fsm::outcome::transitioned);  // child handles it
    CHECK(m.child().current() == dim::high);
    CHECK(c.parent_actions == 2);
    CHECK(m.dispatch(c, lamp_ev::brighter, {}) == fsm::outcome::ignored);  // HIGH ignores: not bubbled
    CHECK(c.parent_actions == 2);
    CHECK(fmt::format("{}", m) == "ON/HIGH");

    // Leaving and re-entering ON restarts the child at its initial state.
    CHECK(m.dispatch(c, lamp_ev::power_cut, {}) == fsm::outcome::transitioned);
    CHECK(fmt::format("{}", m) == "OFF");
    CHECK(m.dispatch(c, lamp_ev::toggle, {}) == fsm::outcome::transitioned);
    CHECK(m.child().current() == dim::low);
}

// ---------------------------------------------------------------------------
// Orthogonal regions: a keyboard with caps lock and num lock (UML 2.5.1's
// own example of orthogonal regions).
enum class caps { off, on };
enum class num { off, on };
enum class key { caps_lock, num_lock, letter };
template <>
struct wirekit::fsm::names<caps> {
    static constexpr std::array<std::string_view, 2> value{"caps off", "caps on"};
};
template <>
struct wirekit::fsm::names<num> {
    static constexpr std::array<std::string_view, 2> value{"num off", "num on"};
};
template <>
struct wirekit::fsm::names<key> {
    static constexpr std::array<std::string_view, 3> value{"CAPS LOCK", "NUM LOCK", "letter"};
};
struct kb {
    std::string typed;
};
struct keypress {
    char c = 0;
};
inline void type_lower(kb& k, const keypress& p) { k.typed += p.c; }
inline void type_upper(kb& k, const keypress& p) { k.typed += static_cast<char>(p.c - 'a' + 'A'); }

struct caps_region {
    using state = caps;
    using event = key;
    using context = kb;
    using payload = keypress;
    using R = fsm::rows<caps, key, kb, keypress>;
    static constexpr std::string_view name = "caps";
    static constexpr state initial = caps::off;
    static constexpr std::array table{
        R::transition(caps::off, key::caps_lock, caps::on),
        R::transition(caps::on, key::caps_lock, caps::off),
        R::internal(caps::off, key::letter, R::act(&type_lower, "type")),
        R::internal(caps::on, key::letter, R::act(&type_upper, "TYPE")),
        R::any_ignore(key::num_lock),
    };
};
struct num_region {
    using state = num;
    using event = key;
    using context = kb;
    using payload = keypress;
    using R = fsm::rows<num, key, kb, keypress>;
    static constexpr std::string_view name = "num";
    static constexpr state initial = num::off;
    static constexpr std::array table{
        R::transition(num::off, key::num_lock, num::on),
        R::transition(num::on, key::num_lock, num::off),
        R::any_ignore(key::caps_lock),
        R::any_ignore(key::letter),
    };
};

TEST_CASE("fsm: orthogonal regions each see every event") {
    fsm::regions<fsm::machine<caps_region>, fsm::machine<num_region>> r;
    kb k;
    CHECK(r.dispatch(k, key::letter, {'a'}) == fsm::outcome::internal);
    CHECK(r.dispatch(k, key::num_lock, {}) == fsm::outcome::transitioned);
    CHECK(r.region<1>().current() == num::on);
    CHECK(r.region<0>().current() == caps::off);
    CHECK(r.dispatch(k, key::caps_lock, {}) == fsm::outcome::transitioned);
    CHECK(r.dispatch(k, key::letter, {'b'}) == fsm::outcome::internal);
    CHECK(r.region<0>().current() == caps::on);
    CHECK(r.region<1>().current() == num::on);  // untouched by CAPS LOCK
    CHECK(k.typed == "aB");
    r.reset();
    CHECK(r.region<0>().current() == caps::off);
    CHECK(r.region<1>().current() == num::off);
}

// ---------------------------------------------------------------------------
// Diagrams: every transition row of the table is an edge; ignored rows are not.

TEST_CASE("fsm: Mermaid export draws exactly the table's transitions") {
    const std::string m = fsm::to_mermaid<fsm::machine<turnstile>>();
    CHECK(m.rfind("stateDiagram-v2\n", 0) == 0);
    CHECK(m.find("    [*] --> LOCKED\n") != std::string::npos);
    CHECK(m.find("    LOCKED --> UNLOCKED : coin [50 cents] / unlock\n") != std::string::npos);
    CHECK(m.find("    UNLOCKED --> LOCKED : push [jammed]\n") != std::string::npos);
    CHECK(m.find("    UNLOCKED --> LOCKED : push / lock\n") != std::string::npos);
    CHECK(m.find("    BROKEN --> LOCKED : repair\n") != std::string::npos);
    CHECK(m.find("    ANY_STATE --> BROKEN : fail\n") != std::string::npos);
    CHECK(m.find("refund") == std::string::npos);  // internal rows hidden by default
    std::size_t edges = 0;
    for (std::size_t at = 0; (at = m.find(" --> ", at)) != std::string::npos; ++at) ++edges;
    CHECK(edges == 1 + 5);  // [*] plus the 5 transition rows

    fsm::diagram_options all;
    all.internal = true;
    const std::string mi = fsm::to_mermaid<fsm::machine<turnstile>>(all);
    CHECK(mi.find("    LOCKED --> LOCKED : coin / refund\n") != std::string::npos);
}

TEST_CASE("fsm: Mermaid export of a composite nests the child in its superstate") {
    const std::string m = fsm::to_mermaid<lamp_hsm>();
    CHECK(m.find("    OFF --> ON : toggle / switch on\n") != std::string::npos);
    CHECK(m.find("    state ON {\n        state \"LOW\" as ON__LOW\n        state \"HIGH\" as ON__HIGH\n"
                 "        [*] --> ON__LOW\n") != std::string::npos);
    CHECK(m.find("        ON__LOW --> ON__HIGH : brighter / up\n") != std::string::npos);
    CHECK(m.find("    }\n") != std::string::npos);
}

TEST_CASE("fsm: DOT export") {
    const std::string d = fsm::to_dot<turnstile>();
    CHECK(d.find("digraph \"turnstile\" {") != std::string::npos);
    CHECK(d.find("    __start -> LOCKED;\n") != std::string::npos);
    CHECK(d.find("    LOCKED -> UNLOCKED [label=\"coin [50 cents] / unlock\"];\n") != std::string::npos);
    CHECK(d.find("    __any -> BROKEN [label=\"fail\", style=dashed];\n") != std::string::npos);
    CHECK(d.back() == '\n');
    CHECK(d.find("}\n") == d.size() - 2);
}

TEST_CASE("fsm: Mermaid export of orthogonal regions uses the concurrency marker") {
    const std::string m = fsm::to_mermaid<fsm::regions<fsm::machine<caps_region>, fsm::machine<num_region>>>();
    CHECK(m.find("    state caps {\n") != std::string::npos);
    CHECK(m.find("        caps__caps_off --> caps__caps_on : CAPS LOCK\n") != std::string::npos);
    CHECK(m.find("        --\n") != std::string::npos);
    CHECK(m.find("        num__num_off --> num__num_on : NUM LOCK\n") != std::string::npos);
    CHECK(m.find("--\n") < m.find("num__num_off -->"));
}
