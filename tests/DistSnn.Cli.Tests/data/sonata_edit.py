"""Edits one thing in an HDF5 file, to make a SONATA file wrong in a known way.

usage: sonata_edit.py FILE delattr OBJECT ATTRIBUTE
"""
import sys

import h5py

path, action, obj, name = sys.argv[1:5]
with h5py.File(path, "r+") as f:
    if action == "delattr":
        del f[obj].attrs[name]
    else:
        sys.exit(f"unknown action {action}")
