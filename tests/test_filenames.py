"""Files of a folder are taken in the order Windows Explorer lists them by name."""

from __future__ import annotations

from pathlib import PurePath

import pytest

from esp_cli.core.filenames import explorer_order


def listed(*names: str) -> list[str]:
    return sorted(names, key=lambda n: explorer_order(PurePath(n)))


def test_an_original_comes_before_its_copies() -> None:
    assert listed("Report (1).msg", "Report - Copy.msg", "Report (10).msg", "Report.msg",
                  "Report (2).msg") == ["Report.msg", "Report (1).msg", "Report (2).msg",
                                        "Report (10).msg", "Report - Copy.msg"]  # fmt: skip


def test_names_compare_case_aside_and_numbers_as_numbers() -> None:
    assert listed("b10.pdf", "B2.pdf", "a.PDF", "c.pdf") == ["a.PDF", "B2.pdf", "b10.pdf", "c.pdf"]
    assert listed("devon again.eml", "devon.eml") == ["devon.eml", "devon again.eml"]


@pytest.mark.parametrize(
    "names",
    [
        ("2026-12-01 Ana.msg", "Ana 2026-12-01.msg", ".hidden", "noext", "x.", "1", "a1b2.c3"),
        ("report.eml", "report.msg", "report", "report.EML"),
    ],
)
def test_any_names_can_be_sorted_together(names: tuple[str, ...]) -> None:
    got = listed(*names)
    assert sorted(got) == sorted(names)  # text and numbers never compared with each other
    assert listed(*reversed(names)) == got  # one order, whatever the folder gave
