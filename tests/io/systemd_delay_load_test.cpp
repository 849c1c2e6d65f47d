// wirekit-dump's delay-loaded libsystemd functions (examples/dump/
// systemd_delay_load.cpp) must behave as sd_listen_fds(3) and sd_is_socket(3)
// document. Checked in a child process, which can own file descriptor 3
// (SD_LISTEN_FDS_START) without disturbing the test runner.
#include "../../examples/dump/systemd_delay_load.cpp"

#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

namespace {

// Runs body in a forked child; returns its exit status (0..255), or -1.
template <class Body>
int in_child(Body body) {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(body());
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE("delay-loaded sd_is_socket tells a stream socket from a pipe", "[io][dump]") {
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    CHECK(sd_is_socket(pair[0], AF_UNIX, SOCK_STREAM, -1) == 1);
    CHECK(sd_is_socket(pair[0], 0, 0, -1) == 1);            // 0: any family, any type
    CHECK(sd_is_socket(pair[0], AF_UNIX, SOCK_DGRAM, -1) == 0);
    CHECK(sd_is_socket(pair[0], AF_INET, 0, -1) == 0);
    CHECK(sd_is_socket(pair[0], AF_UNIX, SOCK_STREAM, 1) == 0);  // not listening
    CHECK(sd_is_socket(pipe_fds[0], 0, 0, -1) == 0);
    CHECK(sd_is_socket(-1, 0, 0, -1) < 0);                  // negative errno
    for (int fd : {pair[0], pair[1], pipe_fds[0], pipe_fds[1]}) ::close(fd);
}

TEST_CASE("delay-loaded sd_listen_fds follows the LISTEN_PID/LISTEN_FDS protocol", "[io][dump]") {
    // No variables: nothing was passed.
    CHECK(in_child([] {
              ::unsetenv("LISTEN_PID");
              ::unsetenv("LISTEN_FDS");
              return sd_listen_fds(0) == 0 ? 0 : 1;
          }) == 0);
    // Variables meant for another process: nothing was passed to this one.
    CHECK(in_child([] {
              ::setenv("LISTEN_PID", std::to_string(::getppid()).c_str(), 1);
              ::setenv("LISTEN_FDS", "1", 1);
              return sd_listen_fds(0) == 0 ? 0 : 1;
          }) == 0);
    // One socket passed at fd 3, for this process; with unset_environment the
    // variables are removed afterwards.
    CHECK(in_child([] {
              int pair[2];
              if (::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) return 10;
              if (::dup2(pair[0], 3) != 3) return 11;
              ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
              ::setenv("LISTEN_FDS", "1", 1);
              if (sd_listen_fds(1) != 1) return 12;
              if (std::getenv("LISTEN_FDS") != nullptr || std::getenv("LISTEN_PID") != nullptr) return 13;
              if (sd_is_socket(3, AF_UNIX, SOCK_STREAM, -1) != 1) return 14;
              return 0;
          }) == 0);
}
