"$OBSYNC" check --schema shop_schema.json _e0303_where_not_a_condition.sync
