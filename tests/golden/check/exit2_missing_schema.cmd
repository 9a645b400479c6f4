# a missing schema file too
"$OBSYNC" check --schema no_such_schema.json _clean.sync
