#!/usr/bin/env bash
# Instructions executed by one `errkb build` of a site, per binary, counted by valgrind's
# callgrind (all threads, user space only). On this project's virtual machines wall and
# CPU times move by 10-20 % between minutes, so a change worth 1-2 % cannot be seen in
# them; the instruction count of the same build moves by about 0.3 % (the hash seeds).
# It does not see cache misses, system calls or the kernel, and it counts each byte of a
# `rep stos`/`rep movs` as one instruction: confirm a large change with benches/ab.sh.
#
#   benches/ir.sh BIN [BIN...]           families 1k corpus (target/bench/corpus-families-1000)
#   IR_SITE=DIR benches/ir.sh BIN...     another site
#
# About 10 s a binary at 1k (valgrind runs the build about 50 times slower).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: benches/ir.sh BIN [BIN...]" >&2; exit 2; }
site=${IR_SITE:-target/bench/corpus-families-1000/errkb}
test -d "$site" || { echo "no site at $site (run benches/run.sh once to generate the corpora)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is missing (apt-get install valgrind)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for bin in "$@"; do
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
    "$bin" build -q --root "$site" -o "$work/out" 2>"$work/log" >/dev/null \
    || { cat "$work/log" >&2; exit 1; }
  n=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$work/log")
  printf '%s\t%s instructions\n' "$bin" "$n"
  rm -rf "$work/out" "$work"/cg.out*
done
