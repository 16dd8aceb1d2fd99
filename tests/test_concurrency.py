"""Two esp processes writing one tracker take turns: both changes land, none is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl

from .factories import make_workbook

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from esp_cli.xlsx.workbook import locked_for_update
    path, row, value = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with locked_for_update(path) as wb:
        p = wb.patcher()
        p.set("S", row, 2, value)
        time.sleep(0.3)  # hold the lock while the other process tries to write
        wb.save(p)
""")


def test_two_writers_both_land(tmp_path: Path) -> None:
    path = make_workbook(
        tmp_path / "t.xlsx", {"S": [["Name", "Note"], ["Ann", None], ["Bob", None]]}
    )
    src = Path(__file__).resolve().parents[1] / "src"
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(r), v], env=env, stderr=subprocess.PIPE
        )
        for r, v in ((2, "first"), (3, "second"))
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    ws = openpyxl.load_workbook(path)["S"]
    assert (ws["B2"].value, ws["B3"].value) == ("first", "second")
    assert len(list((tmp_path / "esp-backups").iterdir())) == 2
