// wirekit/io/middleware.hpp — wrappers that add behaviour to any frame
// device and are frame devices themselves: a tracer that formats every
// frame, and a seeded fault injector. (The pcap-writing `recorder` lives in
// pcap.hpp, which needs libpcap.)
//
// Layer L4. Wrappers hold a pointer to the wrapped device, which must
// outlive them. They stack: tracer<fault_injector<tap_device>>.
#pragma once

#include <cstddef>     // std::byte, std::size_t
#include <cstdio>      // std::FILE
#include <functional>  // std::function sink
#include <optional>    // receive outcome
#include <string>      // formatted lines
#include <utility>     // std::move
#include <vector>      // corrupted copies

#include <fmt/format.h>  // fmt::format, fmt::print

#include "../core/bytes.hpp"     // bytes_view
#include "../wire/dissect.hpp"   // dissect (for one-line summaries)
#include "device.hpp"            // frame_device
#include "error.hpp"             // io_result
#include "impairment.hpp"        // impairments, impairment_rng, impairment_stats

namespace wirekit::io {

/// Direction of a traced frame.
enum class direction : unsigned char { rx, tx };

/// One line describing an Ethernet frame: each layer's formatter, joined by
/// " | " ("aa:.. > bb:.., ethertype 0x0800 | 10.66.0.1 > 10.66.0.2 ... | ...").
/// A frame that does not dissect shows the error (layer, kind, offset).
[[nodiscard]] inline std::string summarize(bytes_view frame) {
    auto d = dissect(frame);
    if (!d) {
        const auto& e = d.error();
        return fmt::format("{} bytes [{} {} at {}: {}]", frame.size(), e.layer, to_string(e.kind), e.offset, e.detail);
    }
    std::string s = fmt::format("{}", d->eth);
    if (d->arp) s += fmt::format(" | {}", *d->arp);
    if (d->ipv4) s += fmt::format(" | {}", *d->ipv4);
    if (d->ipv6) s += fmt::format(" | {}", *d->ipv6);
    if (d->tcp) s += fmt::format(" | {}", *d->tcp);
    if (d->udp) s += fmt::format(" | {}", *d->udp);
    if (d->icmpv4) s += fmt::format(" | {}", *d->icmpv4);
    if (d->icmpv6) s += fmt::format(" | {}", *d->icmpv6);
    return s;
}

/// Middleware: calls `sink(direction, frame bytes)` for every frame received
/// or successfully transmitted, then passes it on unchanged.
template <frame_device Device>
class tracer {
public:
    using sink_type = std::function<void(direction, bytes_view)>;
    tracer(Device& dev, sink_type sink) : dev_(&dev), sink_(std::move(sink)) {}
    /// A tracer printing "rx|tx <summary>" lines to `out` (Ethernet devices).
    tracer(Device& dev, std::FILE* out)
        : tracer(dev, [out](direction d, bytes_view f) {
              fmt::print(out, "{} {}\n", d == direction::rx ? "rx" : "tx", summarize(f));
          }) {}

    [[nodiscard]] device_capabilities capabilities() const { return dev_->capabilities(); }
    io_result<std::optional<frame_ref>> receive() {
        auto r = dev_->receive();
        if (r && *r) sink_(direction::rx, (*r)->data);
        return r;
    }
    io_result<void> transmit(bytes_view frame) {
        auto r = dev_->transmit(frame);
        if (r) sink_(direction::tx, frame);
        return r;
    }
    /// Transmits with offload metadata (devices with offloads, e.g. a TAP
    /// with tap_offload::tso); the sink sees the frame as given (a
    /// super-frame, a partial checksum).
    io_result<void> transmit(bytes_view frame, const frame_offload& o)
        requires offload_frame_device<Device>
    {
        auto r = dev_->transmit(frame, o);
        if (r) sink_(direction::tx, frame);
        return r;
    }
    [[nodiscard]] int native_handle() const { return dev_->native_handle(); }

private:
    Device* dev_;
    sink_type sink_;
};

/// Middleware: seeded faults on a real device, in both directions. It uses
/// the probability fields of `impairments` (loss, duplicate, corrupt);
/// delay, reordering and rate need a clock and are memory_pipe's job.
/// A duplicated received frame is returned by two successive receive()
/// calls; a duplicated transmitted frame is transmitted twice. A corrupted
/// received frame loses its offload checksum flags (needs_checksum,
/// checksum_valid): corruption happens "on the wire", so the receiver must
/// verify, and a partial checksum then fails as a corrupt frame should. It
/// has no transmit(frame, offload): a stack on it sends without offloads.
template <frame_device Device>
class fault_injector {
public:
    fault_injector(Device& dev, impairments rx, impairments tx, std::uint64_t seed)
        : dev_(&dev), rx_(rx), tx_(tx), rx_rng_(seed * 2), tx_rng_(seed * 2 + 1) {}

    [[nodiscard]] device_capabilities capabilities() const { return dev_->capabilities(); }
    /// Receives from the device, dropping, corrupting or repeating frames.
    io_result<std::optional<frame_ref>> receive() {
        if (repeat_) {
            repeat_ = false;
            ++rx_stats_.delivered;
            return std::optional<frame_ref>(last_);
        }
        for (;;) {
            auto r = dev_->receive();
            if (!r || !*r) return r;
            ++rx_stats_.transmitted;
            if (rx_rng_.chance(rx_.loss)) {
                ++rx_stats_.lost;
                continue;
            }
            frame_ref f = **r;
            if (!f.data.empty() && rx_rng_.chance(rx_.corrupt)) {
                copy_.assign(f.data.begin(), f.data.end());
                flip(copy_, rx_rng_);
                f.data = bytes_view(copy_);
                f.offload.needs_checksum = false;
                f.offload.checksum_valid = false;
                ++rx_stats_.corrupted;
            }
            if (rx_rng_.chance(rx_.duplicate)) {
                repeat_ = true;
                ++rx_stats_.duplicated;
            }
            last_ = f;
            ++rx_stats_.delivered;
            return std::optional<frame_ref>(f);
        }
    }
    /// Transmits through the device, dropping, corrupting or repeating frames.
    io_result<void> transmit(bytes_view frame) {
        ++tx_stats_.transmitted;
        if (tx_rng_.chance(tx_.loss)) {
            ++tx_stats_.lost;
            return {};
        }
        bytes_view out = frame;
        if (!frame.empty() && tx_rng_.chance(tx_.corrupt)) {
            tx_copy_.assign(frame.begin(), frame.end());
            flip(tx_copy_, tx_rng_);
            out = bytes_view(tx_copy_);
            ++tx_stats_.corrupted;
        }
        const bool dup = tx_rng_.chance(tx_.duplicate);
        if (auto r = dev_->transmit(out); !r) return r;
        ++tx_stats_.delivered;
        if (dup) {
            ++tx_stats_.duplicated;
            if (auto r = dev_->transmit(out); !r) return r;
            ++tx_stats_.delivered;
        }
        return {};
    }
    [[nodiscard]] int native_handle() const { return dev_->native_handle(); }
    [[nodiscard]] const impairment_stats& rx_stats() const noexcept { return rx_stats_; }
    [[nodiscard]] const impairment_stats& tx_stats() const noexcept { return tx_stats_; }

private:
    static void flip(std::vector<std::byte>& b, impairment_rng& rng) {
        const auto bit = rng.below(b.size() * 8);
        b[bit / 8] ^= std::byte{static_cast<unsigned char>(1u << (bit % 8))};
    }
    Device* dev_;
    impairments rx_, tx_;
    impairment_rng rx_rng_, tx_rng_;
    impairment_stats rx_stats_{}, tx_stats_{};
    std::vector<std::byte> copy_, tx_copy_;
    frame_ref last_{};
    bool repeat_ = false;
};

}  // namespace wirekit::io
