"$OBSYNC" check --schema shop_schema.json _e0203_unknown_column.sync
