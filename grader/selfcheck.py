"""The course proves itself: every solution scores full marks, every skeleton fails its TODOs.

    python -m grader check-course [ch1 ch2 ...] [--no-notebooks]

For each chapter in the manifest it checks that
  - exercises/<slug> and solutions/<slug> hold the same files;
  - the files with a "# TODO" in the exercise are exactly the manifest's todo_files, and the
    solution has none;
  - the solution passes every check and scores the manifest's points;
  - the untouched skeleton fails (or fails to start, with a named outcome) and fails every
    check listed in skeleton_fails;
  - the chapter's notebook runs top to bottom under nbclient.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from grader import manifest, runner

# A TODO comment in Python, Jinja ({# TODO), CSS (/* TODO) or HTML (<!-- TODO).
TODO_MARK = re.compile(r"(#|/\*|<!--)\s*TODO")
IGNORED_PARTS = {"__pycache__", "instance", ".pytest_cache"}
NOTEBOOK_CELL_TIMEOUT = 120


def _files(folder: Path) -> set[str]:
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and not IGNORED_PARTS.intersection(p.relative_to(folder).parts)
        and not p.name.endswith((".pyc", ".db", ".sqlite"))
    }


def _todo_files(folder: Path) -> set[str]:
    found = set()
    for name in _files(folder):
        try:
            text = (folder / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if TODO_MARK.search(text):
            found.add(name)
    return found


def check_layout(ch: manifest.Chapter) -> list[str]:
    """Return problems with the chapter's folders and TODO list."""
    problems = []
    for folder in (ch.exercise_dir, ch.solution_dir, ch.checks_file, ch.source):
        if not folder.exists():
            problems.append(f"missing {folder.relative_to(manifest.ROOT)}")
    if problems:
        return problems
    ex, sol = _files(ch.exercise_dir), _files(ch.solution_dir)
    if ex != sol:
        problems.append(f"exercise and solution differ in files: only in exercise "
                        f"{sorted(ex - sol)}, only in solution {sorted(sol - ex)}")
    todos = _todo_files(ch.exercise_dir)
    if todos != set(ch.todo_files):
        problems.append(f"files with a TODO {sorted(todos)} but the manifest lists "
                        f"{sorted(ch.todo_files)}")
    if not todos:
        problems.append("the exercise has no TODO at all")
    left = _todo_files(ch.solution_dir)
    if left:
        problems.append(f"the solution still has TODOs in {sorted(left)}")
    return problems


def check_solution(ch: manifest.Chapter) -> list[str]:
    doc = runner.grade(ch, ch.solution_dir)
    problems = []
    if doc["status"] != "pass":
        bad = [f"{t['name']}: {t['message']}" for t in doc["tests"] if t["status"] != "pass"]
        outcome = doc["outcome"]["message"] if doc["outcome"] else ""
        problems.append(f"the solution does not pass: {outcome or '; '.join(bad)}")
    if doc["max_score"] != ch.points:
        problems.append(f"the checks are worth {doc['max_score']} points, the manifest says "
                        f"{ch.points}")
    return problems


def check_skeleton(ch: manifest.Chapter) -> list[str]:
    doc = runner.grade(ch, ch.exercise_dir)
    problems = []
    if doc["status"] == "pass":
        problems.append("the untouched skeleton passes every check")
    names = {t["name"]: t for t in doc["tests"]}
    for name in ch.skeleton_fails:
        if doc["outcome"] is None and name not in names:
            problems.append(f"skeleton_fails names {name}, which is not a check")
        elif name in names and names[name]["status"] == "pass":
            problems.append(f"the skeleton passes {name}, which its TODOs should break")
    if not ch.skeleton_fails:
        problems.append("skeleton_fails is empty")
    return problems


def check_notebook(ch: manifest.Chapter) -> list[str]:
    """Execute the chapter's notebook top to bottom; return the error if a cell fails."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    if not ch.notebook.exists():
        return [f"missing {ch.notebook.relative_to(manifest.ROOT)}"]
    nb = nbformat.read(ch.notebook, as_version=4)
    client = NotebookClient(nb, timeout=NOTEBOOK_CELL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(ch.notebook.parent)}})
    try:
        client.execute()
    except CellTimeoutError as exc:
        return [f"a notebook cell ran over {NOTEBOOK_CELL_TIMEOUT} s: {str(exc)[:300]}"]
    except CellExecutionError as exc:
        return [f"a notebook cell failed: {str(exc)[-1500:]}"]
    return []


def check_chapter(ch: manifest.Chapter, notebooks: bool = True) -> list[str]:
    problems = check_layout(ch)
    if any(p.startswith("missing") for p in problems):
        return problems
    problems += check_solution(ch)
    problems += check_skeleton(ch)
    if notebooks:
        problems += check_notebook(ch)
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader check-course",
                                     description="Prove every chapter behaves.")
    parser.add_argument("chapters", nargs="*", help="chapters to check (default: all)")
    parser.add_argument("--no-notebooks", action="store_true", help="skip running notebooks")
    from grader.cli import find_chapter, parse

    args = parse(parser, argv)
    chapters = [find_chapter(c) for c in args.chapters] or manifest.load()
    failed = 0
    for ch in chapters:
        problems = check_chapter(ch, notebooks=not args.no_notebooks)
        mark = "ok " if not problems else "BAD"
        print(f"{mark} {ch.id:<5} {ch.title}")
        for p in problems:
            print(f"      - {p}")
        failed += bool(problems)
    print(f"\n{len(chapters) - failed} of {len(chapters)} chapters prove themselves")
    return 1 if failed else 0
