"""The log's cell records read back as the records written (core.oplog.CellRecord)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time
from typing import Any

import pytest

from esp_cli.core.oplog import CellRecord
from esp_cli.core.values import ErrorValue

VALUES: list[Any] = [
    None,
    "",
    "Coaching",
    0,
    7,
    2.5,
    True,
    False,
    date(2026, 11, 24),
    datetime(2026, 11, 24, 9, 30),
    time(14, 5),
    ErrorValue("#N/A"),
]


def records() -> list[CellRecord]:
    made = []
    for i, value in enumerate(VALUES):
        cell = {"row": 5 + i, "col": 30, "before": value, "after": VALUES[-1 - i]}
        made.append(
            CellRecord(
                sheet="ESP Tracker",
                agent=f"Agent {i}",
                cls="Class 1",
                column="Escalation Level",
                **cell,
            )
        )
        # Every optional field, in turn set and not.
        made.append(
            CellRecord(
                sheet="Nov 2026",
                agent="",
                cls="",
                column="",
                **cell,
                before_xml='<c r="C7" s="4"/>',
                agent_id=f"E{i}",
                email="" if i % 2 else f"a{i}@example.com",
                n_number=None if i % 3 else f"N{i:07d}",
                chained=bool(i % 2),
                facts=(("esp_start", date(2026, 11, 2)),) if i % 2 else None,
            )
        )
    return made


@pytest.mark.parametrize("record", records(), ids=lambda r: f"{r.sheet}-{r.row}")
def test_a_record_reads_back_as_written(record: CellRecord) -> None:
    read = CellRecord.from_json(json.loads(json.dumps(record.to_json())))
    assert read == record
    assert hash(read) == hash(record)
    # Every field set, in the dataclass's order, as its __init__ would have.
    assert list(vars(read)) == [f.name for f in dataclasses.fields(CellRecord)]
    assert vars(read) == vars(record)
    assert dataclasses.replace(read, row=99) == dataclasses.replace(record, row=99)
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.row = 1  # type: ignore[misc]


def test_repeated_strings_are_held_once() -> None:
    same: dict[str, str] = {}
    lines = [json.loads(json.dumps(r.to_json())) for r in records()]
    read = [CellRecord.from_json(d, same) for d in lines]
    assert read[0].sheet is read[2].sheet
    assert read[0].column is read[2].column


def test_a_hand_edited_entry_reads_as_it_always_did() -> None:
    """Values a person or another program may have put in the log: numbers as text, a
    class or column as a number, an agent of null, facts that are not an object."""
    read = CellRecord.from_json(
        {
            "sheet": 2026,
            "row": "12",
            "col": 4.0,
            "agent": None,
            "class": 7,
            "column": None,
            "before": {"date": "not a date"},
            "after": {"error": "#REF!"},
            "agent_id": 100042,
            "n_number": 5,
            "chained": 1,
            "facts": [],
        }
    )
    assert read == CellRecord(
        "2026", 12, 4, "", "7", "", "not a date", ErrorValue("#REF!"), None, "100042", "",
        "5", chained=True, facts=None,
    )  # fmt: skip
