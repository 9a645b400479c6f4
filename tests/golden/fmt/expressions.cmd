"$OBSYNC" fmt < expressions.sync
