"""Holidays kept on disk give the same calendar as the holidays package itself."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from esp_cli.core.calendar import BusinessCalendar, CalendarConfig, CalendarError, package_holidays
from esp_cli.services.holidays import CachedHolidays, cache_dir, package_version


class Counting:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None, range]] = []

    def __call__(self, country: str, subdivision: str | None, years: range) -> dict[date, str]:
        self.asked.append((country, subdivision, years))
        return package_holidays(country, subdivision, years)


@pytest.mark.parametrize(("country", "subdivision"), [("US", None), ("US", "tx"), ("CA", "ON")])
def test_cached_answers_are_the_package_answers(
    tmp_path: Path, country: str, subdivision: str | None
) -> None:
    years = range(2020, 2031)
    first = CachedHolidays(tmp_path, "1.0")(country, subdivision, years)
    again = CachedHolidays(tmp_path, "1.0", inner=Counting())  # a later run
    assert again(country, subdivision, years) == first
    assert again.inner.asked == []  # type: ignore[attr-defined]
    assert first == package_holidays(country, subdivision, years)


def test_a_holiday_observed_across_a_year_end_stays_with_the_year_asked(tmp_path: Path) -> None:
    def observed_early(country: str, subdivision: str | None, years: range) -> dict[date, str]:
        # As some calendars do: a 1 January on a Saturday is observed on 31 December.
        return {date(y - 1, 12, 31): "New Year's Day (observed)" for y in years}

    source = CachedHolidays(tmp_path, "1.0", inner=observed_early)
    assert source("US", None, range(2022, 2023)) == {
        date(2021, 12, 31): "New Year's Day (observed)"
    }
    later = CachedHolidays(tmp_path, "1.0", inner=Counting())
    later("US", None, range(2021, 2022))  # 2021 itself was never asked for: ask now
    assert later.inner.asked == [("US", None, range(2021, 2022))]  # type: ignore[attr-defined]


def test_only_missing_years_are_asked_for(tmp_path: Path) -> None:
    CachedHolidays(tmp_path, "1.0")("US", None, range(2025, 2028))
    later = CachedHolidays(tmp_path, "1.0", inner=Counting())
    later("US", None, range(2024, 2028))
    assert later.inner.asked == [("US", None, range(2024, 2025))]  # type: ignore[attr-defined]


def test_a_new_package_version_asks_again(tmp_path: Path) -> None:
    CachedHolidays(tmp_path, "1.0")("US", None, range(2026, 2027))
    newer = CachedHolidays(tmp_path, "2.0", inner=Counting())
    newer("US", None, range(2026, 2027))
    assert len(newer.inner.asked) == 1  # type: ignore[attr-defined]


def test_a_damaged_or_unwritable_cache_falls_back_to_the_package(tmp_path: Path) -> None:
    source = CachedHolidays(tmp_path, "1.0")
    source("US", None, range(2026, 2027))
    (cache_file,) = tmp_path.glob("holidays-*.json")
    cache_file.write_text("{not json", encoding="utf-8")
    assert CachedHolidays(tmp_path, "1.0")("US", None, range(2026, 2027)) == package_holidays(
        "US", None, range(2026, 2027)
    )
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    assert CachedHolidays(blocked, "1.0")("US", None, range(2026, 2027))


def test_unknown_codes_are_refused_even_when_cached_elsewhere(tmp_path: Path) -> None:
    CachedHolidays(tmp_path, "1.0")("US", None, range(2026, 2027))
    with pytest.raises(CalendarError, match='country "XX"'):
        BusinessCalendar(CalendarConfig(country="XX"), source=CachedHolidays(tmp_path, "1.0"))
    with pytest.raises(CalendarError, match='subdivision "Atlantis"'):
        BusinessCalendar(
            CalendarConfig(country="US", subdivision="Atlantis"),
            source=CachedHolidays(tmp_path, "1.0"),
        )
    assert not any("XX" in p.name or "atlantis" in p.name for p in tmp_path.iterdir())


def test_a_calendar_through_the_cache_counts_like_one_without(tmp_path: Path) -> None:
    config = CalendarConfig(country="US", extra_days_off=(date(2026, 11, 27),))
    plain = BusinessCalendar(config)
    for _ in range(2):  # a first run fills the cache, a second reads it
        cached = BusinessCalendar(config, source=CachedHolidays(tmp_path, "1.0"))
        for start in (date(2026, 11, 20), date(2026, 12, 23), date(2027, 1, 1)):
            assert cached.add(start, 5) == plain.add(start, 5)
            assert cached.elapsed(start, date(2027, 2, 1)) == plain.elapsed(start, date(2027, 2, 1))
    assert json.loads(next(tmp_path.glob("holidays-*.json")).read_text())["2026"]


def test_the_cache_lives_where_the_environment_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ESP_CACHE_DIR", str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x"
    monkeypatch.delenv("ESP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "esp"
    assert package_version()
