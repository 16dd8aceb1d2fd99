"""Planning cell changes on the tracker, shared by every writing command.

A command asks for values by agent row and column key; this module finds (or plans) the
column, records old -> new for --dry-run and JSON output, and applies them all in one
lossless write at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from esp_cli.columns import BY_KEY, Kind
from esp_cli.tracker import Row, Sheet, Table
from esp_cli.xlsx.patch import Patcher
from esp_cli.xlsx.refs import address, col_letter
from esp_cli.xlsx.workbook import SaveResult


@dataclass(frozen=True, slots=True)
class CellChange:
    sheet: str
    row: int
    col: int
    agent: str
    cls: str
    column: str
    old: Any
    new: Any

    @property
    def cell(self) -> str:
        return f"{col_letter(self.col)}{self.row}"

    @property
    def address(self) -> str:
        return address(self.sheet, self.row, self.col)


@dataclass(frozen=True)
class AddedColumn:
    sheet: str
    col: int
    header: str

    @property
    def letter(self) -> str:
        return col_letter(self.col)


@dataclass
class ChangePlan:
    table: Table
    changes: list[CellChange] = field(default_factory=list)
    added_columns: list[AddedColumn] = field(default_factory=list)
    _patcher: Patcher | None = None
    _planned_cols: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def patcher(self) -> Patcher:
        if self._patcher is None:
            self._patcher = self.table.workbook.patcher()
        return self._patcher

    def column(self, sheet: Sheet, key: str) -> int:
        """The column for `key` on `sheet`; added after the last header when missing."""
        col = sheet.col(key)
        if col is not None:
            return col
        planned = self._planned_cols.get((sheet.name, key))
        if planned is not None:
            return planned
        used = [c for (s, _k), c in self._planned_cols.items() if s == sheet.name]
        col = max([sheet.last_header_col, *used]) + 1
        header = BY_KEY[key].header
        self.patcher.add_column(sheet.name, sheet.header_row, col, header)
        self._planned_cols[(sheet.name, key)] = col
        self.added_columns.append(AddedColumn(sheet.name, col, header))
        return col

    def set(self, row: Row, key: str, new: Any) -> CellChange:
        sheet = self.table.sheet(row.sheet)
        col = self.column(sheet, key)
        # Yes/no as typed ('No', 'N'), not as understood (False); others as understood.
        as_typed = key in row.unreadable or BY_KEY[key].kind is Kind.YESNO
        old = row.raw.get(key) if as_typed else row.values.get(key)
        self.patcher.set(row.sheet, row.row, col, new)
        change = CellChange(
            sheet=row.sheet,
            row=row.row,
            col=col,
            agent=row.label(),
            cls=row.cls,
            column=sheet.headers.get(col, BY_KEY[key].header),
            old=old,
            new=new,
        )
        self.changes.append(change)
        return change

    def apply(self, backup_dir: Path | None = None) -> SaveResult | None:
        if not self.changes and not self.added_columns:
            return None
        return self.table.workbook.save(self.patcher, backup_dir)


def json_value(value: Any) -> Any:
    """JSON-safe cell values: ISO dates, plain text for everything else non-numeric."""
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
