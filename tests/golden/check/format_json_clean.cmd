"$OBSYNC" check --format json _clean.sync
