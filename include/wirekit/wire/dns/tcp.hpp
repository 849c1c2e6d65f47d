// wirekit/wire/dns/tcp.hpp — DNS over TCP: the 2-byte length framing.
//
// Layer L2 (includes core only). Source: RFC 1035 §4.2.2 and RFC 7766 §8:
// each message is preceded by a two-byte length field in network byte order
// giving the message length in bytes, excluding the two bytes themselves.
//
// tcp_reader accepts the stream in arbitrary pieces (one byte at a time, a
// piece holding several messages, a length prefix split across pieces ...).
// When a message lies entirely inside one piece and nothing is buffered, it
// is returned as a view into that piece (no copy); otherwise its bytes are
// gathered in caller-provided storage. "Need more data" is a normal outcome.
//
//     std::array<std::byte, 65535> storage;
//     dns::tcp_reader r{storage};
//     while (!piece.empty()) {
//         auto s = r.feed(piece);          // result<tcp_reader::step>
//         if (!s) return s.error();
//         piece = piece.subspan(s->consumed);
//         if (s->message) handle(*s->message);   // else: need more data
//     }
#pragma once

#include <cstddef>   // std::size_t
#include <cstdint>   // std::uint16_t
#include <optional>  // message or need-more-data

#include "wirekit/core/bytes.hpp"      // bytes_view, mutable_bytes
#include "wirekit/core/endian.hpp"     // load_be, store_be
#include "wirekit/core/result.hpp"     // result, make_error
#include "wirekit/wire/dns/types.hpp"  // layer_name, header_len

namespace wirekit::dns {

/// Writes the 2-byte length prefix for a message of `message_len` bytes at the
/// start of `out`. Errors: no_space when `out` has under 2 bytes;
/// limit_exceeded when message_len > 65535.
[[nodiscard]] inline result<void> write_tcp_length(mutable_bytes out, std::size_t message_len) noexcept {
    if (out.size() < 2) return make_error(errc::no_space, layer_name, 0, "no room for the TCP length prefix");
    if (message_len > 0xFFFF) return make_error(errc::limit_exceeded, layer_name, 0, "message over 65535 bytes");
    store_be<2>(out.data(), static_cast<std::uint16_t>(message_len));
    return {};
}

/// Splits a DNS-over-TCP byte stream into messages (RFC 1035 §4.2.2).
class tcp_reader {
public:
    /// Outcome of one feed() call.
    struct step {
        std::size_t consumed = 0;               ///< bytes of the piece used
        std::optional<bytes_view> message{};    ///< a complete message, or nullopt: need more data
    };

    /// `storage` holds a message split across pieces; messages longer than
    /// storage.size() are rejected (65535 bytes accept every message).
    explicit tcp_reader(mutable_bytes storage) noexcept : storage_(storage) {}

    /// Consumes bytes of `piece` until one message is complete (returned,
    /// valid until the next feed() or until `piece` is released) or the piece
    /// is used up (message = nullopt). Call again with the unconsumed rest.
    /// Errors (the stream cannot continue after them; offsets count bytes
    /// from the start of the stream): malformed for a length under 12 (shorter
    /// than a DNS header); limit_exceeded for a length over storage.size().
    [[nodiscard]] result<step> feed(bytes_view piece) noexcept {
        step s;
        // Length prefix, possibly split.
        while (have_len_ < 2 && s.consumed < piece.size()) {
            len_bytes_[have_len_++] = piece[s.consumed++];
            if (have_len_ == 2) {
                need_ = load_be<2>(len_bytes_);
                if (need_ < header_len)
                    return make_error(errc::malformed, layer_name, stream_off_ + s.consumed - 2,
                                      "TCP length prefix shorter than a DNS header");
                if (need_ > storage_.size())
                    return make_error(errc::limit_exceeded, layer_name, stream_off_ + s.consumed - 2,
                                      "TCP message longer than the reader's storage");
                have_ = 0;
            }
        }
        if (have_len_ < 2) {
            stream_off_ += s.consumed;
            return s;
        }
        const std::size_t avail = piece.size() - s.consumed;
        if (have_ == 0 && avail >= need_) {  // zero-copy: all of it is in this piece
            s.message = piece.subspan(s.consumed, need_);
            s.consumed += need_;
            reset();
            stream_off_ += s.consumed;
            return s;
        }
        const std::size_t take = avail < need_ - have_ ? avail : need_ - have_;
        for (std::size_t i = 0; i < take; ++i) storage_[have_ + i] = piece[s.consumed + i];
        have_ += take;
        s.consumed += take;
        if (have_ == need_) {
            s.message = bytes_view{storage_.data(), need_};
            reset();
        }
        stream_off_ += s.consumed;
        return s;
    }

    /// True when no partial message is buffered (a clean place to close).
    [[nodiscard]] bool idle() const noexcept { return have_len_ == 0; }

private:
    void reset() noexcept {
        have_len_ = 0;
        have_ = 0;
        need_ = 0;
    }
    mutable_bytes storage_;
    std::byte len_bytes_[2]{};
    std::size_t have_len_ = 0;
    std::size_t need_ = 0;
    std::size_t have_ = 0;
    std::size_t stream_off_ = 0;
};

}  // namespace wirekit::dns
