"""The ``python -m grader`` command line.

    python -m grader ch3                 grade exercises/ch03_*
    python -m grader ch3 --solution      grade the reference solution
    python -m grader ch3 --path DIR      grade the app in DIR
    python -m grader ch3 --json          print the results document
    python -m grader list                chapters and your last result
    python -m grader check-course        prove every chapter's skeleton fails and solution passes

Subcommands live in their own modules and are listed in COMMANDS; this file only dispatches.
Exit status: 0 all checks passed, 1 something failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from grader import manifest

# name -> "module:function"; each function takes argv (list[str]) and returns an exit status.
COMMANDS = {
    "list": "grader.progress:cmd_list",
    "check-course": "grader.selfcheck:main",
    "watch": "grader.watch:main",
    "hint": "grader.hints:main",
    "solution": "grader.solution:main",
    "reset": "grader.reset:main",
    "doctor": "grader.doctor:main",
    "login": "grader.submit:cmd_login",
}


class UsageError(Exception):
    """Bad command line: exit 2 with this message."""


def grade_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m grader",
        description="Grade a Flasklings chapter against its live checks.",
        epilog="Other commands: " + ", ".join(COMMANDS),
    )
    p.add_argument("chapter", help="chapter to grade: ch1, ch01 or 1")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--solution", action="store_true", help="grade the reference solution")
    where.add_argument("--path", type=Path, help="grade the app in this folder")
    p.add_argument("--json", action="store_true", help="print the results document as JSON")
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML to FILE")
    p.add_argument("--no-color", action="store_true", help="plain text, no colour")
    p.add_argument("--watch", action="store_true", help="re-grade on every save (watch mode)")
    p.add_argument("--submit", action="store_true",
                   help="after grading, upload the chapter to the classroom (see `login`)")
    return p


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``; a bad command line becomes a UsageError (argparse printed why)."""
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:
        raise UsageError("") from exc


def find_chapter(name: str) -> manifest.Chapter:
    """Return the chapter called ``name`` or raise a UsageError listing the real ones."""
    try:
        return manifest.find(name)
    except manifest.UnknownChapter as exc:
        raise UsageError(str(exc)) from None


def existing_folder(folder) -> Path:
    """Return ``folder`` as a Path, or raise a UsageError if it is not a folder."""
    if not Path(folder).is_dir():
        raise UsageError(f"there is no folder {folder}")
    return Path(folder)



def cmd_grade(argv: list[str]) -> int:
    args = parse(grade_parser(), argv)
    chapter = find_chapter(args.chapter)
    if args.path:
        folder = args.path
    elif args.solution:
        folder = chapter.solution_dir
    else:
        folder = chapter.exercise_dir
    existing_folder(folder)
    if args.watch:
        from grader import watch

        return watch.main([chapter.id] + (["--path", str(folder)] if args.path or args.solution
                                          else [])
                          + (["--no-color"] if args.no_color else []))

    from grader import runner

    doc = runner.grade(chapter, Path(folder))
    if not args.path and not args.solution:
        from grader import progress

        progress.record(doc)
    if args.junit:
        from grader import junit

        args.junit.write_text(junit.to_xml(doc), encoding="utf-8")
    if args.json:
        from grader import results

        print(results.dumps(doc))
    else:
        from grader import report

        sys.stdout.write(report.render(doc, colour=False if args.no_color else None))
        if doc["status"] == "pass" and not args.path and not args.solution:
            from grader import progress

            sys.stdout.write(progress.after_pass(chapter))
    if args.submit:
        from grader import submit

        return submit.submit(chapter, Path(folder), doc)
    return 0 if doc["status"] == "pass" else 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv or argv[0] in ("-h", "--help"):
            grade_parser().print_help()
            return 0 if argv else 2
        if argv[0] in COMMANDS:
            module, _, func = COMMANDS[argv[0]].partition(":")
            return getattr(importlib.import_module(module), func)(argv[1:])
        return cmd_grade(argv)
    except UsageError as exc:
        if str(exc):
            print(f"grader: {exc}", file=sys.stderr)
        return 2
    except manifest.ManifestError as exc:
        print(f"grader: the course manifest is broken: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
