"""The sample's builder, used at development time only (never shipped in esp).

`build.py` writes new .xlsx workbooks from a plain spec, deterministically; `sample.py` is the
realistic sample made with it. scripts/make_fixtures.py writes the sample into
src/esp_cli/sample/, which esp ships as package data for `esp demo`; tests/test_sample.py
checks that the shipped files are byte for byte what the builder makes.
"""
