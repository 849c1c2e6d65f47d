// Test helper: runs a shell command line and captures its standard output
// and exit status (for tests of the example programs).
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace wirekit::test {

/// A finished command: exit status (-1 if it did not exit normally) and stdout.
struct run_result {
    int status = -1;
    std::string out;
};

/// Runs `cmd` through /bin/sh; add "2>&1" to capture standard error too.
inline run_result run_command(const std::string& cmd) {
    run_result r;
    std::FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

}  // namespace wirekit::test
