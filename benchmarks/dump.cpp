// dump_decode/{wirekit,tcpdump}/{http-big,http-big-x100}: decode every frame
// of a capture, as whole programs.
//   wirekit: `wirekit-dump -r FILE --stats` (full decoding, no per-frame printing)
//   tcpdump: `tcpdump -n -r FILE > /dev/null`
//   wirekit_lines: `wirekit-dump -r FILE > /dev/null`, one tcpdump-like line per
//            frame, the same kind of output tcpdump writes (for comparison;
//            the target is on dump_decode/wirekit)
// Each iteration runs the program once; the time reported is the child's CPU
// time (user + system, from wait4), which a loaded machine disturbs less than
// wall time. items_per_second is frames per second: compare the ratio.
// http-big-x100 is http-big.pcap appended 100 times (mergecap -a), so that
// per-frame work outweighs program start-up.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace {

std::string source_dir() {
    std::string f = __FILE__;  // .../benchmarks/dump.cpp
    return f.substr(0, f.rfind("/benchmarks/"));
}
std::string dump_binary() {
    char buf[4096] = {};
    const auto n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    std::string exe(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    return exe.substr(0, exe.rfind("/benchmarks/")) + "/examples/wirekit-dump";
}

// Runs argv with stdout/stderr to /dev/null; returns the child's CPU seconds, or -1.
double run_cpu_seconds(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int status = 0;
    rusage ru{};
    if (::wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    auto secs = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
    return secs(ru.ru_utime) + secs(ru.ru_stime);
}

// Frames in a capture, as wirekit-dump --stats counts them.
long frame_count(const std::string& file) {
    const std::string cmd = dump_binary() + " -r " + file + " --stats";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return -1;
    long n = -1;
    if (std::fscanf(p, "frames: %ld", &n) != 1) n = -1;
    ::pclose(p);
    return n;
}

std::string capture(bool x100) {
    const std::string one = source_dir() + "/tests/data/http-big.pcap";
    if (!x100) return one;
    static const std::string big = [&] {
        const std::string out = "/tmp/wirekit-bench-http-big-x100.pcap";
        std::string cmd = "mergecap -a -F pcap -w " + out;
        for (int i = 0; i < 100; ++i) cmd += " " + one;
        if (std::system((cmd + " 2>/dev/null").c_str()) != 0) return std::string();
        std::atexit([] { std::remove("/tmp/wirekit-bench-http-big-x100.pcap"); });
        return out;
    }();
    return big;
}

void dump_decode(benchmark::State& state, bool wirekit, bool x100, bool lines = false) {
    const std::string file = capture(x100);
    const long frames = file.empty() ? -1 : frame_count(file);
    if (frames <= 0) {
        state.SkipWithError("capture or wirekit-dump missing (build wirekit-dump; mergecap for x100)");
        return;
    }
    const std::vector<std::string> args = lines     ? std::vector<std::string>{dump_binary(), "-r", file}
                                          : wirekit ? std::vector<std::string>{dump_binary(), "-r", file, "--stats"}
                                                    : std::vector<std::string>{"tcpdump", "-n", "-r", file};
    for (auto _ : state) {
        const double t = run_cpu_seconds(args);
        if (t < 0) {
            state.SkipWithError(wirekit ? "wirekit-dump failed" : "tcpdump failed or not installed");
            return;
        }
        state.SetIterationTime(t > 0 ? t : 1e-6);
    }
    state.SetItemsProcessed(state.iterations() * frames);
}

}  // namespace

BENCHMARK_CAPTURE(dump_decode, wirekit/http-big, true, false)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(dump_decode, tcpdump/http-big, false, false)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(dump_decode, wirekit_lines/http-big, true, false, true)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(dump_decode, wirekit/http-big-x100, true, true)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(dump_decode, tcpdump/http-big-x100, false, true)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(dump_decode, wirekit_lines/http-big-x100, true, true, true)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
