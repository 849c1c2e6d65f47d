// Helpers for the I/O tests: running programs, tshark field rows, and
// private network namespaces for the tests that need root.
#pragma once

#include <sched.h>    // setns, CLONE_NEWNET
#include <fcntl.h>    // open
#include <unistd.h>   // getpid, geteuid, close

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace wirekit::test {

/// Runs `cmd` with /bin/sh, returns its standard output; `status` gets the exit status.
inline std::string run(const std::string& cmd, int* status = nullptr) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) throw std::runtime_error("popen failed: " + cmd);
    char buf[65536];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int st = ::pclose(p);
    if (status) *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

/// Splits text into lines (no trailing empty line).
inline std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < s.size()) {
        auto nl = s.find('\n', at);
        if (nl == std::string::npos) nl = s.size();
        out.push_back(s.substr(at, nl - at));
        at = nl + 1;
    }
    return out;
}

/// Splits on `sep`, keeping empty fields.
inline std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t at = 0;
    for (;;) {
        auto i = s.find(sep, at);
        out.push_back(s.substr(at, i == std::string::npos ? std::string::npos : i - at));
        if (i == std::string::npos) break;
        at = i + 1;
    }
    return out;
}

/// Why privileged tests cannot run here, or "" when they can (root, `ip netns` works).
inline std::string netns_unavailable() {
    if (::geteuid() != 0) return "not root";
    int st = 0;
    run("ip netns list >/dev/null 2>&1", &st);
    if (st != 0) return "`ip netns` unavailable";
    return {};
}

/// A network namespace created for one test and deleted with it
/// (`ip netns add wk-test-<pid>-<tag>`). enter()/leave() move the calling
/// thread into it and back (setns(2)), so sockets, TAP devices and live
/// captures opened in between belong to it.
class netns {
public:
    explicit netns(const std::string& tag) : name_("wk-test-" + std::to_string(::getpid()) + "-" + tag) {
        int st = 0;
        run("ip netns del " + name_ + " 2>/dev/null; ip netns add " + name_ + " 2>&1", &st);
        if (st != 0) throw std::runtime_error("ip netns add " + name_ + " failed");
        exec("ip link set lo up");
    }
    ~netns() {
        leave();
        run("ip netns del " + name_ + " 2>/dev/null");
    }
    netns(const netns&) = delete;
    netns& operator=(const netns&) = delete;

    [[nodiscard]] const std::string& name() const { return name_; }
    /// Runs `cmd` inside the namespace; returns its output.
    std::string exec(const std::string& cmd, int* status = nullptr) const {
        return run("ip netns exec " + name_ + " " + cmd + " 2>&1", status);
    }
    /// Moves this thread into the namespace.
    void enter() {
        if (home_ >= 0) return;
        home_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        const int fd = ::open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
        if (home_ < 0 || fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) throw std::runtime_error("setns into " + name_ + " failed");
        ::close(fd);
    }
    /// Moves this thread back to the namespace it came from.
    void leave() {
        if (home_ < 0) return;
        ::setns(home_, CLONE_NEWNET);
        ::close(home_);
        home_ = -1;
    }

private:
    std::string name_;
    int home_ = -1;
};

}  // namespace wirekit::test
