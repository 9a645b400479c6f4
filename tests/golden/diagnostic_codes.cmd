# Every code the compiler can emit has a section in docs/diagnostics.md and a golden case here.
codes=$(grep -rhoE '"[EW][0-9]{4}"' ../../compiler | tr -d '"' | sort -u)
for c in $codes; do
  grep -q "^### $c " ../../docs/diagnostics.md || echo "$c: no section in docs/diagnostics.md"
  grep -lq "\[$c\]" check/*.expected || echo "$c: no golden case in tests/golden/check"
done
echo "$(echo "$codes" | wc -l) codes, each documented and tested"
