// wirekit/wire/dns/dns.hpp — the whole DNS message codec (umbrella header).
//
// Layer L2 (includes core only). Brings in the constants and header
// (types.hpp), names (name.hpp), typed RDATA (rdata.hpp), the parser
// (parser.hpp), the builder (builder.hpp) and TCP framing (tcp.hpp).
// Presentation format through {fmt} is opt-in: wirekit/wire/dns/format.hpp.
// Guide: docs/dns.md.
#pragma once

#include "wirekit/wire/dns/builder.hpp"  // builder
#include "wirekit/wire/dns/name.hpp"     // name_view, name_buffer
#include "wirekit/wire/dns/parser.hpp"   // parser
#include "wirekit/wire/dns/rdata.hpp"    // rdata types
#include "wirekit/wire/dns/tcp.hpp"      // tcp_reader, write_tcp_length
#include "wirekit/wire/dns/types.hpp"    // header, rr_type, ...
