"""The one door to a workbook file: open it, read values, patch cells, save safely."""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from esp_cli import system
from esp_cli.core.refs import parse_range
from esp_cli.errors import InputFileError
from esp_cli.workbook.xlsx import safety
from esp_cli.workbook.xlsx.package import (
    REL_TABLE,
    Package,
    SheetInfo,
    broken_link,
    part_digests,
)
from esp_cli.workbook.xlsx.patch import Patcher
from esp_cli.workbook.xlsx.reader import SheetValues, WorkbookReader, take_read_ahead
from esp_cli.workbook.xlsx.sheetxml import SheetXml, is_protected
from esp_cli.workbook.xlsx.validations import ListValidation, list_validations
from esp_cli.workbook.xlsx.xmlbytes import root_attrs

if TYPE_CHECKING:
    from lxml.etree import _Element

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class SaveResult:
    path: Path
    backup: Path
    cells: int
    digest: str  # sha256 of the bytes written


class Workbook:
    def __init__(self, pkg: Package, reader: Future[WorkbookReader] | None = None) -> None:
        self.pkg = pkg
        self._reader: WorkbookReader | None = None
        self._reading = reader  # the reader read_ahead is making, with its sheets parsed
        self._values: dict[tuple[str, int | None, frozenset[int] | None], SheetValues] = {}
        # Sheet name -> the columns a preload scanned and their values (they stand for the
        # sheet's values for those columns only).
        self._preloaded: dict[str, tuple[frozenset[int], SheetValues]] = {}
        # Each sheet's XML without its rows (None: it cannot be followed) and drop-downs,
        # read once: a command that only reads does not keep the sheet's XML for them.
        self._skeletons: dict[str, _Element | None] = {}
        self._validations: dict[str, list[ListValidation]] = {}

    @classmethod
    def open(cls, path: Path | str) -> Workbook:
        p = Path(path)
        if p.suffix.lower() in (".xls", ".xlsb", ".csv", ".ods") and p.is_file():
            kind = {
                ".xls": "a legacy Excel 97-2003 (.xls)",
                ".xlsb": "a binary (.xlsb)",
                ".csv": "a CSV",
                ".ods": "an OpenDocument (.ods)",
            }[p.suffix.lower()]
            raise InputFileError(
                f"{p}: this is {kind} file; esp works on Excel workbooks (.xlsx, .xlsm).",
                fix="in Excel use File > Save As > Excel Workbook (*.xlsx).",
            )
        early = take_read_ahead(p)
        pkg = early.package_if_current() if early is not None else None
        if early is not None and pkg is not None:
            return cls(pkg, early.reader)
        return cls(Package.open(p))

    @property
    def path(self) -> Path:
        return self.pkg.path

    @property
    def sheets(self) -> list[SheetInfo]:
        return self.pkg.sheets

    @property
    def date1904(self) -> bool:
        return self.pkg.date1904

    def values(
        self,
        sheet: SheetInfo,
        nrows: int | None = None,
        columns: set[int] | None = None,
        cache: bool = True,
    ) -> SheetValues:
        """A sheet's values (kept for the next call unless `cache` is False); `nrows` reads
        only the first rows, `columns` only those columns (see WorkbookReader.values)."""
        key = (sheet.name, nrows, frozenset(columns) if columns is not None else None)
        got = self._values.get(key)
        if got is None:
            full = self._values.get((sheet.name, None, None))
            if full is not None:
                return full
            # A preload answers for its own columns only: any other reads as empty there,
            # and a column of data without a header would look free to a new column.
            preloaded = self._preloaded.get(sheet.name)
            if preloaded is not None and columns is not None and columns <= preloaded[0]:
                return preloaded[1]
            got = self.reader().values(sheet, nrows=nrows, columns=columns)
            if cache:
                self._values[key] = got
        return got

    def first_value_in(self, sheet: SheetInfo, col: int) -> int | None:
        """The first row with a value in column `col` (None: the column is empty). Asked
        only when esp is about to add a column where the sheet has values."""
        values = self.values(sheet, columns={col}, cache=False)
        for r, line in enumerate(values.rows, start=1):
            if col <= len(line) and line[col - 1] not in ("", None):
                return r
        return None

    def preload(self, sheet: SheetInfo, columns: set[int]) -> SheetValues:
        """Scan these columns of the sheet once; every later read of some of these columns
        gets that scan (a read of others, or of the whole sheet, scans it again). For a
        command that reads a few columns of every row and more of some rows: one scan
        serves both."""
        got = self.values(sheet, columns=columns, cache=False)
        self._preloaded[sheet.name] = (frozenset(columns), got)
        return got

    def formulas(self, sheet: SheetInfo, rows: Iterable[int]) -> dict[int, dict[int, str]]:
        """The formulas of these rows (row -> column -> text, without '='), read from the
        sheet's XML: values come from calamine, which gives a formula's result only. A row
        the XML cannot be followed in has none."""
        try:
            # Kept for a write (its writer reads the sheet too), not for a command that reads.
            sx = SheetXml(self.pkg.read_xml(sheet.part, keep=self.pkg.keep_scanned))
        except ValueError:
            return {}
        out: dict[int, dict[int, str]] = {}
        for row in rows:
            with contextlib.suppress(ValueError):
                found = sx.formulas_in(row)
                if found:
                    out[row] = found
        return out

    def _skeleton(self, sheet: SheetInfo) -> _Element | None:
        """The sheet's XML without its rows (SheetXml.skeleton), read once; None when its
        XML cannot be followed (a write says why). The sheet's XML is kept for a write
        (its writer reads it too), not for a command that reads."""
        if sheet.part not in self._skeletons:
            try:
                data = self.pkg.read_xml(sheet.part, keep=self.pkg.keep_scanned)
                self._skeletons[sheet.part] = SheetXml(data).skeleton
            except ValueError:
                self._skeletons[sheet.part] = None
        return self._skeletons[sheet.part]

    def protected(self, sheet: SheetInfo) -> bool:
        """Whether the sheet is protected (Review > Protect Sheet), which every write
        refuses (the check the writer makes: SheetXml.protected)."""
        skeleton = self._skeleton(sheet)
        return skeleton is not None and is_protected(skeleton)

    def totals_rows(self, sheet: SheetInfo) -> dict[int, str]:
        """The rows the sheet's Excel tables declare as their Totals Row (Table Design >
        Total Row), each with its table's name."""
        out: dict[int, str] = {}
        for typ, target in self.pkg.rels(sheet.part).values():
            if typ != REL_TABLE or not self.pkg.has(target):
                continue
            head = root_attrs(self.pkg.read_xml(target), b"table")
            count = head.get(b"totalsRowCount", b"0").strip()
            try:
                _r1, _c1, last, _c2 = parse_range(head.get(b"ref", b"").decode().strip())
            except (ValueError, UnicodeDecodeError):
                continue
            name = head.get(b"displayName") or head.get(b"name") or target.encode()
            for row in range(last - int(count) + 1 if count.isdigit() else last + 1, last + 1):
                out[row] = name.decode("utf-8", "replace")
        return out

    def reader(self) -> WorkbookReader:
        """The value reader: the one read ahead when it was made without a fault (else it
        is made here, and a fault is raised as it would have been)."""
        if self._reader is None:
            reading, self._reading = self._reading, None
            if reading is not None:
                with contextlib.suppress(Exception):
                    self._reader = reading.result()
            if self._reader is None:
                self._reader = WorkbookReader(self.pkg)
        return self._reader

    def release_reader(self) -> None:
        """Let go of the value reader (calamine's copy of the package and its strings:
        some 50 MB for a 50,000-agent tracker) once the rows are read; a later read makes
        it again."""
        self._reading = None
        self.pkg.forget_scanned()
        if self._reader is not None:
            self._reader = None
            self.pkg.release_freed_memory()

    def validations(self, sheet: SheetInfo) -> list[ListValidation]:
        """The sheet's drop-down lists with their allowed values (x14 ones included)."""
        found = self._validations.get(sheet.part)
        if found is None:
            skeleton = self._skeleton(sheet)
            found = (
                list_validations(self.pkg, sheet, self.reader(), skeleton)
                if skeleton is not None
                else []
            )
            self._validations[sheet.part] = found
        return list(found)

    def patcher(self) -> Patcher:
        return Patcher(self.pkg)

    def save(
        self,
        patcher: Patcher,
        backup_dir: Path | None = None,
        *,
        op: str | None = None,
        retention: safety.Retention | None = None,
        before_replace: Callable[[Path, str, dict[str, str]], None] | None = None,
    ) -> SaveResult:
        """Write the patched package over the file (caller holds `locked_for_update`); the
        backup is named after the operation `op`. `before_replace(backup, digest, parts)`
        runs once the backup is made, before the file is replaced by the bytes whose
        SHA-256 is `digest` and whose parts are `parts` (see package.part_digests and
        safety.commit)."""
        new = patcher.build()
        digest = hashlib.sha256(new).hexdigest()
        parts = part_digests(zipfile.ZipFile(io.BytesIO(new)))
        folder = safety.backup_dir_for(self.path, backup_dir)
        backup = safety.commit(
            self.path,
            self.pkg.digest,
            self.pkg.data,
            new,
            folder,
            op=op,
            retention=retention,
            before_replace=(
                None if before_replace is None else lambda made: before_replace(made, digest, parts)
            ),
        )
        return SaveResult(path=self.path, backup=backup, cells=patcher.pending, digest=digest)


def workbook_file(path: Path) -> Path:
    """The workbook file a path names, which must exist: a link is followed (a write
    replaces the file it points to — replacing the link would leave that file unchanged,
    and miss Excel's owner file and esp's lock beside it — and the operation log is kept
    beside that file). A link that leads back to itself or to nothing is a clear error."""
    if path.is_symlink():
        try:
            path = system.real_path(path)
        except OSError:
            raise broken_link(path) from None
    if not path.exists():
        Workbook.open(path)  # raises the clear "no such file" error
    return path


@contextlib.contextmanager
def locked_for_update(
    path: Path, dry_run: bool = False, reuse: Workbook | None = None
) -> Iterator[Workbook]:
    """Open a workbook that is about to be written: refuse early if it is open in Excel,
    and hold esp's own lock from read to write so concurrent esp commands take turns.

    `reuse`: the same file opened earlier; it is used as is when the file still holds the
    bytes it was opened from (no second read), else the file is opened again."""
    safety.refuse_long_name(path)
    if dry_run:
        wb = same_or_open(path, reuse)
        wb.pkg.keep_scanned = True  # a dry run plans every cell as a write would
        yield wb
        return
    path = workbook_file(path)
    safety.refuse_if_open(path)
    safety.warn_if_synced(path)
    with safety.exclusive(path):
        wb = same_or_open(path, reuse)
        wb.pkg.keep_scanned = True
        yield wb


def same_or_open(path: Path, earlier: Workbook | None) -> Workbook:
    """`earlier` when it is the same file and the file still holds its bytes, else the
    file opened again."""
    same = earlier is not None and earlier.path == path
    if same and earlier is not None and safety.digest_of(path) == earlier.pkg.digest:
        return earlier
    return Workbook.open(path)
