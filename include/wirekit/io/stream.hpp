// wirekit/io/stream.hpp — the byte_stream concept: a reliable, ordered byte
// stream (a kernel TCP socket today; the stack's own TCP later), so that
// protocol machines (DNS over TCP, HTTP/1.1) run over either.
//
// Layer L4. The calls mirror send(2)/recv(2):
//   send(bytes)  → bytes accepted, possibly fewer than offered (a partial send)
//   recv(buffer) → bytes received, 0 once the peer has closed its side
// Errors are io_result failures. write_all() loops over partial sends.
#pragma once

#include <concepts>  // std::same_as
#include <cstddef>   // std::size_t

#include "../core/bytes.hpp"  // bytes_view, mutable_bytes
#include "error.hpp"          // io_result

namespace wirekit::io {

/// A reliable ordered byte stream (see the file comment).
template <class S>
concept byte_stream = requires(S& s, bytes_view out, mutable_bytes in) {
    { s.send(out) } -> std::same_as<io_result<std::size_t>>;
    { s.recv(in) } -> std::same_as<io_result<std::size_t>>;
};

/// Sends all of `data` over any byte_stream, looping over partial sends.
/// Errors: the first failing send's; `closed` when a send accepts nothing.
template <byte_stream S>
io_result<void> write_all(S& s, bytes_view data) {
    while (!data.empty()) {
        auto n = s.send(data);
        if (!n) return n.error();
        if (*n == 0) return io_error{io_errc::closed, "write_all", 0, "the stream accepted no bytes"};
        data = data.subspan(*n);
    }
    return {};
}

}  // namespace wirekit::io
