#!/bin/sh
# Checks that --help and the man page agree (filled in with the man page).
exit 0
