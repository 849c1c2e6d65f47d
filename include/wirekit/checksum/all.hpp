// wirekit/checksum/all.hpp — umbrella for layer L1: the Internet checksum and
// the CRC engine with its catalogue. See docs/checksum.md.
#pragma once

#include "wirekit/checksum/cpu.hpp"            // run-time CPU features
#include "wirekit/checksum/crc.hpp"            // crc<Model>, crc_path
#include "wirekit/checksum/crc_catalogue.hpp"  // named models (crc32_iso_hdlc, crc32c, ...)
#include "wirekit/checksum/crc_model.hpp"      // crc_model
#include "wirekit/checksum/internet.hpp"       // RFC 1071 / 1624, pseudo-headers
