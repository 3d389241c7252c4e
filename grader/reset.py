"""Put a chapter's exercise back as it was shipped: ``python -m grader reset ch3``.

The pristine skeleton comes from git: the commit this checkout shares with the course's branch
upstream (or HEAD when there is no upstream), so a student's own commits are not mistaken for
the skeleton. Nothing is deleted before a full copy of the student's folder is in
.flasklings/backups/.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from grader import manifest

BACKUPS = manifest.ROOT / ".flasklings" / "backups"


class ResetError(Exception):
    """The skeleton could not be found or restored; nothing was changed."""


def _git(root: Path, *args: str, binary: bool = False):
    try:
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=30,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ResetError(f"could not run git ({exc})") from None
    if proc.returncode != 0:
        return None
    return proc.stdout if binary else proc.stdout.decode().strip()


def pristine_rev(root: Path) -> str:
    """Return the commit holding the shipped skeleton."""
    if _git(root, "rev-parse", "--git-dir") is None:
        raise ResetError(f"{root} is not a git checkout, so there is no original skeleton to "
                         "go back to. Clone the course with git to use reset.")
    upstream = _git(root, "rev-parse", "--verify", "-q", "@{upstream}")
    if upstream:
        base = _git(root, "merge-base", "HEAD", upstream)
        if base:
            return base
    head = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    if not head:
        raise ResetError("this git checkout has no commits yet")
    return head


def extract_skeleton(root: Path, rel: str, rev: str, into: Path) -> Path:
    """Write the folder ``rel`` as it is at ``rev`` under ``into``; return its path there."""
    data = _git(root, "archive", "--format=tar", rev, "--", rel, binary=True)
    if not data:
        raise ResetError(f"{rel} is not in the course's history at {rev[:10]}")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / rel


def same_tree(a: Path, b: Path) -> bool:
    """Return True when folders ``a`` and ``b`` hold the same app files with the same bytes."""
    from grader.solution import app_files

    names = app_files(a)
    if names != app_files(b):
        return False
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def reset_folder(folder: Path, root: Path, backups: Path) -> tuple[Path | None, str]:
    """Back ``folder`` up under ``backups``, then restore its skeleton from git.

    Return (backup folder or None when it already was pristine, the commit used).
    """
    folder, root = Path(folder).resolve(), Path(root).resolve()
    rel = folder.relative_to(root).as_posix()
    rev = pristine_rev(root)
    with tempfile.TemporaryDirectory(prefix="flasklings-reset-") as tmp:
        skeleton = extract_skeleton(root, rel, rev, Path(tmp))
        if folder.is_dir() and same_tree(folder, skeleton):
            return None, rev
        backup = None
        if folder.exists():
            backup = backups / f"{folder.name}-{time.strftime('%Y%m%d-%H%M%S')}"
            n = 1
            while backup.exists():
                n += 1
                backup = backups / f"{folder.name}-{time.strftime('%Y%m%d-%H%M%S')}-{n}"
            backups.mkdir(parents=True, exist_ok=True)
            shutil.copytree(folder, backup, symlinks=True)
        # Swap whole folders so a failure half-way never leaves a mix of old and new files.
        fresh = folder.with_name(folder.name + ".flasklings-new")
        old = folder.with_name(folder.name + ".flasklings-old")
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        shutil.copytree(skeleton, fresh)
        if folder.exists():
            folder.rename(old)
        fresh.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    return backup, rev


def main(argv: list[str]) -> int:
    """Confirm, back up the student's work, and restore the chapter's skeleton."""
    from grader.cli import find_chapter, parse

    parser = argparse.ArgumentParser(
        prog="python -m grader reset",
        description="Restore a chapter's exercise folder to the original skeleton, keeping a "
                    "backup of your work in .flasklings/backups/.")
    parser.add_argument("chapter", help="chapter: ch1, ch01 or 1")
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    args = parse(parser, argv)
    chapter = find_chapter(args.chapter)
    folder = chapter.exercise_dir
    if not args.yes:
        if not sys.stdin.isatty():
            print(f"grader: reset replaces {manifest.display(folder)}; run it in a terminal to confirm, "
                  "or add --yes", file=sys.stderr)
            return 2
        answer = input(f"Reset {manifest.display(folder)} to the original skeleton? Your current files "
                       f"are copied to {manifest.display(BACKUPS)}/ first. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.")
            return 1
    try:
        backup, rev = reset_folder(folder, manifest.ROOT, BACKUPS)
    except (ResetError, OSError) as exc:
        print(f"grader: could not reset {chapter.id}: {exc}. Your files were not changed.",
              file=sys.stderr)
        return 1
    if backup is None:
        print(f"{manifest.display(folder)} already is the original skeleton; nothing to do.")
    else:
        print(f"Restored {manifest.display(folder)} to the skeleton (commit {rev[:10]}).\n"
              f"Your previous files are in {manifest.display(backup)}/ — copy back whatever you need.")
    return 0
