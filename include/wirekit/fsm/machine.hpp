// wirekit/fsm/machine.hpp — state machines whose transition table is data.
//
// Layer L3. A machine is described by a *definition*: a struct naming its
// state and event enums, the context its actions work on, the payload that
// travels with each event, the initial state, and a constexpr array of rows
//
//     (state, event) -> [guard] / action -> next state
//
// The same array drives dispatch (compiled into a switch on the state and
// then the event, each pair's rows, guards and actions inlined), the
// exhaustiveness check, printing and the DOT/Mermaid export (fsm/diagram.hpp).
//
// Rules (everything that affects a transition lives in the table):
//  * Every (state, event) pair is covered by a row: handled (transition or
//    internal), explicitly ignored, or deferred to an enclosing machine.
//    A missing pair does not compile; the diagnostic names the pair as
//    `wirekit::fsm::missing_transition<STATE, EVENT>`.
//  * Rows for one pair are tried in table order; the first whose guard holds
//    (or which has none) fires. Rows after an unguarded row for the same pair
//    could never fire and are rejected at compile time
//    (`wirekit::fsm::unreachable_row<STATE, EVENT>`). `any_state` rows apply
//    to pairs with no matching specific row that fires; they are tried last.
//  * A transition runs: exit hook of the old state, the action, the state
//    change, the entry hook of the new state (UML run-to-completion order).
//    Hooks are optional static members of the definition:
//      static void on_exit(context&, state);  static void on_entry(context&, state);
//  * Machines never read a clock or touch I/O: time, if needed, is in the payload.
//
// Composition: `composite<Parent, S, Child>` runs Child while Parent is in S
// (hierarchy); `regions<M...>` runs machines side by side on the same events
// (orthogonal regions). Both are machines themselves, so they nest.
//
// Source: the transition-table-as-data style of Boost.SML and of h11's
// _state.py; UML state machine semantics (OMG UML 2.5.1 §14.2) for the order
// of exit/action/entry, for hierarchy and for orthogonal regions.
#pragma once

#include <array>        // row storage, jump tables
#include <concepts>     // std::convertible_to, std::same_as
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint8_t, std::uint16_t
#include <string_view>  // names
#include <tuple>        // regions<M...> storage
#include <type_traits>  // std::is_enum_v, std::underlying_type_t
#include <utility>      // std::index_sequence

#include "../core/result.hpp"  // detail::contract_violation

namespace wirekit::fsm {

// ---------------------------------------------------------------------------
// Names of enum values

/// Names of the values of enum `E`, for printing and diagrams (RFC spellings,
/// e.g. "SYN-RECEIVED"). Specialise it next to your enum:
///
///     template <> struct wirekit::fsm::names<my_state> {
///         static constexpr std::array<std::string_view, 2> value{"OPEN", "SHUT"};
///     };
///
/// The enum's values must be 0, 1, ..., N-1 in that order.
template <class E>
struct names;

/// An enum with a `names<E>` specialisation.
template <class E>
concept named_enum = std::is_enum_v<E> && requires {
    { names<E>::value.size() } -> std::convertible_to<std::size_t>;
    { names<E>::value[0] } -> std::convertible_to<std::string_view>;
};

/// Number of values of a named enum.
template <named_enum E>
inline constexpr std::size_t count_of = names<E>::value.size();

/// Index of an enum value (its underlying integer).
template <named_enum E>
[[nodiscard]] constexpr std::size_t index_of(E e) noexcept {
    return static_cast<std::size_t>(static_cast<std::underlying_type_t<E>>(e));
}

/// The name of `e`, or "?" for a value outside 0..N-1.
template <named_enum E>
[[nodiscard]] constexpr std::string_view name_of(E e) noexcept {
    const std::size_t i = index_of(e);
    return i < count_of<E> ? std::string_view(names<E>::value[i]) : std::string_view("?");
}

// ---------------------------------------------------------------------------
// Rows

/// What a row does.
enum class row_kind : std::uint8_t {
    transition,  ///< guard, exit hook, action, state change, entry hook
    internal,    ///< guard, action; the state does not change and no hooks run
    ignore,      ///< the pair is explicitly ignored: nothing happens
    defer,       ///< not handled here: the enclosing machine (composite) handles it
};

/// What one dispatch did.
enum class outcome : std::uint8_t {
    transitioned,  ///< a transition row fired (the state may be the same, a self-transition)
    internal,      ///< an internal row fired
    ignored,       ///< an ignore row matched
    rejected,      ///< rows exist for the pair but every guard was false
    deferred,      ///< a defer row matched (a composite then offers it to the parent)
};

/// Short name of an outcome, e.g. "transitioned".
[[nodiscard]] constexpr std::string_view to_string(outcome o) noexcept {
    switch (o) {
        case outcome::transitioned: return "transitioned";
        case outcome::internal: return "internal";
        case outcome::ignored: return "ignored";
        case outcome::rejected: return "rejected";
        case outcome::deferred: return "deferred";
    }
    return "?";
}

/// True when the event was acted upon (a transition or an internal row fired).
[[nodiscard]] constexpr bool handled(outcome o) noexcept {
    return o == outcome::transitioned || o == outcome::internal;
}

/// An action: a plain function (or captureless lambda) and its label in diagrams.
template <class Ctx, class Payload>
struct action_ref {
    void (*fn)(Ctx&, const Payload&) = nullptr;
    std::string_view label{};
};

/// A guard: a plain predicate and its label in diagrams.
template <class Ctx, class Payload>
struct guard_ref {
    bool (*fn)(const Ctx&, const Payload&) = nullptr;
    std::string_view label{};
};

/// One row of a transition table. Build rows with `rows<Def>` below.
template <class S, class E, class Ctx, class Payload>
struct row {
    row_kind kind = row_kind::ignore;
    bool any_state = false;  ///< applies to every state (tried after specific rows)
    S from{};
    E event{};
    S to{};                  ///< next state (transition rows only)
    guard_ref<Ctx, Payload> guard{};
    action_ref<Ctx, Payload> action{};
};

/// The row vocabulary of a definition-to-be. Use it as
///
///     using R = wirekit::fsm::rows<door_state, door_event, door, door_input>;
///     static constexpr std::array table{
///         R::transition(door_state::closed, door_event::open, door_state::opened, R::act(&door::swing, "swing")),
///         R::ignore(door_state::opened, door_event::open),
///         ...
///     };
template <named_enum S, named_enum E, class Ctx, class Payload>
struct rows {
    using row_type = row<S, E, Ctx, Payload>;
    using action_fn = void (*)(Ctx&, const Payload&);
    using guard_fn = bool (*)(const Ctx&, const Payload&);
    using action = action_ref<Ctx, Payload>;
    using guard = guard_ref<Ctx, Payload>;

    /// An action with its diagram label.
    static constexpr action act(action_fn f, std::string_view label) noexcept { return {f, label}; }
    /// A guard with its diagram label.
    static constexpr guard when(guard_fn f, std::string_view label) noexcept { return {f, label}; }

    /// from --event / action--> to.
    static constexpr row_type transition(S from, E e, S to, action a = {}) noexcept {
        return {row_kind::transition, false, from, e, to, {}, a};
    }
    /// from --event [guard] / action--> to.
    static constexpr row_type transition(S from, E e, S to, guard g, action a = {}) noexcept {
        return {row_kind::transition, false, from, e, to, g, a};
    }
    /// In `from`, `event` runs `action` without leaving the state.
    static constexpr row_type internal(S from, E e, action a) noexcept {
        return {row_kind::internal, false, from, e, from, {}, a};
    }
    /// In `from`, `event` [guard] runs `action` without leaving the state.
    static constexpr row_type internal(S from, E e, guard g, action a) noexcept {
        return {row_kind::internal, false, from, e, from, g, a};
    }
    /// In `from`, `event` is explicitly ignored.
    static constexpr row_type ignore(S from, E e) noexcept { return {row_kind::ignore, false, from, e, from, {}, {}}; }
    /// In `from`, `event` is passed to the enclosing machine (see composite).
    static constexpr row_type defer(S from, E e) noexcept { return {row_kind::defer, false, from, e, from, {}, {}}; }

    /// From any state, `event` / action --> to (after specific rows).
    static constexpr row_type any_transition(E e, S to, action a = {}) noexcept {
        return {row_kind::transition, true, S{}, e, to, {}, a};
    }
    /// In any state, `event` runs `action` (after specific rows).
    static constexpr row_type any_internal(E e, action a) noexcept {
        return {row_kind::internal, true, S{}, e, S{}, {}, a};
    }
    /// In any state, `event` is ignored (after specific rows).
    static constexpr row_type any_ignore(E e) noexcept { return {row_kind::ignore, true, S{}, e, S{}, {}, {}}; }
    /// In any state, `event` is deferred to the enclosing machine (after specific rows).
    static constexpr row_type any_defer(E e) noexcept { return {row_kind::defer, true, S{}, e, S{}, {}, {}}; }
};

/// A machine definition: the types, the initial state, a name and the table.
///
///     struct door_machine {
///         using state = door_state;  using event = door_event;
///         using context = door;      using payload = door_input;
///         static constexpr std::string_view name = "door";
///         static constexpr state initial = door_state::closed;
///         static constexpr std::array table{ ... rows ... };
///     };
template <class D>
concept definition = requires {
    typename D::state;
    typename D::event;
    typename D::context;
    typename D::payload;
    requires named_enum<typename D::state>;
    requires named_enum<typename D::event>;
    { D::name } -> std::convertible_to<std::string_view>;
    { D::initial } -> std::convertible_to<typename D::state>;
    { D::table.size() } -> std::convertible_to<std::size_t>;
    requires std::is_same_v<std::remove_cvref_t<decltype(D::table[0])>,
                            row<typename D::state, typename D::event, typename D::context, typename D::payload>>;
};

// ---------------------------------------------------------------------------
// Compile-time checks. Their names are the diagnostics: a failing table shows
// "missing_transition<door_state::opened, door_event::lock>".

template <auto...>
inline constexpr bool always_false = false;

/// Instantiated (and failing) for a (state, event) pair no row covers.
template <auto State, auto Event>
struct missing_transition {
    static_assert(always_false<State, Event>,
                  "wirekit::fsm: the table has no row for this (state, event) pair: "
                  "add a transition, an internal row, or ignore(state, event) / defer(state, event)");
};

/// Instantiated (and failing) for a row that can never fire because an
/// earlier row for the same (state, event) pair has no guard.
template <auto State, auto Event>
struct unreachable_row {
    static_assert(always_false<State, Event>,
                  "wirekit::fsm: a row for this (state, event) pair follows an unguarded row for the same pair "
                  "and can never fire");
};

namespace detail {

template <definition D>
struct compiled {
    using S = typename D::state;
    using E = typename D::event;
    static constexpr std::size_t ns = count_of<S>;
    static constexpr std::size_t ne = count_of<E>;
    static constexpr std::size_t nr = D::table.size();
    static constexpr std::size_t pairs = ns * ne;

    /// Row indices per pair, in firing order: specific rows (table order),
    /// then any_state rows (table order). start[p]..start[p+1] index `order`.
    struct index_type {
        std::array<std::uint16_t, pairs + 1> start{};
        std::array<std::uint16_t, nr * ns + 1> order{};
        std::array<bool, pairs> unreachable{};  ///< a row after an unguarded one
    };

    static constexpr index_type build() noexcept {
        index_type ix{};
        std::size_t n = 0;
        for (std::size_t s = 0; s < ns; ++s) {
            for (std::size_t e = 0; e < ne; ++e) {
                const std::size_t p = s * ne + e;
                ix.start[p] = static_cast<std::uint16_t>(n);
                bool closed_specific = false;  // an unguarded specific row was seen
                bool closed_any = false;       // an unguarded any_state row was seen
                for (int pass = 0; pass < 2; ++pass) {
                    for (std::size_t r = 0; r < nr; ++r) {
                        const auto& row = D::table[r];
                        if (index_of(row.event) != e) continue;
                        if (pass == 0 ? (row.any_state || index_of(row.from) != s) : !row.any_state) continue;
                        // A wildcard shadowed by an unguarded specific row is
                        // the normal case (an exception to a default); a row
                        // shadowed by one of its own kind is dead.
                        if (pass == 0 ? closed_specific : closed_any) { ix.unreachable[p] = true; continue; }
                        if (closed_specific) continue;
                        ix.order[n++] = static_cast<std::uint16_t>(r);
                        if (row.guard.fn == nullptr) (pass == 0 ? closed_specific : closed_any) = true;
                    }
                }
            }
        }
        ix.start[pairs] = static_cast<std::uint16_t>(n);
        return ix;
    }
    static constexpr index_type index = build();

    static constexpr bool table_in_range() noexcept {
        for (const auto& r : D::table)
            if (index_of(r.from) >= ns || index_of(r.to) >= ns || index_of(r.event) >= ne) return false;
        return true;
    }
    static_assert(table_in_range(), "wirekit::fsm: a row names a state or event outside its names<> list");
    static_assert(nr * ns < 65535, "wirekit::fsm: table too large");

    template <std::size_t P>
    static constexpr bool check_pair() noexcept {
        [[maybe_unused]] constexpr S s = static_cast<S>(P / ne);
        [[maybe_unused]] constexpr E e = static_cast<E>(P % ne);
        if constexpr (index.start[P] == index.start[P + 1]) {
            [[maybe_unused]] missing_transition<s, e> diagnostic;
            return false;
        } else if constexpr (index.unreachable[P]) {
            [[maybe_unused]] unreachable_row<s, e> diagnostic;
            return false;
        } else {
            return true;
        }
    }
    template <std::size_t... P>
    static constexpr bool check_all(std::index_sequence<P...>) noexcept {
        return (0 + ... + static_cast<int>(check_pair<P>())) == static_cast<int>(sizeof...(P));  // all pairs, every diagnostic
    }
    static constexpr bool valid = check_all(std::make_index_sequence<pairs>{});
};

template <class D, class C, class S>
concept has_on_entry = requires(C& c, S s) { D::on_entry(c, s); };
template <class D, class C, class S>
concept has_on_exit = requires(C& c, S s) { D::on_exit(c, s); };

}  // namespace detail

/// True when definition D's table covers every pair and has no dead rows.
/// Evaluating it for a bad table produces the diagnostics named above.
template <definition D>
inline constexpr bool exhaustive = detail::compiled<D>::valid;

// ---------------------------------------------------------------------------
// machine

/// A flat state machine running definition D. It holds only the current
/// state (one byte for small enums); the context is passed to dispatch, so
/// one context may be driven by several machines (regions).
template <definition D>
class machine {
public:
    using definition_type = D;
    using state = typename D::state;
    using event = typename D::event;
    using context = typename D::context;
    using payload = typename D::payload;

    static_assert(exhaustive<D>, "wirekit::fsm: see the missing_transition / unreachable_row diagnostic above");

    constexpr machine() noexcept = default;
    constexpr explicit machine(state s) noexcept : state_(s) {}

    /// The current state.
    [[nodiscard]] constexpr state current() const noexcept { return state_; }
    /// True when the machine is in `s`.
    [[nodiscard]] constexpr bool is(state s) const noexcept { return state_ == s; }

    /// Forces the state without running hooks or actions (restore, tests).
    constexpr void reset(state s = D::initial) noexcept { state_ = s; }

    /// Delivers `e` with `p` to the machine. Runs at most one row.
    /// Precondition: `e` is one of the enum's named values.
    constexpr outcome dispatch(context& c, event e, const payload& p) {
        const std::size_t ev = index_of(e);
        if (ev >= cx::ne) wirekit::detail::contract_violation("fsm::machine::dispatch: event out of range");
        return dispatch_state(index_of(state_), ev, c, p, std::make_index_sequence<cx::ns>{});
    }

private:
    using cx = detail::compiled<D>;

    template <std::size_t K, std::size_t End>
    static constexpr outcome try_rows(machine& m, context& c, const payload& p) {
        if constexpr (K == End) {
            return outcome::rejected;
        } else {
            constexpr const auto& r = D::table[cx::index.order[K]];
            if constexpr (r.guard.fn != nullptr) {
                if (!r.guard.fn(c, p)) return try_rows<K + 1, End>(m, c, p);
            }
            if constexpr (r.kind == row_kind::ignore) {
                return outcome::ignored;
            } else if constexpr (r.kind == row_kind::defer) {
                return outcome::deferred;
            } else if constexpr (r.kind == row_kind::internal) {
                if constexpr (r.action.fn != nullptr) r.action.fn(c, p);
                return outcome::internal;
            } else {
                if constexpr (detail::has_on_exit<D, context, state>) D::on_exit(c, m.state_);
                if constexpr (r.action.fn != nullptr) r.action.fn(c, p);
                m.state_ = r.to;
                if constexpr (detail::has_on_entry<D, context, state>) D::on_entry(c, r.to);
                return outcome::transitioned;
            }
        }
    }
    template <std::size_t P>
    static constexpr outcome handle(machine& m, context& c, const payload& p) {
        return try_rows<cx::index.start[P], cx::index.start[P + 1]>(m, c, p);
    }
    // A switch on the state, then on the event, written as two folds (each
    // only as deep as the enum is long): the compilers turn each into a jump
    // table, as for a hand-written switch, with every pair's rows inlined.
    template <std::size_t S, std::size_t... E>
    constexpr outcome dispatch_event(std::size_t ev, context& c, const payload& p, std::index_sequence<E...>) {
        outcome o = outcome::ignored;
        (void)((ev == E ? (o = handle<S * cx::ne + E>(*this, c, p), true) : false) || ...);
        return o;
    }
    template <std::size_t... S>
    constexpr outcome dispatch_state(std::size_t st, std::size_t ev, context& c, const payload& p,
                                     std::index_sequence<S...>) {
        outcome o = outcome::ignored;
        (void)((st == S ? (o = dispatch_event<S>(ev, c, p, std::make_index_sequence<cx::ne>{}), true) : false) || ...);
        return o;
    }

    state state_ = D::initial;
};

// ---------------------------------------------------------------------------
// Composition

/// Something with machine's dispatch/current/reset shape (machine,
/// composite, regions), over context C, event E and payload P.
template <class M>
concept machine_like = requires(M m, const M cm, typename M::context& c, typename M::event e,
                                const typename M::payload& p) {
    { m.dispatch(c, e, p) } -> std::same_as<outcome>;
    m.reset();
};

/// Hierarchy: `Child` runs inside state `In` of `Parent`.
///
/// While Parent is in `In`, an event goes to Child first; if Child's row for
/// it is `defer` (or Child rejects it: no guard held), the Parent handles it.
/// Whenever Parent enters `In` (including a self-transition), Child restarts
/// from its initial state; while Parent is elsewhere Child receives nothing.
/// Child and Parent share the event enum, the context and the payload.
template <machine_like Parent, typename Parent::state In, machine_like Child>
    requires std::is_same_v<typename Parent::event, typename Child::event> &&
             std::is_same_v<typename Parent::context, typename Child::context> &&
             std::is_same_v<typename Parent::payload, typename Child::payload>
class composite {
public:
    using state = typename Parent::state;
    using event = typename Parent::event;
    using context = typename Parent::context;
    using payload = typename Parent::payload;
    using parent_type = Parent;
    using child_type = Child;
    static constexpr state superstate = In;

    constexpr composite() noexcept = default;

    /// The parent's state (the child's is `child().current()`).
    [[nodiscard]] constexpr state current() const noexcept { return parent_.current(); }
    [[nodiscard]] constexpr const Parent& parent() const noexcept { return parent_; }
    [[nodiscard]] constexpr const Child& child() const noexcept { return child_; }
    /// True when the child machine is running (the parent is in `In`).
    [[nodiscard]] constexpr bool child_active() const noexcept { return parent_.current() == In; }

    constexpr void reset() noexcept {
        parent_.reset();
        child_.reset();
    }

    constexpr outcome dispatch(context& c, event e, const payload& p) {
        if (child_active()) {
            const outcome o = child_.dispatch(c, e, p);
            if (o != outcome::deferred && o != outcome::rejected) return o;
        }
        const outcome o = parent_.dispatch(c, e, p);
        if (o == outcome::transitioned && parent_.current() == In) child_.reset();
        return o;
    }

private:
    Parent parent_{};
    Child child_{};
};

/// Orthogonal regions: every machine receives every event, in order. The
/// result is the strongest outcome (transitioned > internal > ignored >
/// rejected > deferred). All share the event enum, context and payload.
template <machine_like First, machine_like... Rest>
    requires((std::is_same_v<typename First::event, typename Rest::event> &&
              std::is_same_v<typename First::context, typename Rest::context> &&
              std::is_same_v<typename First::payload, typename Rest::payload>) && ...)
class regions {
public:
    using event = typename First::event;
    using context = typename First::context;
    using payload = typename First::payload;
    static constexpr std::size_t size = 1 + sizeof...(Rest);

    constexpr regions() noexcept = default;

    /// Region I (0-based).
    template <std::size_t I>
    [[nodiscard]] constexpr const auto& region() const noexcept { return std::get<I>(machines_); }
    template <std::size_t I>
    [[nodiscard]] constexpr auto& region() noexcept { return std::get<I>(machines_); }

    constexpr void reset() noexcept {
        std::apply([](auto&... m) { (m.reset(), ...); }, machines_);
    }

    constexpr outcome dispatch(context& c, event e, const payload& p) {
        outcome best = outcome::deferred;
        std::apply([&](auto&... m) { ((best = stronger(best, m.dispatch(c, e, p))), ...); }, machines_);
        return best;
    }

private:
    static constexpr int rank(outcome o) noexcept {
        switch (o) {
            case outcome::transitioned: return 4;
            case outcome::internal: return 3;
            case outcome::ignored: return 2;
            case outcome::rejected: return 1;
            case outcome::deferred: return 0;
        }
        return 0;
    }
    static constexpr outcome stronger(outcome a, outcome b) noexcept { return rank(b) > rank(a) ? b : a; }

    std::tuple<First, Rest...> machines_{};
};

}  // namespace wirekit::fsm
