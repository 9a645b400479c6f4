# A scripted REPL session through stdin: statements over several lines, \check, \eval with a
# typed row, a rejected statement, \explain. Exit 1 because one statement was rejected.
"$OBSYNC" repl <<'IN'
SOURCE ob OCEANBASE (host = 'h', user = 'u');
SINK k KAFKA (bootstrap = 'k:9092');
PROJECT p;
SYNC shop.orders
  TO TOPIC orders WHERE amount > 10;
\check
\columns a INT, b VARCHAR(10)
\eval a = 3 AND b = 'X' WITH ROW {"a": 3, "b": "x"}
\eval b IS NULL WITH ROW {"a": 1}
SYNC x.y TO TOPC z;
\explain
\format
\nonsense
\quit
IN
