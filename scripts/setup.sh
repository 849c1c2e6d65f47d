#!/usr/bin/env bash
# wirekit set-up: installs every Debian 12 package the build, the tests, the
# fuzzers and the benchmarks need. Idempotent; run as root.
#   bash scripts/setup.sh
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev          # Boost.Hana (header-only), Boost.CRC for benchmarks
  libfmt-dev            # formatting
  catch2                # Catch2 v2 test framework
  libpcap-dev           # pcap backend
  clang libclang-rt-14-dev   # libFuzzer + ASan/UBSan runtimes
  libbenchmark-dev      # Google Benchmark
  zlib1g-dev libisal-dev     # reference CRC implementations for benchmarks
  libhttp-parser-dev    # reference HTTP/1.1 parser (nodejs http-parser) for benchmarks
  node-llhttp           # reference HTTP/1.1 parser (llhttp's C sources) for benchmarks
  libldns-dev           # reference DNS codec for benchmarks
  libtins-dev           # reference packet dissector for benchmarks
  tshark                # independent reference decoder used by tests
  tcpdump               # reference dissector for the dump benchmark
  iproute2              # `ip netns` / veth / TAP for the privileged I/O tests
  iputils-ping          # the kernel's ping as the peer of the stack's ICMP (tests/stack/net_kernel_test.cpp)
  python3               # kernel UDP/TCP client and server in the stack's kernel interop tests
  bc                    # arithmetic in benchmarks/compile_time/measure.sh
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
