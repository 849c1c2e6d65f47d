// byte_ring (the storage of a connection's send and receive queues) against
// std::deque<std::byte> as the reference FIFO: random appends, partial
// copies and consumes across the wrap-around and through growth.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "wirekit/fsm/tcp/byte_ring.hpp"

using wirekit::bytes_view;
using wirekit::mutable_bytes;
using wirekit::fsm::tcp::byte_ring;

TEST_CASE("byte_ring behaves as a std::deque FIFO across wrap-around and growth") {
    std::mt19937 rng(20261121);
    byte_ring ring;
    std::deque<std::byte> model;
    std::uint8_t next = 0;
    for (int step = 0; step < 20000; ++step) {
        const auto op = rng() % 3;
        if (op == 0) {  // append up to 3000 bytes, total kept below 40000
            std::vector<std::byte> d(rng() % 3000);
            for (auto& b : d) b = std::byte{next++};
            if (model.size() + d.size() > 40000) d.clear();
            ring.append(bytes_view(d));
            model.insert(model.end(), d.begin(), d.end());
        } else if (op == 1 && !model.empty()) {  // copy a slice from an offset
            const std::size_t off = rng() % model.size();
            std::vector<std::byte> out(rng() % (model.size() - off + 1));
            ring.copy_out(off, mutable_bytes(out));
            REQUIRE(std::equal(out.begin(), out.end(), model.begin() + static_cast<std::ptrdiff_t>(off)));
        } else if (!model.empty()) {  // consume from the front
            const std::size_t n = rng() % (model.size() + 1);
            ring.consume(n);
            model.erase(model.begin(), model.begin() + static_cast<std::ptrdiff_t>(n));
        }
        REQUIRE(ring.size() == model.size());
        REQUIRE(ring.empty() == model.empty());
        REQUIRE(ring.capacity() <= 65536);  // bit_ceil of the 40000-byte bound
    }
    std::vector<std::byte> all(ring.size());
    ring.copy_out(0, mutable_bytes(all));
    CHECK(std::equal(all.begin(), all.end(), model.begin(), model.end()));
    ring.clear();
    CHECK(ring.empty());
    CHECK(ring.capacity() == 0);
}
