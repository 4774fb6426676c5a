#!/usr/bin/env bash
# errkb's benchmark in one command: errkb against Hugo (build), Pagefind (search in
# headless Chromium) and ripgrep (log matching). See benches/run.sh --help.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Exact versions of the npm tools, so runs stay comparable.
PAGEFIND_VERSION=1.6.0
PUPPETEER_VERSION=24.43.1
TOOLS=target/bench-tools

usage() {
  cat <<'EOF'
Usage: benches/run.sh [--quick] [--sizes 1000,10000] [--only build,shared,serve,search,match]
                      [--corpora unique,families] [--media tmpfs,disk] [--disk-sizes 1000,10000]
                      [--no-build] [more options of benches/scale.py, below]

errkb's benchmark. It installs what the chosen sections need and is missing (hugo, ripgrep,
chromium, node and npm with apt-get as root; Pagefind and puppeteer-core with npm into
target/bench-tools/), builds errkb with `cargo build --release`, then runs benches/scale.py:

  build   cold `errkb build` vs `hugo` (median of 3, alternating) for each corpus
          (unique: benches/gen_corpus.py; families: benches/gen_families.py) and each
          medium (tmpfs: /dev/shm/errkb-bench; disk: target/bench/out), at
          N = 1,000 / 10,000 / 50,000 on tmpfs and 1,000 / 10,000 on disk; then errkb
          alone at 10,000 and 50,000 in turn (one uncounted run of each, then 5 pairs)
          for the 50k/10k target
  shared  `errkb check` on 1,000 entries sharing one pattern and one example
          (benches/gen_shared.py): wall, peak RSS, lines of output
  serve   `errkb serve` at N = 10,000 (unique corpus): entry edit → page served, RSS
          over 1,000 edits
  search  headless Chromium at N = 10,000: errkb's search vs Hugo + Pagefind's UI
  match   `errkb match` vs `rg -f` on a 200 MB synthetic CI log at N = 10,000

The full run takes about 40 minutes on an idle 2-core machine (it prints its estimate
first); disk at 50k is left out by default to stay under 50 minutes (add it with
--disk-sizes 1000,10000,50000: about 15 minutes more). --quick uses N = 300 and 1,000
(shared: 300), 50 edits and a 20 MB log (a few minutes) and writes
target/bench/benchmarks-quick.md; a full run writes the tables into docs/benchmarks.md
(between <!-- bench:begin --> and <!-- bench:end -->) and the chart docs/benchmarks.svg.
Raw results: target/bench/results.json. Corpora are cached in
target/bench/corpus-<shape>-<N>/.

--no-build   use the errkb binary as it is (target/release/errkb, or $ERRKB_BIN)

EOF
  if command -v python3 >/dev/null; then
    python3 benches/scale.py --help | sed -n '/^options:/,$p'
  fi
}

build=1
args=()
only=build,shared,serve,search,match
prev=
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    --no-build) build=0 ;;
    --only=*) only=${arg#--only=}; args+=("$arg") ;;
    *) [ "$prev" = --only ] && only=$arg; args+=("$arg") ;;
  esac
  prev=$arg
done
# Install only what the chosen sections use.
wants() { case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

die() { echo "benches/run.sh: $*" >&2; exit 1; }

# ---- system packages (apt), only when missing
need=()
command -v python3 >/dev/null || need+=(python3)
if wants build || wants search; then command -v hugo >/dev/null || need+=(hugo); fi
if wants match; then command -v rg >/dev/null || need+=(ripgrep); fi
if wants search; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v node >/dev/null || need+=(nodejs)
  command -v npm >/dev/null || need+=(npm)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing: ${need[*]}; install them (apt-get install ${need[*]}) or run this as root"
  fi
  command -v apt-get >/dev/null || die "missing: ${need[*]}, and there is no apt-get to install them with"
  echo "installing ${need[*]} with apt-get" >&2
  apt-get update -qq || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
    || die "apt-get install ${need[*]} failed"
fi

# ---- npm tools into target/bench-tools, only when missing
have_npm_tool() {
  local pkg=$1 version=$2
  [ -f "$TOOLS/node_modules/$pkg/package.json" ] \
    && grep -q "\"version\": *\"$version\"" "$TOOLS/node_modules/$pkg/package.json"
}
if wants search && { ! have_npm_tool pagefind "$PAGEFIND_VERSION" || ! have_npm_tool puppeteer-core "$PUPPETEER_VERSION" \
   || [ ! -x "$TOOLS/node_modules/.bin/pagefind" ]; }; then
  echo "installing pagefind@$PAGEFIND_VERSION and puppeteer-core@$PUPPETEER_VERSION into $TOOLS" >&2
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"private": true}' > "$TOOLS/package.json"
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$TOOLS" --no-audit --no-fund --silent \
    "pagefind@$PAGEFIND_VERSION" "puppeteer-core@$PUPPETEER_VERSION" \
    || die "npm install of pagefind and puppeteer-core failed"
fi
! wants search || "$TOOLS/node_modules/.bin/pagefind" --version >/dev/null 2>&1 \
  || die "Pagefind is installed in $TOOLS but does not run (its platform binary is missing?)"

# ---- errkb
if [ "$build" = 1 ]; then
  echo "cargo build --release" >&2
  cargo build --release || die "cargo build --release failed"
fi

# Python owns every child process (each in its own process group) and kills them on exit,
# on Ctrl-C and on SIGTERM.
exec python3 benches/scale.py "${args[@]+"${args[@]}"}"
