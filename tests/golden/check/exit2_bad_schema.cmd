# a schema file that does not parse is a usage error (exit 2)
"$OBSYNC" check --schema bad_schema.json _clean.sync
