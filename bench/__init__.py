"""The benchmark (`make bench`); a package so tests can import its tracker builder."""
