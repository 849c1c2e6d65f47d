// No path reads outside its input: the input is placed flush against an
// inaccessible (PROT_NONE) page, after it and before it, and every Internet
// checksum path and CRC engine runs over every short length there. An
// over-read or under-read crashes the test (picohttpparser's technique).
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "wirekit/checksum/all.hpp"

using namespace wirekit;

namespace {

/// [PROT_NONE page][8 read-write pages][PROT_NONE page].
struct guarded_page {
    std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    std::size_t size = 8 * page;
    std::byte* base = nullptr;
    guarded_page() {
        void* p = mmap(nullptr, size + 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        REQUIRE(p != MAP_FAILED);
        base = static_cast<std::byte*>(p);
        REQUIRE(mprotect(base, page, PROT_NONE) == 0);
        REQUIRE(mprotect(base + page + size, page, PROT_NONE) == 0);
        for (std::size_t i = 0; i < size; ++i) base[page + i] = static_cast<std::byte>((i * 131 + 7) & 0xffu);
    }
    ~guarded_page() { munmap(base, size + 2 * page); }
    guarded_page(const guarded_page&) = delete;
    guarded_page& operator=(const guarded_page&) = delete;
    bytes_view at_end(std::size_t n) const { return {base + page + size - n, n}; }
    bytes_view at_start(std::size_t n) const { return {base + page, n}; }
};

template <class M>
void all_crc_paths(bytes_view b) {
    const auto ref = crc<M>::compute(b, crc_path::bytewise);
    for (auto path : {crc_path::automatic, crc_path::slice8, crc_path::pclmul, crc_path::vpclmul, crc_path::sse42,
                      crc_path::hybrid})
        if (crc<M>::is_supported(path) && crc<M>::compute(b, path) != ref) FAIL("CRC path disagrees");
}

}  // namespace

TEST_CASE("no checksum or CRC path reads outside its input", "[checksum][crc][internet]") {
    guarded_page g;
    for (std::size_t n = 0; n <= 600; ++n) {
        for (const bytes_view b : {g.at_end(n), g.at_start(n)}) {
            const std::uint16_t ref = detail::inet_sum_bytewise(b.data(), b.size());
            for (auto path : {internet_checksum_path::automatic, internet_checksum_path::portable,
                              internet_checksum_path::avx2, internet_checksum_path::avx512,
                              internet_checksum_path::avx512_vnni})
                if (is_supported(path) && ones_complement_sum(b, path) != ref) FAIL("checksum path disagrees");
            all_crc_paths<crc32_iso_hdlc>(b);
            all_crc_paths<crc32c>(b);
            all_crc_paths<crc64_ecma_182>(b);
            all_crc_paths<crc24_openpgp>(b);
        }
    }
    for (std::size_t n : {6400u, 6401u, 6415u, 12800u, 12817u, 20000u, 32768u})
        for (const bytes_view b : {g.at_end(n), g.at_start(n)}) {
            all_crc_paths<crc32c>(b);
            all_crc_paths<crc64_ecma_182>(b);
        }
    SUCCEED("no fault");
}
