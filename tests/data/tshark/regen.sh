#!/usr/bin/env bash
# Regenerates (or, with --check, verifies) the tshark reference tables that
# the golden-byte tests compare against. The values come from tshark — an
# independent decoder — never from wirekit.
#   bash tests/data/tshark/regen.sh [--check]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=$(dirname "$here")
check=0; [ "${1:-}" = "--check" ] && check=1

ip_fields=(frame.number ip.version ip.hdr_len ip.dsfield.dscp ip.dsfield.ecn ip.len ip.id
           ip.flags.rb ip.flags.df ip.flags.mf ip.frag_offset ip.ttl ip.proto ip.checksum ip.src ip.dst)
tcp_fields=(frame.number tcp.srcport tcp.dstport tcp.seq_raw tcp.ack_raw tcp.hdr_len tcp.flags
            tcp.flags.res tcp.flags.ae tcp.flags.cwr tcp.flags.ece tcp.flags.urg tcp.flags.ack tcp.flags.push
            tcp.flags.reset tcp.flags.syn tcp.flags.fin tcp.window_size_value tcp.checksum tcp.urgent_pointer)

status=0
emit() {  # emit OUT FILTER FIELDS...
  local out=$1 filter=$2; shift 2
  local args=()
  for f in "$@"; do args+=(-e "$f"); done
  local tmp; tmp=$(mktemp)
  # -o: print raw numbers, not names, for every field.
  tshark -r "$data/$capture" -Y "$filter" -T fields -E header=y -E separator=/t "${args[@]}" 2>/dev/null > "$tmp"
  if [ $check = 1 ]; then
    if ! diff -u "$here/$out" "$tmp"; then echo "MISMATCH: $out"; status=1; fi
    rm -f "$tmp"
  else
    mv "$tmp" "$here/$out"; chmod 644 "$here/$out"
  fi
}
for capture in tcp-echo.pcap http-get.pcap icmp-frag.pcap http-big.pcap; do
  [ "$capture" = icmp-frag.pcap ] && only_ip=1 || only_ip=0
  base=${capture%.pcap}
  emit "$base.ipv4.tsv" "ip && !icmp.type==3" "${ip_fields[@]}"
  [ $only_ip = 1 ] || emit "$base.tcp.tsv" "tcp" "${tcp_fields[@]}"
done
exit $status
