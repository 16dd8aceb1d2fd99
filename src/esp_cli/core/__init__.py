"""Pure: the team's rules and words — business days, the ladder, notes, cell values, the
columns, the shared model. Plain values in, plain results out: no file, no workbook, no
command line."""
