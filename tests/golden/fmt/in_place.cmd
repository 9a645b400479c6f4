# fmt FILE rewrites the file (keeping its mode); a second run has nothing to do.
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
cp messy_project.sync "$dir/p.sync"; chmod 640 "$dir/p.sync"
"$OBSYNC" fmt "$dir/p.sync"; echo "fmt: exit $?"
cat "$dir/p.sync"; stat -c '%a' "$dir/p.sync"; ls -A "$dir"
"$OBSYNC" fmt --check "$dir/p.sync"; echo "check: exit $?"
