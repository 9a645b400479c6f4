#!/usr/bin/env bash
# Builds the libFuzzer target (clang, ASan + UBSan) and fuzzes parse + check + interpret.
#   tests/fuzz/run.sh [SECONDS] [more libFuzzer flags]     (default: 60 seconds)
# New inputs go to build-fuzz/work/corpus; crashes, leaks and timeouts to build-fuzz/work/artifacts.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/install-deps.sh
missing=()
for p in clang libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
cmake -S . -B build-fuzz -DOBSYNC_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "${JOBS:-2}" --target fuzz_check
work=build-fuzz/work
mkdir -p "$work/corpus" "$work/artifacts"
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
exec build-fuzz/tests/fuzz/fuzz_check -max_total_time="${1:-60}" -rss_limit_mb=2048 -timeout=10 \
  -max_len=8192 -dict=tests/fuzz/obsync.dict -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
  "${@:2}" "$work/corpus" tests/fuzz/corpus
