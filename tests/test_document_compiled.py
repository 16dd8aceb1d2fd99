"""esp document --due fills every document of a run from templates read and compiled once:
each document is the very file docxtpl makes filling the template afresh for its agent, byte
for byte (the team's templates with conditions, loops, headers, footers, footnotes, pictures
and properties included); a template is compiled once a run, however many agents; a dry run
fills each agent's template in, refusing what the run refuses, and makes no Word file; and a
tag docxtpl cannot read in one part is refused by name before anything is written."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import time_machine
from docx import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from PIL import Image

from esp_cli.config import load_config
from esp_cli.core.documents import TEMPLATE_FILES
from esp_cli.core.rules import LADDER, Step
from esp_cli.errors import ExitCode
from esp_cli.services import document as service
from esp_cli.services.document import built_in_template
from tests.factories import tracker
from tests.test_document import TODAY, H, agent, run, text_of, write_config

DAY = "2026-11-25"
MON, TUE = date(2026, 11, 16), date(2026, 11, 17)
# On Wed 11/25 a step of each kind is due: two agents' coaching, a written CAP, a final CAP
# and a term review (a clock started Mon 11/16: coaching due Wed 11/18, each step after it
# the business day after the one before).
AGENTS = [
    agent("Kayla Brooks", "E10342", tbt_hours=3.5, citrix_access="Password Reset"),
    agent("Dee Early", "E10346", call_cert_complete="Yes"),
    agent("Ana Ruiz", "E10343", coaching_date=date(2026, 11, 24)),
    agent("Finn Late", "E10350", esp_start=MON, coaching_date=date(2026, 11, 18),
          written_cap_date=date(2026, 11, 19), tbts_complete="Yes"),
    agent("Tess Last", "E10351", esp_start=MON, coaching_date=date(2026, 11, 18),
          written_cap_date=date(2026, 11, 19), final_cap_date=date(2026, 11, 20),
          tbt_hours=12, **{"class": "AET-1109 {late}"}),
]  # fmt: skip
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _picture() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(out, "PNG")
    out.seek(0)
    return out


def team_template(step: Step) -> bytes:
    """The built-in template as a team might make it its own in Word: a condition, a
    paragraph shown only when there is a value, a tag Word saved across two runs, a loop
    inside a paragraph, two pictures, a second section with its own header and footer
    holding placeholders, a footnote with placeholders, and properties with placeholders."""
    doc = WordDocument(io.BytesIO(built_in_template(step)))
    doc.add_paragraph(
        "{% if access_issue %}Access issue: {{ access_issue }}{% else %}No access issue{% endif %}"
    )
    doc.add_paragraph("{%p if tbt_hours %}")
    doc.add_paragraph("TBT hours so far: {{ tbt_hours }} & counting <more>")
    doc.add_paragraph("{%p endif %}")
    split = doc.add_paragraph("Dear ")
    split.add_run("{{ first_").bold = True
    split.add_run("name }},")
    doc.add_paragraph(
        "Missing: {{ missing }}. Ahead: {% for s in ahead %}{{ s.step }} on {{ s.date }}"
        "{% if not loop.last %}; {% endif %}{% else %}none{% endfor %}."
    )
    doc.add_picture(_picture())
    doc.add_picture(_picture())
    noted = doc.add_paragraph("Delivered as the ladder says").add_run()
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), "1")
    noted._r.append(reference)
    section = doc.add_section()
    section.header.is_linked_to_previous = False
    section.header.paragraphs[0].text = (
        "{{ agent_name }} ({{ agent_id }}){% if not_complete %}: {{ not_complete }} not "
        "complete{% endif %}"
    )
    section.footer.is_linked_to_previous = False
    section.footer.paragraphs[0].text = "{{ step }}\t{{ step_date }}"
    doc.add_paragraph("{%p for s in delivered %}")
    doc.add_paragraph("{{ s.step }} was delivered {{ s.date }}")
    doc.add_paragraph("{%p endfor %}")
    props = doc.core_properties
    props.title = "{{ step }}: {{ agent_name }}"
    props.comments = "{{ class_name }} with {{ tbt_sme }}"
    props.language = "en-US"
    out = io.BytesIO()
    doc.save(out)
    return _with_footnote(out.getvalue())


def _with_footnote(data: bytes) -> bytes:
    """`data` with a footnotes part holding placeholders (python-docx cannot add one)."""
    notes = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        f'<w:footnotes xmlns:w="{W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        "</w:footnote>"
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
        "<w:continuationSeparator/></w:r></w:p></w:footnote>"
        '<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve">Delivered by '
        "{{ deliverer }} to {{ class_name }} on {{ step_date }}{% if not_complete %}: "
        "{{ not_complete }} not complete{% endif %}.</w:t></w:r></w:p></w:footnote>"
        "</w:footnotes>"
    )
    return with_part(data, "word/footnotes.xml", FOOTNOTES, FOOTNOTES_REL, notes, "rIdNotes")


def with_part(
    data: bytes, member: str, content_type: str, reltype: str, xml: str, rid: str
) -> bytes:
    """`data` with a part `member` related from the body (python-docx cannot add one)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                override = f'<Override PartName="/{member}" ContentType="{content_type}"/>'
                part = part.replace(b"</Types>", f"{override}</Types>".encode())
            elif info.filename == "word/_rels/document.xml.rels":
                target = member.removeprefix("word/")
                relation = f'<Relationship Id="{rid}" Type="{reltype}" Target="{target}"/>'
                part = part.replace(b"</Relationships>", f"{relation}</Relationships>".encode())
            dst.writestr(info, part)
        dst.writestr(member, xml)
    return out.getvalue()


def afresh(data: bytes, values: dict[str, Any], properties: dict[str, Any]) -> bytes:
    """The document docxtpl makes from the template's bytes, opened and compiled anew:
    what esp made for each document before it compiled a template once a run."""
    from docxtpl import DocxTemplate

    class Template(DocxTemplate):  # type: ignore[misc]
        def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
            super().render_properties(context, service._environment(escaped=False))

    document = Template(io.BytesIO(data))
    document.render(values, service._environment())
    props = document.docx.core_properties
    for name, value in properties.items():
        setattr(props, name, value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return tracker(tmp_path / "ESP Tracker.xlsx", AGENTS, headers=tuple(H.values()))


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def teams(tmp_path: Path) -> Path:
    """esp.toml naming a folder with the team's own template of every step."""
    folder = tmp_path / "team" / "tpl"
    folder.mkdir(parents=True)
    for step in LADDER:
        (folder / TEMPLATE_FILES[step]).write_bytes(team_template(step))
    return write_config(tmp_path / "team", "[documents]\ntemplates = 'tpl'\n")


@pytest.mark.parametrize("own", [True, False], ids=["team-templates", "built-in"])
def test_every_document_of_a_run_is_the_one_docxtpl_makes_afresh(
    book: Path, config: Path, teams: Path, tmp_path: Path, monkeypatch: Any, own: bool
) -> None:
    from esp_cli.services.word_template import WordTemplate

    sources: dict[int, bytes] = {}
    made: list[tuple[bytes, dict[str, Any], dict[str, Any], bytes]] = []
    init, fill = WordTemplate.__init__, WordTemplate.fill

    def read(self: WordTemplate, data: bytes, *args: Any) -> None:
        init(self, data, *args)
        sources[id(self)] = data

    def kept(self: WordTemplate, values: Any, properties: Any) -> bytes:
        data = fill(self, values, properties)
        made.append((sources[id(self)], dict(values), dict(properties), data))
        return data

    monkeypatch.setattr(WordTemplate, "__init__", read)
    monkeypatch.setattr(WordTemplate, "fill", kept)
    out = tmp_path / "out"
    res = run(book, teams if own else config, "--due", "--as-of", DAY, "--out", str(out))
    assert res.exit_code == 0, res.output
    saved = sorted(out.glob("*.docx"))
    steps = Counter(p.stem.rsplit(" - ", 1)[1] for p in saved)
    assert steps == {"Documented coaching": 2, "Written CAP": 1, "Final CAP": 1,
                     "Term review": 1}  # fmt: skip
    # Each team template's trial fill, then the run's documents, each saved as made.
    assert len(made) == len(saved) + (len(LADDER) if own else 0)
    assert sorted(data for *_, data in made[-len(saved) :]) == sorted(p.read_bytes() for p in saved)
    for template, values, properties, data in made:
        with time_machine.travel(TODAY, tick=False):  # the run's clock: the zip's times
            assert data == afresh(template, values, properties)
    if own:
        kayla = text_of(out / "2026-11-25 Kayla Brooks - Documented coaching.docx")
        assert "Access issue: Password Reset" in kayla and "TBT hours so far: 3.5" in kayla
        assert "Dear Kayla," in kayla and "Kayla Brooks (E10342): Call Certs and TBTs" in kayla
        dee = text_of(out / "2026-11-25 Dee Early - Documented coaching.docx")
        assert "No access issue" in dee and "TBT hours so far" not in dee
        tess = text_of(out / "2026-11-25 Tess Last - Term review.docx")
        assert "Ahead: none." in tess and "Final CAP was delivered Friday 11/20/2026" in tess
        notes = zipfile.ZipFile(out / "2026-11-25 Tess Last - Term review.docx")
        assert b"to AET-1109 {late} on Wednesday 11/25/2026: Call Certs and TBTs not complete." in (
            notes.read("word/footnotes.xml")
        )


def test_a_template_is_compiled_once_a_run_however_many_documents(
    tmp_path: Path, teams: Path, monkeypatch: Any
) -> None:
    from jinja2 import Environment

    compiled = Counter[str]()
    compile_ = Environment.compile

    def counted(self: Environment, *args: Any, **kwargs: Any) -> Any:
        compiled["now"] += 1
        return compile_(self, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", counted)
    coaching = [a for a in AGENTS if a[H["agent_name"]] in ("Kayla Brooks", "Dee Early")]
    for n in (1, 2, 8):
        many = [{**a, H["agent_id"]: f"E2{i:04}", H["agent_name"]: f"Agent {chr(65 + i)}"}
                for i, a in enumerate((coaching * n)[:n])]  # fmt: skip
        book = tracker(tmp_path / f"{n}.xlsx", many, headers=tuple(H.values()))
        for dry in ((), ("--dry-run",)):
            compiled["now"] = 0
            out = tmp_path / f"out-{n}{dry}"
            res = run(book, teams, "--due", "--as-of", DAY, "--out", str(out), *dry, "-f", "json")
            assert res.exit_code == 0, res.output
            assert len(json.loads(res.stdout)["documents"]) == n
            compiled[f"{n} document(s){' (dry run)' if dry else ''}"] = compiled.pop("now")
    # What loading the coaching's template (the only one the runs use) compiles, once.
    compiled["now"] = 0
    service.load_templates(load_config(teams), [Step.COACHING])
    once = compiled.pop("now")
    assert once > 0 and set(compiled.values()) == {once}, compiled


def test_a_dry_run_makes_no_document_but_refuses_what_the_run_refuses(
    book: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    """A template that asks for a second missing line, which the trial fill has and Dee Early
    has not (her Call Certs are complete): the dry run refuses it as the run does, and puts
    no Word file together."""
    from esp_cli.services.word_template import WordTemplate

    folder = tmp_path / "tpl"
    folder.mkdir()
    data = team_template(Step.COACHING)
    (folder / TEMPLATE_FILES[Step.COACHING]).write_bytes(
        edited(
            data, ("word/document.xml", "Missing: ", "Also missing: {{ missing[1] }}. Missing: ")
        )
    )
    teams = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    put_together = Counter[bool]()
    document = WordTemplate._document

    def counted(self: WordTemplate, *args: Any) -> bytes:
        put_together[dry] += 1
        return document(self, *args)

    monkeypatch.setattr(WordTemplate, "_document", counted)
    said = {}
    for dry in (False, True):
        args = ("--dry-run",) if dry else ()
        res = run(book, teams, "--due", "--as-of", DAY, "--out", str(tmp_path / "out"), *args)
        said[dry] = (res.exit_code, res.stderr)
    assert said[True] == said[False]
    code, stderr = said[True]
    assert code == ExitCode.USAGE and str(folder / "coaching.docx") in stderr
    assert "has no element 1" in stderr, stderr
    assert not (tmp_path / "out").exists()
    # The template's trial fill, once a run; then Kayla Brooks's document, made in the dry
    # run too (what only making it finds, the dry run finds), never saved.
    assert put_together == {True: 2, False: 2}


def test_a_document_one_agents_values_make_unmakeable_is_refused_alike_by_the_dry_run(
    tmp_path: Path,
) -> None:
    """A File › Info title that fits the trial fill's name but not a long real one: Word
    holds 255 characters. The run and its dry run refuse it alike, in one line naming the
    template (no traceback), and nothing is saved."""
    long_name = "Christopher Montgomery-Whitfield"
    book = tracker(
        tmp_path / "ESP Tracker.xlsx",
        [agent(long_name, "E10399", tbt_hours=3.5, citrix_access="Password Reset")],
        headers=tuple(H.values()),
    )
    folder = tmp_path / "tpl"
    folder.mkdir()
    path = folder / TEMPLATE_FILES[Step.COACHING]
    title = ("<dc:title>{{ step }}: {{ agent_name }}", "<dc:title>" + "{{ agent_name }}" * 18)
    path.write_bytes(edited(team_template(Step.COACHING), ("docProps/core.xml", *title)))
    teams = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    said = []
    for dry in ((), ("--dry-run",)):
        res = run(book, teams, "--due", "--as-of", DAY, "--out", str(tmp_path / "out"), *dry)
        assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
        said.append((res.exit_code, res.stderr))
        assert not (tmp_path / "out").exists()
    assert said[0] == said[1]
    code, stderr = said[0]
    assert code == ExitCode.USAGE and stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"esp: {path}: the document cannot be made from it with this ")
    assert "255" in stderr


def edited(data: bytes, *edits: tuple[str, str, str]) -> bytes:
    """`data` with each (member, old, new): `old` replaced once by `new` in the member, as
    an edit in Word would."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in source.infolist():
            part = source.read(info.filename)
            for member, old, new in edits:
                if info.filename == member:
                    assert old.encode() in part, (member, old)
                    part = part.replace(old.encode(), new.encode(), 1)
            dst.writestr(info, part)
    return out.getvalue()


@pytest.mark.parametrize(
    ("edits", "where"),
    [
        ([("word/footnotes.xml", "{{ deliverer }}", "{{ deliverer }")], "the footnotes"),
        # Each part is filled on its own: an {% if %} cannot end in the footer.
        (
            [("word/document.xml", "Dear ", "{% if agent_id %}Dear "),
             ("word/footer2.xml", "{{ step }}", "{% endif %}{{ step }}")],
            "the body",
        ),
        ([("docProps/core.xml", "<dc:language>en-US", "<dc:language>{{ en-US")],
         "its language (File › Info)"),
    ],
    ids=["footnotes", "if-ending-in-the-footer", "language-property"],
)  # fmt: skip
def test_a_tag_only_docxtpl_reads_is_refused_by_name_before_anything_is_written(
    book: Path, tmp_path: Path, edits: list[tuple[str, str, str]], where: str
) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    path = folder / TEMPLATE_FILES[Step.COACHING]
    path.write_bytes(edited(team_template(Step.COACHING), *edits))
    teams = write_config(tmp_path, "[documents]\ntemplates = 'tpl'\n")
    for dry in ((), ("--dry-run",)):
        res = run(book, teams, "--due", "--as-of", DAY, "--out", str(tmp_path / "out"), *dry)
        assert res.exit_code == ExitCode.USAGE, res.output
        line = f"esp: {path}: a placeholder in {where} cannot be read ("
        assert res.stderr.startswith(line) and res.stderr.count("\n") == 1, res.stderr
        assert "ends in the part it starts in" in res.stderr
        assert not (tmp_path / "out").exists()
