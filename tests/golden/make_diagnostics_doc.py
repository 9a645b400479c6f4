#!/usr/bin/env python3
# Writes docs/diagnostics.md from the golden cases: the explanation of each code is here, the
# examples and their output come from tests/golden/check. Run after changing a message:
#   UPDATE_GOLDEN=1 tests/golden/run.sh build/obsync && python3 tests/golden/make_diagnostics_doc.py
import os, re, subprocess
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
gold = f'{root}/tests/golden/check'
# code: (title, explanation, [cases]) — a case is a .sync or .cmd basename in tests/golden/check.
D = [
("Syntax", None, None, None),
("E0001", "syntax error", "The statement does not follow the grammar: a missing `;`, a misspelt keyword, an operator without its operand. The message names what was found and, when it is short, what was expected; a misspelt keyword gets a did-you-mean. Only the first error of each statement is reported: what follows it in the same statement is usually a consequence.", ["e0001_missing_semicolon.sync", "e0001_one_error_per_statement.sync"]),
("E0002", "unterminated string literal", "A `'` opens a string that no `'` closes before the end of the file. Everything after it is part of the string, so the statements after it are not checked.", ["e0002_unterminated_string.sync"]),
("E0003", "unterminated block comment", "A `/*` comment is not closed by `*/`; the rest of the file is inside the comment.", ["e0003_unterminated_comment.sync"]),
("E0004", "unexpected character", "A character that starts no token of the language (`$`, `?`, `@`, …). Names with such characters are written in back quotes.", ["e0004_unexpected_character.sync"]),
("E0005", "odd number of hex digits", "`X'…'` is a byte string written as hex digits, two per byte.", ["e0005_odd_hex_string.sync"]),
("E0006", "double-quoted string", "Strings use single quotes. MySQL reads `\"…\"` as a string, or with `ANSI_QUOTES` as an identifier; obsync refuses it so that a script has one meaning.", ["e0006_double_quoted_string.sync"]),
("E0007", "invalid UTF-8", "Scripts are UTF-8 text. A byte that is not part of a well-formed UTF-8 sequence (typically a Latin-1 `é` saved by an old editor) is reported once per run of bad bytes, and read as a space so the rest of the file is still checked.", ["e0007_invalid_utf8.sync"]),
("E0008", "expression nested too deeply", "An expression deeper than 500 parse levels (about 80 levels of parentheses, or a chain of 500 binary operators such as a generated `x = 1 OR x = 2 OR …`) is refused before it can exhaust the stack. The whole file is not checked further. Write long OR chains as `IN (…)`.", ["e0008_nested_too_deeply.sync"]),
("Files", None, None, None),
("E0010", "cannot include a file", "The file named by `INCLUDE` cannot be read. The path is relative to the folder of the file that includes it. Checks that need its declarations (such as E0112) stay silent.", ["e0010_missing_include.sync"]),
("E0011", "include cycle", "Files include each other in a circle; the message shows the chain.", ["e0011_include_cycle.sync"]),
("PROJECT", None, None, None),
("E0100", "no PROJECT", "A script describes one project and needs exactly one `PROJECT` statement (it may come from an included file). An empty script gets its own message.", ["e0100_no_project.sync", "e0100_empty_script.sync"]),
("E0101", "second PROJECT", "A script has exactly one `PROJECT`; put each project in its own file and share connections with `INCLUDE`.", ["e0101_two_projects.sync"]),
("E0102", "option given twice", "A `PROJECT` option or a `SYNC` clause appears more than once.", ["e0102_duplicate_option.sync"]),
("E0103", "invalid project name", "A project name has 1 to 64 letters (of any script), digits or `_`.", ["e0103_invalid_project_name.sync"]),
("E0104", "BUSINESS ID length", "`BUSINESS ID` has 1 to 20 characters; it appears in every message.", ["e0104_business_id_length.sync"]),
("E0105", "TYPES", "`TYPES` lists `SCHEMA`, `FULL` and `INCREMENTAL`, each at most once.", ["e0105_unknown_type.sync"]),
("E0106", "START AT with FULL", "With a `FULL` synchronization the incremental part starts where the full one began; `START AT` is only for `TYPES` without `FULL`.", ["e0106_start_at_with_full.sync"]),
("E0107", "START AT time", "`START AT` takes a timestamp `'YYYY-MM-DD HH:MM:SS'` (UTC) that has already passed, or `NOW`.", ["e0107_start_at_not_a_timestamp.sync", "e0107_start_at_in_the_future.sync"]),
("E0108", "unknown format", "`FORMAT` names one of the message formats: `default`, `canal`, `dataworks`, `shareplex`, `default_extend_column_type`, `debezium`.", ["e0108_unknown_format.sync"]),
("E0109", "unknown partitioning", "`PARTITION BY` is `HASH` (by the message key) or `ONE` (everything to partition 0).", ["e0109_unknown_partitioning.sync"]),
("E0110", "which SOURCE or SINK", "Several SOURCEs (or SINKs) are declared and the project does not say which one it uses: add `FROM source TO sink`.", ["e0110_ambiguous_source.sync"]),
("E0111", "no SOURCE or SINK by that name", "`FROM` or `TO` names a connection that is not declared.", ["e0111_unknown_connection.sync"]),
("E0112", "no SOURCE or SINK declared", "The project needs one `SOURCE` and one `SINK`.", ["e0112_no_sink.sync"]),
("E0113", "EXACTLY ONCE needs Kafka 0.11", "Transactions, which exactly-once delivery uses, came with Kafka 0.11; the SINK's `version` says the broker is older.", ["e0113_exactly_once_old_kafka.sync"]),
("SOURCE and SINK", None, None, None),
("E0120", "name declared twice", "SOURCE and SINK names share one namespace. The second declaration is ignored, and nothing that depends on it is reported again.", ["e0120_duplicate_connection_name.sync"]),
("E0121", "unknown connection kind", "A `SOURCE` is `OCEANBASE`, `MYSQL` or `MARIADB`; a `SINK` is `KAFKA`.", ["e0121_unknown_connection_kind.sync"]),
("E0122", "unknown property", "The property is not one this kind of connection takes; the help lists the known ones or the closest. librdkafka settings go in `properties = ('key' = 'value', …)`.", ["e0122_unknown_property.sync"]),
("E0123", "missing property", "A required property is absent: `host` and `user` for a SOURCE, `bootstrap` for a SINK.", ["e0123_missing_property.sync"]),
("E0124", "property given twice", "Each property is given at most once.", ["e0124_duplicate_property.sync"]),
("E0125", "invalid property value", "The value does not fit the property: a port outside 1–65535, an unknown `security` or SASL mechanism, a version that is not a Kafka version, an empty `env('')`, `properties` that are not a list of pairs.", ["e0125_invalid_property_value.sync"]),
("SYNC", None, None, None),
("E0200", "invalid topic name", "A topic obsync creates has 3 to 64 letters, digits, `-`, `_` or `.`; an `EXISTING TOPIC` may have up to 249.", ["e0200_invalid_topic_name.sync"]),
("E0201", "table in two SYNCs", "A table belongs to one SYNC. Two SYNCs (or two references in one SYNC) name the same table, or two patterns match it. A table named exactly takes precedence over `db.*` and patterns.", ["e0201_overlap.sync"]),
("E0202", "unknown database", "With `--schema`: the database is not in the schema file.", ["e0202_unknown_database.cmd"]),
("E0203", "unknown column", "With `--schema`: a column in `WHERE`, `COLUMNS` or `COLUMNS EXCEPT` is not in the table.", ["e0203_unknown_column.cmd"]),
("E0204", "unknown table", "With `--schema`: the table is not in the database.", ["e0204_unknown_table.cmd"]),
("E0205", "pattern matches no table", "With `--schema`: a `db.*` or `db.'pattern'` reference matches no table (views are never matched, and a table named exactly by another SYNC is not matched).", ["e0205_pattern_matches_no_table.cmd"]),
("E0206", "view", "With `--schema`: a view has no binlog of its own; synchronize the tables it reads.", ["e0206_view.cmd"]),
("E0207", "topic template", "`TOPICS '…'` makes one topic per table: its template uses `${database}` and `${table}`, must contain `${table}` (unless the SYNC names one table), and must give valid topic names.", ["e0207_topic_template.sync"]),
("E0208", "topic option", "A topic takes `PARTITIONS` (1–100000) and `REPLICAS` (1–32767), each once.", ["e0208_topic_option.sync"]),
("E0209", "output column twice", "Two output columns of `COLUMNS` have the same name (or a name is listed twice in `COLUMNS EXCEPT`).", ["e0209_duplicate_output_column.sync"]),
("E0210", "SHARD BY column", "A `SHARD BY` column is listed twice, or (with `--schema`) is not a column of the table.", ["e0210_shard_by_twice.sync", "e0210_shard_by_unknown_column.cmd"]),
("E0212", "topic declared differently", "Two SYNCs write to one topic with different `PARTITIONS` or `REPLICAS`; give them once, or the same everywhere.", ["e0212_topic_conflict.sync"]),
("E0213", "computed column without a name", "An output column that is not a plain column needs `AS name`.", ["e0213_computed_column_name.sync"]),
("Expressions", None, None, None),
("E0300", "unknown function", "The function is not a built-in (see docs/language.md); the help suggests the closest name.", ["e0300_unknown_function.sync"]),
("E0301", "wrong number of arguments", "The function is called with too few or too many arguments; the help shows its usage.", ["e0301_wrong_argument_count.sync"]),
("E0302", "not deterministic", "`NOW()`, `RAND()`, `UUID()`, `USER()` and the like give a different value each time a change is replayed, so messages would differ; use `commit_ts()`, the source commit time.", ["e0302_not_deterministic.sync"]),
("E0303", "WHERE is not a condition", "With `--schema`: the `WHERE` expression is a string, temporal or JSON value, not a number or boolean; compare it with something.", ["e0303_where_not_a_condition.cmd"]),
("E0304", "invalid arguments or type", "The arguments do not fit: a `CAST` to `DECIMAL(70,2)` (precision is 1–65), an out-of-range FLOAT or fractional-seconds precision, an `INTERVAL` outside date arithmetic, `->` on a column that is not JSON, or argument types a function does not accept.", ["e0304_invalid_arguments.sync"]),
("E0305", "character set or collation", "The collation (or `CONVERT … USING` character set) is not one obsync evaluates, or does not belong to the string's character set.", ["e0305_unknown_collation.sync"]),
("E0307", "aggregate function", "`SUM`, `COUNT`, `GROUP_CONCAT` and the other aggregates need many rows; a SYNC expression sees one row at a time.", ["e0307_aggregate_function.sync"]),
("E0308", "invalid literal", "A `DATE`, `TIME` or `TIMESTAMP` literal that is not a valid value, or a number out of range.", ["e0308_invalid_literal.sync"]),
("Warnings", None, None, None),
("W0001", "key column kept", "With `--schema`: the row key (primary key, else a unique key of NOT NULL columns) is always in the message, so that consumers can apply changes; `COLUMNS` that leaves it out or `COLUMNS EXCEPT` that drops it keeps it anyway.", ["w0001_key_column_kept.cmd"]),
("W0002", "no key", "With `--schema`: the table has neither a primary key nor a usable unique key, so all its changes go to one partition, keyed by the table name. `SHARD BY` spreads them, when the order per key is enough.", ["w0002_no_key.cmd"]),
("W0003", "secret in the script", "A password or key is written in the script, which lives in git. Read it at run time with `env('NAME')` or `file('/path')`.", ["w0003_secret_in_script.sync"]),
("W0004", "no SYNC", "The project synchronizes nothing.", ["w0004_no_sync.sync"]),
]
env = dict(os.environ, NO_COLOR='1', OBSYNC=os.environ.get('OBSYNC', f'{root}/build/obsync'))
def run(case):
    if case.endswith('.sync'):
        cmd = f'"$OBSYNC" check {case}'
    else:
        cmd = open(f'{gold}/{case}').read().strip()
        cmd = '\n'.join(l for l in cmd.splitlines() if not l.startswith('#'))
    out = subprocess.run(['bash', '-c', cmd + ' 2>&1'], cwd=gold, env=env, capture_output=True).stdout.decode('utf-8', 'replace')
    script = case if case.endswith('.sync') else re.search(r'(_\S+\.sync)', cmd).group(1)
    shown = cmd.replace('"$OBSYNC"', 'obsync')
    return script, shown, out
out = ["# Diagnostics", "",
"Every error (`E…`) and warning (`W…`) that `obsync check` reports, with an example. Codes are",
"stable: a code keeps its meaning, and a new problem gets a new code. Errors make `check` exit 1;",
"warnings do too with `--strict`. `--format json` gives the same diagnostics as JSON",
"(`code`, `severity`, `message`, `file`, `line`, `col`, `end_line`, `end_col`, `help`).",
"",
"Each example is a golden test in `tests/golden/check/`, and its output here is checked against the",
"test's `.expected` file (`tests/golden/diagnostic_codes.cmd`); after changing a message, run",
"`UPDATE_GOLDEN=1 tests/golden/run.sh build/obsync`, then `python3 tests/golden/make_diagnostics_doc.py`.",
"Most examples include `_conn.sync`, which declares",
"`SOURCE ob OCEANBASE (…)` and `SINK kafka KAFKA (…)`; the `--schema` examples use",
"`shop_schema.json` there (tables `shop.orders`, `shop.refunds` without a key, `shop.order_items`",
"and the view `shop.v_daily_sales`).",
"",
"Exit codes: 0 clean, 1 errors (or warnings with `--strict`), 2 a file or the schema cannot be",
"read or parsed (`error: cannot read …`, `error: invalid schema file …`).", ""]
index = []
for code, title, text, cases in D:
    if title is None: continue
    index.append(f"[{code}](#{code.lower()}--{re.sub(r'[^a-z0-9 -]', '', title.lower()).replace(' ', '-')}) {title}")
out += ["| code | meaning |", "|---|---|"]
for code, title, text, cases in D:
    if title is None: continue
    anchor = code.lower() + '--' + re.sub(r'[^a-z0-9 -]', '', title.lower()).replace(' ', '-')
    out.append(f"| [{code}](#{anchor}) | {title} |")
out.append("")
for code, title, text, cases in D:
    if title is None:
        out += [f"## {code}", ""]
        continue
    out += [f"### {code} — {title}", "", text, ""]
    for case in cases:
        script, shown, result = run(case)
        src = open(f'{gold}/{script}', 'rb').read().decode('utf-8', 'replace')
        if code == 'E0008':
            ls = src.splitlines(); src = '\n'.join(ls[:6] + ['  …', ls[-1]]) + '\n'
        if code == 'E0007':
            src = src.replace('\ufffd', '\\xE9')
        marker = [] if code == 'E0007' else [f"<!-- golden: {case.rsplit('.', 1)[0]} -->"]
        out += [f"`{script}`:", "```sql", src.rstrip('\n'), "```", f"`{shown}`:"] + marker + ["```text", result.rstrip('\n').replace('\ufffd', '�'), "```", ""]
open(f'{root}/docs/diagnostics.md', 'w').write('\n'.join(out).rstrip() + '\n')
