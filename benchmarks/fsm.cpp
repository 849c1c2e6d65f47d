// fsm_dispatch/{wirekit,switch}: the cost of dispatching through a
// wirekit::fsm table against a hand-written switch, on the TCP connection
// table (RFC 9293 Figure 5 plus the §3.10 rules: 11 states x 17 events).
//
// Both sides run the same event trace with the same cheap actions, so the
// difference is the dispatch alone. The wirekit side is not a lookalike:
// its table is derived at compile time from tcp::connection_table::table
// itself, every action replaced by a counter bump (one counter per
// distinct original action) and every guard by a read of the payload. The
// switch side is written by hand from the RFC. Before timing, both are run
// over the trace and must agree on every state and counter.
//
// Report the ratio wirekit/switch (target <= 1.1), never absolute times.
#include <benchmark/benchmark.h>

#include <wirekit/fsm/machine.hpp>
#include <wirekit/fsm/tcp/connection.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

namespace fsm = wirekit::fsm;
namespace tcp = wirekit::fsm::tcp;
using S = tcp::state;
using E = tcp::event;

struct bench_ctx {
    std::array<std::uint64_t, 32> hits{};     ///< per distinct action
    std::array<std::uint64_t, 11> entered{};  ///< per state, from the entry hook
};
struct bench_in {
    bool passive = false;
    bool remote_known = false;
    bool new_incarnation = false;  ///< a SYN in TIME-WAIT passes RFC 6191's test
};

using src_row = std::remove_cvref_t<decltype(tcp::connection_table::table[0])>;
using dst_row = fsm::row<S, E, bench_ctx, bench_in>;
using src_action = void (*)(tcp::tcb&, const tcp::input&);

template <std::size_t I>
void hit(bench_ctx& c, const bench_in&) {
    ++c.hits[I];
}
bool g_passive(const bench_ctx&, const bench_in& in) { return in.passive; }
bool g_remote_known(const bench_ctx&, const bench_in& in) { return in.remote_known; }
bool g_new_incarnation(const bench_ctx&, const bench_in& in) { return in.new_incarnation; }

constexpr std::size_t max_actions = 32;

/// Distinct action functions of the TCP table, in first-use order.
constexpr auto distinct_actions() {
    std::array<src_action, max_actions> a{};
    std::size_t n = 0;
    for (const auto& r : tcp::connection_table::table) {
        if (r.action.fn == nullptr) continue;
        bool seen = false;
        for (std::size_t i = 0; i < n; ++i) seen = seen || a[i] == r.action.fn;
        if (!seen) a[n++] = r.action.fn;
    }
    return std::pair{a, n};
}
constexpr auto actions = distinct_actions();
static_assert(actions.second <= max_actions);

constexpr std::size_t action_index(src_action f) {
    for (std::size_t i = 0; i < actions.second; ++i)
        if (actions.first[i] == f) return i;
    return max_actions;
}

template <std::size_t... I>
constexpr std::array<void (*)(bench_ctx&, const bench_in&), sizeof...(I)> make_hitters(std::index_sequence<I...>) {
    return {&hit<I>...};
}
constexpr auto hitters = make_hitters(std::make_index_sequence<max_actions>{});

constexpr auto derive_table() {
    std::array<dst_row, tcp::connection_table::table.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        const src_row& r = tcp::connection_table::table[i];
        dst_row d;
        d.kind = r.kind;
        d.any_state = r.any_state;
        d.from = r.from;
        d.event = r.event;
        d.to = r.to;
        d.action.label = r.action.label;
        d.guard.label = r.guard.label;
        if (r.action.fn != nullptr) d.action.fn = hitters[action_index(r.action.fn)];
        if (r.guard.fn == &tcp::actions::passive_open) d.guard.fn = &g_passive;
        else if (r.guard.fn == &tcp::actions::remote_known) d.guard.fn = &g_remote_known;
        else if (r.guard.fn == &tcp::actions::time_wait_reusable) d.guard.fn = &g_new_incarnation;
        out[i] = d;
    }
    return out;
}

/// The TCP connection table with counting actions.
struct tcp_shape {
    using state = S;
    using event = E;
    using context = bench_ctx;
    using payload = bench_in;
    static constexpr std::string_view name = "tcp";
    static constexpr state initial = S::closed;
    static constexpr auto table = derive_table();
    static void on_entry(bench_ctx& c, S s) { ++c.entered[static_cast<std::size_t>(s)]; }
};
// Every guard of the TCP table was mapped (a guard left null would change semantics).
static_assert([] {
    for (std::size_t i = 0; i < tcp_shape::table.size(); ++i)
        if ((tcp::connection_table::table[i].guard.fn == nullptr) != (tcp_shape::table[i].guard.fn == nullptr))
            return false;
    return true;
}());

// ---------------------------------------------------------------------------
// The hand-written switch (RFC 9293 Figure 5 and §3.10), same actions.

template <auto F>
constexpr std::size_t ix = action_index(F);

struct switch_machine {
    S s = S::closed;

    void go(bench_ctx& c, S to) {
        s = to;
        ++c.entered[static_cast<std::size_t>(to)];
    }
    template <auto F>
    static void act(bench_ctx& c, const bench_in& in) {
        hit<ix<F>>(c, in);
    }

    void dispatch(bench_ctx& c, E e, const bench_in& in) {
        namespace a = tcp::actions;
        switch (e) {
            case E::open_passive:
                if (s == S::closed) { act<&a::listen>(c, in); go(c, S::listen); }
                else act<&a::err_exists>(c, in);
                break;
            case E::open_active:
                if (s == S::closed || s == S::listen) { act<&a::connect>(c, in); go(c, S::syn_sent); }
                else act<&a::err_exists>(c, in);
                break;
            case E::send:
                switch (s) {
                    case S::closed: act<&a::err_not_exist>(c, in); break;
                    case S::listen:
                        if (in.remote_known) { act<&a::connect_and_queue>(c, in); go(c, S::syn_sent); }
                        else act<&a::err_unspecified>(c, in);
                        break;
                    case S::syn_sent:
                    case S::syn_received: act<&a::queue_data>(c, in); break;
                    case S::established:
                    case S::close_wait: act<&a::queue_and_send>(c, in); break;
                    default: act<&a::err_closing>(c, in); break;
                }
                break;
            case E::receive:
                if (s == S::closed) act<&a::err_not_exist>(c, in);
                else act<&a::deliver>(c, in);
                break;
            case E::close:
                switch (s) {
                    case S::closed: act<&a::err_not_exist>(c, in); break;
                    case S::listen:
                    case S::syn_sent: go(c, S::closed); break;
                    case S::syn_received:
                    case S::established: act<&a::queue_fin>(c, in); go(c, S::fin_wait_1); break;
                    case S::close_wait: act<&a::queue_fin>(c, in); go(c, S::last_ack); break;
                    default: act<&a::err_closing>(c, in); break;
                }
                break;
            case E::abort:
                switch (s) {
                    case S::closed: act<&a::err_not_exist>(c, in); break;
                    case S::listen:
                    case S::syn_sent:
                    case S::closing:
                    case S::last_ack:
                    case S::time_wait: go(c, S::closed); break;
                    default: act<&a::send_reset>(c, in); go(c, S::closed); break;
                }
                break;
            case E::rcv_syn:
                switch (s) {
                    case S::closed: break;
                    case S::listen:
                    case S::syn_sent: act<&a::accept_syn>(c, in); go(c, S::syn_received); break;
                    case S::syn_received:
                        if (in.passive) { act<&a::back_to_listen>(c, in); go(c, S::listen); }
                        else act<&a::challenge_ack>(c, in);
                        break;
                    case S::time_wait:
                        if (in.new_incarnation) { act<&a::reopen_from_time_wait>(c, in); go(c, S::syn_received); }
                        else act<&a::challenge_ack>(c, in);
                        break;
                    default: act<&a::challenge_ack>(c, in); break;
                }
                break;
            case E::rcv_syn_ack:
                if (s == S::syn_sent) { act<&a::complete_active>(c, in); go(c, S::established); }
                break;
            case E::rcv_ack_of_syn:
                if (s == S::syn_received) { act<&a::complete_passive>(c, in); go(c, S::established); }
                break;
            case E::rcv_ack_of_fin:
                if (s == S::fin_wait_1) go(c, S::fin_wait_2);
                else if (s == S::closing) go(c, S::time_wait);
                else if (s == S::last_ack) go(c, S::closed);
                break;
            case E::rcv_fin:
                switch (s) {
                    case S::syn_received:
                    case S::established: act<&a::peer_closed>(c, in); go(c, S::close_wait); break;
                    case S::fin_wait_1: act<&a::peer_closed>(c, in); go(c, S::closing); break;
                    case S::fin_wait_2: act<&a::peer_closed>(c, in); go(c, S::time_wait); break;
                    case S::time_wait: act<&a::restart_time_wait>(c, in); break;
                    default: break;
                }
                break;
            case E::rcv_rst:
                switch (s) {
                    case S::syn_sent: act<&a::refused>(c, in); go(c, S::closed); break;
                    case S::syn_received:
                        if (in.passive) { act<&a::back_to_listen>(c, in); go(c, S::listen); }
                        else { act<&a::refused>(c, in); go(c, S::closed); }
                        break;
                    case S::established:
                    case S::fin_wait_1:
                    case S::fin_wait_2:
                    case S::close_wait: act<&a::reset_by_peer>(c, in); go(c, S::closed); break;
                    case S::closing:
                    case S::last_ack:
                    case S::time_wait: go(c, S::closed); break;
                    default: break;
                }
                break;
            case E::retransmit_timeout:
                if (s != S::closed && s != S::listen && s != S::time_wait) act<&a::retransmit>(c, in);
                break;
            case E::time_wait_timeout:
                if (s == S::time_wait) go(c, S::closed);
                break;
            case E::user_timeout:
            case E::keepalive_timeout:
                if (s != S::closed) { act<&a::user_timed_out>(c, in); go(c, S::closed); }
                break;
            case E::new_ack:
            case E::dup_ack: break;  // for the congestion region
        }
    }
};

// ---------------------------------------------------------------------------
// The trace: connection lifecycles (active and passive opens, data,
// retransmissions, challenge ACKs, both close orders, resets, timeouts)
// plus stray events, from a fixed seed.

struct step {
    E e;
    bench_in in;
};

std::vector<step> make_trace(std::size_t n) {
    std::vector<step> t;
    std::uint64_t x = 88172645463325252ULL;
    auto rnd = [&](std::uint64_t m) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x % m;
    };
    while (t.size() < n) {
        const bool passive = rnd(2) == 0;
        bench_in in{passive, !passive};
        auto push = [&](E e) { t.push_back({e, in}); };
        if (passive) {
            push(E::open_passive);
            push(E::rcv_syn);
            if (rnd(8) == 0) push(E::rcv_rst);  // back to LISTEN (passive)
            if (rnd(8) == 0) push(E::rcv_syn);
            push(E::rcv_ack_of_syn);
        } else {
            push(E::open_active);
            if (rnd(4) == 0) push(E::retransmit_timeout);
            push(E::rcv_syn_ack);
        }
        for (std::uint64_t k = 0, m = 4 + rnd(24); k < m; ++k) {
            switch (rnd(8)) {
                case 0: case 1: case 2: push(E::send); break;
                case 3: case 4: case 5: push(E::receive); break;
                case 6: push(E::retransmit_timeout); break;
                default: push(rnd(2) ? E::rcv_syn : E::rcv_syn_ack); break;  // challenge ACK / ignored
            }
        }
        switch (rnd(6)) {
            case 0:  // we close first
                push(E::close);
                push(E::send);  // "connection closing"
                push(E::rcv_ack_of_fin);
                push(E::rcv_fin);
                push(E::rcv_fin);  // retransmitted FIN: restart 2 MSL
                push(E::time_wait_timeout);
                break;
            case 1:  // the peer closes first
                push(E::rcv_fin);
                push(E::send);
                push(E::close);
                push(E::rcv_ack_of_fin);
                break;
            case 2:  // simultaneous close
                push(E::close);
                push(E::rcv_fin);
                push(E::rcv_ack_of_fin);
                push(E::time_wait_timeout);
                break;
            case 3: push(E::rcv_rst); break;
            case 4: push(E::abort); break;
            default: push(E::user_timeout); break;
        }
        push(E::abort);  // no-op error in CLOSED ("connection does not exist")
    }
    return t;
}

const std::vector<step>& trace() {
    static const std::vector<step> t = make_trace(1 << 14);
    return t;
}

void check_equivalent() {
    fsm::machine<tcp_shape> m;
    switch_machine sw;
    bench_ctx cw, cs;
    for (const auto& st : trace()) {
        (void)m.dispatch(cw, st.e, st.in);
        sw.dispatch(cs, st.e, st.in);
        if (m.current() != sw.s) {
            std::fprintf(stderr, "fsm_dispatch: the switch and the table disagree\n");
            std::abort();
        }
    }
    if (cw.hits != cs.hits || cw.entered != cs.entered) {
        std::fprintf(stderr, "fsm_dispatch: the switch and the table ran different actions\n");
        std::abort();
    }
}

void fsm_dispatch_wirekit(benchmark::State& state) {
    check_equivalent();
    const auto& t = trace();
    fsm::machine<tcp_shape> m;
    bench_ctx c;
    for (auto _ : state) {
        for (const auto& st : t) (void)m.dispatch(c, st.e, st.in);
        benchmark::DoNotOptimize(c);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * t.size()));
}

void fsm_dispatch_switch(benchmark::State& state) {
    check_equivalent();
    const auto& t = trace();
    switch_machine m;
    bench_ctx c;
    for (auto _ : state) {
        for (const auto& st : t) m.dispatch(c, st.e, st.in);
        benchmark::DoNotOptimize(c);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * t.size()));
}

}  // namespace

BENCHMARK(fsm_dispatch_wirekit)->Name("fsm_dispatch/wirekit");
BENCHMARK(fsm_dispatch_switch)->Name("fsm_dispatch/switch");
