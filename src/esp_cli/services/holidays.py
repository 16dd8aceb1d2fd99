"""Holidays remembered on disk between runs.

Importing the holidays package and its country classes costs about 0.15 s, a sixth of a
command's budget on a large tracker, for a handful of dates that never change. The dates
the package gives for a country, subdivision and year are kept in a small JSON file in the
user's cache folder, named after the package's version, so an upgraded package is asked
again. A cache that cannot be read or written is ignored: the package answers instead.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
from datetime import date
from pathlib import Path

from esp_cli.core.calendar import HolidaySource, package_holidays
from esp_cli.system import user_cache_dir, write_file_atomically

FORMAT = 1  # bump when the file layout changes


def cache_dir() -> Path:
    """ESP_CACHE_DIR, else the user's cache folder for esp (see esp_cli.system)."""
    return user_cache_dir()


def package_version() -> str | None:
    """The installed holidays package's version, from its dist-info folder's name (importing
    the package or importlib.metadata would cost what the cache saves)."""
    try:
        spec = importlib.util.find_spec("holidays")
        if spec is None or spec.origin is None:
            return None
        site = Path(spec.origin).parent.parent
        found = sorted(p.name for p in site.glob("holidays-*.dist-info"))
    except (OSError, ImportError, ValueError):
        return None
    if len(found) != 1:
        return None  # none, or several left behind by upgrades: do not guess
    return found[0][len("holidays-") : -len(".dist-info")]


class CachedHolidays:
    """A HolidaySource that answers from the cache file and asks `inner` only for years it
    has not seen (and, once, to check the country and subdivision exist)."""

    def __init__(
        self, folder: Path, version: str | None, inner: HolidaySource = package_holidays
    ) -> None:
        self.folder = folder
        self.version = version
        self.inner = inner
        self._loaded: dict[tuple[str, str], dict[str, list[list[str]]]] = {}

    def _file(self, country: str, subdivision: str | None) -> Path:
        sub = re.sub(r"[^A-Za-z0-9]+", "_", (subdivision or "").casefold()) or "-"
        return self.folder / f"holidays-v{FORMAT}-{self.version}-{country}-{sub}.json"

    def __call__(self, country: str, subdivision: str | None, years: range) -> dict[date, str]:
        if self.version is None:
            return self.inner(country, subdivision, years)
        path = self._file(country, subdivision)
        key = (country, (subdivision or "").casefold())
        table = self._loaded.get(key)
        if table is None:
            table = self._read(path)
            self._loaded[key] = table
        missing = [y for y in years if str(y) not in table]
        if missing or not table:
            # An empty table also means the codes were never checked: ask the package.
            asked = range(min(missing), max(missing) + 1) if missing else range(0)
            fetched = self.inner(country, subdivision, asked)
            for year in asked:
                table[str(year)] = []
            for day, name in sorted(fetched.items()):
                # A holiday observed across a year end (New Year's Day on the Friday before)
                # belongs to the year that was asked for.
                year = min(max(day.year, asked.start), asked.stop - 1) if asked else day.year
                table.setdefault(str(year), []).append([day.isoformat(), name])
            table.setdefault("checked", [])
            self._write(path, table)
        return {
            date.fromisoformat(day): name
            for year in years
            for day, name in table.get(str(year), [])
        }

    @staticmethod
    def _read(path: Path) -> dict[str, list[list[str]]]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        ok = isinstance(data, dict) and all(
            isinstance(v, list) and all(isinstance(p, list) and len(p) == 2 for p in v)
            for v in data.values()
        )
        return data if ok else {}

    @staticmethod
    def _write(path: Path, table: dict[str, list[list[str]]]) -> None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            data = json.dumps(table, sort_keys=True).encode("utf-8")
            write_file_atomically(path, data)


def cached_source() -> HolidaySource:
    """The package's holidays through the user's cache."""
    return CachedHolidays(cache_dir(), package_version())
