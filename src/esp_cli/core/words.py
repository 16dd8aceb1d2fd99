"""The words people read for what esp computes (pure: no I/O).

JSON and CSV keep their stable names (`behind_target`, `written_cap`, a number of business
days overdue); wherever a person reads, these say the same in the team's own words, as the
TBT SME Team Expectations do: "behind the 2-day target", "written CAP", "due today",
"1 day overdue". A date is never split: the renderers keep it as one word.
"""

from __future__ import annotations

from esp_cli.core.rules import ACTION_LABELS, TARGET_CLOCK_DAY, ActionKind, Step, overdue_phrase

# How to have esp write a digitally signed workbook (a change would break its signature):
# the writes' refusal and esp doctor's finding (ESP013) give the same fix.
SIGNED_FIX = (
    "remove the signature in Excel (File > Info > View Signatures, then Remove Signature), "
    "run the command again, and sign the workbook anew"
)

# How to have esp write a protected sheet: the writes' refusal and esp doctor's ESP014 say so.
PROTECTED_FIX = "unprotect it in Excel (Review > Unprotect Sheet), then run esp again"

# esp escalations' status names -> the words for people.
STATUS_WORDS = {
    "on_track": "on track",
    "behind_target": f"behind the {TARGET_CLOCK_DAY}-day target",
    "not_started": "not started",
    "not_evaluated": "not evaluated",
    "complete": "complete",
}

# Each action as a person says it, lower case (an action's Next Action label is the capital
# form: rules.ACTION_LABELS).
_ACTION_WORDS = {
    ActionKind.COACHING: "documented coaching",
    ActionKind.WRITTEN_CAP: "written CAP",
    ActionKind.FINAL_CAP: "final CAP",
    ActionKind.TERM_REVIEW: "term review",
    ActionKind.CALL_SPOC: "call SPOC",
    ActionKind.ADVISE_SPOC: "advise the agent to call SPOC",
    ActionKind.CALLBACK_PHONE: "get a callback phone",
    ActionKind.CALL_CERT_OVER_4H: "Call Cert over 4 hours",
    ActionKind.TBT_OVER_8H: "TBT hours over 8",
    ActionKind.BEHIND_TARGET: f"behind the {TARGET_CLOCK_DAY}-day target",
    ActionKind.NOT_EVALUATED: "not evaluated",
    ActionKind.UNCHECKED: "unchecked",
}

# How far up the escalation ladder an action is (the term review highest); 0 off the ladder.
LADDER_RANK = {
    ActionKind.COACHING: 1,
    ActionKind.WRITTEN_CAP: 2,
    ActionKind.FINAL_CAP: 3,
    ActionKind.TERM_REVIEW: 4,
}


def status_words(status: str) -> str:
    """ "behind_target" -> "behind the 2-day target" (an unknown name with its _ as spaces)."""
    return STATUS_WORDS.get(status, status.replace("_", " "))


def action_words(action: ActionKind, *, capital: bool = False) -> str:
    """An action as a person says it: "written CAP"; with `capital`, as a title or the Next
    Action column has it: "Written CAP"."""
    return ACTION_LABELS[action] if capital else _ACTION_WORDS[action]


def step_words(step: Step) -> str:
    """A ladder step as the team says it: "documented coaching", "written CAP"."""
    return _ACTION_WORDS[ActionKind(step.value)]


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 day", "2 days" ("1 written CAP", "2 written CAPs")."""
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def listed(items: list[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def overdue_words(days: int | None) -> str:
    """A number of business days overdue in words: "3 days overdue", "1 day overdue", "due
    today"; ahead of time, "due next business day", "due in 2 business days"."""
    return "" if days is None else overdue_phrase(days)
