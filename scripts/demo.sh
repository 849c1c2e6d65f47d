#!/usr/bin/env bash
# The README's first command: set up (as root) and run the main demo.
#   bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DWIREKIT_BUILD_TESTS=OFF \
      -DWIREKIT_BUILD_EXAMPLES=ON >/dev/null
cmake --build build/demo --target custom-layout
./build/demo/examples/custom-layout
