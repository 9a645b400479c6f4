"$OBSYNC" check --format json --schema shop_schema.json _e0203_unknown_column.sync _w0002_no_key.sync
