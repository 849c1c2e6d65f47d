// wirekit/checksum/crc_model.hpp — describing a CRC in the Rocksoft model.
//
// Layer L1. A CRC algorithm is fixed by six parameters (R. Williams, "A Painless
// Guide to CRC Error Detection Algorithms", 1993, §15; the same fields as Greg
// Cook's CRC RevEng catalogue, https://reveng.sourceforge.io/crc-catalogue/):
// WIDTH, POLY (without the x^WIDTH term, normal bit order), INIT, REFIN, REFOUT
// and XOROUT. Any such model, including one copied from a datasheet, gets every
// wirekit CRC engine (tables, carry-less-multiply folding).
#pragma once

#include <cstdint>  // std::uint64_t, std::uint8_t ...
#include <type_traits>  // std::conditional_t

namespace wirekit {

/// A CRC algorithm in the Rocksoft model. `Width` in bits (1..64); `Poly`,
/// `Init` and `XorOut` are `Width`-bit values in normal (MSB-first) notation,
/// as printed in the RevEng catalogue. Use it directly for a one-off model:
/// `using my_crc = wirekit::crc_model<16, 0x3d65, 0, false, false, 0xffff>;`
template <unsigned Width, std::uint64_t Poly, std::uint64_t Init, bool RefIn, bool RefOut,
          std::uint64_t XorOut>
struct crc_model {
    static_assert(Width >= 1 && Width <= 64, "wirekit: a CRC width must be 1..64 bits");
    static constexpr std::uint64_t mask = Width == 64 ? ~std::uint64_t{0}
                                                      : (std::uint64_t{1} << Width) - 1;
    static_assert((Poly & ~mask) == 0, "wirekit: CRC poly has bits above its width");
    static_assert((Poly & 1u) == 1u, "wirekit: a CRC poly must have its x^0 term set");
    static_assert((Init & ~mask) == 0, "wirekit: CRC init has bits above its width");
    static_assert((XorOut & ~mask) == 0, "wirekit: CRC xorout has bits above its width");

    static constexpr unsigned width = Width;        ///< register width in bits
    static constexpr std::uint64_t poly = Poly;     ///< generator without x^width, MSB-first
    static constexpr std::uint64_t init = Init;     ///< register preset, MSB-first
    static constexpr bool refin = RefIn;            ///< bytes enter LSB-first
    static constexpr bool refout = RefOut;          ///< register reflected before xorout
    static constexpr std::uint64_t xorout = XorOut; ///< XORed into the final value
};

/// The smallest unsigned integer type holding a `Width`-bit CRC value.
template <unsigned Width>
using crc_value_t = std::conditional_t<
    (Width <= 8), std::uint8_t,
    std::conditional_t<(Width <= 16), std::uint16_t,
                       std::conditional_t<(Width <= 32), std::uint32_t, std::uint64_t>>>;

}  // namespace wirekit
