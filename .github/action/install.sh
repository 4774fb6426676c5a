#!/usr/bin/env bash
# Installs a released errkb binary for the GitHub Action (action.yml) and for anyone who
# wants one without compiling. Two steps, so the Action can restore its cache between them:
#
#   install.sh resolve   prints version=, target=, dir= (the Action appends them to
#                        $GITHUB_OUTPUT); `latest` is resolved through the latest
#                        release's SHA256SUMS, whose archive names carry the version
#   install.sh install   downloads errkb-<version>-<target>.<ext> and SHA256SUMS,
#                        refuses the archive unless its SHA-256 is the published one,
#                        and puts the binary in <dir> (nothing there if anything fails)
#
# Settings come from the environment:
#   ERRKB_VERSION        `latest` (default), `0.2.0` or `v0.2.0`
#   ERRKB_REPOSITORY     owner/name of the releases (default errkb/errkb)
#   ERRKB_RELEASES_URL   base of the release URLs (default https://github.com/<repo>/releases);
#                        the tests point it at a folder through file://
#   ERRKB_INSTALL_ROOT   where versions are kept (default $RUNNER_TOOL_CACHE/errkb,
#                        else ~/.cache/errkb)
#   ERRKB_OS, ERRKB_ARCH the runner's RUNNER_OS / RUNNER_ARCH names (Linux, macOS,
#                        Windows / X64, ARM64); default: from RUNNER_OS/RUNNER_ARCH, else uname
set -euo pipefail

die() {
  # The ::error prefix makes a failure visible as an annotation on the job.
  echo "::error title=errkb install::$*" >&2
  exit 1
}

repository=${ERRKB_REPOSITORY:-errkb/errkb}
releases=${ERRKB_RELEASES_URL:-https://github.com/$repository/releases}
releases=${releases%/}

target_triple() {
  local os=${ERRKB_OS:-${RUNNER_OS:-}} arch=${ERRKB_ARCH:-${RUNNER_ARCH:-}}
  if [ -z "$os" ]; then
    case "$(uname -s)" in
      Linux) os=Linux ;;
      Darwin) os=macOS ;;
      MINGW* | MSYS* | CYGWIN*) os=Windows ;;
      *) os=$(uname -s) ;;
    esac
  fi
  if [ -z "$arch" ]; then
    case "$(uname -m)" in
      x86_64 | amd64) arch=X64 ;;
      aarch64 | arm64) arch=ARM64 ;;
      *) arch=$(uname -m) ;;
    esac
  fi
  case "$os/$arch" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    # Windows on ARM runs x86_64 programs through its emulation layer.
    Windows/X64 | Windows/ARM64) echo x86_64-pc-windows-msvc ;;
    *) die "no errkb release binary for $os on $arch; install with: cargo install --locked errkb" ;;
  esac
}

archive_name() { # version target
  case "$2" in
    *windows*) echo "errkb-$1-$2.zip" ;;
    *) echo "errkb-$1-$2.tar.gz" ;;
  esac
}

# A version as given (`v0.2.0`, `0.2.0`) without its v; anything else is refused before
# it can become part of a URL or a path.
clean_version() {
  local v=${1#v}
  [[ "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] ||
    die "version must be \`latest\` or a release like 0.2.0, not \`$1\`"
  echo "$v"
}

fetch() { # url file
  curl --fail --silent --show-error --location --retry 3 --proto '=https,file' --proto-redir '=https' \
    --output "$2" "$1" || die "cannot download $1"
}

sha256_of() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

# The hash SHA256SUMS publishes for one file name (lines are `<hex>  <name>` or
# `<hex> *<name>`, as sha256sum writes them).
published_sum() { # sums-file name
  awk -v want="$2" '{ n = $2; sub(/^\*/, "", n); if (n == want) { print tolower($1); exit } }' "$1"
}

work=
cleanup() { if [ -n "$work" ]; then rm -rf "$work"; fi; }
trap cleanup EXIT

resolve() {
  local target version want
  target=$(target_triple)
  want=${ERRKB_VERSION:-latest}
  if [ "$want" = latest ]; then
    work=$(mktemp -d)
    fetch "$releases/latest/download/SHA256SUMS" "$work/SHA256SUMS"
    # awk rather than sed -E/\| so that macOS's BSD tools read it the same way.
    version=$(awk -v t="-$target" '{
      n = $2; sub(/^\*/, "", n)
      if (sub(/^errkb-/, "", n) && (sub(t "\\.tar\\.gz$", "", n) || sub(t "\\.zip$", "", n))) { print n; exit }
    }' "$work/SHA256SUMS")
    [ -n "$version" ] || die "the latest release has no archive for $target"
    version=$(clean_version "$version")
  else
    version=$(clean_version "$want")
  fi
  local root=${ERRKB_INSTALL_ROOT:-${RUNNER_TOOL_CACHE:-$HOME/.cache}/errkb}
  echo "version=$version"
  echo "target=$target"
  echo "dir=$root/$version/$target"
}

install() {
  local version target dir archive exe expected actual
  version=$(clean_version "${ERRKB_VERSION:?ERRKB_VERSION must be a resolved version}")
  target=$(target_triple)
  dir=${ERRKB_DIR:?ERRKB_DIR must be the folder from resolve}
  # Git Bash on Windows: the tool cache is a C:\ path; bash's tools want /c/….
  if command -v cygpath >/dev/null; then dir=$(cygpath -u "$dir"); fi
  exe=errkb
  case "$target" in *windows*) exe=errkb.exe ;; esac
  if [ -x "$dir/$exe" ]; then
    echo "errkb $version ($target) is already in $dir"
    return
  fi
  archive=$(archive_name "$version" "$target")
  work=$(mktemp -d)
  fetch "$releases/download/v$version/SHA256SUMS" "$work/SHA256SUMS"
  fetch "$releases/download/v$version/$archive" "$work/$archive"
  expected=$(published_sum "$work/SHA256SUMS" "$archive")
  [ -n "$expected" ] || die "SHA256SUMS of v$version does not list $archive"
  actual=$(sha256_of "$work/$archive")
  [ "$actual" = "$expected" ] ||
    die "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual"
  mkdir "$work/x"
  case "$archive" in
    *.zip)
      if command -v unzip >/dev/null; then
        unzip -q "$work/$archive" -d "$work/x"
      else
        7z x -bd -o"$work/x" "$work/$archive" >/dev/null
      fi
      ;;
    *) tar -xzf "$work/$archive" -C "$work/x" ;;
  esac
  # Archives hold errkb-<version>-<target>/errkb plus the licences and README; only the
  # binary is taken, and it appears in $dir in one rename so a cancelled job leaves
  # nothing half-written for the cache to keep.
  local bin="$work/x/errkb-$version-$target/$exe"
  # A link could point anywhere: only a regular file is an install.
  if [ ! -f "$bin" ] || [ -L "$bin" ]; then
    die "$archive has no errkb-$version-$target/$exe"
  fi
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir.partial"
  mkdir "$dir.partial"
  mv "$bin" "$dir.partial/$exe"
  chmod +x "$dir.partial/$exe"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
  echo "installed errkb $version ($target) in $dir"
}

case "${1:-}" in
  resolve) resolve ;;
  install) install ;;
  target) target_triple ;;
  *) die "usage: install.sh resolve|install|target" ;;
esac
