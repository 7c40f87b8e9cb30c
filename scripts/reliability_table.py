"""Run the hostile-input corpus of issue 14 against one or more checkouts of modelgen and print a table.

    python scripts/reliability_table.py /tmp/rel-before /work/wt-reliability

Each checkout runs as `python -m modelgen` with PYTHONPATH set to it (the interpreter is this one, so the
dependencies are the same); each cell is "ok" or what went wrong (traceback, wrong exit code, hang, files
changed, message missing). The cases are `tests/reliability/hostile_cases.py` of this checkout.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability.hostile_cases import CASES, run_case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", type=Path, help="modelgen checkouts (folders holding modelgen/)")
    parser.add_argument("--only", default=None, help="run only the cases whose name contains this text")
    arguments = parser.parse_args()
    for checkout in arguments.checkouts:
        if not (checkout / "modelgen" / "__init__.py").is_file():
            parser.error(f"{checkout}: not a modelgen checkout")
    cases = [case for case in CASES if arguments.only is None or arguments.only in case.name]
    names = [checkout.name for checkout in arguments.checkouts]
    print("| case | issue item | " + " | ".join(names) + " |")
    print("|---|---|" + "---|" * len(names))
    totals = [0] * len(names)
    for case in cases:
        cells = []
        for index, checkout in enumerate(arguments.checkouts):
            outcome = run_case(case, sys.executable, str(checkout.resolve()))
            totals[index] += outcome == "ok"
            cells.append(outcome.replace("|", "\\|"))
        print(f"| {case.name.replace('|', chr(92) + '|')} | {case.issue_item} | " + " | ".join(cells) + " |", flush=True)
    print("| **ok** | | " + " | ".join(f"**{total}/{len(cases)}**" for total in totals) + " |")


if __name__ == "__main__":
    main()
