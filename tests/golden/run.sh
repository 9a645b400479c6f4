#!/usr/bin/env bash
# Golden tests: runs every tests/golden/<suite>/<case>.cmd and compares with <case>.expected.
# Each .cmd is one shell line run from the case's folder with $OBSYNC set to the binary; its
# stdout, stderr and exit code are compared with the expected file. UPDATE_GOLDEN=1 rewrites them.
set -u
OBSYNC=$(realpath "$1"); export OBSYNC
here=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
while IFS= read -r cmd; do
  dir=$(dirname "$cmd"); case_name=$(basename "$cmd" .cmd)
  expected="$dir/$case_name.expected"
  actual=$(cd "$dir" && bash "$case_name.cmd" 2>&1; echo "[exit $?]")
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then printf '%s\n' "$actual" > "$expected"; fi
  if [ -f "$expected" ] && [ "$actual" = "$(cat "$expected")" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: ${cmd#$here/}"
    diff <(cat "$expected" 2>/dev/null) <(printf '%s\n' "$actual") | head -40
  fi
done < <(find "$here" -name '*.cmd' | sort)
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
