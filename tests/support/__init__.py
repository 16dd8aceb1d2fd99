"""Independent helpers that tests use to check what esp does to a workbook.

None of this imports ``esp_cli``: the checks must not share code (or bugs) with the writer.

- ``paths``: where the shared schemas and corpus live (``../shared`` or ``$ESP_SHARED_DIR``).
- ``packages``: zip entries, part diffs, OPC relationships, exact worksheet cell XML.
- ``ooxml``: ECMA-376 schema validation and semantic checks of SpreadsheetML parts/packages.
- ``libreoffice``: read sheets back through headless LibreOffice as CSV.
"""
