// wirekit/stack/coroutine.hpp — an optional C++20 coroutine adapter over
// stack::poll(now) / poll_at(): task<T>, a single-threaded driver, and the
// BSD-like socket calls as awaitables.
//
// Layer L5 (includes only stack/ and io/ headers). Opt-in: nothing else in
// wirekit includes it. Usage (two stacks over a memory pipe, virtual time):
//
//   namespace co = wirekit::stack::coro;
//   co::virtual_clock clock;                    // or co::steady_clock_source{handles}
//   co::driver drv(clock);
//   drv.attach_link(pipe);                      // memory_pipe: follows the virtual clock
//   auto a = drv.attach(stack_a), b = drv.attach(stack_b);   // async_stack<Stack>
//   co::task<void> server(co::async_stack<my_stack> b) {   // a function, not a capturing lambda:
//       auto l = b.stack().tcp_listen(7, 8);                 // a coroutine outlives the closure
//       auto c = co_await b.accept(*l);                      // result<tcp_socket>
//       std::array<std::byte, 4096> buf;
//       for (;;) {
//           auto n = co_await b.recv(*c, buf);               // result<size_t>: >= 1, 0 = end of stream
//           if (!n || *n == 0) break;
//           auto sent = co_await b.send_all(*c, bytes_view(buf).first(*n));
//           if (!sent) break;
//       }
//       (void)b.stack().close(*c);                           // calls that never wait stay on the stack
//   }
//   drv.spawn(server(b));
//   auto reply = drv.run(client(a), std::chrono::seconds(10));   // optional<T>, bounded in the clock's time
//
// The rules:
// * Time is never read inside the stacks: the driver asks its clock (a
//   `driver_clock`: now() and wait_until(deadline)) and passes the time to
//   poll(now). virtual_clock jumps to the deadline (tests, simulation);
//   steady_clock_source reads std::chrono::steady_clock and blocks in
//   poll(2) on the devices' native_handle()s until the deadline.
// * One round of the driver: poll every attached link and stack at `now`
//   (until poll returns false), retry the operation of every waiting
//   coroutine and resume those whose operation completed or whose deadline
//   passed; when nothing happened, wait until the earliest of the stacks'
//   poll_at(), the links' next delivery and the waiters' deadlines.
// * Errors are wirekit results (result<T>), never exceptions; a deadline
//   that passes is the error errc::limit_exceeded "timed out" (is_timeout).
//   An exception thrown by a coroutine itself propagates to its awaiter,
//   and from a spawned task out of driver::run / run_until.
// * Single-threaded; the driver, its clock, its stacks and its links must
//   all be used from one thread. The stacks, links and clock outlive the
//   driver. Destroying the driver destroys every task it owns, suspended or
//   not (their frames, and the frames of the tasks they await).
// * Compilers: g++ 12.2 miscompiles some coroutines with a co_await inside
//   an if/while condition (`if (!co_await x)`: the coroutine does not run
//   to its end; with wirekit's result, its body does not run at all). Bind the result first (`auto r = co_await x; if (!r)`) or
//   use the init form (`if (auto r = co_await x; !r)`). clang before 17
//   cannot compile coroutines with -fsanitize=function.
#pragma once

#include <algorithm>    // std::max, std::clamp
#include <chrono>       // durations, steady_clock
#include <concepts>     // std::convertible_to, std::derived_from
#include <coroutine>    // std::coroutine_handle, suspend_always, noop_coroutine
#include <cstddef>      // std::size_t, std::byte
#include <cstdint>      // std::uint16_t
#include <exception>    // std::exception_ptr, std::rethrow_exception
#include <optional>     // results, deadlines
#include <span>         // handles
#include <type_traits>  // std::is_reference_v
#include <utility>      // std::move, std::exchange
#include <vector>       // sources, roots, handles

#include "../core/bytes.hpp"    // bytes_view, mutable_bytes
#include "../core/result.hpp"   // result, wire_error, make_error
#include "../io/device.hpp"     // wait_readable (poll(2)), io::timestamp
#include "stack.hpp"            // instant, duration, endpoint, tcp_socket, udp_socket, is_end_of_stream

namespace wirekit::stack::coro {

/// The error a deadline produces: errc::limit_exceeded, layer "stack", "timed out".
[[nodiscard]] inline wire_error timeout_error() noexcept {
    return make_error(errc::limit_exceeded, "stack", 0, "timed out");
}
/// True when `e` is the error of an operation whose deadline passed.
[[nodiscard]] inline bool is_timeout(const wire_error& e) noexcept {
    return e.kind == errc::limit_exceeded && e.layer == "stack" && e.detail == "timed out";
}
/// True when `e` is "connection refused": the peer answered our SYN with RST
/// (RFC 9293 §3.10.7.3 SYN-SENT; BSD ECONNREFUSED).
[[nodiscard]] inline bool is_refused(const wire_error& e) noexcept {
    return e.kind == errc::invalid_state && e.detail == "connection refused";
}

// ====================================================================== clocks

/// What the driver needs of time: `now()` (instant, µs since the clock's
/// epoch; never decreasing) and `wait_until(deadline)`, which returns once
/// the deadline (nullopt: none) has come or I/O may have arrived. It
/// returns false when nothing can ever happen (a virtual clock without a
/// deadline: the simulation is idle), true otherwise.
template <class C>
concept driver_clock = requires(C& c, std::optional<instant> deadline) {
    { c.now() } -> std::convertible_to<instant>;
    { c.wait_until(deadline) } -> std::convertible_to<bool>;
};

/// Virtual time: now() is a counter that wait_until() moves forward to the
/// deadline (at least 1 µs, so a deadline that did not make progress is not
/// retried forever). For tests and simulations over io::memory_pipe.
class virtual_clock {
public:
    /// Starts at `start` (default 0).
    explicit virtual_clock(instant start = instant{}) noexcept : now_(start) {}
    /// The virtual time.
    [[nodiscard]] instant now() const noexcept { return now_; }
    /// Jumps to max(now + 1 µs, deadline); false (time stands still) without a deadline.
    bool wait_until(std::optional<instant> deadline) noexcept {
        if (!deadline) return false;
        now_ = std::max(now_ + std::chrono::microseconds(1), *deadline);
        return true;
    }
    /// Moves the time forward to `t` (never back).
    void advance_to(instant t) noexcept { now_ = std::max(now_, t); }

private:
    instant now_;
};

/// Real time: now() is std::chrono::steady_clock in microseconds;
/// wait_until() blocks in poll(2) (io::wait_readable) on `handles` (the
/// devices' native_handle(); −1 entries are ignored) until one is readable
/// or the deadline comes, at most `max_wait` at a time.
class steady_clock_source {
public:
    /// `handles` are copied; `max_wait` bounds one wait (and the wait without a deadline).
    explicit steady_clock_source(std::span<const int> handles = {},
                                 std::chrono::milliseconds max_wait = std::chrono::seconds(1))
        : handles_(handles.begin(), handles.end()), max_wait_(max_wait) {}
    /// steady_clock::now() since its epoch, µs.
    [[nodiscard]] instant now() const noexcept {
        return std::chrono::duration_cast<instant>(std::chrono::steady_clock::now().time_since_epoch());
    }
    /// Blocks until a handle is readable or `deadline` (bounded by max_wait). Always true.
    bool wait_until(std::optional<instant> deadline) {
        auto wait = max_wait_;
        if (deadline) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now());
            wait = std::clamp(left, std::chrono::milliseconds(0), max_wait_);
        }
        (void)io::wait_readable(handles_, wait);  // an error (not EINTR) only shortens the wait
        return true;
    }

private:
    std::vector<int> handles_;
    std::chrono::milliseconds max_wait_;
};

class driver;
template <class T>
class task;

namespace detail {

/// The waiting state of one suspended coroutine: the operation to retry,
/// its deadline, and the handle to resume. One per coroutine frame (in its
/// promise), so the awaitables themselves stay trivially destructible and
/// a frame destroyed while suspended unlinks itself.
struct waiter {
    enum class list : unsigned char { none, waiting, ready };
    waiter* prev = nullptr;
    waiter* next = nullptr;
    driver* owner = nullptr;
    list where = list::none;
    std::coroutine_handle<> handle{};
    void* op = nullptr;                           ///< the awaitable (lives in the suspended frame)
    bool (*try_complete)(void*, bool) = nullptr;  ///< retries the operation; `true` as 2nd arg: the deadline passed
    std::optional<instant> deadline{};

    waiter() = default;
    waiter(const waiter&) = delete;
    waiter& operator=(const waiter&) = delete;
    inline ~waiter();
};

/// An intrusive doubly-linked list of waiters.
struct waiter_list {
    waiter* head = nullptr;
    waiter* tail = nullptr;
    std::size_t size = 0;

    void push_back(waiter& w) noexcept {
        w.prev = tail;
        w.next = nullptr;
        if (tail) tail->next = &w;
        else head = &w;
        tail = &w;
        ++size;
    }
    void erase(waiter& w) noexcept {
        if (w.prev) w.prev->next = w.next;
        else head = w.next;
        if (w.next) w.next->prev = w.prev;
        else tail = w.prev;
        w.prev = w.next = nullptr;
        --size;
    }
};

/// What every task's promise has: the continuation (who awaits it), a
/// thrown exception, and the waiter used while it awaits a socket or timer.
struct promise_base {
    std::coroutine_handle<> continuation = std::noop_coroutine();
    std::exception_ptr exception{};
    waiter wait{};
    /// The awaiter is still inside its await_suspend (the task is running
    /// inline, started by co_await): finishing now returns to it instead of
    /// resuming it, so a loop over tasks that finish without suspending
    /// needs no nested resume and no tail call (g++ emits none for
    /// symmetric transfer under ASan or at -O0: 100000 such awaits would
    /// overflow the machine stack).
    bool inline_start = false;
    bool finished_inline = false;

    std::suspend_always initial_suspend() const noexcept { return {}; }  // lazy
    struct final_awaiter {
        bool await_ready() const noexcept { return false; }
        template <class P>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) const noexcept {
            auto& p = h.promise();
            if (p.inline_start) {  // back to the awaiter's await_suspend, which continues it
                p.finished_inline = true;
                return std::noop_coroutine();
            }
            return p.continuation;  // symmetric transfer to the awaiter (noop for a root)
        }
        void await_resume() const noexcept {}
    };
    final_awaiter final_suspend() const noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }
};

template <class T>
struct task_promise : promise_base {
    std::optional<T> value{};
    task<T> get_return_object() noexcept;
    template <class U = T>
        requires std::convertible_to<U&&, T>
    void return_value(U&& v) {
        value.emplace(std::forward<U>(v));
    }
};
template <>
struct task_promise<void> : promise_base {
    task<void> get_return_object() noexcept;
    void return_void() noexcept {}
};

}  // namespace detail

// ====================================================================== task

/// A lazily started coroutine returning T. It starts when awaited (`co_await
/// std::move(t)` or `co_await make_task()`) and gives the awaiter its value
/// or rethrows its exception. A task that finishes without suspending
/// returns straight to its awaiter; one that suspended resumes its awaiter
/// by symmetric transfer when it finishes. Either way a loop of awaits does
/// not grow the machine stack, with or without tail calls.
/// Owns its frame: destroying a task destroys the frame, suspended or not.
/// Move-only. Errors belong in T (a wirekit result<U>); exceptions are for
/// what is exceptional (std::bad_alloc, bugs).
template <class T>
class [[nodiscard]] task {
    static_assert(!std::is_reference_v<T>, "task<T>: T must be a value type (not a reference)");

public:
    using promise_type = detail::task_promise<T>;
    using handle_type = std::coroutine_handle<promise_type>;
    using value_type = T;

    /// An empty task (valid() is false).
    task() noexcept = default;
    /// Takes ownership of the frame `h` (the promise does this).
    explicit task(handle_type h) noexcept : h_(h) {}
    /// Moves the frame; `o` becomes empty.
    task(task&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    /// Destroys the frame held, then takes `o`'s.
    task& operator=(task&& o) noexcept {
        if (this != &o) {
            reset();
            h_ = std::exchange(o.h_, {});
        }
        return *this;
    }
    task(const task&) = delete;
    task& operator=(const task&) = delete;
    /// Destroys the frame, suspended or not (and the tasks it awaits, which its frame owns).
    ~task() { reset(); }

    /// Whether this task holds a coroutine.
    [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(h_); }
    /// Whether the coroutine ran to its end.
    [[nodiscard]] bool done() const noexcept { return h_ && h_.done(); }

    /// The awaiter of `co_await std::move(task)`: starts the coroutine and
    /// suspends the awaiter until it finishes; yields its value.
    struct awaiter {
        handle_type h;  ///< the awaited task's frame (owned by the task object)
        bool await_ready() const noexcept { return !h || h.done(); }
        /// Runs the task inline until it finishes (then the awaiter goes on
        /// without suspending) or suspends (then the awaiter is resumed by
        /// the task's final_suspend, a symmetric transfer).
        bool await_suspend(std::coroutine_handle<> awaiting) const {
            auto& p = h.promise();
            p.continuation = awaiting;
            p.inline_start = true;
            h.resume();
            p.inline_start = false;
            return !p.finished_inline;
        }
        T await_resume() const {
            if (!h) wirekit::detail::contract_violation("co_await on an empty task");
            if (h.promise().exception) std::rethrow_exception(h.promise().exception);
            if constexpr (!std::is_void_v<T>) {
                if (!h.promise().value) wirekit::detail::contract_violation("task finished without a value");
                return std::move(*h.promise().value);
            }
        }
    };
    /// Awaiting consumes the task's result (await an rvalue: `co_await std::move(t)`).
    awaiter operator co_await() && noexcept { return awaiter{h_}; }

    /// Gives up ownership of the frame (the driver takes roots this way).
    [[nodiscard]] handle_type release() noexcept { return std::exchange(h_, {}); }

private:
    void reset() noexcept {
        if (h_) std::exchange(h_, {}).destroy();
    }
    handle_type h_{};
};

namespace detail {
template <class T>
task<T> task_promise<T>::get_return_object() noexcept {
    return task<T>(std::coroutine_handle<task_promise<T>>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
    return task<void>(std::coroutine_handle<task_promise<void>>::from_promise(*this));
}
}  // namespace detail

// ====================================================================== driver

/// Why driver::run_until returned.
enum class run_status : unsigned char {
    done,        ///< the condition became true
    idle,        ///< nothing can happen any more (virtual clock, no deadline, no frame in flight)
    time_limit,  ///< the time limit passed first
};

/// Something the driver polls besides stacks: a link with its own virtual
/// time (io::memory_pipe): set_time(io::timestamp) and next_delivery().
template <class L>
concept virtual_link = requires(L& l, io::timestamp t) {
    l.set_time(t);
    { l.next_delivery() } -> std::convertible_to<std::optional<io::timestamp>>;
};

/// What the driver polls: poll(now) -> bool (progress) and poll_at() (the
/// next timer, or nullopt). Every wirekit::stack::stack models it.
template <class S>
concept pollable = requires(S& s, const S& cs, instant now) {
    { s.poll(now) } -> std::convertible_to<bool>;
    { cs.poll_at() } -> std::convertible_to<std::optional<instant>>;
};

template <class Stack>
class async_stack;

/// The single-threaded executor: owns spawned tasks, polls the attached
/// stacks and links with the time of its clock, resumes the coroutines
/// whose operations completed, and waits (via the clock) until the next
/// deadline. Not copyable or movable (awaitables refer to it).
class driver {
public:
    /// A driver over `clock` (a driver_clock, which must outlive the driver).
    template <driver_clock Clock>
    explicit driver(Clock& clock)
        : clock_(&clock),
          now_fn_([](void* c) -> instant { return static_cast<Clock*>(c)->now(); }),
          wait_fn_([](void* c, std::optional<instant> t) -> bool { return static_cast<Clock*>(c)->wait_until(t); }),
          now_(clock.now()) {}
    driver(const driver&) = delete;
    driver& operator=(const driver&) = delete;
    /// Destroys every task it owns (suspended frames included, with the
    /// frames of the tasks they await).
    ~driver() {
        for (auto h : roots_) h.destroy();  // promise destructors unlink their waiters
        roots_.clear();
    }

    /// Polls `s` (a stack) every round, after the links, and returns its
    /// socket calls as awaitables. `s` must outlive the driver.
    template <pollable Stack>
    async_stack<Stack> attach(Stack& s) {
        sources_.push_back(source{&s, [](void* p, instant now) { return static_cast<Stack*>(p)->poll(now); },
                                  [](void* p) { return static_cast<const Stack*>(p)->poll_at(); }});
        return async_stack<Stack>(*this, s);
    }
    /// Lets a virtual-time link (io::memory_pipe) follow the driver's clock:
    /// set_time(now) before the stacks poll, and its next delivery counts
    /// as a deadline. `l` must outlive the driver.
    template <virtual_link Link>
    void attach_link(Link& l) {
        links_.push_back(source{&l,
                                [](void* p, instant now) {
                                    static_cast<Link*>(p)->set_time(std::chrono::duration_cast<io::timestamp>(now));
                                    return false;
                                },
                                [](void* p) -> std::optional<instant> {
                                    auto d = static_cast<Link*>(p)->next_delivery();
                                    if (!d) return std::nullopt;
                                    return std::chrono::ceil<instant>(*d);
                                }});
    }

    /// Hands `t` to the driver, which starts it on its next round and
    /// destroys its frame when it finishes. An exception it throws comes
    /// out of run_until() / run().
    void spawn(task<void> t) {
        auto h = t.release();
        if (!h) return;
        roots_.push_back(h);
        make_ready(h.promise().wait, h);
    }

    /// Runs rounds until `done()` is true (checked before every round),
    /// nothing can happen any more, or `limit` of the clock's time passed.
    /// Rethrows the first exception a spawned task threw (that task is gone).
    /// Not re-entrant: calling it (or run) from a task of this driver is a
    /// contract violation (abort).
    template <class Pred>
    run_status run_until(Pred&& done, duration limit) {
        if (running_) wirekit::detail::contract_violation("coro::driver::run_until called from inside a task of the same driver");
        running_ = true;
        struct running_guard {
            bool& r;
            ~running_guard() { r = false; }
        } guard{running_};
        now_ = std::max(now_, instant(now_fn_(clock_)));
        const instant end = now_ + limit;
        for (;;) {
            if (done()) return run_status::done;
            if (now_ > end) return run_status::time_limit;
            const bool alive = round(end);
            if (failure_) std::rethrow_exception(std::exchange(failure_, {}));
            if (!alive) return done() ? run_status::done : run_status::idle;
        }
    }

    /// The result of run(task<T>): the value, or nullopt when the task did
    /// not finish (time limit or idle); for task<void>, whether it finished.
    template <class T>
    using run_result = std::conditional_t<std::is_void_v<T>, bool, std::optional<T>>;

    /// Spawns `t` and runs until it finishes, at most `limit` of the
    /// clock's time. A task that did not finish is destroyed (cancelled:
    /// its frame and those it awaits; its sockets stay open). Exceptions of
    /// `t` (and of other spawned tasks) are rethrown.
    template <class T>
    run_result<T> run(task<T> t, duration limit) {
        run_result<T> out{};
        bool finished = false;
        auto root = capture(std::move(t), &out, &finished).release();
        roots_.push_back(root);
        make_ready(root.promise().wait, root);
        struct cancel_guard {  // also on an exception: no frame may keep &out
            driver& d;
            std::coroutine_handle<detail::task_promise<void>> h;
            ~cancel_guard() { d.cancel(h); }
        } guard{*this, root};
        (void)run_until([&] { return finished; }, limit);
        return out;
    }

    /// The clock's time at the current round (the time the stacks were polled with).
    [[nodiscard]] instant now() const noexcept { return now_; }
    /// Spawned tasks not yet finished.
    [[nodiscard]] std::size_t tasks() const noexcept { return roots_.size(); }
    /// Coroutines suspended on an operation or timer.
    [[nodiscard]] std::size_t waiting() const noexcept { return waiting_.size; }
    /// Rounds run so far (for tests and tracing).
    [[nodiscard]] std::uint64_t rounds() const noexcept { return rounds_; }

    // ---------------------------------------------------------------- timers

    /// Awaitable for sleep_until / sleep_for / yield: resumes at `deadline`
    /// (or after the next round). Never fails.
    struct sleep_awaitable {
        driver* drv;                      ///< the driver whose clock counts
        std::optional<instant> deadline;  ///< nullopt: yield (resume after the next round)
        bool await_ready() const noexcept { return deadline && *deadline <= drv->now(); }
        template <class P>
        void await_suspend(std::coroutine_handle<P> h) noexcept {
            static_assert(std::derived_from<P, detail::promise_base>,
                          "wirekit coro awaitables are awaited from wirekit::stack::coro::task coroutines");
            drv->suspend(h.promise().wait, h, this, &sleep_awaitable::try_complete, deadline);
        }
        void await_resume() const noexcept {}
        static bool try_complete(void* self, bool expired) noexcept {
            return expired || !static_cast<sleep_awaitable*>(self)->deadline;
        }
    };
    /// `co_await drv.sleep_until(t)`: resumes once the clock reaches `t`.
    [[nodiscard]] sleep_awaitable sleep_until(instant t) noexcept { return sleep_awaitable{this, t}; }
    /// `co_await drv.sleep_for(d)`: resumes `d` after now().
    [[nodiscard]] sleep_awaitable sleep_for(duration d) noexcept { return sleep_awaitable{this, now_ + d}; }
    /// `co_await drv.yield()`: lets the stacks poll once, then resumes.
    [[nodiscard]] sleep_awaitable yield() noexcept { return sleep_awaitable{this, std::nullopt}; }

    // ---------------------------------------------------------------- for awaitables

    /// Suspends the coroutine `h` (whose promise holds `w`) on operation
    /// `op`, retried by `try_complete(op, expired)` after every poll until
    /// it returns true; `deadline` (if any) makes the last try `expired`.
    void suspend(detail::waiter& w, std::coroutine_handle<> h, void* op, bool (*try_complete)(void*, bool),
                 std::optional<instant> deadline) noexcept {
        w.handle = h;
        w.op = op;
        w.try_complete = try_complete;
        w.deadline = deadline;
        w.owner = this;
        w.where = detail::waiter::list::waiting;
        waiting_.push_back(w);
    }
    /// Removes `w` from whichever list holds it (a frame destroyed while suspended).
    void unlink(detail::waiter& w) noexcept {
        if (w.where == detail::waiter::list::waiting) waiting_.erase(w);
        else if (w.where == detail::waiter::list::ready) ready_.erase(w);
        w.where = detail::waiter::list::none;
        w.owner = nullptr;
    }

private:
    struct source {
        void* obj;
        bool (*poll)(void*, instant);
        std::optional<instant> (*poll_at)(void*);
    };
    using root_handle = std::coroutine_handle<detail::task_promise<void>>;

    template <class T>
    static task<void> capture(task<T> t, run_result<T>* out, bool* finished) {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(t);
            *out = true;
        } else {
            out->emplace(co_await std::move(t));
        }
        *finished = true;
    }

    void make_ready(detail::waiter& w, std::coroutine_handle<> h) {
        w.handle = h;
        w.owner = this;
        w.where = detail::waiter::list::ready;
        ready_.push_back(w);
    }

    /// Destroys root `h` if it is still owned (run() of a task that did not finish).
    void cancel(root_handle h) noexcept {
        for (auto it = roots_.begin(); it != roots_.end(); ++it)
            if (*it == h) {
                roots_.erase(it);
                h.destroy();
                return;
            }
    }

    /// One round. Returns false when nothing can happen any more.
    bool round(instant end) {
        ++rounds_;
        now_ = std::max(now_, instant(now_fn_(clock_)));
        bool progress = false;
        for (auto& l : links_) progress |= l.poll(l.obj, now_);
        for (auto& s : sources_)
            for (int n = 0; n < max_polls_per_round && s.poll(s.obj, now_); ++n) progress = true;
        // Retry every waiting operation; completed ones (or expired) become ready.
        for (detail::waiter* w = waiting_.head; w != nullptr;) {
            detail::waiter* next = w->next;
            const bool expired = w->deadline && *w->deadline <= now_;
            if (w->try_complete(w->op, expired)) {
                waiting_.erase(*w);
                w->where = detail::waiter::list::ready;
                ready_.push_back(*w);
            }
            w = next;
        }
        // Resume them (they may suspend again, spawn, or finish).
        while (detail::waiter* w = ready_.head) {
            ready_.erase(*w);
            w->where = detail::waiter::list::none;
            w->owner = nullptr;
            progress = true;
            w->handle.resume();
        }
        reap();
        if (progress) return true;
        // Nothing happened at now_: wait for the earliest deadline.
        std::optional<instant> t;
        auto take = [&t](std::optional<instant> x) {
            if (x && (!t || *x < *t)) t = x;
        };
        for (auto& l : links_) take(l.poll_at(l.obj));
        for (auto& s : sources_) take(s.poll_at(s.obj));
        for (detail::waiter* w = waiting_.head; w != nullptr; w = w->next) take(w->deadline);
        if (t && *t > end) t = end + std::chrono::microseconds(1);  // wake up to notice the limit
        if (!wait_fn_(clock_, t)) return false;
        now_ = std::max(now_, instant(now_fn_(clock_)));
        return true;
    }

    /// Frees finished roots; keeps the first exception for run_until.
    void reap() {
        for (std::size_t i = 0; i < roots_.size();) {
            auto h = roots_[i];
            if (!h.done()) {
                ++i;
                continue;
            }
            if (h.promise().exception && !failure_) failure_ = h.promise().exception;
            roots_.erase(roots_.begin() + static_cast<std::ptrdiff_t>(i));
            h.destroy();
        }
    }

    static constexpr int max_polls_per_round = 1024;

    void* clock_;
    instant (*now_fn_)(void*);
    bool (*wait_fn_)(void*, std::optional<instant>);
    instant now_{};
    std::uint64_t rounds_ = 0;
    std::vector<source> links_{};
    std::vector<source> sources_{};
    std::vector<root_handle> roots_{};
    detail::waiter_list waiting_{};
    detail::waiter_list ready_{};
    std::exception_ptr failure_{};
    bool running_ = false;
};

namespace detail {
inline waiter::~waiter() {
    if (owner != nullptr && where != list::none) owner->unlink(*this);
}

/// The common shape of the socket awaitables: try the operation at once
/// (await_ready), else suspend on the driver, which retries it after every
/// poll; `until(t)` / `within(d)` add a deadline. Derived provides
/// `bool try_op(bool expired)`, which sets `out` when it completes.
/// Trivially destructible (the waiting state lives in the task's promise).
template <class Derived, class R>
struct op_awaitable {
    driver* drv = nullptr;              ///< the driver that retries the operation
    std::optional<instant> deadline{};  ///< when to give up (timeout_error)
    std::optional<result<R>> out{};     ///< the outcome, once complete

    /// The same operation with a deadline: at `t`, if it has not completed,
    /// it completes with timeout_error() (is_timeout).
    [[nodiscard]] Derived until(instant t) const noexcept {
        Derived d = static_cast<const Derived&>(*this);
        d.deadline = t;
        return d;
    }
    /// The same operation with a deadline `d` after the driver's now().
    [[nodiscard]] Derived within(duration d) const noexcept { return until(drv->now() + d); }

    bool await_ready() {
        const bool expired = deadline && *deadline <= drv->now();
        return static_cast<Derived*>(this)->try_op(expired);
    }
    template <class P>
    void await_suspend(std::coroutine_handle<P> h) noexcept {
        static_assert(std::derived_from<P, promise_base>,
                      "wirekit coro awaitables are awaited from wirekit::stack::coro::task coroutines");
        drv->suspend(h.promise().wait, h, static_cast<Derived*>(this), &op_awaitable::thunk, deadline);
    }
    result<R> await_resume() {
        if (!out) wirekit::detail::contract_violation("coro: operation resumed without a result");
        return std::move(*out);
    }
    static bool thunk(void* self, bool expired) { return static_cast<Derived*>(self)->try_op(expired); }
};
}  // namespace detail

// ====================================================================== socket awaitables

/// A stack attached to a driver: its socket calls as awaitables. A small
/// value (two pointers), copyable; from driver::attach. Calls that never
/// wait (tcp_listen, udp_bind, shutdown, close, abort, state) stay on
/// `stack()`. Every awaitable may be given a deadline with `.until(t)` or
/// `.within(d)`; it then completes with timeout_error() if the operation
/// has not completed by then.
template <class Stack>
class async_stack {
public:
    /// co_await accept(listener) -> result<tcp_socket>: the next connection
    /// whose handshake completed. Errors: those of Stack::accept;
    /// timed out (with a deadline).
    struct accept_op : detail::op_awaitable<accept_op, tcp_socket> {
        Stack* s = nullptr;     ///< the stack
        tcp_socket listener{};  ///< a socket from tcp_listen
        /// One accept() (the driver calls it after every poll); true when complete.
        bool try_op(bool expired) {
            auto r = s->accept(listener);
            if (!r) this->out = r.error();
            else if (*r) this->out = **r;
            else if (expired) this->out = timeout_error();
            return this->out.has_value();
        }
    };
    /// co_await connect(remote) -> result<tcp_socket>: an active OPEN,
    /// complete when the handshake completed (ESTABLISHED or later).
    /// Errors: those of Stack::tcp_connect; "connection refused" (layer
    /// "tcp", is_refused) when the peer answered with RST; "connection
    /// aborted due to user timeout" when SYNs went unanswered for
    /// config().tcp_user_timeout; timed out (with a deadline). On an error
    /// the socket is released (a timeout aborts it).
    struct connect_op : detail::op_awaitable<connect_op, tcp_socket> {
        Stack* s = nullptr;                ///< the stack
        endpoint remote{};                 ///< the peer
        std::uint16_t local_port = 0;      ///< 0: ephemeral
        std::optional<tcp_socket> sock{};  ///< once tcp_connect() was called (on the first try)
        instant started{};                 ///< the stack's time of that call
        /// tcp_connect() on the first try, then the connection's state; true when complete.
        bool try_op(bool expired) {
            if (!sock) {
                auto c = s->tcp_connect(remote, local_port);
                if (!c) {
                    this->out = c.error();
                    return true;
                }
                sock = *c;
                started = s->now();
            }
            auto st = s->state(*sock);
            if (!st) {
                this->out = st.error();
                return true;
            }
            if (*st == tcp_state::syn_sent || *st == tcp_state::syn_received) {
                if (!expired) return false;
                (void)s->abort(*sock);
                this->out = timeout_error();
                return true;
            }
            if (*st == tcp_state::closed) {
                // From SYN-SENT, CLOSED is either a RST (RFC 9293 §3.10.7.3)
                // or the user timeout (§3.10.8); the stack consumed the
                // connection's notice, so the elapsed time tells them apart.
                const bool user_timeout = s->now() - started >= s->config().tcp_user_timeout;
                (void)s->close(*sock);
                this->out = make_error(errc::invalid_state, "tcp", 0,
                                       user_timeout ? "connection aborted due to user timeout" : "connection refused");
                return true;
            }
            this->out = *sock;
            return true;
        }
    };
    /// co_await recv(sock, buf) -> result<size_t>: what has arrived, at
    /// least 1 byte, copied into `buf`; 0 is the end of stream (the peer's
    /// FIN with no data left, as BSD recv). Errors: those of Stack::recv
    /// ("connection reset", ...); bad_length for an empty buffer; timed out.
    struct recv_op : detail::op_awaitable<recv_op, std::size_t> {
        Stack* s = nullptr;   ///< the stack
        tcp_socket sock{};    ///< a connection
        mutable_bytes buf{};  ///< where the bytes go
        /// One recv(); true when complete.
        bool try_op(bool expired) {
            if (buf.empty()) {
                this->out = make_error(errc::bad_length, "stack", 0, "recv into an empty buffer");
                return true;
            }
            auto r = s->recv(sock, buf);
            if (!r) this->out = is_end_of_stream(r.error()) ? result<std::size_t>(std::size_t{0}) : result<std::size_t>(r.error());
            else if (*r > 0) this->out = *r;
            else if (expired) this->out = timeout_error();
            return this->out.has_value();
        }
    };
    /// co_await send_all(sock, data) -> result<size_t>: queues all of
    /// `data` (data.size() on success), waiting for send-buffer space as
    /// often as needed. Complete means queued, not acknowledged. Errors:
    /// those of Stack::send; timed out (bytes queued before stay queued).
    /// `data` must stay valid until it completes.
    struct send_all_op : detail::op_awaitable<send_all_op, std::size_t> {
        Stack* s = nullptr;    ///< the stack
        tcp_socket sock{};     ///< a connection
        bytes_view data{};     ///< what to send (the caller keeps it alive)
        std::size_t done = 0;  ///< bytes queued so far
        /// send() until the buffer is full or all is queued; true when complete.
        bool try_op(bool expired) {
            while (done < data.size()) {
                auto n = s->send(sock, data.subspan(done));
                if (!n) {
                    this->out = n.error();
                    return true;
                }
                if (*n == 0) break;
                done += *n;
            }
            if (done == data.size()) this->out = done;
            else if (expired) this->out = timeout_error();
            return this->out.has_value();
        }
    };
    /// co_await recvfrom(sock, buf) -> result<udp_received>: the next
    /// datagram (size, sender, truncated as MSG_TRUNC). Errors: those of
    /// Stack::recvfrom; timed out.
    struct recvfrom_op : detail::op_awaitable<recvfrom_op, udp_received> {
        Stack* s = nullptr;   ///< the stack
        udp_socket sock{};    ///< a bound socket
        mutable_bytes buf{};  ///< where the datagram goes (the rest is discarded: truncated)
        /// One recvfrom(); true when complete.
        bool try_op(bool expired) {
            auto r = s->recvfrom(sock, buf);
            if (!r) this->out = r.error();
            else if (*r) this->out = **r;
            else if (expired) this->out = timeout_error();
            return this->out.has_value();
        }
    };
    /// co_await sendto(sock, to, data) -> result<size_t>: one datagram;
    /// never waits (UDP has no send buffer). Errors: those of Stack::sendto.
    struct sendto_op : detail::op_awaitable<sendto_op, std::size_t> {
        Stack* s = nullptr;  ///< the stack
        udp_socket sock{};   ///< a bound socket
        endpoint to{};       ///< the destination
        bytes_view data{};   ///< the datagram
        /// One sendto(); always complete.
        bool try_op(bool) {
            this->out = s->sendto(sock, to, data);
            return true;
        }
    };

    /// `s` driven by `d` (driver::attach makes these; both must outlive the value).
    async_stack(driver& d, Stack& s) noexcept : drv_(&d), s_(&s) {}

    /// The stack, for the calls that never wait.
    [[nodiscard]] Stack& stack() const noexcept { return *s_; }
    /// The driver.
    [[nodiscard]] driver& owner() const noexcept { return *drv_; }

    /// See accept_op.
    [[nodiscard]] accept_op accept(tcp_socket listener) const noexcept
        requires Stack::has_tcp
    {
        accept_op a;
        a.drv = drv_;
        a.s = s_;
        a.listener = listener;
        return a;
    }
    /// See connect_op. `local_port` 0: an ephemeral port.
    [[nodiscard]] connect_op connect(endpoint remote, std::uint16_t local_port = 0) const noexcept
        requires Stack::has_tcp
    {
        connect_op a;
        a.drv = drv_;
        a.s = s_;
        a.remote = remote;
        a.local_port = local_port;
        return a;
    }
    /// See recv_op.
    [[nodiscard]] recv_op recv(tcp_socket sock, mutable_bytes buf) const noexcept
        requires Stack::has_tcp
    {
        recv_op a;
        a.drv = drv_;
        a.s = s_;
        a.sock = sock;
        a.buf = buf;
        return a;
    }
    /// See send_all_op.
    [[nodiscard]] send_all_op send_all(tcp_socket sock, bytes_view data) const noexcept
        requires Stack::has_tcp
    {
        send_all_op a;
        a.drv = drv_;
        a.s = s_;
        a.sock = sock;
        a.data = data;
        return a;
    }
    /// See recvfrom_op.
    [[nodiscard]] recvfrom_op recvfrom(udp_socket sock, mutable_bytes buf) const noexcept
        requires Stack::has_udp
    {
        recvfrom_op a;
        a.drv = drv_;
        a.s = s_;
        a.sock = sock;
        a.buf = buf;
        return a;
    }
    /// See sendto_op.
    [[nodiscard]] sendto_op sendto(udp_socket sock, endpoint to, bytes_view data) const noexcept
        requires Stack::has_udp
    {
        sendto_op a;
        a.drv = drv_;
        a.s = s_;
        a.sock = sock;
        a.to = to;
        a.data = data;
        return a;
    }

private:
    driver* drv_;
    Stack* s_;
};

}  // namespace wirekit::stack::coro
