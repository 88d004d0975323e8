#!/usr/bin/env python3
"""Checks src/'s includes against ARCHITECTURE.md's table of folders.

Usage: check-includes.py [ROOT]   (ROOT: the checkout, by default this script's parent's parent)

The table "Folders and what each may use" has a row per src/ folder (and per file directly in
src/, such as `src/main.cpp`) whose last cell lists the project folders it may include, or
"nothing". Every `#include "folder/..."` in src/ must be allowed by its folder's row. The check
also fails when a src/ folder has no row, when a row names a folder that does not exist, when a
row allows a folder that nothing in it includes (the table must stay exact), and when the rows
form a cycle. Exit status 0 when all is well, 1 with one line per problem otherwise.
"""

import pathlib
import re
import sys

TABLE_HEADING = "## Folders and what each may use"
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]*)"')
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc"}


def read_table(architecture):
    """{unit: set of units it may include} from the src/ rows of the table."""
    lines = architecture.read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index(TABLE_HEADING)
    except ValueError:
        sys.exit(f"{architecture}: no section '{TABLE_HEADING}'")
    rows = {}
    in_table = False
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            if in_table:
                break
            continue
        in_table = True
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        unit = re.fullmatch(r"`src/([^/`]+)/?`", cells[0])
        if unit is None:
            continue  # the header, its rule, and rows outside src/
        allowed = cells[-1]
        rows[unit.group(1)] = set() if allowed == "nothing" else {name.strip() for name in allowed.split(",")}
    if not rows:
        sys.exit(f"{architecture}: the table under '{TABLE_HEADING}' has no src/ rows")
    return rows


def find_cycle(rows):
    """A list of units forming a cycle of allowed includes, or None."""
    state = {}  # unit -> "open" while on the path, "done" after

    def visit(unit, path):
        state[unit] = "open"
        for used in sorted(rows.get(unit, ())):
            if state.get(used) == "open":
                return path[path.index(used):] + [used]
            if used not in state:
                cycle = visit(used, path + [used])
                if cycle:
                    return cycle
        state[unit] = "done"
        return None

    for unit in sorted(rows):
        if unit not in state:
            cycle = visit(unit, [unit])
            if cycle:
                return cycle
    return None


def main(argv):
    root = pathlib.Path(argv[1] if len(argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    src = root / "src"
    rows = read_table(root / "ARCHITECTURE.md")
    problems = []

    units = sorted(path.name for path in src.iterdir() if path.is_dir() or path.suffix in SOURCE_SUFFIXES)
    for unit in units:
        if unit not in rows:
            problems.append(f"src/{unit}: folder '{unit}' has no row in ARCHITECTURE.md's table of folders")
    for unit, allowed in sorted(rows.items()):
        for name in sorted(allowed | {unit}):
            if name not in units:
                problems.append(f"ARCHITECTURE.md: the row of '{unit}' names '{name}', which is not in src/")
    cycle = find_cycle(rows)
    if cycle:
        problems.append("ARCHITECTURE.md: the table allows a cycle: " + " -> ".join(cycle))

    used = {unit: set() for unit in rows}
    for path in sorted(src.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        unit = path.relative_to(src).parts[0]
        allowed = rows.get(unit)
        if allowed is None:
            continue  # reported above
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = INCLUDE.match(line)
            if not match:
                continue
            included = match.group(1)
            if "/" not in included:
                problems.append(f"{relative}:{number}: '{included}' is not included by its full project path")
                continue
            folder = included.split("/", 1)[0]
            if folder == unit:
                continue
            used[unit].add(folder)
            if folder not in allowed:
                allows = ", ".join(sorted(allowed)) or "nothing"
                problems.append(f"{relative}:{number}: folder '{unit}' may not include '{included}' "
                                f"(ARCHITECTURE.md allows: {allows})")
    for unit, allowed in sorted(rows.items()):
        for name in sorted(allowed - used[unit] - {unit}):
            if name in units:
                problems.append(f"ARCHITECTURE.md: '{unit}' may include '{name}', but nothing in src/{unit} "
                                f"does; remove it from the row")

    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
