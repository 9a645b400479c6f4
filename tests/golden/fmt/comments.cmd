"$OBSYNC" fmt - < comments.sync
