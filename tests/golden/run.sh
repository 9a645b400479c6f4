#!/usr/bin/env bash
# Golden tests. Two kinds of case, each compared with <case>.expected (stdout, stderr, exit code):
#   tests/golden/check/<case>.sync   runs `obsync check <case>.sync` (files starting with _ are
#                                    only included by other cases)
#   tests/golden/**/<case>.cmd       runs the shell line in it with $OBSYNC set to the binary
# Each runs from its own folder. UPDATE_GOLDEN=1 rewrites the expected files (review the diff!).
set -u
OBSYNC=$(realpath "$1"); export OBSYNC
export NO_COLOR=1
here=$(cd "$(dirname "$0")" && pwd)
pass=0; fail=0
run_case() {  # $1 = case file, $2 = command
  local file=$1 dir case_name expected actual
  dir=$(dirname "$file"); case_name=$(basename "${file%.*}")
  expected="$dir/$case_name.expected"
  actual=$(cd "$dir" && eval "$2" 2>&1; echo "[exit $?]")
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then printf '%s\n' "$actual" > "$expected"; fi
  if [ -f "$expected" ] && [ "$actual" = "$(cat "$expected")" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: ${file#$here/}"
    diff <(cat "$expected" 2>/dev/null) <(printf '%s\n' "$actual") | head -40
  fi
}
while IFS= read -r f; do
  run_case "$f" "\"\$OBSYNC\" check $(basename "$f")"
done < <(find "$here/check" -name '*.sync' ! -name '_*' | sort)
while IFS= read -r f; do
  run_case "$f" "bash $(basename "$f")"
done < <(find "$here" -name '*.cmd' | sort)
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
