"""Development scripts; a package so tests and the benchmark can import the sample builder."""
