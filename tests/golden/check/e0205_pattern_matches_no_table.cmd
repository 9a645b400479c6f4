"$OBSYNC" check --schema shop_schema.json _e0205_pattern_matches_no_table.sync
