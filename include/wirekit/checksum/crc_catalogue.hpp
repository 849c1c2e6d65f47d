// wirekit/checksum/crc_catalogue.hpp — named CRC models.
//
// Layer L1. Parameters, check values and residues are facts taken from Greg
// Cook's "Catalogue of parametrised CRC algorithms" (CRC RevEng,
// https://reveng.sourceforge.io/crc-catalogue/all.htm). `check` is the CRC of
// the nine ASCII bytes "123456789"; `residue` is the register after a whole
// error-free codeword (message followed by its CRC), reflected if refout, before
// xorout. Each entry's `name` is the catalogue's, `aliases` its listed aliases.
// tests/checksum verifies every entry against both values on every engine.
#pragma once

#include <array>        // std::array (aliases)
#include <cstdint>      // std::uint64_t
#include <initializer_list>  // counting aliases
#include <iterator>     // std::size
#include <string_view>  // names

#include "wirekit/checksum/crc_model.hpp"  // crc_model

namespace wirekit {

/// Defines a catalogue entry: a crc_model with name, aliases, check, residue.
#define WIREKIT_CRC_ENTRY(ident, NAME, W, POLY, INIT, REFIN, REFOUT, XOROUT, CHECK, RESIDUE, ...) \
    struct ident : crc_model<W, POLY, INIT, REFIN, REFOUT, XOROUT> {                              \
        static constexpr std::string_view name = NAME;                                            \
        static constexpr std::uint64_t check = CHECK;                                             \
        static constexpr std::uint64_t residue = RESIDUE;                                         \
        static constexpr auto aliases = std::array<std::string_view, std::size(                   \
            std::initializer_list<std::string_view>{__VA_ARGS__})>{__VA_ARGS__};                  \
    }

// clang-format off
/// CRC-3/GSM (3GPP TS 46.010). Exercises a width below one byte.
WIREKIT_CRC_ENTRY(crc3_gsm, "CRC-3/GSM", 3, 0x3, 0x0, false, false, 0x7, 0x4, 0x2);
/// CRC-5/USB (USB 2.0 token packets).
WIREKIT_CRC_ENTRY(crc5_usb, "CRC-5/USB", 5, 0x05, 0x1f, true, true, 0x1f, 0x19, 0x06);
/// CRC-8/SMBUS (System Management Bus PEC).
WIREKIT_CRC_ENTRY(crc8_smbus, "CRC-8/SMBUS", 8, 0x07, 0x00, false, false, 0x00, 0xf4, 0x00, "CRC-8");
/// CRC-8/MAXIM-DOW (1-Wire).
WIREKIT_CRC_ENTRY(crc8_maxim_dow, "CRC-8/MAXIM-DOW", 8, 0x31, 0x00, true, true, 0x00, 0xa1, 0x00,
                  "CRC-8/MAXIM", "DOW-CRC");
/// CRC-12/UMTS (3GPP TS 25.212): REFIN differs from REFOUT.
WIREKIT_CRC_ENTRY(crc12_umts, "CRC-12/UMTS", 12, 0x80f, 0x000, false, true, 0x000, 0xdaf, 0x000,
                  "CRC-12/3GPP");
/// CRC-16/ARC.
WIREKIT_CRC_ENTRY(crc16_arc, "CRC-16/ARC", 16, 0x8005, 0x0000, true, true, 0x0000, 0xbb3d, 0x0000,
                  "ARC", "CRC-16", "CRC-16/LHA", "CRC-IBM");
/// CRC-16/IBM-3740, better known as CRC-16/CCITT-FALSE.
WIREKIT_CRC_ENTRY(crc16_ibm_3740, "CRC-16/IBM-3740", 16, 0x1021, 0xffff, false, false, 0x0000, 0x29b1,
                  0x0000, "CRC-16/AUTOSAR", "CRC-16/CCITT-FALSE");
/// CRC-16/KERMIT (also CRC-16/CCITT, CRC-16/BLUETOOTH).
WIREKIT_CRC_ENTRY(crc16_kermit, "CRC-16/KERMIT", 16, 0x1021, 0x0000, true, true, 0x0000, 0x2189, 0x0000,
                  "CRC-16/BLUETOOTH", "CRC-16/CCITT", "CRC-16/CCITT-TRUE", "CRC-16/V-41-LSB",
                  "CRC-CCITT", "KERMIT");
/// CRC-16/XMODEM.
WIREKIT_CRC_ENTRY(crc16_xmodem, "CRC-16/XMODEM", 16, 0x1021, 0x0000, false, false, 0x0000, 0x31c3, 0x0000,
                  "CRC-16/ACORN", "CRC-16/LTE", "CRC-16/V-41-MSB", "XMODEM", "ZMODEM");
/// CRC-16/MODBUS.
WIREKIT_CRC_ENTRY(crc16_modbus, "CRC-16/MODBUS", 16, 0x8005, 0xffff, true, true, 0x0000, 0x4b37, 0x0000,
                  "MODBUS");
/// CRC-16/USB.
WIREKIT_CRC_ENTRY(crc16_usb, "CRC-16/USB", 16, 0x8005, 0xffff, true, true, 0xffff, 0xb4c8, 0xb001);
/// CRC-24/OPENPGP (RFC 4880 §6.1).
WIREKIT_CRC_ENTRY(crc24_openpgp, "CRC-24/OPENPGP", 24, 0x864cfb, 0xb704ce, false, false, 0x000000,
                  0x21cf02, 0x000000, "CRC-24");
/// CRC-31/PHILIPS. Exercises a width that is not a multiple of 8.
WIREKIT_CRC_ENTRY(crc31_philips, "CRC-31/PHILIPS", 31, 0x04c11db7, 0x7fffffff, false, false, 0x7fffffff,
                  0x0ce9e46c, 0x4eaf26f1);
/// CRC-32/ISO-HDLC: the Ethernet FCS (IEEE 802.3 §3.2.9), zlib, PKZIP.
WIREKIT_CRC_ENTRY(crc32_iso_hdlc, "CRC-32/ISO-HDLC", 32, 0x04c11db7, 0xffffffff, true, true, 0xffffffff,
                  0xcbf43926, 0xdebb20e3, "CRC-32", "CRC-32/ADCCP", "CRC-32/V-42", "CRC-32/XZ", "PKZIP");
/// CRC-32/ISCSI, better known as CRC-32C (Castagnoli; RFC 3720 §12.1, SCTP RFC 9260).
WIREKIT_CRC_ENTRY(crc32_iscsi, "CRC-32/ISCSI", 32, 0x1edc6f41, 0xffffffff, true, true, 0xffffffff,
                  0xe3069283, 0xb798b438, "CRC-32/BASE91-C", "CRC-32/CASTAGNOLI", "CRC-32/INTERLAKEN",
                  "CRC-32C", "CRC-32/NVME");
/// CRC-32/BZIP2 (also AAL5, DECT-B).
WIREKIT_CRC_ENTRY(crc32_bzip2, "CRC-32/BZIP2", 32, 0x04c11db7, 0xffffffff, false, false, 0xffffffff,
                  0xfc891918, 0xc704dd7b, "CRC-32/AAL5", "CRC-32/DECT-B", "B-CRC-32");
/// CRC-32/MPEG-2.
WIREKIT_CRC_ENTRY(crc32_mpeg_2, "CRC-32/MPEG-2", 32, 0x04c11db7, 0xffffffff, false, false, 0x00000000,
                  0x0376e6e7, 0x00000000);
/// CRC-32/AUTOSAR.
WIREKIT_CRC_ENTRY(crc32_autosar, "CRC-32/AUTOSAR", 32, 0xf4acfb13, 0xffffffff, true, true, 0xffffffff,
                  0x1697d06a, 0x904cddbf);
/// CRC-40/GSM. Exercises a width between 32 and 64.
WIREKIT_CRC_ENTRY(crc40_gsm, "CRC-40/GSM", 40, 0x0004820009, 0x0000000000, false, false, 0xffffffffff,
                  0xd4164fc646, 0xc4ff8071ff);
/// CRC-64/XZ (also CRC-64/GO-ECMA).
WIREKIT_CRC_ENTRY(crc64_xz, "CRC-64/XZ", 64, 0x42f0e1eba9ea3693, 0xffffffffffffffff, true, true,
                  0xffffffffffffffff, 0x995dc9bbdf1939fa, 0x49958c9abd7d353f, "CRC-64/GO-ECMA");
/// CRC-64/ECMA-182.
WIREKIT_CRC_ENTRY(crc64_ecma_182, "CRC-64/ECMA-182", 64, 0x42f0e1eba9ea3693, 0x0000000000000000, false,
                  false, 0x0000000000000000, 0x6c40df5f0b497347, 0x0000000000000000, "CRC-64");
/// CRC-64/GO-ISO.
WIREKIT_CRC_ENTRY(crc64_go_iso, "CRC-64/GO-ISO", 64, 0x000000000000001b, 0xffffffffffffffff, true, true,
                  0xffffffffffffffff, 0xb90956c775a41001, 0x5300000000000000);
/// CRC-64/WE.
WIREKIT_CRC_ENTRY(crc64_we, "CRC-64/WE", 64, 0x42f0e1eba9ea3693, 0xffffffffffffffff, false, false,
                  0xffffffffffffffff, 0x62ec59e3f1a4f00a, 0xfcacbebd5931a992);
// clang-format on
#undef WIREKIT_CRC_ENTRY

/// Familiar spellings of catalogue entries.
using crc16_ccitt_false = crc16_ibm_3740;  ///< CRC-16/CCITT-FALSE
using crc32c = crc32_iscsi;                ///< CRC-32C (Castagnoli)
using crc32_ethernet = crc32_iso_hdlc;     ///< the IEEE 802.3 FCS
using crc64_go_ecma = crc64_xz;            ///< CRC-64/GO-ECMA

/// Calls `f(Model{})` for every catalogue entry, in catalogue order (for
/// listing, look-up by name, or tests).
template <class F>
constexpr void for_each_crc_model(F&& f) {
    f(crc3_gsm{}); f(crc5_usb{}); f(crc8_smbus{}); f(crc8_maxim_dow{}); f(crc12_umts{});
    f(crc16_arc{}); f(crc16_ibm_3740{}); f(crc16_kermit{}); f(crc16_xmodem{}); f(crc16_modbus{});
    f(crc16_usb{}); f(crc24_openpgp{}); f(crc31_philips{}); f(crc32_iso_hdlc{}); f(crc32_iscsi{});
    f(crc32_bzip2{}); f(crc32_mpeg_2{}); f(crc32_autosar{}); f(crc40_gsm{}); f(crc64_xz{});
    f(crc64_ecma_182{}); f(crc64_go_iso{}); f(crc64_we{});
}

}  // namespace wirekit
