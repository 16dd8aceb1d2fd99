"""The tracker's problems as esp doctor finds them: rule IDs, cells, fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from esp_cli.core.shape import as_json, exported
from esp_cli.core.words import PROTECTED_FIX, SIGNED_FIX


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    fix: str
    # A warning points out what may be meant (a step delivered early, a calendar entry that
    # changes nothing): listed, but no problem (esp doctor's exit code stays 0 for it).
    warning: bool = False


RULES = {
    r.id: r
    for r in (
        Rule(
            "ESP001",
            "missing-column",
            "map the team's header for it in esp.toml [columns] (the lines are given), rename "
            "it, or add the column",
        ),
        Rule("ESP002", "unreadable-date", "type the date as MM/DD/YYYY"),
        Rule("ESP003", "unreadable-yes-no", "use Yes or No"),
        Rule(
            "ESP004",
            "unreadable-value",
            "correct the cell (an error or text where a number or date time belongs)",
        ),
        Rule("ESP005", "duplicate-agent", "keep one row per agent: merge or delete the copy"),
        Rule(
            "ESP006",
            "access-missing-spoc",
            "fill every Citrix/SPOC column for an agent with an access issue (the TBT SME "
            "Team Expectations: 'all Citrix/SPOC related columns should be immediately "
            "completed')",
        ),
        Rule("ESP007", "value-not-in-list", "choose a value from the cell's drop-down list"),
        Rule(
            "ESP008",
            "note-format",
            "write note lines as the team's format: Notes "
            "'MM/DD/YYYY - Name - Note', TBT Notes 'Name - MM/DD/YYYY - Note'",
        ),
        Rule("ESP009", "sme-count", "assign 1-2 TBT SMEs to the class (esp sme assign)"),
        Rule(
            "ESP010",
            "duplicate-header",
            "rename the header that does not hold the column (esp reads one esp.toml maps, "
            "else the tracker's own over another table's beside it, else for a completion "
            "flag any header over one naming a count, else the one naming it most exactly, "
            "the first of equal ones; a yes/no column so chosen is set aside only when its "
            "agents' cells hold counts or dates, or none is filled (or fewer than a quarter) "
            "while the other holds Yes or No (both, for the quarter) in half of them or "
            "more), or map the team's spelling in esp.toml [columns]",
        ),
        Rule(
            "ESP011",
            "ladder-date",
            "correct the date typed wrong, or clear the steps left from an earlier enrolment: "
            "each ladder step is dated on or after the clock start (the ESP Start Date) and the "
            "steps before it, and the ladder never skips a step (record the empty one, or "
            "correct the later one)",
        ),
        Rule(
            "ESP012",
            "missing-class",
            "type the agent's class as the Master N Number Tracker names it",
        ),
        Rule("ESP013", "signed-workbook", SIGNED_FIX),
        Rule("ESP014", "protected-sheet", PROTECTED_FIX),
        Rule(
            "ESP015",
            "early-step",
            "if the step was delivered early, add the Notes line esp record-step --early "
            "writes (with the reason); else correct the date in Excel",
            warning=True,
        ),
        Rule(
            "ESP016",
            "calendar-entry",
            "correct the date in esp.toml [calendar], or delete the entry",
            warning=True,
        ),
        Rule(
            "ESP017",
            "formula-without-result",
            "open the workbook in Excel and save it, so that the formula's result is saved in "
            "the file; or type the value in the cell",
        ),
        Rule("ESP018", "invisible-character", "retype the name", warning=True),
    )
}


@dataclass(frozen=True)
class DoctorFinding:
    rule: str
    cell: str  # Sheet!A1, or the sheet / class it concerns
    message: str
    # The fix for this cell when the rule's own does not fit it (a merged cell's first cell).
    own_fix: str = field(default="", metadata=as_json(hidden=True))

    @property
    @exported(after="rule")
    def name(self) -> str:
        return RULES[self.rule].name

    @property
    @exported()
    def fix(self) -> str:
        return self.own_fix or RULES[self.rule].fix


@dataclass(frozen=True)
class SetAside:
    """A row with values that esp does not read as an agent (a totals row, the header
    repeated): a note, not a problem."""

    rows: str  # 'Sheet'!80:80
    reason: str


@dataclass
class DoctorResult:
    tracker: Path
    agents: int
    findings: list[DoctorFinding]
    set_aside: list[SetAside] = field(default_factory=list)

    @property
    @exported(after="agents")
    def ok(self) -> bool:
        """No problem found (warnings aside)."""
        return not self.problems

    @property
    def problems(self) -> list[DoctorFinding]:
        return [f for f in self.findings if not RULES[f.rule].warning]

    @property
    def warnings(self) -> list[DoctorFinding]:
        return [f for f in self.findings if RULES[f.rule].warning]
