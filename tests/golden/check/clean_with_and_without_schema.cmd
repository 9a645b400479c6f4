"$OBSYNC" check --schema shop_schema.json _clean.sync && "$OBSYNC" check _clean.sync
