"$OBSYNC" check --schema shop_schema.json _e0210_shard_by_unknown_column.sync
