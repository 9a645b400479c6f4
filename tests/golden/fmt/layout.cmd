"$OBSYNC" fmt < layout.sync
