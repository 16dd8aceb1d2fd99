"""Check an .xlsx package the way /work/shared/ooxml-schemas/README.md describes.

Schema validation (ECMA-376 transitional sml.xsd) for the SpreadsheetML parts, the README's
companion semantic checks for what the XSD cannot see (row and cell order, references,
indexes into the shared strings, cellXfs and dxfs, count attributes), and package checks
(every part has a content type, every relationship target exists). Used by the builder's
tests and the sample's tests; each returns a list of problems so a failure shows them all.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import zipfile
from functools import lru_cache
from pathlib import Path, PurePosixPath

from lxml import etree


def _schema_dir() -> Path:
    """OOXML_SCHEMAS if set; else shared/ beside the checkout (as in CI); else /work/shared."""
    candidates = [
        os.environ.get("OOXML_SCHEMAS", ""),
        Path(__file__).resolve().parents[2] / "shared" / "ooxml-schemas",
        "/work/shared/ooxml-schemas",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "sml.xsd").exists():
            return Path(candidate)
    return Path(candidates[1])


SCHEMA_DIR = _schema_dir()

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_PKG_R = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_M = f"{{{NS_MAIN}}}"

_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


def schemas_available() -> bool:
    return (SCHEMA_DIR / "sml.xsd").exists()


@lru_cache(maxsize=1)
def sml_schema() -> etree.XMLSchema:
    # Loading takes ~0.2 s: once per test session.
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "sml.xsd")))


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _preprocess(root: etree._Element) -> list[str]:
    """The README's preprocessing, for markup our builder may emit.

    Markup compatibility (mc:) handling is not implemented because the builder writes none;
    finding any is reported, so a change that adds it must extend this first. Inside the
    main-namespace <ext> nothing is touched (the schema's lax wildcard takes it as is).
    """
    problems = []
    ext_tag = f"{_M}ext"
    stack = [root]
    while stack:
        el = stack.pop()
        if el.tag == ext_tag:
            continue
        for name in list(el.attrib):
            if name == XML_SPACE:
                del el.attrib[name]  # schema gap: ST_Xstring rejects xml:space (README step 5)
            elif name.startswith(f"{{{NS_MC}}}"):
                problems.append(f"unexpected markup-compatibility attribute {name}")
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{NS_MC}}}"):
            problems.append(f"unexpected markup-compatibility element {el.tag}")
        stack.extend(el)
    return problems


def schema_problems(name: str, data: bytes) -> list[str]:
    """XSD problems of one SpreadsheetML part (root in the main namespace)."""
    root = etree.fromstring(data)
    problems = [f"{name}: {p}" for p in _preprocess(root)]
    schema = sml_schema()
    if not schema.validate(root):
        problems += [f"{name}:{e.line}: {e.message}" for e in schema.error_log]
    return problems


def _attr_int(el: etree._Element, name: str) -> int | None:
    value = el.get(name)
    return None if value is None else int(value)


def semantic_problems(parts: dict[str, bytes]) -> list[str]:
    """The checks the README lists as beyond the XSD, plus count attributes."""
    problems: list[str] = []
    sst_count = 0
    sst_refs = 0
    if "xl/sharedStrings.xml" in parts:
        sst = etree.fromstring(parts["xl/sharedStrings.xml"])
        sst_count = len(sst.findall(f"{_M}si"))
        if _attr_int(sst, "uniqueCount") not in (None, sst_count):
            problems.append(f"sst uniqueCount {sst.get('uniqueCount')} != {sst_count} <si>")
    styles = etree.fromstring(parts["xl/styles.xml"])
    n_xfs = len(styles.findall(f"{_M}cellXfs/{_M}xf"))
    n_dxfs = len(styles.findall(f"{_M}dxfs/{_M}dxf"))
    for container in styles:
        count = _attr_int(container, "count")
        if count is not None and count != len(container):
            problems.append(f"styles {etree.QName(container).localname} count {count}")
    n_fonts = len(styles.findall(f"{_M}fonts/{_M}font"))
    n_fills = len(styles.findall(f"{_M}fills/{_M}fill"))
    custom_fmts = {int(f.get("numFmtId", "-1")) for f in styles.iter(f"{_M}numFmt")}
    for xf in styles.iter(f"{_M}xf"):
        if int(xf.get("fontId", "0")) >= n_fonts or int(xf.get("fillId", "0")) >= n_fills:
            problems.append("an xf points past the fonts or fills")
        fmt = int(xf.get("numFmtId", "0"))
        if fmt >= 164 and fmt not in custom_fmts:
            problems.append(f"xf uses undefined numFmtId {fmt}")

    for name, data in parts.items():
        if not name.startswith("xl/worksheets/"):
            continue
        root = etree.fromstring(data)
        last_row = 0
        for row in root.iter(f"{_M}row"):
            r = int(row.get("r", last_row + 1))
            if not last_row < r <= 1_048_576:
                problems.append(f"{name}: row {r} after row {last_row}")
            last_row = r
            last_col = 0
            for c in row.findall(f"{_M}c"):
                m = _CELL_REF.fullmatch(c.get("r", ""))
                if not m or int(m.group(2)) != r:
                    problems.append(f"{name}: cell {c.get('r')} in row {r}")
                    continue
                col = column_number(m.group(1))
                if not last_col < col <= 16_384:
                    problems.append(f"{name}: cell {c.get('r')} out of column order")
                last_col = col
                s = _attr_int(c, "s")
                if s is not None and s >= n_xfs:
                    problems.append(f"{name}: {c.get('r')} style {s} >= {n_xfs} cellXfs")
                v = c.find(f"{_M}v")
                t = c.get("t", "n")
                if t == "s":
                    sst_refs += 1
                    if v is None or not v.text or int(v.text) >= sst_count:
                        problems.append(f"{name}: {c.get('r')} bad shared string index")
                elif t == "inlineStr" and (c.find(f"{_M}is") is None or v is not None):
                    problems.append(f"{name}: {c.get('r')} inlineStr without <is>")
                elif t == "n" and v is not None:
                    try:
                        float(v.text or "")
                    except ValueError:
                        problems.append(f"{name}: {c.get('r')} non-numeric <v> {v.text!r}")
        for rule in root.iter(f"{_M}cfRule"):
            dxf = _attr_int(rule, "dxfId")
            if dxf is not None and dxf >= n_dxfs:
                problems.append(f"{name}: cfRule dxfId {dxf} >= {n_dxfs} dxfs")
        for tag in ("mergeCells", "dataValidations"):
            el = root.find(f"{_M}{tag}")
            if el is not None and _attr_int(el, "count") not in (None, len(el)):
                problems.append(f"{name}: {tag} count {el.get('count')} != {len(el)}")
    if "xl/sharedStrings.xml" in parts:
        sst = etree.fromstring(parts["xl/sharedStrings.xml"])
        if _attr_int(sst, "count") not in (None, sst_refs):
            problems.append(f"sst count {sst.get('count')} != {sst_refs} references")
    return problems


def package_problems(parts: dict[str, bytes]) -> list[str]:
    """Content types for every part, relationship targets that exist, well-formed XML."""
    problems: list[str] = []
    for name, data in parts.items():
        try:
            etree.fromstring(data)
        except etree.XMLSyntaxError as exc:
            problems.append(f"{name}: not well-formed: {exc}")
    types = etree.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{{{NS_CT}}}Default")}
    overrides = {
        o.get("PartName"): o.get("ContentType") for o in types.iter(f"{{{NS_CT}}}Override")
    }
    for name in parts:
        if name == "[Content_Types].xml":
            continue
        if f"/{name}" not in overrides and name.rsplit(".", 1)[-1] not in defaults:
            problems.append(f"{name}: no content type")
    for part_name in overrides:
        if part_name.lstrip("/") not in parts:
            problems.append(f"content type override for missing part {part_name}")
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        rels_dir = PurePosixPath(name).parent  # .../_rels
        source_dir = rels_dir.parent
        for rel in etree.fromstring(data).iter(f"{{{NS_PKG_R}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = os.path.normpath(str(source_dir / rel.get("Target", ""))).lstrip("./")
            if target not in parts:
                problems.append(f"{name}: relationship {rel.get('Id')} to missing {target}")
    return problems


def read_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def all_problems(path: Path) -> list[str]:
    parts = read_parts(path)
    problems = package_problems(parts)
    for name, data in parts.items():
        if name.endswith(".xml") and etree.fromstring(data).tag.startswith(_M):
            problems += schema_problems(name, data)
    return problems + semantic_problems(parts)


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_csv(path: Path, out_dir: Path) -> dict[str, list[list[str]]]:
    """Every sheet of `path` as CSV rows (values as LibreOffice shows them), by sheet name.

    A private LibreOffice profile per call keeps parallel or concurrent runs from fighting
    over the user's profile lock.
    """
    exe = soffice()
    assert exe is not None
    profile = out_dir / "lo-profile"
    # Filter tokens: comma, double quote, UTF-8, from line 1, -, -, no forced quoting,
    # detect numbers, save as shown (so date formats are visible), no formulas, keep
    # spaces, all sheets (-1: one file per sheet, named <stem>-<sheet>.csv).
    filt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    result = subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            filt,
            "--outdir",
            str(out_dir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    sheets = {}
    prefix = f"{path.stem}-"
    for csv_path in out_dir.glob(f"{path.stem}-*.csv"):
        text = csv_path.read_text(encoding="utf-8")
        sheets[csv_path.stem[len(prefix) :]] = list(csv.reader(io.StringIO(text)))
    assert sheets, f"LibreOffice wrote no CSV: {result.stdout} {result.stderr}"
    return sheets
