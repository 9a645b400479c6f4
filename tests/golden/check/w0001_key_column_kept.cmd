"$OBSYNC" check --schema shop_schema.json _w0001_key_column_kept.sync
