"$OBSYNC" fmt < messy_project.sync
