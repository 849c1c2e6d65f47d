// Tests for wirekit/checksum/crc.hpp: every catalogue entry against its
// published check value and residue (Greg Cook, CRC RevEng catalogue,
// https://reveng.sourceforge.io/crc-catalogue/all.htm), on every engine; every
// fast engine against the bitwise/bytewise references over many lengths and
// alignments; streaming equals one-shot; real Ethernet FCS values.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include <boost/crc.hpp>  // an independent implementation to compare against

#include "wirekit/checksum/crc.hpp"

using namespace wirekit;

namespace {

constexpr std::array<std::byte, 9> check_message{std::byte{'1'}, std::byte{'2'}, std::byte{'3'},
                                                 std::byte{'4'}, std::byte{'5'}, std::byte{'6'},
                                                 std::byte{'7'}, std::byte{'8'}, std::byte{'9'}};

constexpr crc_path all_paths[] = {crc_path::automatic, crc_path::bitwise, crc_path::bytewise,
                                  crc_path::slice8,    crc_path::pclmul,  crc_path::vpclmul,
                                  crc_path::sse42,     crc_path::hybrid};
constexpr crc_path fast_paths[] = {crc_path::automatic, crc_path::slice8, crc_path::pclmul,
                                   crc_path::vpclmul, crc_path::sse42, crc_path::hybrid};

std::vector<std::byte> random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::byte> v(n);
    for (auto& b : v) b = static_cast<std::byte>(rng() & 0xffu);
    return v;
}

}  // namespace

// The required entries, with values as printed by the RevEng catalogue
// (written out here independently of crc_catalogue.hpp).
TEST_CASE("required catalogue entries match RevEng parameters and check values", "[checksum][crc]") {
    struct row { std::string_view name; unsigned width; std::uint64_t poly, init; bool refin, refout;
                 std::uint64_t xorout, check, residue; };
    auto same = [](auto m, const row& r) {
        using M = decltype(m);
        CAPTURE(r.name);
        CHECK(M::name == r.name);
        CHECK(M::width == r.width);
        CHECK(M::poly == r.poly);
        CHECK(M::init == r.init);
        CHECK(M::refin == r.refin);
        CHECK(M::refout == r.refout);
        CHECK(M::xorout == r.xorout);
        CHECK(M::check == r.check);
        CHECK(M::residue == r.residue);
        CHECK(crc<M>::compute(check_message) == r.check);
    };
    same(crc8_smbus{}, {"CRC-8/SMBUS", 8, 0x07, 0x00, false, false, 0x00, 0xf4, 0x00});
    same(crc8_maxim_dow{}, {"CRC-8/MAXIM-DOW", 8, 0x31, 0x00, true, true, 0x00, 0xa1, 0x00});
    same(crc16_arc{}, {"CRC-16/ARC", 16, 0x8005, 0x0000, true, true, 0x0000, 0xbb3d, 0x0000});
    same(crc16_ibm_3740{}, {"CRC-16/IBM-3740", 16, 0x1021, 0xffff, false, false, 0x0000, 0x29b1, 0x0000});
    same(crc16_kermit{}, {"CRC-16/KERMIT", 16, 0x1021, 0x0000, true, true, 0x0000, 0x2189, 0x0000});
    same(crc16_xmodem{}, {"CRC-16/XMODEM", 16, 0x1021, 0x0000, false, false, 0x0000, 0x31c3, 0x0000});
    same(crc16_modbus{}, {"CRC-16/MODBUS", 16, 0x8005, 0xffff, true, true, 0x0000, 0x4b37, 0x0000});
    same(crc16_usb{}, {"CRC-16/USB", 16, 0x8005, 0xffff, true, true, 0xffff, 0xb4c8, 0xb001});
    same(crc24_openpgp{}, {"CRC-24/OPENPGP", 24, 0x864cfb, 0xb704ce, false, false, 0x000000, 0x21cf02, 0x000000});
    same(crc32_iso_hdlc{}, {"CRC-32/ISO-HDLC", 32, 0x04c11db7, 0xffffffff, true, true, 0xffffffff, 0xcbf43926, 0xdebb20e3});
    same(crc32_iscsi{}, {"CRC-32/ISCSI", 32, 0x1edc6f41, 0xffffffff, true, true, 0xffffffff, 0xe3069283, 0xb798b438});
    same(crc32_bzip2{}, {"CRC-32/BZIP2", 32, 0x04c11db7, 0xffffffff, false, false, 0xffffffff, 0xfc891918, 0xc704dd7b});
    same(crc32_mpeg_2{}, {"CRC-32/MPEG-2", 32, 0x04c11db7, 0xffffffff, false, false, 0x00000000, 0x0376e6e7, 0x00000000});
    same(crc32_autosar{}, {"CRC-32/AUTOSAR", 32, 0xf4acfb13, 0xffffffff, true, true, 0xffffffff, 0x1697d06a, 0x904cddbf});
    same(crc64_xz{}, {"CRC-64/XZ", 64, 0x42f0e1eba9ea3693, ~0ull, true, true, ~0ull, 0x995dc9bbdf1939fa, 0x49958c9abd7d353f});
    same(crc64_ecma_182{}, {"CRC-64/ECMA-182", 64, 0x42f0e1eba9ea3693, 0, false, false, 0, 0x6c40df5f0b497347, 0});
    same(crc64_go_iso{}, {"CRC-64/GO-ISO", 64, 0x1b, ~0ull, true, true, ~0ull, 0xb90956c775a41001, 0x5300000000000000});
    // Aliases from the catalogue.
    CHECK(std::find(crc16_ibm_3740::aliases.begin(), crc16_ibm_3740::aliases.end(), "CRC-16/CCITT-FALSE") !=
          crc16_ibm_3740::aliases.end());
    CHECK(std::find(crc32_iscsi::aliases.begin(), crc32_iscsi::aliases.end(), "CRC-32C") != crc32_iscsi::aliases.end());
}

TEST_CASE("every catalogue entry: check value on every engine, at compile time too", "[checksum][crc]") {
    std::size_t models = 0;
    for_each_crc_model([&](auto m) {
        using M = decltype(m);
        CAPTURE(M::name);
        static_assert(crc<M>::compute(check_message) == M::check, "compile-time CRC disagrees with the catalogue");
        CHECK(crc_reference<M>(check_message) == M::check);
        for (auto path : all_paths) {
            if (!crc<M>::is_supported(path)) continue;
            CAPTURE(static_cast<int>(path));
            CHECK(crc<M>::compute(check_message, path) == M::check);
        }
        ++models;
    });
    CHECK(models == 23);
}

// RevEng's residue: run the CRC over a codeword (message followed by its CRC,
// least significant byte first when refout, else most significant first); the
// register before xorout is the residue, i.e. finalize() ^ xorout.
TEST_CASE("every byte-wide catalogue entry: residue on every engine", "[checksum][crc]") {
    std::size_t tested = 0;
    for_each_crc_model([&](auto m) {
        using M = decltype(m);
        if constexpr (M::width % 8 == 0 && M::refin == M::refout) {
            CAPTURE(M::name);
            const auto msg = random_bytes(100, M::width);
            for (std::size_t len : {0u, 9u, 15u, 16u, 100u}) {
                std::vector<std::byte> word(msg.begin(), msg.begin() + static_cast<std::ptrdiff_t>(len));
                const std::uint64_t c = crc<M>::compute(word);
                for (unsigned i = 0; i < M::width / 8; ++i) {
                    const unsigned shift = M::refout ? 8 * i : M::width - 8 * (i + 1);
                    word.push_back(static_cast<std::byte>((c >> shift) & 0xffu));
                }
                for (auto path : all_paths) {
                    if (!crc<M>::is_supported(path)) continue;
                    CAPTURE(len, static_cast<int>(path));
                    CHECK((crc<M>::compute(word, path) ^ M::xorout) == M::residue);
                }
            }
            ++tested;
        }
    });
    CHECK(tested == 19);
}

TEST_CASE("a user-defined model from a datasheet gets every engine", "[checksum][crc]") {
    // CRC-16/DNP (RevEng): width=16 poly=0x3d65 init=0 refin=true refout=true xorout=0xffff check=0xea82.
    using dnp = crc_model<16, 0x3d65, 0x0000, true, true, 0xffff>;
    // CRC-17/CAN-FD (RevEng): width=17 poly=0x1685b init=0 refin=false refout=false xorout=0 check=0x04f03.
    using canfd17 = crc_model<17, 0x1685b, 0, false, false, 0>;
    for (auto path : all_paths) {
        if (!crc<dnp>::is_supported(path)) continue;
        CHECK(crc<dnp>::compute(check_message, path) == 0xea82);
        CHECK(crc<canfd17>::compute(check_message, path) == 0x04f03);
    }
}

namespace {
template <class M>
void sweep_against_reference(const std::vector<std::byte>& buf, std::size_t max_len) {
    CAPTURE(M::name);
    for (std::size_t len = 0; len <= max_len; ++len) {
        const std::size_t aligns = len <= 300 ? 64 : 2;
        for (std::size_t k = 0; k < aligns; ++k) {
            const std::size_t align = aligns == 64 ? k : (len * 13 + k * 29) % 64;
            const bytes_view b(buf.data() + align, len);
            const auto ref = crc<M>::compute(b, crc_path::bytewise);
            for (auto path : fast_paths) {
                if (!crc<M>::is_supported(path)) continue;
                if (crc<M>::compute(b, path) != ref) {
                    CAPTURE(len, align, static_cast<int>(path));
                    FAIL("engine disagrees with the bytewise reference");
                }
            }
        }
    }
}
}  // namespace

TEST_CASE("bytewise engine equals the bitwise definition", "[checksum][crc]") {
    const auto buf = random_bytes(600, 15);
    for_each_crc_model([&](auto m) {
        using M = decltype(m);
        CAPTURE(M::name);
        for (std::size_t len = 0; len <= 600; len += 7)
            CHECK(crc<M>::compute(bytes_view(buf.data(), len), crc_path::bytewise) ==
                  crc_reference<M>(bytes_view(buf.data(), len)));
    });
}

TEST_CASE("fast engines equal the reference: lengths 0..4096, alignments 0..63", "[checksum][crc]") {
    const auto buf = random_bytes(4096 + 64, 3720);
    const std::vector<std::byte> ones(4096 + 64, std::byte{0xff});
    for (const auto* src : {&buf, &ones}) {
        sweep_against_reference<crc32_iso_hdlc>(*src, 4096);
        sweep_against_reference<crc32_iscsi>(*src, 4096);
        sweep_against_reference<crc64_xz>(*src, 4096);
        sweep_against_reference<crc16_arc>(*src, 4096);
        sweep_against_reference<crc32_bzip2>(*src, 4096);
        sweep_against_reference<crc64_ecma_182>(*src, 4096);
    }
    // Every other model (odd widths, refin != refout, non-reflected 24/40-bit).
    for_each_crc_model([&](auto m) { sweep_against_reference<decltype(m)>(buf, 1100); });
}

TEST_CASE("streaming over random splits equals one-shot, on every engine", "[checksum][crc]") {
    const auto buf = random_bytes(5000, 9260);
    std::mt19937 rng(1);
    for_each_crc_model([&](auto m) {
        using M = decltype(m);
        CAPTURE(M::name);
        for (int trial = 0; trial < 20; ++trial) {
            const std::size_t len = rng() % 5000;
            const bytes_view all(buf.data(), len);
            const auto expect = crc<M>::compute(all, crc_path::bytewise);
            for (auto path : fast_paths) {
                if (!crc<M>::is_supported(path)) continue;
                crc<M> c;
                std::size_t pos = 0;
                while (pos < len) {
                    const std::size_t step = std::min<std::size_t>(len - pos, rng() % 700);
                    c.update(all.subspan(pos, step), path);
                    pos += step;
                }
                CHECK(c.finalize() == expect);
                c.reset();
                CHECK(c.update(all).finalize() == expect);
            }
        }
    });
}

// IEEE 802.3 §3.2.9: the FCS is CRC-32/ISO-HDLC over the frame from the
// destination address through the pad, sent least significant byte first. A
// receiver running the CRC over frame + FCS ends with the RevEng residue
// 0xDEBB20E3 in the register, i.e. 0x2144DF1C after xorout.
TEST_CASE("Ethernet FCS round trip uses the receiver's magic value", "[checksum][crc]") {
    auto frame = random_bytes(60, 8023);
    const std::uint32_t fcs = crc<crc32_ethernet>::compute(frame);
    for (int i = 0; i < 4; ++i) frame.push_back(static_cast<std::byte>((fcs >> (8 * i)) & 0xffu));
    CHECK(crc<crc32_ethernet>::compute(frame) == 0x2144df1cu);
    frame[7] ^= std::byte{0x10};  // any single-bit error is detected
    CHECK(crc<crc32_ethernet>::compute(frame) != 0x2144df1cu);
}

TEST_CASE("every catalogue entry agrees with Boost.CRC on random data", "[checksum][crc]") {
    const auto buf = random_bytes(3000, 42);
    for_each_crc_model([&](auto m) {
        using M = decltype(m);
        CAPTURE(M::name);
        using boost_crc = boost::crc_optimal<M::width, static_cast<typename boost::uint_t<M::width>::fast>(M::poly),
                                             static_cast<typename boost::uint_t<M::width>::fast>(M::init),
                                             static_cast<typename boost::uint_t<M::width>::fast>(M::xorout),
                                             M::refin, M::refout>;
        for (std::size_t len : {0u, 1u, 7u, 16u, 63u, 64u, 255u, 256u, 1500u, 2999u}) {
            boost_crc b;
            b.process_bytes(buf.data(), len);
            CHECK(static_cast<std::uint64_t>(crc<M>::compute(bytes_view(buf.data(), len))) ==
                  static_cast<std::uint64_t>(b.checksum()));
        }
    });
}

TEST_CASE("CRC-32C on long buffers: hybrid blocks, block boundaries, streaming", "[checksum][crc]") {
    const auto buf = random_bytes(80000 + 64, 3260);  // longest case: 10 * 6400 + 6399 at offset 63
    std::vector<std::size_t> lens;
    for (std::size_t blocks = 0; blocks <= 10; ++blocks)
        for (std::size_t extra : {0u, 1u, 15u, 16u, 17u, 255u, 256u, 1023u, 1024u, 6399u})
            lens.push_back(blocks * 6400 + extra);
    lens.push_back(70000);
    for (std::size_t len : lens) {
        for (std::size_t align : {0u, 1u, 7u, 33u, 63u}) {
            const bytes_view b(buf.data() + align, len);
            const auto ref = crc<crc32c>::compute(b, crc_path::slice8);
            for (auto path : fast_paths) {
                if (!crc<crc32c>::is_supported(path)) continue;
                if (crc<crc32c>::compute(b, path) != ref) {
                    CAPTURE(len, align, static_cast<int>(path));
                    FAIL("engine disagrees with slice8 on a long buffer");
                }
            }
        }
    }
    // The same long buffers for a generic model on the folding engines.
    for (std::size_t len : lens) {
        const bytes_view b(buf.data() + 5, len);
        const auto ref = crc<crc64_xz>::compute(b, crc_path::slice8);
        for (auto path : fast_paths)
            if (crc<crc64_xz>::is_supported(path)) CHECK(crc<crc64_xz>::compute(b, path) == ref);
    }
    // Streaming in large uneven pieces crosses hybrid blocks mid-way.
    std::mt19937 rng(3);
    for (int trial = 0; trial < 30; ++trial) {
        crc<crc32c> c;
        std::size_t pos = 0;
        while (pos < 70000) {
            const std::size_t step = std::min<std::size_t>(70000 - pos, rng() % 20000);
            c.update(bytes_view(buf.data() + pos, step));
            pos += step;
        }
        CHECK(c.finalize() == crc<crc32c>::compute(bytes_view(buf.data(), 70000), crc_path::bytewise));
    }
}
