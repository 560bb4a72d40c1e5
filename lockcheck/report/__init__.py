"""Reports: each renders results it is given and never re-analyses."""
