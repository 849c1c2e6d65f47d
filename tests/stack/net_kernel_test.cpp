// The stack against the Linux kernel over TAP: tap-echo and tap-ping run in
// a network namespace the test creates, on a TAP device whose other side is
// the kernel (10.77.0.1/24), and the kernel's own tools are the peers: ping
// (iputils), and python3 UDP/TCP clients and servers. Traffic never leaves
// the namespace, every wait has a timeout, the namespace is deleted at the
// end of each test. Needs root; skipped with a WARN otherwise.
//
// The tests at the end repeat the transfers with TAP offloads (--offload
// checksum / tso: virtio-net header, partial checksums, 64 KiB TCP
// super-frames both ways; docs/io.md) and check from the programs' counters
// that super-frames really crossed the TAP each way.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "io/io_test_util.hpp"

using namespace std::chrono_literals;
namespace test = wirekit::test;

namespace {

#define WK_REQUIRE_NETNS()                                                 \
    do {                                                                   \
        if (auto why = test::netns_unavailable(); !why.empty()) {          \
            WARN("SKIPPED: needs root and network namespaces: " << why);   \
            return;                                                        \
        }                                                                  \
    } while (0)

const std::string kernel_addr = "10.77.0.1";
const std::string stack_addr = "10.77.0.2";
const std::string tap_name = "wk0";
// Debian's python3 (scripts/setup.sh), by path: shims on PATH can be slow to start.
const std::string python = "/usr/bin/python3";

std::string example(const std::string& name) { return std::string(WIREKIT_BINARY_DIR) + "/examples/" + name; }

// A private scratch directory, removed with its files.
class scratch_dir {
public:
    scratch_dir() {
        char tmpl[] = "/tmp/wk-stack-net-XXXXXX";
        const char* d = ::mkdtemp(tmpl);
        if (!d) throw std::runtime_error("mkdtemp failed");
        path_ = d;
    }
    ~scratch_dir() { test::run("rm -rf '" + path_ + "'"); }
    scratch_dir(const scratch_dir&) = delete;
    scratch_dir& operator=(const scratch_dir&) = delete;
    [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
}

// The namespace with a persistent TAP device `wk0` whose kernel side is
// 10.77.0.1/24 (the stack takes 10.77.0.2/24).
struct tap_namespace {
    test::netns ns;
    explicit tap_namespace(const std::string& tag) : ns(tag) {
        int st = 0;
        const auto out = ns.exec("sh -c 'ip tuntap add dev " + tap_name + " mode tap && ip addr add " + kernel_addr +
                                     "/24 dev " + tap_name + " && ip link set " + tap_name + " up'",
                                 &st);
        if (st != 0) throw std::runtime_error("TAP set-up failed: " + out);
    }
};

// A program started in the background inside the namespace (fork + exec of
// `ip netns exec NS PROGRAM ARGS...`), output to a file; stopped with
// SIGTERM (then SIGKILL) when the object goes, so it never outlives a test.
class background {
public:
    background(const test::netns& ns, const std::string& program, const std::vector<std::string>& args, std::string log)
        : log_(std::move(log)) {
        std::vector<std::string> argv_s = {"ip", "netns", "exec", ns.name(), program};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::fflush(nullptr);  // nothing buffered may be written twice by the child
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            std::FILE* f = std::freopen(log_.c_str(), "w", stdout);
            if (f) ::dup2(::fileno(stdout), 2);
            std::vector<char*> argv;
            for (auto& s : argv_s) argv.push_back(s.data());
            argv.push_back(nullptr);
            ::execvp("ip", argv.data());
            std::_Exit(127);
        }
    }
    ~background() { stop(); }
    background(const background&) = delete;
    background& operator=(const background&) = delete;

    /// Waits (at most `timeout`) until the log contains `text`.
    bool wait_for_output(const std::string& text, std::chrono::milliseconds timeout = 10s) const {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < end) {
            if (slurp(log_).find(text) != std::string::npos) return true;
            if (exited()) return slurp(log_).find(text) != std::string::npos;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }
    /// Waits (at most `timeout`) for the program to exit on its own; its
    /// exit status, or -1 on timeout (then it is killed).
    int wait(std::chrono::milliseconds timeout) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < end) {
            if (exited()) return status_;
            std::this_thread::sleep_for(20ms);
        }
        stop();
        return -1;
    }
    /// SIGTERM, up to 5 s to finish, then SIGKILL. Returns the exit status.
    int stop() {
        if (pid_ <= 0) return status_;
        if (!exited()) {
            ::kill(pid_, SIGTERM);
            const auto end = std::chrono::steady_clock::now() + 5s;
            while (!exited() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(20ms);
            if (!exited()) {
                ::kill(pid_, SIGKILL);
                int st = 0;
                ::waitpid(pid_, &st, 0);
                pid_ = -1;
            }
        }
        return status_;
    }
    [[nodiscard]] std::string output() const { return slurp(log_); }

private:
    bool exited() {
        if (pid_ <= 0) return true;
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            pid_ = -1;
            return true;
        }
        return false;
    }
    bool exited() const { return const_cast<background*>(this)->exited(); }
    pid_t pid_ = -1;
    int status_ = -1;
    std::string log_;
};

// Starts tap-echo on wk0 as 10.77.0.2/24 (with `offload`: none, checksum,
// tso) and waits until it serves.
std::unique_ptr<background> start_echo(const tap_namespace& t, const scratch_dir& dir, const std::string& offload = "none") {
    auto p = std::make_unique<background>(t.ns, example("tap-echo"),
                                          std::vector<std::string>{"--tap", tap_name, "--address", stack_addr + "/24", "--seconds", "120",
                                                                   "--offload", offload},
                                          dir.file("tap-echo-" + offload + ".log"));
    REQUIRE(p->wait_for_output("TCP echo on port 7"));
    return p;
}

// Python programs used as kernel-side peers (python3 from Debian).
const char* const udp_client_py = R"(import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2.0)
for attempt in range(5):
    s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
    try:
        data, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    print(addr[0], addr[1], data.decode())
    break
)";

// N concurrent connections, each sends its own pattern, half-closes and
// reads the echo to EOF; prints how many came back intact.
const char* const tcp_many_py = R"(import socket, sys, threading
host, port, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ok = [False] * n
def one(i):
    data = bytes((i * 7 + k * 13) & 0xff for k in range(size))
    s = socket.create_connection((host, port), timeout=30)
    s.settimeout(30)
    barrier.wait()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b: break
        got += b
    s.close()
    ok[i] = bytes(got) == data
barrier = threading.Barrier(n, timeout=30)
threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in threads: t.start()
for t in threads: t.join(60)
print("intact", sum(ok), "of", n)
)";

// Sends the file argv[3] to the echo server while writing what comes back
// to argv[4].
const char* const tcp_file_py = R"(import socket, sys, threading
host, port, src, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
s = socket.create_connection((host, port), timeout=60)
s.settimeout(60)
# The kernel's view of the Window Scale option (struct tcp_info: byte 5
# tcpi_options, TCPI_OPT_WSCALE = 4; byte 6 snd_wscale in the low nibble,
# rcv_wscale in the high one).
info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
print("wscale", 1 if info[5] & 4 else 0, info[6] & 15, info[6] >> 4, flush=True)
def sender():
    with open(src, 'rb') as f:
        while True:
            b = f.read(65536)
            if not b: break
            s.sendall(b)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=sender)
t.start()
with open(dst, 'wb') as out:
    while True:
        b = s.recv(262144)
        if not b: break
        out.write(b)
t.join(60)
s.close()
print("done")
)";

// A kernel TCP server: accepts one connection on argv[1]:argv[2], echoes
// everything until the client's FIN, then closes.
const char* const tcp_server_py = R"(import socket, sys
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], int(sys.argv[2])))
srv.listen(1)
srv.settimeout(60)
print("listening", flush=True)
c, _ = srv.accept()
c.settimeout(60)
n = 0
while True:
    b = c.recv(262144)
    if not b: break
    c.sendall(b)
    n += len(b)
c.shutdown(socket.SHUT_WR)
c.close()
print("served", n, flush=True)
)";

// A kernel TCP sink: accepts one connection on argv[1]:argv[2] and writes
// everything received to argv[3] until the peer's FIN.
const char* const tcp_sink_py = R"(import socket, sys
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], int(sys.argv[2])))
srv.listen(1)
srv.settimeout(60)
print("listening", flush=True)
c, _ = srv.accept()
c.settimeout(60)
n = 0
with open(sys.argv[3], 'wb') as out:
    while True:
        b = c.recv(262144)
        if not b: break
        out.write(b)
        n += len(b)
c.close()
print("stored", n, flush=True)
)";

// The number after `label` in `text` ("super-frames in 12" -> 12), or -1.
long long counter_after(const std::string& text, const std::string& label) {
    const auto at = text.find(label);
    if (at == std::string::npos) return -1;
    return std::strtoll(text.c_str() + at + label.size(), nullptr, 10);
}

// The counter `name` ("overlimits", "dropped") of `tc -s qdisc show dev wk0`.
long qdisc_counter(const test::netns& ns, const std::string& name) {
    const auto out = ns.exec("tc -s qdisc show dev " + tap_name);
    const auto at = out.find(name + " ");
    if (at == std::string::npos) return -1;
    return std::strtol(out.c_str() + at + name.size() + 1, nullptr, 10);
}

std::string sha256(const std::string& path) {
    int st = 0;
    const auto out = test::run("sha256sum '" + path + "'", &st);
    REQUIRE(st == 0);
    return out.substr(0, 64);
}

// 20 MiB of pseudo-random bytes (head -c of /dev/urandom, written once per test).
void make_random_file(const std::string& path, std::size_t bytes) {
    int st = 0;
    test::run("head -c " + std::to_string(bytes) + " /dev/urandom > '" + path + "'", &st);
    REQUIRE(st == 0);
}

}  // namespace

TEST_CASE("kernel ping gets replies from tap-echo, also 4000-byte pings (fragmented both ways)") {
    WK_REQUIRE_NETNS();
    scratch_dir dir;
    tap_namespace t("stk-ping");
    auto echo = start_echo(t, dir);
    int st = 0;
    // The first ping also resolves the stack's MAC address (ARP).
    auto out = t.ns.exec("ping -n -c 3 -i 0.2 -W 2 -w 10 " + stack_addr, &st);
    INFO(out);
    CHECK(st == 0);
    CHECK(out.find("3 packets transmitted, 3 received") != std::string::npos);
    // 4000 bytes of data: 4008 bytes of ICMP in three fragments each way
    // (MTU 1500); ping checks the data that comes back.
    out = t.ns.exec("ping -n -c 3 -i 0.2 -s 4000 -W 2 -w 10 " + stack_addr, &st);
    INFO(out);
    CHECK(st == 0);
    CHECK(out.find("3 packets transmitted, 3 received") != std::string::npos);
    CHECK(out.find("4008 bytes from " + stack_addr) != std::string::npos);
    CHECK(echo->stop() == 0);
    INFO(echo->output());
    CHECK(echo->output().find("reassembled 3") != std::string::npos);
}

TEST_CASE("kernel UDP client gets upper-cased replies from tap-echo on port 12000") {
    WK_REQUIRE_NETNS();
    scratch_dir dir;
    tap_namespace t("stk-udp");
    auto echo = start_echo(t, dir);
    write_file(dir.file("udp_client.py"), udp_client_py);
    int st = 0;
    const auto out = t.ns.exec("timeout 20 " + python + " " + dir.file("udp_client.py") + " " + stack_addr +
                                   " 12000 'Hello, wirekit: 12000 is the textbook port'",
                               &st);
    INFO(out);
    CHECK(st == 0);
    CHECK(out == stack_addr + " 12000 HELLO, WIREKIT: 12000 IS THE TEXTBOOK PORT\n");
    // A closed UDP port answers with ICMP port unreachable: the kernel
    // client sees "connection refused" on its connected socket.
    write_file(dir.file("udp_refused.py"), R"(import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3.0)
s.connect((')" + stack_addr + R"(', 9999))
s.send(b'x')
try:
    s.recv(100)
    print('reply')
except ConnectionRefusedError:
    print('refused')
except socket.timeout:
    print('timeout')
)");
    const auto refused = t.ns.exec("timeout 20 " + python + " " + dir.file("udp_refused.py"), &st);
    CHECK(refused == "refused\n");
}

TEST_CASE("100 concurrent kernel TCP connections to tap-echo each echo their data intact") {
    WK_REQUIRE_NETNS();
    scratch_dir dir;
    tap_namespace t("stk-tcp100");
    auto echo = start_echo(t, dir);
    write_file(dir.file("tcp_many.py"), tcp_many_py);
    int st = 0;
    const auto out = t.ns.exec("timeout 90 " + python + " " + dir.file("tcp_many.py") + " " + stack_addr + " 7 100 20000", &st);
    INFO(out);
    INFO(echo->output());
    CHECK(st == 0);
    CHECK(out == "intact 100 of 100\n");
    // A closed TCP port answers SYN with RST: connection refused.
    const auto refused = t.ns.exec("timeout 20 " + python + " -c \"import socket\ntry:\n socket.create_connection(('" + stack_addr +
                                       "', 8), timeout=5)\n print('open')\nexcept ConnectionRefusedError:\n print('refused')\"",
                                   &st);
    CHECK(refused == "refused\n");
}

TEST_CASE("20 MiB each way through tap-echo match in SHA-256 (also through a tc tbf bottleneck)") {
    WK_REQUIRE_NETNS();
    scratch_dir dir;
    tap_namespace t("stk-bulk");
    auto echo = start_echo(t, dir);
    write_file(dir.file("tcp_file.py"), tcp_file_py);
    make_random_file(dir.file("in.bin"), 20u << 20);
    int st = 0;
    auto out = t.ns.exec("timeout 120 " + python + " " + dir.file("tcp_file.py") + " " + stack_addr + " 7 " + dir.file("in.bin") + " " +
                             dir.file("out.bin"),
                         &st);
    INFO(out);
    INFO(echo->output());
    CHECK(st == 0);
    CHECK(sha256(dir.file("out.bin")) == sha256(dir.file("in.bin")));
    // The kernel negotiated window scaling (RFC 7323 §2) and scales the
    // stack's windows by 3: the smallest shift that fits the default
    // 256 KiB receive buffer into the 16-bit window field (262144 >> 3 =
    // 32768 <= 65535 < 262144 >> 2), RFC 7323 §2.3.
    CHECK(out.find("wscale 1 3 ") != std::string::npos);

    // A congested path: a shallow token bucket on the kernel's side of the
    // TAP (kernel -> stack direction) at 50 Mbit/s.
    out = t.ns.exec("tc qdisc add dev " + tap_name + " root tbf rate 50mbit burst 32kbit latency 50ms", &st);
    REQUIRE(st == 0);
    out = t.ns.exec("timeout 120 " + python + " " + dir.file("tcp_file.py") + " " + stack_addr + " 7 " + dir.file("in.bin") + " " +
                        dir.file("out2.bin"),
                    &st);
    INFO(out);
    CHECK(st == 0);
    CHECK(sha256(dir.file("out2.bin")) == sha256(dir.file("in.bin")));
    CHECK(qdisc_counter(t.ns, "overlimits") > 0);
}

TEST_CASE("tap-ping pings the kernel and gets replies, also 4000-byte pings") {
    WK_REQUIRE_NETNS();
    scratch_dir dir;
    tap_namespace t("stk-tping");
    {
        background ping(t.ns, example("tap-ping"),
                        {"--tap", tap_name, "--address", stack_addr + "/24", "--ping", kernel_addr, "--count", "3", "--interval", "0.2"},
                        dir.file("tap-ping.log"));
        const int status = ping.wait(30s);
        INFO(ping.output());
        CHECK(status == 0);
        CHECK(ping.output().find("3 packets transmitted, 3 received") != std::string::npos);
        CHECK(ping.output().find("64 bytes from " + kernel_addr + ": icmp_seq=3") != std::string::npos);
    }
    {
        background ping(t.ns, example("tap-ping"),
                        {"--tap", tap_name, "--address", stack_addr + "/24", "--ping", kernel_addr, "--count", "2", "--interval", "0.2",
                         "--size", "4000"},
                        dir.file("tap-ping-big.log"));
        const int status = ping.wait(30s);
        INFO(ping.output());
        CHECK(status == 0);
        CHECK(ping.output().find("2 packets transmitted, 2 received") != std::string::npos);
        CHECK(ping.output().find("4008 bytes from " + kernel_addr) != std::string::npos);
    }
}

TEST_CASE("the stack's TCP client (tap-transfer) moves 20 MiB both ways through a kernel TCP server, also through tc tbf") {
    WK_REQUIRE_NETNS();
    scratch_dir dir;
    tap_namespace t("stk-client");
    write_file(dir.file("tcp_server.py"), tcp_server_py);
    make_random_file(dir.file("in.bin"), 20u << 20);
    const auto transfer = [&](const std::string& port, const std::string& out_name) {
        background server(t.ns, python, {dir.file("tcp_server.py"), kernel_addr, port}, dir.file("server-" + port + ".log"));
        REQUIRE(server.wait_for_output("listening"));
        int st = 0;
        const auto out = t.ns.exec("timeout 120 " + example("tap-transfer") + " --tap " + tap_name + " --address " + stack_addr +
                                       "/24 --connect " + kernel_addr + ":" + port + " --send " + dir.file("in.bin") + " --save " +
                                       dir.file(out_name),
                                   &st);
        INFO(out);
        CHECK(st == 0);
        CHECK(out.find("sent 20971520 bytes, received 20971520 bytes") != std::string::npos);
        CHECK(server.wait(10s) == 0);
        INFO(server.output());
        CHECK(server.output().find("served 20971520") != std::string::npos);
        CHECK(sha256(dir.file(out_name)) == sha256(dir.file("in.bin")));
    };
    transfer("5001", "out.bin");
    int st = 0;
    t.ns.exec("tc qdisc add dev " + tap_name + " root tbf rate 50mbit burst 32kbit latency 50ms", &st);
    REQUIRE(st == 0);
    transfer("5002", "out-tbf.bin");
    // The bucket really throttled the kernel's sending.
    CHECK(qdisc_counter(t.ns, "overlimits") > 0);
}

// ---------------------------------------------------------------------------
// TAP offloads (io::tap_offload, --offload): the same kernel peers, with a
// virtio-net header on every frame.

TEST_CASE("with TAP offloads, ping (also 4000 bytes), UDP and 100 concurrent TCP echoes work through tap-echo") {
    WK_REQUIRE_NETNS();
    for (const std::string mode : {"checksum", "tso"}) {
        INFO("offload " << mode);
        scratch_dir dir;
        tap_namespace t("stk-off-" + mode.substr(0, 3));
        auto echo = start_echo(t, dir, mode);
        CHECK(echo->output().find("offload " + mode) != std::string::npos);
        int st = 0;
        auto out = t.ns.exec("ping -n -c 3 -i 0.2 -W 2 -w 10 " + stack_addr, &st);
        INFO(out);
        CHECK(out.find("3 packets transmitted, 3 received") != std::string::npos);
        out = t.ns.exec("ping -n -c 3 -i 0.2 -s 4000 -W 2 -w 10 " + stack_addr, &st);
        CHECK(out.find("3 packets transmitted, 3 received") != std::string::npos);
        // The kernel's UDP checksum arrives partial (NEEDS_CSUM): accepted, answered.
        write_file(dir.file("udp_client.py"), udp_client_py);
        out = t.ns.exec("timeout 20 " + python + " " + dir.file("udp_client.py") + " " + stack_addr + " 12000 'offloaded'", &st);
        CHECK(out == stack_addr + " 12000 OFFLOADED\n");
        write_file(dir.file("tcp_many.py"), tcp_many_py);
        out = t.ns.exec("timeout 90 " + python + " " + dir.file("tcp_many.py") + " " + stack_addr + " 7 100 20000", &st);
        CHECK(out == "intact 100 of 100\n");
        CHECK(echo->stop() == 0);
        const auto log = echo->output();
        INFO(log);
        CHECK(log.find("reassembled 3") != std::string::npos);
        CHECK(counter_after(log, "bad checksums ") == 0);
        CHECK(counter_after(log, "partial checksums out ") > 0);
    }
}

TEST_CASE("with TSO, the kernel sends tap-echo TCP super-frames larger than the MSS and 20 MiB each way match in SHA-256 (also through tc tbf)") {
    WK_REQUIRE_NETNS();
    scratch_dir dir;
    tap_namespace t("stk-tso-bulk");
    auto echo = start_echo(t, dir, "tso");
    write_file(dir.file("tcp_file.py"), tcp_file_py);
    make_random_file(dir.file("in.bin"), 20u << 20);
    int st = 0;
    auto out = t.ns.exec("timeout 120 " + python + " " + dir.file("tcp_file.py") + " " + stack_addr + " 7 " + dir.file("in.bin") + " " +
                             dir.file("out.bin"),
                         &st);
    INFO(out);
    CHECK(st == 0);
    CHECK(sha256(dir.file("out.bin")) == sha256(dir.file("in.bin")));
    // Through a token bucket the kernel segments its super-frames (tbf
    // splits GSO packets larger than its burst) and the stack sees MSS-sized
    // frames with partial checksums again.
    out = t.ns.exec("tc qdisc add dev " + tap_name + " root tbf rate 50mbit burst 32kbit latency 50ms", &st);
    REQUIRE(st == 0);
    out = t.ns.exec("timeout 120 " + python + " " + dir.file("tcp_file.py") + " " + stack_addr + " 7 " + dir.file("in.bin") + " " +
                        dir.file("out2.bin"),
                    &st);
    INFO(out);
    CHECK(st == 0);
    CHECK(sha256(dir.file("out2.bin")) == sha256(dir.file("in.bin")));
    CHECK(qdisc_counter(t.ns, "overlimits") > 0);
    CHECK(echo->stop() == 0);
    const auto log = echo->output();
    INFO(log);
    // The stack received GSO super-frames, frames beyond MTU + Ethernet
    // header (segments > MSS 1460), and answered with super-frames of its own.
    CHECK(counter_after(log, "super-frames in ") > 0);
    CHECK(counter_after(log, "largest frame ") > 1514);
    CHECK(counter_after(log, ", out ") > 0);
    CHECK(counter_after(log, "carrying ") > counter_after(log, ", out "));
    CHECK(counter_after(log, "bad checksums ") == 0);
}

TEST_CASE("with TSO, tap-transfer sends 20 MiB in GSO super-frames and the kernel stores them intact (sha256sum)") {
    WK_REQUIRE_NETNS();
    scratch_dir dir;
    tap_namespace t("stk-tso-client");
    write_file(dir.file("tcp_sink.py"), tcp_sink_py);
    write_file(dir.file("tcp_server.py"), tcp_server_py);
    make_random_file(dir.file("in.bin"), 20u << 20);
    {
        // Stack -> kernel only: the kernel writes what it received to a file.
        background sink(t.ns, python, {dir.file("tcp_sink.py"), kernel_addr, "5101", dir.file("stored.bin")}, dir.file("sink.log"));
        REQUIRE(sink.wait_for_output("listening"));
        int st = 0;
        const auto out = t.ns.exec("timeout 120 " + example("tap-transfer") + " --tap " + tap_name + " --address " + stack_addr +
                                       "/24 --offload tso --connect " + kernel_addr + ":5101 --send " + dir.file("in.bin"),
                                   &st);
        INFO(out);
        CHECK(st == 0);
        CHECK(out.find("sent 20971520 bytes") != std::string::npos);
        CHECK(sink.wait(10s) == 0);
        INFO(sink.output());
        CHECK(sink.output().find("stored 20971520") != std::string::npos);
        CHECK(sha256(dir.file("stored.bin")) == sha256(dir.file("in.bin")));
        // Super-frames carried the data: more segments than frames.
        const auto frames = counter_after(out, ", out ");
        CHECK(frames > 0);
        CHECK(counter_after(out, "carrying ") > 2 * frames);
        CHECK(counter_after(out, "bad checksums ") == 0);
    }
    {
        // Both ways through the echo server, also with TSO.
        background server(t.ns, python, {dir.file("tcp_server.py"), kernel_addr, "5102"}, dir.file("server.log"));
        REQUIRE(server.wait_for_output("listening"));
        int st = 0;
        const auto out = t.ns.exec("timeout 120 " + example("tap-transfer") + " --tap " + tap_name + " --address " + stack_addr +
                                       "/24 --offload tso --connect " + kernel_addr + ":5102 --send " + dir.file("in.bin") + " --save " +
                                       dir.file("back.bin"),
                                   &st);
        INFO(out);
        CHECK(st == 0);
        CHECK(out.find("sent 20971520 bytes, received 20971520 bytes") != std::string::npos);
        CHECK(server.wait(10s) == 0);
        CHECK(sha256(dir.file("back.bin")) == sha256(dir.file("in.bin")));
        CHECK(counter_after(out, "super-frames in ") > 0);
        CHECK(counter_after(out, "largest frame ") > 1514);
    }
}
