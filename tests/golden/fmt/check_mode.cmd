# --check rewrites nothing: exit 0 when every file is formatted, else 1 and the files listed.
"$OBSYNC" fmt --check formatted.sync; echo "formatted only: exit $?"
sum=$(cksum < layout.sync)
"$OBSYNC" fmt --check formatted.sync layout.sync messy_project.sync; echo "with unformatted: exit $?"
[ "$(cksum < layout.sync)" = "$sum" ] && echo "layout.sync unchanged"
"$OBSYNC" fmt --check - < formatted.sync
