# warnings fail the check with --strict (exit 1)
"$OBSYNC" check --strict w0004_no_sync.sync
