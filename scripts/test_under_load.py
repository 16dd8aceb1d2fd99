"""Run the test suite twice with every core kept busy: `make test-load`.

CI runs on a loaded 2-core machine. A test that passes only when the machine is idle —
one that counts on a process answering within a moment, or two things landing in the
same second — fails there now and then, and a red CI that is nobody's fault holds good
work back. This runs the whole suite twice while one busy loop per core competes with it
(at the same priority), and fails if either run fails. The second run also catches a
test that depends on what the first left behind.

    python scripts/test_under_load.py                # the suite twice, every core busy
    python scripts/test_under_load.py --runs 1 -- tests/test_round.py -x
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUSY = "while True: pass"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="how many times (default 2)")
    parser.add_argument(
        "--cores", type=int, default=os.cpu_count() or 2, help="busy loops (default: one a core)"
    )
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args(argv)
    loops = [
        subprocess.Popen([sys.executable, "-c", BUSY], stdin=subprocess.DEVNULL)
        for _ in range(args.cores)
    ]
    failed = 0
    try:
        for run in range(1, args.runs + 1):
            print(f"== run {run} of {args.runs}, {args.cores} core(s) kept busy", file=sys.stderr)
            began = time.monotonic()
            code = subprocess.call(
                [sys.executable, "-m", "pytest", "-q", *args.pytest_args], cwd=ROOT
            )
            print(
                f"== run {run}: exit {code} after {time.monotonic() - began:.0f} s",
                file=sys.stderr,
            )
            failed += code != 0
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
