#!/usr/bin/env bash
# Runs the errkb command the Action was asked for (action.yml), from its inputs:
#   ERRKB_COMMAND   check | build | match | install (install: only put errkb on PATH)
#   ERRKB_ARGS      more arguments: split on spaces, or one argument per line when the
#                   value has several lines (for an argument that holds spaces)
#   ERRKB_CATALOG   match: a built site's api/entries.json, a path or an http(s) URL
#   ERRKB_BIN       the errkb binary (default: errkb on PATH)
# check and match print GitHub annotations unless ARGS choose another --format. match
# exits 0 when the log shows no known error: it runs after a failure to explain it, and
# finding nothing is not a second failure.
set -euo pipefail

bin=${ERRKB_BIN:-errkb}
command=${ERRKB_COMMAND:-check}

args=()
if [ -n "${ERRKB_ARGS:-}" ]; then
  case "$ERRKB_ARGS" in
    *$'\n'*)
      while IFS= read -r line; do
        if [ -n "$line" ]; then args+=("$line"); fi
      done <<<"$ERRKB_ARGS"
      ;;
    *) read -r -a args <<<"$ERRKB_ARGS" ;;
  esac
fi

has_format=false
for a in ${args[@]+"${args[@]}"}; do
  case "$a" in --format | --format=*) has_format=true ;; esac
done

case "$command" in
  install) exit 0 ;;
  check | match)
    if ! $has_format; then args=(--format github ${args[@]+"${args[@]}"}); fi
    ;;
  build) ;;
  *)
    echo "::error title=errkb::the command input must be check, build, match or install, not \`$command\`" >&2
    exit 2
    ;;
esac

if [ "$command" = match ] && [ -n "${ERRKB_CATALOG:-}" ]; then
  args=(--catalog "$ERRKB_CATALOG" ${args[@]+"${args[@]}"})
fi

status=0
"$bin" "$command" ${args[@]+"${args[@]}"} || status=$?
if [ "$command" = match ] && [ "$status" -eq 1 ]; then
  echo "::notice title=errkb match::no known error in the log"
  status=0
fi
exit "$status"
