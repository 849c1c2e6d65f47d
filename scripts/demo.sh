#!/usr/bin/env bash
# The README's first command: set up (as root) and run the main demo:
# wirekit-dump dissecting a bundled capture.
#   bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DWIREKIT_BUILD_TESTS=OFF \
      -DWIREKIT_BUILD_EXAMPLES=ON >/dev/null
cmake --build build/demo --target wirekit-dump custom-layout
# Dissect a bundled capture of curl fetching a page from nginx: ARP, the TCP
# handshake, the HTTP request and response reassembled from the TCP stream.
./build/demo/examples/wirekit-dump -r tests/data/http-get.pcap
