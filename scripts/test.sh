#!/usr/bin/env bash
# The README's second command: set up (as root), then build and run every test
#   1. g++, Release: unit, conformance, header, compile-fail, package tests;
#      benchmarks are built (not run) so they cannot rot;
#   2. clang with -fsanitize=address,undefined: the same tests, plus every
#      libFuzzer target replaying its corpus and fuzzing for a short smoke run.
#   bash scripts/test.sh            (WIREKIT_FUZZ_SECONDS=N to change the smoke run)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

jobs=$(nproc)
fuzz_seconds=${WIREKIT_FUZZ_SECONDS:-20}

echo "=== [1/2] g++ Release ==="
cmake -S . -B build/gcc-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ \
      -DWIREKIT_BUILD_TESTS=ON -DWIREKIT_BUILD_EXAMPLES=ON -DWIREKIT_BUILD_BENCHMARKS=ON
cmake --build build/gcc-release -j "$jobs"
ctest --test-dir build/gcc-release --output-on-failure -j "$jobs"

echo "=== [2/2] clang, ASan + UBSan, fuzz smoke ==="
cmake -S . -B build/clang-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
      -DWIREKIT_BUILD_TESTS=ON -DWIREKIT_BUILD_EXAMPLES=ON -DWIREKIT_SANITIZE=ON \
      -DWIREKIT_BUILD_FUZZ=ON -DWIREKIT_FUZZ_SECONDS="$fuzz_seconds"
cmake --build build/clang-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/clang-asan --output-on-failure -j "$jobs"

echo "=== all tests passed ==="
