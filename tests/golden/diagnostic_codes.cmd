# Every code the compiler can emit has a section in docs/diagnostics.md and a golden case here,
# and the outputs shown in docs/diagnostics.md are the golden cases' outputs.
codes=$(grep -rhoE '"[EW][0-9]{4}"' ../../compiler | tr -d '"' | sort -u)
for c in $codes; do
  grep -q "^### $c " ../../docs/diagnostics.md || echo "$c: no section in docs/diagnostics.md"
  grep -lq "\[$c\]" check/*.expected || echo "$c: no golden case in tests/golden/check"
done
echo "$(echo "$codes" | wc -l) codes, each documented and tested"
# After each `<!-- golden: NAME -->` line, the ```text block must be check/NAME.expected (less its
# [exit N] line).
tmp=$(mktemp -d)
awk -v dir="$tmp" '
  /^<!-- golden: / { name = $3; next }
  name != "" && /^```text$/ { inside = 1; printf "" > (dir "/" name); next }
  inside && /^```$/ { inside = 0; close(dir "/" name); name = ""; next }
  inside { print >> (dir "/" name) }
' ../../docs/diagnostics.md
shown=0
for f in "$tmp"/*; do
  name=$(basename "$f"); shown=$((shown + 1))
  diff -q "$f" <(sed '$d' "check/$name.expected") >/dev/null ||
    echo "docs/diagnostics.md shows an old output of $name: run tests/golden/make_diagnostics_doc.py"
done
rm -rf "$tmp"
echo "$shown outputs in docs/diagnostics.md compared with their golden cases"
