"$OBSYNC" check --schema shop_schema.json _w0002_no_key.sync
