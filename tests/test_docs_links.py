"""README.md and docs/: every relative link leads to a file, and every #anchor to a heading.

Anchors are the ones GitHub gives a heading: its text without Markdown, lower case, with
punctuation dropped and spaces as hyphens (a repeated heading gets -1, -2, ...).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scripts import readme_sessions

ROOT = readme_sessions.ROOT
PAGES = readme_sessions.pages()

_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.MULTILINE)


def slug(heading: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out: set[str] = set()
    for heading in _HEADING.findall(text):
        base = slug(heading)
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def links(page: Path) -> list[str]:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    return _LINK.findall(_CODE.sub("", text))


def test_the_pages_are_found() -> None:
    names = {readme_sessions.page_name(p) for p in PAGES}
    assert {"README.md", "docs/index.md", "docs/rules.md", "docs/reference.md"} <= names


@pytest.mark.parametrize("page", PAGES, ids=readme_sessions.page_name)
def test_every_relative_link_leads_somewhere(page: Path) -> None:
    broken: list[str] = []
    for target in links(page):
        if re.match(r"^[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            shown = file.relative_to(ROOT) if file.is_relative_to(ROOT) else file
            broken.append(f"{target}: no file {shown}")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target}: no heading with this anchor in {file.name}")
    assert not broken, "\n".join(broken)


# Documents outside the repository, spelt so that this file does not name them itself.
OUTSIDE = ("DOMAIN" + ".md", "../" + "shared")


def test_the_project_speaks_of_itself_only() -> None:
    """The rules are stated in docs/rules.md: no file of the project points at a document
    outside the repository for them."""
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    found = []
    for name in listed.stdout.splitlines():
        path = ROOT / name
        if not path.is_file() or path.suffix in {".xlsx", ".pdf", ".png", ".eml", ".msg"}:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        found += [f"{name}: {outside}" for outside in OUTSIDE if outside in text]
    assert not found, "\n".join(found)


_CODE_PATH = re.compile(r"`((?:src|esp_cli|scripts|tests|bench|\.ci)/[\w./-]+)`")


@pytest.mark.parametrize("page", PAGES, ids=readme_sessions.page_name)
def test_every_path_named_in_code_exists(page: Path) -> None:
    """`esp_cli/xlsx/`, `tests/test_windows.py`: a file or folder a page names is there, so
    a page cannot go on naming a module after it moved."""
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    missing = []
    for name in _CODE_PATH.findall(text):
        path = ROOT / ("src/" + name if name.startswith("esp_cli/") else name)
        if not path.exists():
            missing.append(name)
    assert not missing, f"no such file or folder: {missing}"


def test_the_readme_is_short() -> None:
    lines = readme_sessions.README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 300, f"README.md has {len(lines)} lines; move detail to docs/"


def test_every_page_is_linked_from_the_index_or_readme() -> None:
    reachable: set[Path] = set()
    todo = [readme_sessions.README]
    while todo:
        page = todo.pop()
        if page in reachable:
            continue
        reachable.add(page)
        for target in links(page):
            path = target.partition("#")[0]
            target_page = (page.parent / path).resolve()
            if path.endswith(".md") and not re.match(r"^[a-z]+:", path) and target_page.exists():
                todo.append(target_page)
    missing = [readme_sessions.page_name(p) for p in PAGES if p.resolve() not in reachable]
    assert not missing, f"pages no link leads to from README.md: {missing}"


def test_slugs_are_githubs() -> None:
    assert slug("`esp config user`, `esp config where`") == "esp-config-user-esp-config-where"
    assert slug("What esp depends on, and why") == "what-esp-depends-on-and-why"
    assert slug("Configuration: `esp.toml`") == "configuration-esptoml"
    assert slug("Outlook `.msg`") == "outlook-msg"


# Pages for the people who work on esp; every other page speaks to the team that uses it.
DEVELOPER_PAGES = {"CONTRIBUTING.md", "docs/design.md"}
# How esp is developed and checked, which a user page has no word of (CI in capitals only:
# Citrix and CIS are the team's words).
DEVELOPMENT = re.compile(
    r"\bpytest\b|\bCI\b|make_fixtures|\bfixtures?\b|\bmake (?:test|lint|bench|docs|fixtures)\b"
    r"|\bmypy\b|\bruff\b|\btests?/|\btest ?suite\b|\.ci/|\bhypothesis\b|\bgolden\b"
    r"|\b(?:a|the|esp's|its|our|unit|interop|fidelity) tests?\b|\btest_\w+\.py\b",
    re.IGNORECASE,
)


def development_words(text: str) -> list[str]:
    found = []
    for m in DEVELOPMENT.finditer(text):
        if m.group(0).lower() == "ci" and m.group(0) != "CI":
            continue
        found.append(m.group(0))
    return found


def test_the_developer_pages_are_pages() -> None:
    names = {readme_sessions.page_name(p) for p in PAGES}
    assert names >= DEVELOPER_PAGES


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if readme_sessions.page_name(p) not in DEVELOPER_PAGES],
    ids=readme_sessions.page_name,
)
def test_user_pages_speak_to_users(page: Path) -> None:
    """README.md and docs/ are for the team: how esp is built and checked (its tests, CI,
    the fixtures script) belongs in CONTRIBUTING.md or docs/design.md. README's design notes
    are the one place a user page says what esp depends on, tests included."""
    text = without_design_notes(page.read_text(encoding="utf-8"))
    if readme_sessions.page_name(page) == "README.md":
        text = text.replace(README_COMMANDS[1], "")  # README names the project's two commands
    assert development_words(text) == []


# The two commands README gives for a fresh Linux or macOS machine: set-up and the demo, and
# the whole test suite (the one CI runs).
README_COMMANDS = ("make demo", "make test")


def test_readme_gives_the_demo_and_the_test_command() -> None:
    readme = Path(__file__).resolve().parents[1] / "README.md"
    setup = readme.read_text(encoding="utf-8").split("## Set up and try it", 1)[1]
    block = setup.split("```console", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == list(
        README_COMMANDS
    )


def without_design_notes(text: str) -> str:
    """`text` without its "## Design notes" section (up to the next heading of its level)."""
    return re.sub(r"(?ms)^## Design notes\n.*?(?=^## |\Z)", "", text)


def test_only_the_design_notes_are_passed_over() -> None:
    text = "## Use\nrun esp\n## Design notes\npytest runs the tests\n## On Windows\nmake test\n"
    assert development_words(without_design_notes(text)) == ["make test"]


@pytest.mark.parametrize(
    "text",
    ["run pytest -q", "How esp does this on Linux-based CI", "made by scripts/make_fixtures.py",
     "a fixture", "The tests (`tests/test_inputs.py`) check", "run `make test`",
     "a test renders it", "esp's tests run them"],
)  # fmt: skip
def test_the_guard_sees_development_words(text: str) -> None:
    assert development_words(text) != []


def test_the_guard_lets_the_teams_words_be() -> None:
    text = (
        "Citrix TBT Access, the CIS team, Call Cert test, a script can test the exit code, "
        "the latest report"
    )
    assert development_words(text) == []
