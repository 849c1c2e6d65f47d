// wirekit/wirekit.hpp — umbrella for everything that is pure computation:
// core (L0), checksums and CRCs (L1) and every wire format (L2).
//
// State machines (wirekit/fsm/), I/O backends (wirekit/io/) and stacks are
// included separately: they are heavier, and the I/O backends need system
// libraries (libpcap for wirekit/io/pcap.hpp).
#pragma once

#include "core.hpp"              // layouts, views, result, addresses, formatters
#include "checksum/all.hpp"      // Internet checksum, CRC engine and catalogue

#include "wire/arp.hpp"          // RFC 826
#include "wire/craft.hpp"        // typed crafting of whole frames
#include "wire/dissect.hpp"      // whole-frame dissection
#include "wire/ethernet.hpp"     // Ethernet II, 802.1Q/QinQ, FCS
#include "wire/icmpv4.hpp"       // RFC 792, RFC 1191
#include "wire/icmpv6.hpp"       // RFC 4443
#include "wire/ipv4.hpp"         // RFC 791
#include "wire/ipv6.hpp"         // RFC 8200
#include "wire/reassembly.hpp"   // RFC 815 IPv4 reassembly
#include "wire/tcp.hpp"          // RFC 9293 §3.1, options
#include "wire/udp.hpp"          // RFC 768
#include "wire/virtio_net.hpp"   // VIRTIO 1.2 §5.1.6 virtio-net header (TAP offload metadata)
#include "wire/dns/dns.hpp"      // RFC 1035 and extensions
#include "wire/http1/http1.hpp"  // RFC 9110 / RFC 9112
