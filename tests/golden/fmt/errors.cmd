# A file with syntax errors is not touched: its diagnostics, exit 1. An unreadable file: exit 2.
sum=$(cksum < broken.sync)
"$OBSYNC" fmt broken.sync; echo "broken: exit $?"
[ "$(cksum < broken.sync)" = "$sum" ] && echo "broken.sync unchanged"
"$OBSYNC" fmt no_such_file.sync
