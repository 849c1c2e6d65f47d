// wirekit/io/pcap.hpp — the libpcap backend: offline read (pcap and pcapng),
// writing pcap files, live capture with a BPF filter, injection; and the
// `recorder` middleware that writes every frame a device moves to a pcap file.
//
// Layer L4. Link with wirekit::pcap (libpcap). File formats are libpcap's
// (pcap: tcpdump.org/manpages/pcap-savefile.5.html; pcapng:
// draft-ietf-opsawg-pcapng); timestamps are read and written with nanosecond
// precision. Everything returns io_result; libpcap's own error text is kept
// in io_error::message.
#pragma once

#include <pcap/pcap.h>  // libpcap

#include <chrono>       // timestamps
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint32_t
#include <cstdio>       // std::FILE, std::fclose
#include <memory>       // unique_ptr with pcap_close
#include <optional>     // receive outcome
#include <string>       // file and interface names, error text
#include <utility>      // std::move

#include "../core/bytes.hpp"  // bytes_view
#include "device.hpp"         // frame_device, frame_ref
#include "error.hpp"          // io_result, io_error

namespace wirekit::io {

namespace detail {
struct pcap_closer {
    void operator()(pcap_t* p) const noexcept { if (p) pcap_close(p); }
};
struct dumper_closer {
    void operator()(pcap_dumper_t* d) const noexcept { if (d) pcap_dump_close(d); }
};
using pcap_handle = std::unique_ptr<pcap_t, pcap_closer>;

inline io_error pcap_failure(io_errc kind, std::string_view op, const char* msg) {
    return io_error{kind, op, 0, msg ? std::string(msg) : std::string("unknown libpcap error")};
}

// Compiles and installs `filter` (tcpdump's expression syntax, pcap-filter(7)).
inline io_result<void> install_filter(pcap_t* p, const std::string& filter) {
    if (filter.empty()) return {};
    bpf_program prog{};
    if (pcap_compile(p, &prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        return pcap_failure(io_errc::bad_filter, "pcap_compile", pcap_geterr(p));
    const int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) return pcap_failure(io_errc::bad_filter, "pcap_setfilter", pcap_geterr(p));
    return {};
}

// pcap_next_ex on `p`: 1 frame, 0 none now (live timeout), -2 end of file.
inline io_result<std::optional<frame_ref>> next_frame(pcap_t* p, bool nano, bool& at_end) {
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(p, &h, &data);
    if (rc == 1) {
        // Seconds are clamped to what 64-bit nanoseconds hold (years ±292): a
        // corrupt or hostile file may carry any 64-bit time.
        constexpr long long max_sec = 9'000'000'000LL;
        long long sec = h->ts.tv_sec;
        sec = sec > max_sec ? max_sec : sec < -max_sec ? -max_sec : sec;
        long long frac = h->ts.tv_usec;
        frac = frac < 0 ? 0 : frac > 999'999'999 ? 999'999'999 : frac;
        const timestamp sub = nano ? timestamp(frac) : timestamp(frac * 1000);
        return std::optional<frame_ref>(frame_ref{as_bytes(data, h->caplen), std::chrono::seconds(sec) + sub, h->len});
    }
    if (rc == 0) return std::optional<frame_ref>{};
    if (rc == PCAP_ERROR_BREAK) {
        at_end = true;
        return std::optional<frame_ref>{};
    }
    return pcap_failure(io_errc::bad_file, "pcap_next_ex", pcap_geterr(p));
}

inline device_capabilities caps_of(pcap_t* p, bool can_transmit) {
    device_capabilities c;
    c.link = static_cast<link_type>(pcap_datalink(p));
    const int snap = pcap_snapshot(p);
    c.mtu = snap > 14 ? static_cast<std::size_t>(snap) - 14 : 0;
    c.can_transmit = can_transmit;
    return c;
}
}  // namespace detail

/// Reads a capture file (pcap or pcapng, detected by libpcap) frame by
/// frame. A frame_device that cannot transmit. Movable, not copyable.
class pcap_reader {
public:
    /// Opens `path`; optionally keeps only frames matching the BPF `filter`.
    /// Errors: no_device (no such file), bad_file (not a capture or corrupt
    /// header; libpcap's message), bad_filter.
    [[nodiscard]] static io_result<pcap_reader> open(const std::string& path, const std::string& filter = {}) {
        char err[PCAP_ERRBUF_SIZE] = {};
        detail::pcap_handle p(pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err));
        if (!p) {
            const std::string msg(err);
            const bool missing = msg.find("No such file") != std::string::npos;
            return io_error{missing ? io_errc::no_device : io_errc::bad_file, "pcap_open_offline", 0, msg};
        }
        if (auto f = detail::install_filter(p.get(), filter); !f) return f.error();
        return pcap_reader(std::move(p));
    }

    /// Reads a capture from an open stdio stream (a pipe, fmemopen'd bytes
    /// ...), which the reader then owns and closes. Errors: bad_file, bad_filter.
    [[nodiscard]] static io_result<pcap_reader> open(std::FILE* stream, const std::string& filter = {}) {
        char err[PCAP_ERRBUF_SIZE] = {};
        detail::pcap_handle p(pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO, err));
        if (!p) {
            std::fclose(stream);
            return io_error{io_errc::bad_file, "pcap_fopen_offline", 0, err};
        }
        if (auto f = detail::install_filter(p.get(), filter); !f) return f.error();
        return pcap_reader(std::move(p));
    }

    [[nodiscard]] device_capabilities capabilities() const { return detail::caps_of(p_.get(), false); }
    /// The next frame (bytes valid until the next receive), or nullopt at the
    /// end of the file (then at_end() is true). Errors: bad_file for a
    /// truncated or corrupt record (libpcap's message).
    io_result<std::optional<frame_ref>> receive() {
        if (at_end_) return std::optional<frame_ref>{};
        return detail::next_frame(p_.get(), true, at_end_);
    }
    /// Always fails: unsupported (a capture file is read-only).
    io_result<void> transmit(bytes_view) { return io_error{io_errc::unsupported, "pcap_reader::transmit", 0, "capture files are read-only"}; }
    /// −1: a file is always readable.
    [[nodiscard]] int native_handle() const { return -1; }
    /// True once receive() reached the end of the file.
    [[nodiscard]] bool at_end() const noexcept { return at_end_; }
    /// The raw libpcap handle, for calls wirekit does not wrap.
    [[nodiscard]] pcap_t* handle() const noexcept { return p_.get(); }

private:
    explicit pcap_reader(detail::pcap_handle p) : p_(std::move(p)) {}
    detail::pcap_handle p_;
    bool at_end_ = false;
};

/// Writes a pcap file (nanosecond timestamps, magic 0xa1b23c4d), which
/// Wireshark and tcpdump open. Movable, not copyable; closes on destruction.
class pcap_writer {
public:
    /// Creates (truncates) `path` for frames of `link` cut at `snaplen` bytes.
    /// Errors: permission_denied / no_device / system from fopen, as libpcap reports.
    [[nodiscard]] static io_result<pcap_writer> open(const std::string& path, link_type link = link_type::ethernet,
                                                     int snaplen = 262144) {
        detail::pcap_handle dead(pcap_open_dead_with_tstamp_precision(static_cast<int>(link), snaplen, PCAP_TSTAMP_PRECISION_NANO));
        if (!dead) return io_error{io_errc::system, "pcap_open_dead", 0, "out of memory"};
        pcap_dumper_t* d = pcap_dump_open(dead.get(), path.c_str());
        if (!d) return detail::pcap_failure(io_errc::bad_file, "pcap_dump_open", pcap_geterr(dead.get()));
        return pcap_writer(std::move(dead), d);
    }
    /// Appends one record: `frame` captured at `time` (nanoseconds since the
    /// epoch), originally `wire_len` bytes long (0: frame.size()). Cut at the snap length.
    void write(bytes_view frame, timestamp time, std::size_t wire_len = 0) {
        pcap_pkthdr h{};
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(time);
        h.ts.tv_sec = static_cast<decltype(h.ts.tv_sec)>(secs.count());
        h.ts.tv_usec = static_cast<decltype(h.ts.tv_usec)>((time - secs).count());  // nanoseconds: precision NANO
        const auto snap = static_cast<std::size_t>(pcap_snapshot(dead_.get()));
        h.caplen = static_cast<bpf_u_int32>(frame.size() < snap ? frame.size() : snap);
        h.len = static_cast<bpf_u_int32>(wire_len ? wire_len : frame.size());
        pcap_dump(reinterpret_cast<u_char*>(d_.get()), &h, reinterpret_cast<const u_char*>(frame.data()));
        ++written_;
    }
    /// Writes a received frame as it was captured.
    void write(const frame_ref& f) { write(f.data, f.time, f.wire_len); }
    /// Flushes buffered records to the file. Errors: system (disk full ...).
    io_result<void> flush() {
        if (pcap_dump_flush(d_.get()) != 0) return io_error{io_errc::system, "pcap_dump_flush", 0, "write failed"};
        return {};
    }
    /// Records written so far.
    [[nodiscard]] std::size_t written() const noexcept { return written_; }

private:
    pcap_writer(detail::pcap_handle dead, pcap_dumper_t* d) : dead_(std::move(dead)), d_(d) {}
    detail::pcap_handle dead_;
    std::unique_ptr<pcap_dumper_t, detail::dumper_closer> d_;
    std::size_t written_ = 0;
};

/// Options of a live capture (pcap(3PCAP)).
struct live_options {
    std::string filter{};     ///< BPF expression (pcap-filter(7)); empty: everything
    int snaplen = 262144;     ///< bytes kept per frame
    bool promiscuous = false;
    bool immediate = true;    ///< deliver each frame at once (no buffering delay)
    int timeout_ms = 100;     ///< buffer timeout when not immediate
    bool nonblocking = true;  ///< receive() returns nullopt instead of waiting
};

/// Live capture and injection on a network interface (needs CAP_NET_RAW).
/// Movable, not copyable.
class pcap_live {
public:
    /// Opens `interface`. Errors: permission_denied (not root / no
    /// CAP_NET_RAW), no_device (no such interface), bad_filter, system.
    [[nodiscard]] static io_result<pcap_live> open(const std::string& interface, const live_options& o = {}) {
        char err[PCAP_ERRBUF_SIZE] = {};
        detail::pcap_handle p(pcap_create(interface.c_str(), err));
        if (!p) return io_error{io_errc::system, "pcap_create", 0, err};
        pcap_set_snaplen(p.get(), o.snaplen);
        pcap_set_promisc(p.get(), o.promiscuous ? 1 : 0);
        pcap_set_timeout(p.get(), o.timeout_ms);
        pcap_set_immediate_mode(p.get(), o.immediate ? 1 : 0);
        pcap_set_tstamp_precision(p.get(), PCAP_TSTAMP_PRECISION_NANO);  // best effort; checked below
        const int rc = pcap_activate(p.get());
        if (rc < 0) {
            io_errc kind = io_errc::system;
            if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) kind = io_errc::permission_denied;
            else if (rc == PCAP_ERROR_NO_SUCH_DEVICE) kind = io_errc::no_device;
            std::string msg = pcap_geterr(p.get());
            if (msg.empty()) msg = pcap_statustostr(rc);
            if (kind == io_errc::permission_denied) msg += " — run as root or grant CAP_NET_RAW";
            return io_error{kind, "pcap_activate", 0, msg};
        }
        if (auto f = detail::install_filter(p.get(), o.filter); !f) return f.error();
        if (o.nonblocking && pcap_setnonblock(p.get(), 1, err) != 0) return io_error{io_errc::system, "pcap_setnonblock", 0, err};
        const bool nano = pcap_get_tstamp_precision(p.get()) == PCAP_TSTAMP_PRECISION_NANO;
        return pcap_live(std::move(p), nano);
    }

    [[nodiscard]] device_capabilities capabilities() const { return detail::caps_of(p_.get(), true); }
    /// The next captured frame, or nullopt when none is waiting (non-blocking)
    /// or the buffer timeout expired. Errors: system (interface went down ...).
    io_result<std::optional<frame_ref>> receive() {
        bool end = false;
        return detail::next_frame(p_.get(), nano_, end);
    }
    /// Injects `frame` (a complete link-layer frame) with pcap_inject.
    /// Errors: too_big, permission_denied, system (libpcap's message).
    io_result<void> transmit(bytes_view frame) {
        const int n = pcap_inject(p_.get(), frame.data(), frame.size());
        if (n < 0) return detail::pcap_failure(io_errc::system, "pcap_inject", pcap_geterr(p_.get()));
        if (static_cast<std::size_t>(n) != frame.size()) return io_error{io_errc::system, "pcap_inject", 0, "short write"};
        return {};
    }
    /// A descriptor that poll(2) reports readable when frames wait.
    [[nodiscard]] int native_handle() const { return pcap_get_selectable_fd(p_.get()); }
    /// Frames the kernel dropped for lack of buffer space (pcap_stats ps_drop), or nullopt.
    [[nodiscard]] std::optional<std::uint32_t> kernel_drops() const {
        pcap_stat s{};
        if (pcap_stats(p_.get(), &s) != 0) return std::nullopt;
        return s.ps_drop;
    }
    /// The raw libpcap handle.
    [[nodiscard]] pcap_t* handle() const noexcept { return p_.get(); }

private:
    pcap_live(detail::pcap_handle p, bool nano) : p_(std::move(p)), nano_(nano) {}
    detail::pcap_handle p_;
    bool nano_ = false;
};

static_assert(frame_device<pcap_reader>);
static_assert(frame_device<pcap_live>);

/// Middleware: forwards every call to the wrapped device and writes every
/// frame received and transmitted to a pcap_writer (open the trace in
/// Wireshark). Transmitted frames are stamped with the time of the last
/// received frame, or with `clock()` when one is given, since the wrapper
/// reads no clock itself.
template <frame_device Device>
class recorder {
public:
    recorder(Device& dev, pcap_writer& out) : dev_(&dev), out_(&out) {}
    [[nodiscard]] device_capabilities capabilities() const { return dev_->capabilities(); }
    io_result<std::optional<frame_ref>> receive() {
        auto r = dev_->receive();
        if (r && *r) {
            out_->write(**r);
            last_ = (*r)->time;
        }
        return r;
    }
    io_result<void> transmit(bytes_view frame) {
        auto r = dev_->transmit(frame);
        if (r) out_->write(frame, last_);
        return r;
    }
    /// Transmits with offload metadata (devices with offloads, e.g. a TAP
    /// with tap_offload::tso) and records the frame as given: a super-frame
    /// up to 64 KiB, a partial checksum (Wireshark flags it, as on any NIC
    /// with offloads).
    io_result<void> transmit(bytes_view frame, const frame_offload& o)
        requires offload_frame_device<Device>
    {
        auto r = dev_->transmit(frame, o);
        if (r) out_->write(frame, last_);
        return r;
    }
    [[nodiscard]] int native_handle() const { return dev_->native_handle(); }
    /// Sets the time stamped on transmitted frames.
    void set_time(timestamp now) noexcept { last_ = now; }

private:
    Device* dev_;
    pcap_writer* out_;
    timestamp last_{};
};

}  // namespace wirekit::io
