// wirekit/fsm/format.hpp — fmt formatters for state machines.
//
// Layer L3, opt-in (include it where you print).
//  * any enum with a fsm::names<E> specialisation prints its name:
//      fmt::format("{}", tcp::state::syn_received) == "SYN-RECEIVED"
//    (format specs of string_view apply: "{:>12}")
//  * fsm::outcome prints "transitioned", "ignored", ...
//  * machine<D> prints its current state; composite<P, S, C> prints
//    "PARENT/CHILD" while the child runs, else the parent's state.
#pragma once

#include <fmt/format.h>  // fmt::formatter

#include <string_view>  // names
#include <type_traits>  // std::enable_if_t

#include "machine.hpp"  // names, machine, composite, outcome

template <class E>
struct fmt::formatter<E, char, std::enable_if_t<wirekit::fsm::named_enum<E>>> : fmt::formatter<std::string_view> {
    template <class Ctx>
    auto format(E e, Ctx& ctx) const {
        return fmt::formatter<std::string_view>::format(wirekit::fsm::name_of(e), ctx);
    }
};

template <>
struct fmt::formatter<wirekit::fsm::outcome> : fmt::formatter<std::string_view> {
    template <class Ctx>
    auto format(wirekit::fsm::outcome o, Ctx& ctx) const {
        return fmt::formatter<std::string_view>::format(wirekit::fsm::to_string(o), ctx);
    }
};

template <class D>
struct fmt::formatter<wirekit::fsm::machine<D>> : fmt::formatter<std::string_view> {
    template <class Ctx>
    auto format(const wirekit::fsm::machine<D>& m, Ctx& ctx) const {
        return fmt::formatter<std::string_view>::format(wirekit::fsm::name_of(m.current()), ctx);
    }
};

template <class P, typename P::state In, class C>
struct fmt::formatter<wirekit::fsm::composite<P, In, C>> {
    constexpr auto parse(fmt::format_parse_context& ctx) { return ctx.begin(); }
    template <class Ctx>
    auto format(const wirekit::fsm::composite<P, In, C>& m, Ctx& ctx) const {
        if (m.child_active()) return fmt::format_to(ctx.out(), "{}/{}", m.parent(), m.child());
        return fmt::format_to(ctx.out(), "{}", m.parent());
    }
};
