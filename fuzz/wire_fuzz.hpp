// Shared helpers of the fuzz/wire_*.cpp targets: a libFuzzer-style check that
// aborts with a message (so the fuzzer records a crash), and formatting into
// a scratch buffer (exercises the formatters on hostile input).
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#define WIREKIT_FUZZ_CHECK(cond)                                                    \
    do {                                                                            \
        if (!(cond)) {                                                              \
            std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                           \
        }                                                                           \
    } while (0)

namespace wirekit::fuzz {
/// Formats `v` as "{}" and "{:v}" and discards the text.
template <class V>
void print_both(const V& v) {
    fmt::memory_buffer buf;
    fmt::format_to(fmt::appender(buf), "{}", v);
    fmt::format_to(fmt::appender(buf), "{:v}", v);
}
}  // namespace wirekit::fuzz
