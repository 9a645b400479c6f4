"$OBSYNC" check --schema shop_schema.json _e0206_view.sync
