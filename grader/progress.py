"""Remember each chapter's best local result and the hints shown, in a git-ignored state file.

The file is .flasklings/progress.json:

    {"chapters": {"ch1": {"last": {...}, "best": {...}}},
     "hints": {"ch1": {"test_home": {"failure": "<check + message>", "shown": 2}}}}

A file that does not parse is moved aside (never silently overwritten), so a student's record
is not lost to a bad edit or a crash mid-write.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

from grader import manifest

STATE = manifest.ROOT / ".flasklings" / "progress.json"
BAR_WIDTH = 20


def _empty() -> dict:
    return {"chapters": {}, "hints": {}}


def load(path: Path = STATE) -> dict:
    """Return the state; a missing file is an empty state, a broken one is set aside."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError:  # missing, or unreadable: nothing to set aside
        return _empty()
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("chapters", {}), dict) \
            or not isinstance(data.get("hints", {}), dict):
        aside = path.with_name(path.name + f".broken-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(path, aside)
            print(f"grader: {path} could not be read; kept it as {aside.name} and started afresh",
                  file=sys.stderr)
        except OSError:
            pass
        return _empty()
    data.setdefault("chapters", {})
    data.setdefault("hints", {})
    return data


def save(state: dict, path: Path = STATE) -> None:
    """Write the state atomically, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def _locked(path: Path):
    """Hold an exclusive lock for a read-modify-write (watch mode and `hint` may overlap)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; the atomic replace still holds
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def record(doc: dict, path: Path = STATE) -> None:
    """Store ``doc``'s summary as the chapter's last result, and as best if it is."""
    try:
        with _locked(path):
            _record(doc, path)
    except OSError as exc:  # a read-only checkout still gets its grade
        _warn(f"could not save your progress in {path} ({exc.strerror or exc})")


def _warn(message: str) -> None:
    print(f"grader: {message}", file=sys.stderr)


def _record(doc: dict, path: Path) -> None:
    state = load(path)
    entry = state["chapters"].setdefault(doc["chapter"], {})
    summary = {"score": doc["score"], "max_score": doc["max_score"], "status": doc["status"],
               "when": time.strftime("%Y-%m-%d %H:%M")}
    entry["last"] = summary
    best = entry.get("best")
    if best is None or _rank(summary) >= _rank(best):
        entry["best"] = summary
    # A check that passes now starts from the first hint if it ever fails again.
    seen = state["hints"].get(doc["chapter"], {})
    for t in doc["tests"]:
        if t["status"] == "pass":
            seen.pop(t["name"], None)
    save(state, path)


def _rank(summary: dict) -> tuple:
    return (summary.get("status") == "pass", summary.get("score", 0))


def best(chapter_id: str, path: Path = STATE) -> dict | None:
    """Return the chapter's best recorded result, or None."""
    return load(path)["chapters"].get(chapter_id, {}).get("best")


def passed(chapter_id: str, path: Path = STATE) -> bool:
    found = best(chapter_id, path)
    return bool(found and found.get("status") == "pass")


def hint_step(chapter_id: str, check: str, failure: str, path: Path = STATE) -> int:
    """Count one more hint asked for ``check``'s ``failure``; return how many were asked.

    The same failure asked about again climbs to the next hint; a different failure of the
    same check starts again from the first.
    """
    try:
        with _locked(path):
            state = load(path)
            seen = state["hints"].setdefault(chapter_id, {})
            entry = seen.get(check)
            if not isinstance(entry, dict) or entry.get("failure") != failure:
                entry = {"failure": failure, "shown": 0}
            entry["shown"] = int(entry.get("shown", 0)) + 1
            seen[check] = entry
            save(state, path)
    except OSError as exc:
        _warn(f"could not remember which hints you saw ({exc.strerror or exc}); "
              "showing the first")
        return 1
    return entry["shown"]


def bar(score: int, max_score: int, width: int = BAR_WIDTH) -> str:
    """Return a text progress bar such as ``[#######-------]``."""
    filled = round(width * score / max_score) if max_score else 0
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def next_chapter(chapters: list, state: dict) -> manifest.Chapter | None:
    """Return the first chapter not passed yet, in course order."""
    for ch in chapters:
        found = state["chapters"].get(ch.id, {}).get("best")
        if not found or found.get("status") != "pass":
            return ch
    return None


def render_list(chapters: list, state: dict) -> str:
    """Return the table of chapters with their best result and what to do next."""
    lines = []
    done = 0
    for ch in chapters:
        found = state["chapters"].get(ch.id, {}).get("best")
        if found is None:
            mark, result = " ", "not graded yet"
            meter = bar(0, 1)
        else:
            ok = found["status"] == "pass"
            done += ok
            mark = "✓" if ok else "✗"
            meter = bar(found["score"], found["max_score"])
            result = f"{found['score']}/{found['max_score']}  (best, {found['when']})"
        title = ch.title if len(ch.title) <= 42 else ch.title[:41] + "…"
        lines.append(f" {mark} {ch.id:<5} {title:<42} {meter} {result}")
    head = f"Flasklings: {done} of {len(chapters)} chapters passed {bar(done, len(chapters))}"
    nxt = next_chapter(chapters, state)
    if nxt is None:
        tail = "Every chapter passes. Well done!"
    else:
        tail = (f"Next: {nxt.id} · {nxt.title} — open notebooks/{nxt.slug}.ipynb, then "
                f"`python -m grader watch {nxt.id}`")
    return "\n".join([head, ""] + lines + ["", tail]) + "\n"


def cmd_list(argv: list[str]) -> int:
    """Print every chapter with its best local result and the next one to do."""
    parser = argparse.ArgumentParser(prog="python -m grader list",
                                     description="Show every chapter and your best result.")
    parser.add_argument("--no-color", action="store_true",
                        help="accepted like every other command (the list is plain text)")
    try:
        parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    sys.stdout.write(render_list(manifest.load(), load()))
    return 0


def after_pass(chapter: manifest.Chapter) -> str:
    """Return what to do after ``chapter`` passes: compare with the reference, move on."""
    lines = [f"Compare your app with the reference: `python -m grader solution {chapter.id}`"]
    try:
        later = [c for c in manifest.load() if c.number > chapter.number]
    except (OSError, ValueError):
        later = []
    if later:
        lines.append(f"Next: {later[0].id} · {later[0].title} — "
                     f"`python -m grader watch {later[0].id}`")
    return "\n".join(lines) + "\n"
