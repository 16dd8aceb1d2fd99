"""What the bundled sample is built to contain, for every test that checks it.

The sample's Master (the sample builder's MASTER_ROWS) is made so that a sync of the ESP Tracker
fills these agents' Date of N Number Request, keeps one conflict and matches one row to nobody.
"""

from __future__ import annotations

from datetime import date

# Agent Name -> the date the sync writes (by Emp ID, by e-mail, by name, by class row).
SYNC_FILLS = {
    "Omar Haddad": date(2026, 11, 2),
    "Grace Kim": date(2026, 11, 2),
    "Yasmin Farouk": date(2026, 11, 9),
    "Zachary Holt": date(2026, 11, 9),
    "Hector Vargas": date(2026, 11, 9),
    "Hassan Karimi": date(2026, 11, 17),
    "Kendra Hayes": date(2026, 11, 16),
    "Lucas Moreno": date(2026, 11, 16),
    "Mei Tanaka": date(2026, 11, 16),
    "Noah Fischer": date(2026, 11, 16),
}
SYNC_CONFLICTS = {"Priyanka Shah": date(2026, 11, 3)}  # the tracker has 11/02
SYNC_UNMATCHED = {"Okafor, Chidi": date(2026, 11, 9)}  # the Master's spelling
