"""The package's zip and XML: values read fast, cells written losslessly (every other
part copied byte for byte), the checks and the atomic replace."""
