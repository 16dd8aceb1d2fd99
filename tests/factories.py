"""Small workbooks built in tmp_path for tests (openpyxl is fine for *making* inputs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from esp_cli.core import oplog
from esp_cli.core.columns import BY_KEY


def headers(*keys: str) -> tuple[str, ...]:
    """The canonical headers of these column keys, in this order, from the column
    definitions (esp_cli.core.columns.COLUMNS): a test tracker is spelled as esp spells it,
    and a renamed header changes every test tracker at once."""
    return tuple(BY_KEY[key].header for key in keys)


# The columns of a typical test tracker (more are added where a test needs them).
TRACKER_KEYS = (
    "class",
    "agent_name",
    "agent_id",
    "email",
    "n_number",
    "n_number_requested",
    "esp_start",
    "call_cert_complete",
    "tbts_complete",
    "citrix_access",
    "notes",
    "tbt_notes",
)
TRACKER_HEADERS = headers(*TRACKER_KEYS)


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


def logged_write(cells: Any, **changes: Any) -> oplog.Operation:
    """A write of `cells` as the operation log records one (`changes`: other fields)."""
    op = oplog.Operation(
        op="0123abcd",
        kind=oplog.WRITE,
        time=datetime(2026, 11, 24, 9, 30),
        signer="Jordan Reyes",
        login="jordan",
        machine="PC-1",
        version="1.0",
        command="esp escalations --write",
        digest_before="a" * 64,
        digest_after="b" * 64,
        backup=None,
        cell_json=cells,
    )
    return replace(op, **changes)
