"$OBSYNC" check --schema shop_schema.json _e0202_unknown_database.sync
