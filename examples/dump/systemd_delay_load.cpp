// Delay-loaded libsystemd for wirekit-dump.
//
// wirekit-dump links libpcap and libdbus statically (see examples/CMakeLists.txt).
// Of all of libsystemd, libdbus uses two functions, sd_listen_fds(3) and
// sd_is_socket(3), and only on the server side of D-Bus, for systemd socket
// activation (dbus-sysdeps-unix.c, _dbus_listen_systemd_sockets). A capture
// tool is never a D-Bus server, yet linking libsystemd.so.0 makes every run
// load it and its six dependencies (libgcrypt, libgpg-error, liblzma, libzstd,
// liblz4, libcap): about 0.6 ms of CPU time, more than decoding a
// 355-frame capture.
//
// These two definitions take the place of the shared library's: on first use
// each loads libsystemd.so.0 with dlopen(3) and calls the real function, so the
// behaviour is exactly libsystemd's, and the library is only loaded if it is
// ever needed. If libsystemd.so.0 cannot be loaded, they fail the way the
// functions document failure: a negative errno value (-ENOSYS).
#include <dlfcn.h>

#include <cerrno>

namespace {

// The address of `name` in libsystemd.so.0, or nullptr if the library or the
// symbol cannot be found. The handle is kept for the life of the process.
void* systemd_symbol(const char* name) noexcept {
    static void* const library = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    return library != nullptr ? ::dlsym(library, name) : nullptr;
}

}  // namespace

extern "C" {

// sd_listen_fds(3): the number of file descriptors passed by the service
// manager (from LISTEN_PID/LISTEN_FDS), 0 if none, or a negative errno value.
int sd_listen_fds(int unset_environment) {
    using function = int (*)(int);
    static const auto real = reinterpret_cast<function>(systemd_symbol("sd_listen_fds"));
    return real != nullptr ? real(unset_environment) : -ENOSYS;
}

// sd_is_socket(3): 1 if fd is a socket of the given family, type and listening
// state (0 in any of them means "any"), 0 if not, or a negative errno value.
int sd_is_socket(int fd, int family, int type, int listening) {
    using function = int (*)(int, int, int, int);
    static const auto real = reinterpret_cast<function>(systemd_symbol("sd_is_socket"));
    return real != nullptr ? real(fd, family, type, listening) : -ENOSYS;
}

}  // extern "C"
