// Differential fuzz target for layer L1: every Internet checksum path and
// every CRC engine must agree with the bytewise/bitwise references on
// arbitrary input, at an input-chosen alignment, one-shot and streamed over
// input-chosen split points. Any disagreement aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "wirekit/checksum/all.hpp"

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_checksum: %s\n", what);
    std::abort();
}

/// Split points for streaming, drawn from the input itself.
std::vector<std::size_t> splits(wirekit::bytes_view b, std::uint8_t seed) {
    std::vector<std::size_t> cuts;
    std::size_t pos = 0, i = 0;
    while (pos < b.size()) {
        const std::size_t step = 1 + (std::to_integer<std::size_t>(b[(i * 7 + seed) % b.size()]) * (seed | 1u)) % 300;
        pos += step;
        cuts.push_back(pos < b.size() ? pos : b.size());
        ++i;
    }
    return cuts;
}

template <class M>
void check_crc(wirekit::bytes_view b, const std::vector<std::size_t>& cuts) {
    using C = wirekit::crc<M>;
    const auto ref = C::compute(b, wirekit::crc_path::bytewise);
    if (b.size() <= 512 && ref != wirekit::crc_reference<M>(b)) fail("bytewise != bitwise reference");
    for (auto path : {wirekit::crc_path::automatic, wirekit::crc_path::slice8, wirekit::crc_path::pclmul,
                      wirekit::crc_path::vpclmul, wirekit::crc_path::sse42, wirekit::crc_path::hybrid}) {
        if (!C::is_supported(path)) continue;
        if (C::compute(b, path) != ref) fail("CRC engine disagrees with the reference (one-shot)");
        C c;
        std::size_t prev = 0;
        for (std::size_t cut : cuts) {
            c.update(b.subspan(prev, cut - prev), path);
            prev = cut;
        }
        if (c.finalize() != ref) fail("CRC engine disagrees with the reference (streamed)");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // First byte: alignment (0..63) and split seed; the rest is the message,
    // copied to an exactly sized heap block at that alignment.
    const std::size_t align = data[0] & 63u;
    const auto seed = static_cast<std::uint8_t>(data[0] >> 6);
    std::vector<std::byte> storage(align + size - 1);
    if (size > 1) std::memcpy(storage.data() + align, data + 1, size - 1);
    const wirekit::bytes_view msg(storage.data() + align, size - 1);
    const auto cuts = splits(msg, seed);

    using wirekit::internet_checksum_path;
    const std::uint16_t ref = wirekit::detail::inet_sum_bytewise(msg.data(), msg.size());
    for (auto path : {internet_checksum_path::automatic, internet_checksum_path::portable,
                      internet_checksum_path::avx2, internet_checksum_path::avx512,
                      internet_checksum_path::avx512_vnni}) {
        if (!wirekit::is_supported(path)) continue;
        if (wirekit::ones_complement_sum(msg, path) != ref) fail("Internet checksum path disagrees");
    }
    wirekit::checksum_accumulator acc;
    std::size_t prev = 0;
    for (std::size_t cut : cuts) {
        acc.add(msg.subspan(prev, cut - prev));
        prev = cut;
    }
    if (acc.sum() != ref) fail("accumulator over splits disagrees with one-shot");

    check_crc<wirekit::crc32_iso_hdlc>(msg, cuts);
    check_crc<wirekit::crc32_iscsi>(msg, cuts);
    check_crc<wirekit::crc32_bzip2>(msg, cuts);
    check_crc<wirekit::crc64_xz>(msg, cuts);
    check_crc<wirekit::crc64_ecma_182>(msg, cuts);
    check_crc<wirekit::crc16_arc>(msg, cuts);
    check_crc<wirekit::crc16_ibm_3740>(msg, cuts);
    check_crc<wirekit::crc24_openpgp>(msg, cuts);
    check_crc<wirekit::crc40_gsm>(msg, cuts);
    check_crc<wirekit::crc12_umts>(msg, cuts);
    check_crc<wirekit::crc5_usb>(msg, cuts);
    check_crc<wirekit::crc3_gsm>(msg, cuts);
    return 0;
}
