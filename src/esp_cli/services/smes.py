"""esp sme assign / list: the 1-2 Certifiers of each class who act as its TBT SMEs.

assign: the seed asks the coordinator to "assign 1-2 Certifiers as TBT SMEs"; every agent of
the class gets one of them in TBT SME. The split is even (the loads differ by at most one)
and stable: an agent who already has one of the given SMEs keeps them while that SME's share
is not exceeded, and the others are given, in row order, to whichever SME has fewer. A
fresh class therefore alternates down the sheet, a new agent does not move anyone else, and
running the same assignment again changes nothing. An SME is named as an agent is: a part of
the name of one SME the tracker or [people] sme_emails knows is that SME, as spelled there;
a name nobody known has is a new SME, written as typed.

list: per class, each SME with the agents they have and how many of those are outstanding
(Call Cert Complete? and All TBTs Complete? not both yes), so the load shows at a glance.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from esp_cli.config import Config
from esp_cli.core.model import NO_CLASS, class_in_data, is_no_class
from esp_cli.core.names import names_meant
from esp_cli.errors import UsageError
from esp_cli.results.smes import (
    Assignment,
    AssignResult,
    ClassLoad,
    SmeListResult,
    SmeLoad,
    sme_key,
)
from esp_cli.services.agents import (
    agents_in_class,
    class_key,
    count_agents_once,
    refuse_agents_twice,
    say_held_for_sme,
    sme_names,
)
from esp_cli.services.facts import COMPLETION_NEED, need_rule_columns
from esp_cli.workbook.session import write_session
from esp_cli.workbook.tracker import Row
from esp_cli.workbook.waiting import Overlay, read_counting_waiting
from esp_cli.workbook.xlsx.workbook import Workbook

SME = "tbt_sme"
MAX_SMES = 2  # the seed: "Assign 1-2 Certifiers as TBT SMEs"
# Identity and class are always read; no N Number etc.: their findings would be noise here.
READ_KEYS = (SME, "call_cert_complete", "tbts_complete")


def check_smes(names: Sequence[str]) -> tuple[str, ...]:
    """One or two different names, spaces tidied; anything else is a usage error."""
    cleaned = tuple(" ".join(n.split()) for n in names)
    if not cleaned or any(not n for n in cleaned):
        raise UsageError(
            "No TBT SME given.", fix="name one or two Certifiers: --sme NAME [--sme NAME]."
        )
    if len(cleaned) > MAX_SMES:
        raise UsageError(
            f"{len(cleaned)} TBT SMEs given ({', '.join(cleaned)}); the TBT SME Team "
            "Expectations say 'Assign 1-2 Certifiers as TBT SMEs': one or two per class.",
            fix="give --sme once or twice.",
        )
    _refuse_twice(cleaned, cleaned)
    return cleaned


def known_smes(rows: Iterable[Row], config: Config) -> list[str]:
    """Every TBT SME the tracker's TBT SME cells name, then those [people] sme_emails lists:
    each once, as first spelled."""
    known: dict[str, str] = {}
    for row in rows:
        if SME not in row.unreadable:
            for name in sme_names(row.raw.get(SME)):
                known.setdefault(sme_key(name), name)
    for name in config.sme_emails:
        known.setdefault(sme_key(name), " ".join(name.split()))
    return list(known.values())


def named_smes(given: Sequence[str], known: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the SMEs `given` names, each as the known SME it names — see names_meant — or as
    typed when it names none, those of them that are new). Naming two known SMEs, or one
    SME twice, is a usage error."""
    smes: list[str] = []
    new: list[str] = []
    for name in given:
        found = names_meant(known, name)
        if len(found) > 1:
            raise UsageError(
                f"{name!r} matches {len(found)} TBT SMEs ({', '.join(sorted(found))}).",
                fix="give the SME's full name: --sme NAME.",
            )
        smes.append(found[0] if found else name)
        if not found:
            new.append(name)
    _refuse_twice(given, smes)
    return tuple(smes), tuple(new)


def _refuse_twice(given: Sequence[str], smes: Sequence[str]) -> None:
    """A usage error when two of the names `given` name one SME (`smes`: whom each names):
    each name as typed, in quotes, since a name may hold a comma ("Natarajan, Priya")."""
    seen: dict[str, int] = {}
    for i, name in enumerate(smes):
        first = seen.setdefault(sme_key(name), i)
        if first == i:
            continue
        typed = f"{given[first]!r} and {given[i]!r}"
        same = given[first] == given[i] or sme_key(given[first]) == sme_key(given[i])
        raise UsageError(
            f"The same TBT SME is given twice: {typed}" + ("." if same else f" both name {name}."),
            fix="give two different Certifiers, or --sme once.",
        )


def _no_class() -> UsageError:
    """Agents whose Class is blank have no class to give a TBT SME by."""
    return UsageError(
        f"TBT SMEs are given by class, and {NO_CLASS} is the agents whose Class is blank: "
        "no class's TBT SME reaches them.",
        fix="fill in their Class (esp doctor lists them: ESP012 missing-class), then "
        "esp sme assign CLASS --sme NAME.",
    )


def split_evenly(current: Sequence[str | None], smes: Sequence[str]) -> list[str]:
    """The SME for each agent (in row order), given who each has now: even and stable."""
    keys = [sme_key(s) for s in smes]
    share = -(-len(current) // len(smes))  # the most any one SME may have: ceil(n / k)
    load = [0] * len(smes)
    out: list[str | None] = [None] * len(current)
    for i, now in enumerate(current):
        key = sme_key(now)
        if key in keys:
            j = keys.index(key)
            if load[j] < share:
                out[i] = smes[j]
                load[j] += 1
    for i, sme in enumerate(out):
        if sme is None:
            j = min(range(len(smes)), key=lambda k: (load[k], k))
            out[i] = smes[j]
            load[j] += 1
    return [s for s in out if s is not None]


def assign_smes(
    tracker_path: Path,
    config: Config,
    cls: str,
    names: Sequence[str],
    *,
    dry_run: bool = False,
) -> AssignResult:
    given = check_smes(names)
    with write_session(tracker_path, config, keys=READ_KEYS, dry_run=dry_run) as s:
        if not class_key(cls):
            raise _no_class()
        try:
            rows = agents_in_class(s.table, cls)
        except UsageError as exc:
            if is_no_class(cls):
                raise _no_class() from None
            raise UsageError(exc.message, fix="give one of those as CLASS.") from None
        # A copy of the tab would have the class split across it: refused, as for one agent.
        refuse_agents_twice(rows, s.table.path.name, "esp sme assign")
        known = known_smes(s.table.rows(), config)
        smes, new = named_smes(given, known)
        current = [None if SME in r.unreadable else r.text(SME) for r in rows]
        assignments = []
        for row, now, sme in zip(rows, current, split_evenly(current, smes), strict=True):
            keep = sme_key(now) == sme_key(sme)
            if not keep:
                s.plan.set(row, SME, sme)
            shown = " ".join((now or "").split()) if keep else sme
            assignments.append(Assignment(row.ref(), now or "", shown, not keep))
    return AssignResult(
        cls=rows[0].cls.strip() if rows else cls,
        smes=smes,
        assignments=assignments,
        write=s.report,
        new=new,
        known=tuple(known),
    )


# --------------------------------------------------------------------------------- list


def _outstanding(row: Row) -> bool:
    return not (row.get("call_cert_complete") is True and row.get("tbts_complete") is True)


def sme_loads(rows: Sequence[Row], waits: Overlay | None = None) -> list[ClassLoad]:
    """Each class's load by TBT SME, as the changes waiting beside the tracker (`waits`,
    put on the rows) leave the rows: a load they change names them (SmeLoad.waiting), the
    load of an SME they take agents from too."""
    classes: dict[str, ClassLoad] = {}
    smes: dict[tuple[str, str], SmeLoad] = {}
    marked = waits is not None and bool(waits.marks)
    for row in rows:
        ckey = class_key(row.cls)
        load = classes.get(ckey)
        if load is None:
            load = classes[ckey] = ClassLoad(class_in_data(row.cls), named=bool(ckey))
        name = "" if SME in row.unreadable else " ".join(row.text(SME).split())
        if name:
            target = smes.get((ckey, sme_key(name)))
            if target is None:
                target = smes[(ckey, sme_key(name))] = SmeLoad(name)
                load.smes.append(target)
        else:
            target = load.unassigned
            if not load.named:
                load.unplaced.append(row.ref())
        late = _outstanding(row)
        ops = waits.ops_of(row) if marked and waits is not None else []
        for counted in (load, target):
            counted.agents += 1
            counted.outstanding += late
        target.waiting += [op for op in ops if op not in target.waiting]
    for row, before, ops in waits.changed(SME) if waits is not None else []:
        # An SME who loses agents to a waiting change: their load is counted with it too.
        name = " ".join(before.split()) if isinstance(before, str) else ""
        ckey = class_key(row.cls)
        if ckey not in classes:
            continue
        left = smes.get((ckey, sme_key(name))) if name else classes[ckey].unassigned
        if left is not None:
            left.waiting += [op for op in ops if op not in left.waiting]
    return list(classes.values())


def list_smes(tracker_path: Path, config: Config, cls: str | None = None) -> SmeListResult:
    """Each class's load by TBT SME, counting the changes waiting beside the tracker (an
    assignment made while Excel had it), marked as not yet in the workbook."""
    wb = Workbook.open(tracker_path)
    table, waits = read_counting_waiting(wb, config, READ_KEYS)
    rows = agents_in_class(table, cls)
    need_rule_columns(table, config, COMPLETION_NEED, rows=rows if cls else None)
    # An agent on two sheets (a copy of the tab) is one agent: counted once, said.
    loads = sme_loads(count_agents_once(rows, table.path.name, "esp sme list"), waits)
    say_held_for_sme(rows, None, waits)
    found = {op for c in loads for s in [*c.smes, c.unassigned] for op in s.waiting}
    waiting = [op.op for op in waits.ops if op.op in found]
    return SmeListResult(table.path, loads, table.findings, waiting)


# -- the TBT SMEs of a class, as the e-mails to its agents copy them ---------------------------


def class_smes(rows: Iterable[Row]) -> dict[str, list[str]]:
    """Per class, the TBT SMEs its rows name (first spelling kept, in order of appearance)."""
    out: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()
    for row in rows:
        ckey = class_key(row.cls)
        names = out.setdefault(ckey, [])
        if SME in row.unreadable:
            continue
        for name in sme_names(row.raw.get(SME)):
            if (ckey, sme_key(name)) not in seen:
                seen.add((ckey, sme_key(name)))
                names.append(name)
    return out


def sme_addresses(config: Config) -> dict[str, tuple[str, ...]]:
    """Each SME's address(es) from [people] sme_emails, checked before any message is made
    (the tracker has no SME addresses of its own: SMEs are Certifiers, not agent rows)."""
    from esp_cli.mail.outgoing import checked_recipients

    where = config.source or "esp.toml"
    return {
        sme_key(name): checked_recipients(
            (addr,),
            f"[people] sme_emails ({name})",
            where,
            # The name as TOML writes it (a quote in it escaped), as JSON writes a string.
            example=f"sme_emails = {{ {json.dumps(name, ensure_ascii=False)} = "
            '"name@example.com" }',
            wanted=f"{name}'s address",
        )
        for name, addr in config.sme_emails.items()
    }


def sme_cc(
    smes: Sequence[str], addresses: dict[str, tuple[str, ...]]
) -> tuple[tuple[str, ...], list[str]]:
    """(the Cc of a message to an agent whose class has these SMEs, the SMEs left out of it
    for want of an address)."""
    cc: list[str] = []
    without: list[str] = []
    for name in smes:
        found = addresses.get(sme_key(name))
        if found is None:
            without.append(name)
            continue
        cc += [addr for addr in found if addr not in cc]
    return tuple(cc), without
