"""Small workbooks built in tmp_path for tests (openpyxl is fine for *making* inputs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

TRACKER_HEADERS = (
    "Class",
    "Agent Name",
    "Agent ID",
    "Email",
    "N Number",
    "Date of N Number Request",
    "ESP Start Date",
    "Call Cert Complete?",
    "All TBTs Complete?",
    "Citrix TBT Access",
    "Notes",
    "TBT Notes",
)


def make_workbook(
    path: Path,
    sheets: dict[str, Sequence[Sequence[Any]]],
    title_rows: int = 0,
    date_format: str = "m/d/yyyy",
) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for _ in range(title_rows):
            ws.append(["ESP Tracker"])
        for row in rows:
            ws.append(list(row))
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = date_format
    wb.save(path)
    return path


def tracker(
    path: Path,
    agents: Sequence[dict[str, Any]],
    title_rows: int = 1,
    headers: Sequence[str] = TRACKER_HEADERS,
    sheet: str = "ESP Tracker",
) -> Path:
    rows = [list(headers)]
    for a in agents:
        rows.append([a.get(h) for h in headers])
    return make_workbook(path, {sheet: rows}, title_rows=title_rows)


def master(
    path: Path,
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str] = ("Wave", "Employee Name", "Emp ID", "E-mail", "N#", "Date Requested"),
) -> Path:
    return make_workbook(path, {"Master": [list(headers), *rows]})
