"""Remember each chapter's last and best local result in a small state file (git-ignored)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from grader import manifest

STATE = manifest.ROOT / ".flasklings" / "progress.json"


def load(path: Path = STATE) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {"chapters": {}}


def record(doc: dict, path: Path = STATE) -> None:
    """Store ``doc``'s summary as the chapter's last result, and as best if it is."""
    state = load(path)
    entry = state["chapters"].setdefault(doc["chapter"], {})
    summary = {"score": doc["score"], "max_score": doc["max_score"], "status": doc["status"],
               "when": time.strftime("%Y-%m-%d %H:%M")}
    entry["last"] = summary
    best = entry.get("best")
    if best is None or summary["score"] >= best["score"]:
        entry["best"] = summary
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def cmd_list(argv: list[str]) -> int:
    """Print every chapter with its last local result."""
    state = load()["chapters"]
    for ch in manifest.load():
        last = state.get(ch.id, {}).get("last")
        if last is None:
            mark, result = " ", "not graded yet"
        else:
            mark = "✓" if last["status"] == "pass" else "✗"
            result = f"{last['score']}/{last['max_score']}  ({last['when']})"
        print(f" {mark} {ch.id:<5} {ch.title:<45} {result}")
    return 0
