"""Read workbook sheets back through headless LibreOffice, as CSV rows.

An independent reader for interop tests: if LibreOffice shows what esp wrote, a second real
spreadsheet application accepts the file.

Verified with LibreOffice 7.4.7.2 (Debian ``libreoffice-calc-nogui``):

- Command: ``soffice -env:UserInstallation=file:///<fresh dir> --headless --norestore
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,N'
  --outdir D f1.xlsx [f2.xlsx ...]``. Tokens: comma separator, ``"`` quote, UTF-8 (76), -, -,
  -, don't quote all text, -, "save cell contents as shown" (token 9, see below), don't export
  formulas, don't strip spaces, sheet N (token 12, LibreOffice 7.2+).
- N >= 1 exports sheet N (1-based, tab order, hidden and chart sheets included) and N = -1
  exports every sheet; either way the file is named ``<base>-<SheetName>.csv`` (base = the
  input name without its extension, sheet name verbatim: spaces, ``#``, ``%``, non-ASCII
  kept). Only N = 0 (the default) writes a plain ``<base>.csv`` of the first sheet.
- soffice exits 0 even when it fails (e.g. "No sheet number 11, number of sheets is 10" or an
  unreadable file): success is judged by the expected files existing.
- Output: UTF-8 without BOM, LF line ends, fields quoted only when needed, cells with line
  breaks quoted with the LF inside. The used area from A1 is written, every line padded to the
  same number of fields; an empty sheet (or chart sheet) gives one empty line.
- Values (token 9 = ``false``, the default here): numbers unformatted at full precision
  (``1234.5678`` even with format ``0.00``); booleans ``TRUE``/``FALSE``; date/time cells as
  dates in the locale's default form with a 4-digit year whatever their code (``m/d/yyyy``,
  ``mm/dd/yy`` -> ``11/23/2026``; date-time -> ``11/23/2026 14:05:00``), except that an ISO
  code ``yyyy-mm-dd`` stays ``2026-11-23``. With ``as_shown=True`` (token 9 = ``true``) cells
  come out as displayed: ``1234.57``, ``11/23/26`` for ``mm/dd/yy``, ``11/23/2026 14:05``.
  Either way a date written as a date shows as a date, and a serial written without a date
  style shows as a number (``46349``).
- The locale comes from the environment (``LANG``/``LC_ALL``), not from the language token:
  under ``de_DE.UTF-8`` the same file gives ``23.11.2026``, ``"1234,5678"`` and ``WAHR``.
  The C library locale also sets the encoding of output FILE NAMES: with a locale that is
  not installed (``en_US.UTF-8`` on a bare Debian) sheets with non-ASCII names are silently
  not written at all, and with no ``LANG`` they get Latin-1 names. Every call here therefore
  runs soffice with ``LC_ALL=LANG=C.UTF-8``, which glibc always has and which LibreOffice
  formats as en-US.
- The user interface language: soffice exits 77 (333, its fatal start-up error, modulo 256)
  with "The user interface language cannot be determined" when it finds none at start-up.
  Every call here therefore names it three ways: ``LANGUAGE=en_US`` in the environment,
  ``--language=en-US`` on the command line, and ``ooLocale = en-US`` written into the fresh
  profile before the start (:func:`new_profile`); and a start that still exits 77 is retried
  once with another fresh profile.
- Time: about 1.1-1.3 s per invocation with a fresh profile (2-core machine); the whole
  39-file corpus (162 sheets) converts in about 6 s in ONE invocation. Start-up dominates, so
  batch with :func:`convert_all_sheets` / :func:`convert_workbooks`.

Each call uses its own throw-away user profile (so parallel runs and CI don't collide) and
converts copies of the inputs placed in a private folder (so no ``.~lock`` files appear beside
the originals and read-only inputs such as the corpus are never touched).
"""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .packages import sheet_names, split_ref

CSV_FILTER = "Text - txt - csv (StarCalc)"
DEFAULT_TIMEOUT = 60.0
UI_LANGUAGE = "en-US"
FATAL_START = 77  # soffice's EXITHELPER_FATAL_ERROR (333) as an exit status
PROFILE_SETTINGS = f"""<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N">
 <prop oor:name="ooLocale" oor:op="fuse"><value>{UI_LANGUAGE}</value></prop>
</item>
</oor:items>
"""

Rows = list[list[str]]


class LibreOfficeError(RuntimeError):
    """soffice is missing, timed out, or did not produce the expected CSV files."""


def soffice_path() -> str | None:
    """The ``soffice`` (or ``libreoffice``) executable on PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    return soffice_path() is not None


def filter_options(sheet: int, *, as_shown: bool = False) -> str:
    """The CSV export options string; ``sheet`` is LibreOffice's: 1-based, or -1 for all."""
    shown = "true" if as_shown else "false"
    return f"44,34,76,1,,0,false,true,{shown},false,false,{sheet}"


def read_csv(path: Path) -> Rows:
    """Rows of a LibreOffice CSV; blank lines (a row of one empty cell) padded to full width.

    An empty sheet (a file holding just a line break) gives ``[]``.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    width = max((len(row) for row in rows), default=0)
    if width == 0:
        return []
    return [row + [""] * (width - len(row)) for row in rows]


def cell(rows: Rows, ref: str) -> str:
    """The text of cell ``ref`` (``B7``) in CSV rows; ``""`` outside the exported area."""
    row, col = split_ref(ref)
    if row > len(rows) or col > len(rows[row - 1]):
        return ""
    return rows[row - 1][col - 1]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(LC_ALL="C.UTF-8", LANG="C.UTF-8", LANGUAGE="en_US")
    return env


def new_profile(folder: Path) -> Path:
    """A fresh soffice user profile in ``folder`` (which must not exist yet), its user
    interface language already chosen."""
    user = folder / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
    return folder


def soffice_command(soffice: str, profile: Path, *args: str) -> list[str]:
    """The soffice command line for a headless run in its own ``profile``."""
    return [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        f"--language={UI_LANGUAGE}",
        *args,
    ]


def run_soffice(soffice: str, folder: Path, *args: str, timeout: float) -> tuple[int, str]:
    """Run soffice with ``args`` in a fresh profile under ``folder``: (exit status, output).

    A start that fails with exit 77 is retried once in another fresh profile.
    """
    output = ""
    for attempt in (1, 2):
        profile = new_profile(folder / f"profile-{attempt}")
        code, said = _run_once(soffice_command(soffice, profile, *args), timeout)
        output += said
        if code != FATAL_START:
            break
    return code, output


def _run_once(command: list[str], timeout: float) -> tuple[int, str]:
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_environment(),
        start_new_session=True,  # its own process group, so a timeout can end all of it
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise LibreOfficeError(f"soffice timed out after {timeout:g} s: {command}") from None
    finally:
        if process.poll() is None:
            _kill_group(process)
    return process.returncode, (stdout + stderr).decode(errors="replace")


def _run_soffice(
    workbooks: Sequence[Path], outdir: Path, sheet: int, as_shown: bool, timeout: float
) -> str:
    """Convert copies of ``workbooks`` in one soffice run; return what soffice printed.

    The copies keep the original file names, so outputs are named after the originals.
    """
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("soffice not found on PATH (install LibreOffice Calc >= 7.2)")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="esp-soffice-") as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        copies = []
        for workbook in workbooks:
            copy = inputs / workbook.name
            shutil.copyfile(workbook, copy)
            copies.append(copy)
        code, output = run_soffice(
            soffice,
            Path(tmp),
            "--convert-to",
            f"csv:{CSV_FILTER}:{filter_options(sheet, as_shown=as_shown)}",
            "--outdir",
            str(outdir),
            *map(str, copies),
            timeout=timeout,
        )
    if code != 0:
        raise LibreOfficeError(f"soffice exited with {code}:\n{output}")
    return output


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """End soffice and whatever it started (soffice.bin), then reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def _sheet_index(names: list[str], sheet: str | int, workbook: Path) -> int:
    if isinstance(sheet, str):
        if sheet not in names:
            raise KeyError(f"{workbook.name} has no sheet {sheet!r} (sheets: {names})")
        return names.index(sheet)
    if not 0 <= sheet < len(names):
        raise IndexError(f"{workbook.name} has {len(names)} sheets; index {sheet} is out of range")
    return sheet


def _output_name(workbook: Path, sheet_name: str) -> str:
    return f"{workbook.stem}-{sheet_name}.csv"


def _collect(outdir: Path, workbook: Path, names: Sequence[str], log: str) -> dict[str, Rows]:
    result: dict[str, Rows] = {}
    for name in names:
        path = outdir / _output_name(workbook, name)
        if not path.is_file():
            produced = sorted(p.name for p in outdir.glob("*.csv"))
            raise LibreOfficeError(
                f"LibreOffice wrote no {path.name} for {workbook}; files in {outdir}: "
                f"{produced}\nsoffice said:\n{log}"
            )
        result[name] = read_csv(path)
    return result


def _clear(outdir: Path, workbook: Path, names: Sequence[str]) -> None:
    """Remove earlier outputs so that a failed run cannot pass off stale files."""
    for name in names:
        (outdir / _output_name(workbook, name)).unlink(missing_ok=True)


def convert_to_csv(
    xlsx: Path,
    sheet: str | int,
    outdir: Path,
    *,
    as_shown: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> Rows:
    """Rows of ONE sheet, by name or by 0-based position in tab order (hidden sheets count).

    Writes ``<outdir>/<xlsx stem>-<sheet name>.csv``. Raises KeyError/IndexError for a sheet
    the workbook does not have (before starting soffice) and LibreOfficeError if soffice is
    missing, times out or writes no file.
    """
    xlsx = Path(xlsx)
    names = sheet_names(xlsx)
    index = _sheet_index(names, sheet, xlsx)
    _clear(outdir, xlsx, [names[index]])
    log = _run_soffice([xlsx], outdir, index + 1, as_shown, timeout)
    return _collect(outdir, xlsx, [names[index]], log)[names[index]]


def convert_all_sheets(
    xlsx: Path, outdir: Path, *, as_shown: bool = False, timeout: float = DEFAULT_TIMEOUT
) -> dict[str, Rows]:
    """Rows of every sheet (tab order, by name) from one soffice run."""
    return convert_workbooks([Path(xlsx)], outdir, as_shown=as_shown, timeout=timeout)[Path(xlsx)]


def convert_workbooks(
    workbooks: Sequence[Path],
    outdir: Path,
    *,
    as_shown: bool = False,
    timeout: float | None = None,
) -> dict[Path, dict[str, Rows]]:
    """Rows of every sheet of every workbook, from ONE soffice run (one start-up).

    Keys are the paths as given, then sheet names in tab order. Outputs are named
    ``<stem>-<sheet>.csv``: workbooks whose outputs would collide (same file name in two
    folders, or ``a-b.xlsx``/``Sheet`` next to ``a.xlsx``/``b-Sheet``) raise ValueError. The default
    timeout is 60 s plus 5 s per workbook.
    """
    paths = [Path(p) for p in workbooks]
    names = {path: sheet_names(path) for path in paths}
    outputs = [_output_name(path, name) for path in paths for name in names[path]]
    collisions = sorted({out for out in outputs if outputs.count(out) > 1})
    if len({p.name for p in paths}) != len(paths) or collisions:
        raise ValueError(f"workbooks whose outputs would collide: {collisions or paths}")
    for path in paths:
        _clear(outdir, path, names[path])
    if timeout is None:
        timeout = DEFAULT_TIMEOUT + 5.0 * len(paths)
    log = _run_soffice(paths, outdir, -1, as_shown, timeout)
    return {path: _collect(outdir, path, names[path], log) for path in paths}


def convert_document(
    document: Path, outdir: Path, target: str, *, timeout: float = DEFAULT_TIMEOUT
) -> Path:
    """A Word document converted by LibreOffice Writer: `target` is an extension with an
    optional filter (``pdf``, ``txt:Text (encoded):UTF8``). Returns the file written,
    ``<outdir>/<stem>.<extension>``; LibreOfficeError when soffice wrote none (Writer not
    installed, or the document not readable)."""
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("soffice not found on PATH (install LibreOffice Writer)")
    outdir.mkdir(parents=True, exist_ok=True)
    written = outdir / f"{document.stem}.{target.split(':', 1)[0]}"
    written.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="esp-soffice-") as tmp:
        copy = Path(tmp) / "in" / document.name
        copy.parent.mkdir()
        shutil.copyfile(document, copy)
        code, output = run_soffice(
            soffice, Path(tmp), "--convert-to", target, "--outdir", str(outdir), str(copy),
            timeout=timeout,
        )  # fmt: skip
    if code != 0 or not written.is_file():
        raise LibreOfficeError(f"LibreOffice wrote no {written} (exit {code}):\n{output}")
    return written
