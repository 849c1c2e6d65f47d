// wirekit/fsm/diagram.hpp — a transition table as a Mermaid or DOT diagram.
//
// Layer L3, opt-in (allocates strings). The diagrams in docs/diagrams/ are
// printed by examples/fsm_diagrams.cpp from the same tables the machines
// dispatch on, and a test regenerates and compares them.
//
//   to_mermaid<D>()            Mermaid `stateDiagram-v2` (renders on GitHub)
//   to_dot<D>()                Graphviz DOT (`dot -Tsvg`)
//   to_mermaid<composite<...>> the parent with the child drawn inside its state
//   to_mermaid<regions<...>>   the regions side by side in one state ("--")
//
// Edge labels read "EVENT [guard] / action". States carry their names<>
// spelling ("SYN-RECEIVED"); identifiers are the names with every character
// other than a letter or digit replaced by '_'.
#pragma once

#include <cstddef>      // std::size_t
#include <string>       // output text
#include <string_view>  // labels
#include <type_traits>  // std::type_identity

#include "machine.hpp"  // definition, row, names, composite

namespace wirekit::fsm {

/// What the diagrams show.
struct diagram_options {
    bool internal = false;   ///< draw internal rows as self-loops
    bool any_state = true;   ///< draw any_state rows from an "any state" node
    bool title = true;       ///< a comment line naming the machine
};

namespace detail {

inline std::string diagram_id(std::string_view prefix, std::string_view name) {
    std::string id(prefix);
    for (char ch : name) {
        const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        id += alnum ? ch : '_';
    }
    return id;
}

template <class Row>
std::string row_label(const Row& r) {
    std::string s(name_of(r.event));
    if (!r.guard.label.empty()) {
        s += " [";
        s += r.guard.label;
        s += ']';
    }
    if (!r.action.label.empty()) {
        s += " / ";
        s += r.action.label;
    }
    return s;
}

inline void append_escaped(std::string& out, std::string_view s, bool dot) {
    for (char ch : s) {
        if (dot && (ch == '"' || ch == '\\')) out += '\\';
        if (!dot && (ch == ';' || ch == '#')) { out += ','; continue; }  // Mermaid statement/entity characters
        out += ch;
    }
}

template <definition D>
void mermaid_body(std::string& out, std::string_view indent, std::string_view prefix, const diagram_options& o) {
    using S = typename D::state;
    for (std::size_t i = 0; i < count_of<S>; ++i) {
        const auto n = name_of(static_cast<S>(i));
        const auto id = diagram_id(prefix, n);
        if (id != n) {
            out += indent;
            out += "state \"";
            out += n;
            out += "\" as ";
            out += id;
            out += '\n';
        }
    }
    bool any_used = false;
    for (const auto& r : D::table)
        if (r.any_state && r.kind != row_kind::ignore && r.kind != row_kind::defer &&
            (r.kind == row_kind::transition || o.internal))
            any_used = true;
    const std::string any_id = diagram_id(prefix, "ANY_STATE");
    if (any_used && o.any_state) {
        out += indent;
        out += "state \"any state\" as ";
        out += any_id;
        out += '\n';
    }
    out += indent;
    out += "[*] --> ";
    out += diagram_id(prefix, name_of(D::initial));
    out += '\n';
    for (const auto& r : D::table) {
        if (r.kind == row_kind::ignore || r.kind == row_kind::defer) continue;
        if (r.kind == row_kind::internal && !o.internal) continue;
        if (r.any_state && !o.any_state) continue;
        out += indent;
        out += r.any_state ? any_id : diagram_id(prefix, name_of(r.from));
        out += " --> ";
        out += r.kind == row_kind::internal && r.any_state ? any_id : diagram_id(prefix, name_of(r.to));
        out += " : ";
        append_escaped(out, row_label(r), false);
        out += '\n';
    }
}

template <class M>
struct mermaid_writer {
    static void write(std::string& out, std::string_view indent, std::string_view prefix, const diagram_options& o) {
        mermaid_body<typename M::definition_type>(out, indent, prefix, o);
    }
    static std::string_view name() { return M::definition_type::name; }
};

template <class P, typename P::state In, class C>
struct mermaid_writer<composite<P, In, C>> {
    static void write(std::string& out, std::string_view indent, std::string_view prefix, const diagram_options& o) {
        mermaid_writer<P>::write(out, indent, prefix, o);
        out += indent;
        out += "state ";
        out += diagram_id(prefix, name_of(In));
        out += " {\n";
        const std::string inner = std::string(indent) + "    ";
        const std::string child_prefix = diagram_id(prefix, name_of(In)) + "__";
        mermaid_writer<C>::write(out, inner, child_prefix, o);
        out += indent;
        out += "}\n";
    }
    static std::string_view name() { return mermaid_writer<P>::name(); }
};

template <class First, class... Rest>
struct mermaid_writer<regions<First, Rest...>> {
    // Orthogonal regions: one composite state holding each region, separated
    // by Mermaid's concurrency marker "--". Each region's ids are prefixed
    // with its machine's name, so equal state names do not collide.
    static void write(std::string& out, std::string_view indent, std::string_view prefix, const diagram_options& o) {
        out += indent;
        out += "state ";
        out += diagram_id(prefix, name());
        out += " {\n";
        const std::string inner = std::string(indent) + "    ";
        bool first = true;
        auto one = [&](auto tag) {
            using M = typename decltype(tag)::type;
            if (!first) {
                out += inner;
                out += "--\n";
            }
            first = false;
            mermaid_writer<M>::write(out, inner, diagram_id(prefix, mermaid_writer<M>::name()) + "__", o);
        };
        one(std::type_identity<First>{});
        (one(std::type_identity<Rest>{}), ...);
        out += indent;
        out += "}\n";
    }
    static std::string_view name() { return mermaid_writer<First>::name(); }
};

}  // namespace detail

/// Mermaid `stateDiagram-v2` text for machine M: a `machine<D>`, a
/// `composite<...>` (the child drawn inside its superstate) or `regions<...>`
/// (concurrent regions inside one state named after the first region).
template <class M>
[[nodiscard]] std::string to_mermaid(const diagram_options& o = {}) {
    std::string out = "stateDiagram-v2\n";
    if (o.title) {
        out += "    %% ";
        out += detail::mermaid_writer<M>::name();
        out += ": generated from its wirekit::fsm transition table\n";
    }
    detail::mermaid_writer<M>::write(out, "    ", "", o);
    return out;
}

/// Graphviz DOT text for definition D's table.
template <definition D>
[[nodiscard]] std::string to_dot(const diagram_options& o = {}) {
    using S = typename D::state;
    std::string out;
    if (o.title) {
        out += "// ";
        out += D::name;
        out += ": generated from its wirekit::fsm transition table\n";
    }
    out += "digraph \"";
    detail::append_escaped(out, D::name, true);
    out += "\" {\n    rankdir=TB;\n    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
           "    edge [fontname=\"Helvetica\", fontsize=10];\n"
           "    __start [shape=point, label=\"\"];\n";
    for (std::size_t i = 0; i < count_of<S>; ++i) {
        const auto n = name_of(static_cast<S>(i));
        out += "    ";
        out += detail::diagram_id("", n);
        out += " [label=\"";
        detail::append_escaped(out, n, true);
        out += "\"];\n";
    }
    bool any_used = false;
    for (const auto& r : D::table)
        if (r.any_state && (r.kind == row_kind::transition || (r.kind == row_kind::internal && o.internal)))
            any_used = true;
    if (any_used && o.any_state) out += "    __any [label=\"any state\", style=dashed];\n";
    out += "    __start -> ";
    out += detail::diagram_id("", name_of(D::initial));
    out += ";\n";
    for (const auto& r : D::table) {
        if (r.kind == row_kind::ignore || r.kind == row_kind::defer) continue;
        if (r.kind == row_kind::internal && !o.internal) continue;
        if (r.any_state && !o.any_state) continue;
        out += "    ";
        out += r.any_state ? std::string("__any") : detail::diagram_id("", name_of(r.from));
        out += " -> ";
        out += r.kind == row_kind::internal && r.any_state ? std::string("__any") : detail::diagram_id("", name_of(r.to));
        out += " [label=\"";
        detail::append_escaped(out, detail::row_label(r), true);
        out += "\"";
        if (r.any_state) out += ", style=dashed";
        out += "];\n";
    }
    out += "}\n";
    return out;
}

}  // namespace wirekit::fsm
