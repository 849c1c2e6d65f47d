#!/usr/bin/env bash
# Compile-time benchmark: seconds to compile a TU declaring and using 20
# layouts of 10 fields (every field written and read), the same TU also
# printing every layout through fmt, and a baseline with the same includes
# only. Median CPU seconds (user + sys) of N runs per compiler; differences
# are what the layouts add.
#   bash benchmarks/compile_time/measure.sh [N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
inc=$(cd "$here/../../include" && pwd)
runs=${1:-5}
tmp=$(mktemp -d)
bash "$here/generate.sh" "$tmp"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for cxx in g++ clang++; do
  for tu in baseline twenty_layouts twenty_layouts_printed; do
    for _ in $(seq "$runs"); do
      # CPU seconds (user + sys) of the compiler: steadier than wall time on
      # a shared machine.
      t=$( { TIMEFORMAT='%U %S'; time $cxx -std=c++20 -O2 -I"$inc" -c "$tmp/$tu.cpp" -o "$tmp/$tu.o"; } 2>&1 )
      echo "$t" | awk '{print $1 + $2}'
    done | median > "$tmp/$cxx.$tu"
  done
  b=$(cat "$tmp/$cxx.baseline"); t=$(cat "$tmp/$cxx.twenty_layouts"); p=$(cat "$tmp/$cxx.twenty_layouts_printed")
  printf "%-8s headers: %.2f s | 20 layouts x 10 fields used: %.2f s (+%.2f s) | and printed: %.2f s (+%.2f s)\n" \
    "$cxx" "$b" "$t" "$(echo "$t - $b" | bc -l)" "$p" "$(echo "$p - $b" | bc -l)"
done
rm -rf "$tmp"
