"""The only code that touches a workbook: the tracker read as agent rows, the one write
session and its operation log, and (xlsx/) the package's zip and XML."""
