"$OBSYNC" check --schema shop_schema.json _e0204_unknown_table.sync
