#!/usr/bin/env bash
# Two errkb binaries, or one binary under two environments, built alternately on one
# site: wall time and CPU (user + sys) per run, then the median and minimum of each.
# On a machine whose speed moves between minutes, only runs taken side by side compare.
#
#   benches/ab.sh OLD_BIN NEW_BIN [RUNS] [SITE]
#   benches/ab.sh 'env X=1 target/release/errkb' 'env MIMALLOC_ALLOW_THP=0 target/release/errkb'
#
# RUNS defaults to 7, SITE to the families 10k corpus that `benches/run.sh` generates
# (target/bench/corpus-families-10000/errkb). Output goes to a tmpfs folder that is
# removed before every run, as the benchmark's tmpfs rows do.
set -euo pipefail
a=${1:?usage: benches/ab.sh A B [RUNS] [SITE]}
b=${2:?usage: benches/ab.sh A B [RUNS] [SITE]}
runs=${3:-7}
site=${4:-target/bench/corpus-families-10000/errkb}
out=${AB_OUT:-/dev/shm/errkb-ab}
test -d "$site" || { echo "no site at $site (run benches/run.sh once to generate the corpora)" >&2; exit 2; }
results=$(mktemp)
trap 'rm -rf "$results" "$results.t" "$out"' EXIT
for _ in $(seq "$runs"); do
  for which in A B; do
    cmd=$a
    [ "$which" = B ] && cmd=$b
    rm -rf "$out"
    sync
    # $cmd is split on purpose: it may be `env VAR=x BIN`.
    # shellcheck disable=SC2086
    /usr/bin/time -o "$results.t" -f '%e %U %S' $cmd build -q --root "$site" -o "$out" >/dev/null
    echo "$which $(tail -1 "$results.t")" >>"$results"
  done
done
python3 - "$results" "$a" "$b" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
for which, name in (("A", sys.argv[2]), ("B", sys.argv[3])):
    mine = [(float(w), float(u) + float(s)) for k, w, u, s in rows if k == which]
    wall = [w for w, _ in mine]
    cpu = [c for _, c in mine]
    print(f"{which} {name}")
    print(f"  wall median {statistics.median(wall):.3f} s, min {min(wall):.3f} s;"
          f" CPU median {statistics.median(cpu):.3f} s, min {min(cpu):.3f} s ({len(mine)} runs)")
PY
