"""Independent helpers that tests use to check what esp does to a workbook.

None of this imports ``esp_cli``: the checks must not share code (or bugs) with the writer.

- ``paths``: where the shared schemas and corpus live (beside the repo, or ``$ESP_SHARED_DIR``).
- ``packages``: zip entries, part diffs, OPC relationships, exact worksheet cell XML.
- ``ooxml``: ECMA-376 schema validation and semantic checks of SpreadsheetML parts/packages.
- ``libreoffice``: read sheets back through headless LibreOffice as CSV.
- ``windows``: Windows' behaviours that differ (text-mode descriptors, no fcntl,
  ``ctypes.CDLL(None)``, Excel holding a file) reproduced on Linux, in-process or in an esp
  subprocess (``windows_site/sitecustomize.py``).
- ``disk``: a disk that fails on cue under the file objects esp writes through.

A typical fidelity test::

    before, after = zip_parts(original), zip_parts(written)
    assert validate_package(written) == []
    assert diff_parts(before, after) <= {sheet, "xl/sharedStrings.xml"}
    old, new = sheet_cells(before[sheet]), sheet_cells(after[sheet])
    assert {ref for ref in old.keys() | new.keys() if old.get(ref) != new.get(ref)} == {"B7"}
    assert sheet_parts_outside_sheetdata(before[sheet]) == (
        sheet_parts_outside_sheetdata(after[sheet])
    )
    assert cell(convert_to_csv(written, "Tracker", tmp_path), "B7") == "11/23/2026"
"""
