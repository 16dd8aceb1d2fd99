"""Drop-down lists, classic and x14 (list on another sheet), with their values."""

from __future__ import annotations

from pathlib import Path

from esp_cli.workbook.xlsx.workbook import Workbook
from tests.support.paths import SAMPLE_DATA


def test_sample_tracker_drop_downs() -> None:
    wb = Workbook.open(SAMPLE_DATA / "ESP Tracker.xlsx")
    found = {v.source: v for v in wb.validations(wb.pkg.sheet("ESP Tracker"))}
    access = found["Lists!$A$2:$A$8"]
    assert access.values == (
        "No Issues",
        "Password Reset",
        "No Citrix Apps Showing",
        "Learning Hub Issue",
        "Cannot Locate TBT",
        "Equipment Issue",
        "Other",
    )
    assert access.covers(5, 17) and access.covers(200, 17) and not access.covers(5, 16)
    assert found['"Yes,No"'].values == ("Yes", "No")
    assert len(found) == 3  # the x14 lists are not read twice


def test_corpus_cross_sheet_and_same_sheet_lists(corpus_dir: Path) -> None:
    wb = Workbook.open(corpus_dir / "closedxml__ValidationWithSheetReference.xlsx")
    found = {v.source: v.values for v in wb.validations(wb.pkg.sheet("UI Sheet"))}
    assert found == {
        "$E$1:$E$4": ("Value 1", "Value 2", "Value 3", "Value 4"),
        "ValuesSheet!$A$1:$A$4": ("RefValue 1", "RefValue 2", "RefValue 3", "RefValue 4"),
    }


def test_defined_name_source(corpus_dir: Path) -> None:
    wb = Workbook.open(corpus_dir / "poi__dataValidationTableRange.xlsx")
    found = {v.source: v.values for v in wb.validations(wb.pkg.sheet("County Ranking"))}
    assert found["highlight"] == (
        "Highlight a Single County",
        "Highlight a Provider's Service Area",
    )


def test_a_command_that_reads_keeps_no_sheet_xml_for_its_drop_downs() -> None:
    """Drop-downs and protection come from one reading of the sheet's XML without its
    rows; a workbook opened to read does not keep the sheet's XML for them (tens of MB on
    a 50,000-agent tracker, beside every row read)."""
    wb = Workbook.open(SAMPLE_DATA / "ESP Tracker.xlsx")
    info = wb.pkg.sheet("ESP Tracker")
    wb.pkg.forget_scanned()
    first = wb.validations(info)
    assert wb.pkg.kept_xml(info.part) is None
    assert not wb.protected(info)
    assert wb.validations(info) == first and wb.pkg.kept_xml(info.part) is None


def test_a_write_keeps_the_sheet_xml_its_writer_reads() -> None:
    wb = Workbook.open(SAMPLE_DATA / "ESP Tracker.xlsx")
    wb.pkg.keep_scanned = True
    info = wb.pkg.sheet("ESP Tracker")
    assert wb.validations(info)
    assert wb.pkg.kept_xml(info.part) is not None
