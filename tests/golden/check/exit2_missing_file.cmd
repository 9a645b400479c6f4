# a script that cannot be read is a usage/IO error (exit 2)
"$OBSYNC" check no_such_script.sync
