#!/usr/bin/env bash
# Dumps per-code-point collation weights and case mappings from a private MariaDB, the input of gen_collation_tables.py.
# MariaDB's utf8mb4_general_ci, utf8mb4_unicode_ci and utf8mb4_unicode_520_ci share MySQL's tables, so its
# WEIGHT_STRING output is the authority for them (latin1_swedish_ci too). Usage: dump_mariadb_weights.sh OUT.tsv LATIN1.tsv
set -euo pipefail
out=${1:?usage: dump_mariadb_weights.sh OUT.tsv LATIN1.tsv}
out_latin1=${2:?usage: dump_mariadb_weights.sh OUT.tsv LATIN1.tsv}
D=$(mktemp -d /tmp/coll-dump.XXXXXX)
mariadb-install-db --no-defaults --datadir="$D/data" --user=root --auth-root-authentication-method=normal --skip-test-db >/dev/null 2>&1
/usr/sbin/mariadbd --no-defaults --user=root --datadir="$D/data" --port=3414 --bind-address=127.0.0.1 \
  --socket="$D/sock" --pid-file="$D/pid" --log-error="$D/err.log" --skip-name-resolve \
  --innodb-buffer-pool-size=32M --character-set-server=utf8mb4 >/dev/null 2>&1 &
trap 'kill "$(cat "$D/pid")" 2>/dev/null; sleep 2; rm -rf "$D"' EXIT
for _ in $(seq 30); do [ -S "$D/sock" ] && break; sleep 1; done
ws() { echo "HEX(WEIGHT_STRING(c COLLATE $1))"; }
cs() { echo "HEX(CONVERT($1(c COLLATE $2) USING utf32))"; }
# Columns: cp, general_ci weight, general_ci upper, lower, unicode_ci weights, unicode_520_ci weights,
# uca1400_ai_ci weights, uca1400 upper, lower, unicode_520_ci upper, lower.
mariadb --no-defaults -S "$D/sock" -uroot -N -B --raw --default-character-set=utf8mb4 -D mysql -e "
SELECT seq, $(ws utf8mb4_general_ci), $(cs UPPER utf8mb4_general_ci), $(cs LOWER utf8mb4_general_ci),
       $(ws utf8mb4_unicode_ci), $(ws utf8mb4_unicode_520_ci), $(ws utf8mb4_uca1400_ai_ci),
       $(cs UPPER utf8mb4_uca1400_ai_ci), $(cs LOWER utf8mb4_uca1400_ai_ci),
       $(cs UPPER utf8mb4_unicode_520_ci), $(cs LOWER utf8mb4_unicode_520_ci)
FROM (SELECT seq, CONVERT(CHAR(seq USING utf32) USING utf8mb4) c FROM seq_0_to_1114111) t" >"$out"
# latin1 bytes: byte, latin1_swedish_ci weight, upper, lower.
mariadb --no-defaults -S "$D/sock" -uroot -N -B --raw --default-character-set=utf8mb4 -D mysql -e "
SELECT seq, HEX(WEIGHT_STRING(c COLLATE latin1_swedish_ci)), HEX(UPPER(c)), HEX(LOWER(c))
FROM (SELECT seq, CONVERT(UNHEX(LPAD(HEX(seq), 2, '0')) USING latin1) COLLATE latin1_swedish_ci c FROM seq_0_to_255) t" >"$out_latin1"
