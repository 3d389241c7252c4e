"""What the sandbox adds to a grade: sandboxed vs unsandboxed, measured side by side in one run.

    .venv/bin/python benchmarks/sandbox_overhead.py [rounds]

Rounds alternate the two modes so a busy machine slows both alike. Figures: median wall time of
a whole grade (the fixture app "good", five checks) and of one app's life (spawn, ready, one
request, stop), each with the sandbox "off" (the baseline) and "auto" (every layer available
here), and the difference, as the median and the fastest round. Target: under 50 ms added to
a grade.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader import runner
from grader.liveapp import LiveApp
from grader.manifest import ROOT, Chapter
from grader.sandbox import layers, probe

APP = ROOT / "tests" / "fixtures" / "apps" / "good"
CHAPTER = Chapter(id="ch99", slug="bench", title="Bench", app="app",
                  extra={"checks": str(ROOT / "tests" / "fixtures" / "checks_basic.py")})


def one_grade(mode: str) -> float:
    os.environ["FLASKLINGS_SANDBOX"] = mode
    started = time.perf_counter()
    doc = runner.grade(CHAPTER, APP)
    took = time.perf_counter() - started
    assert doc["status"] == "pass", doc
    return took


def one_life(mode: str) -> float:
    started = time.perf_counter()
    app = LiveApp(APP, target="app", sandbox=mode)
    try:
        app.start()
        with requests.Session() as session:
            session.trust_env = False  # no proxy lookup on loopback, as the grader's client
            session.get(app.base_url + "/", timeout=5).raise_for_status()
    finally:
        app.cleanup()
    return time.perf_counter() - started


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    started = time.perf_counter()
    layers.detect()
    probe_ms = (time.perf_counter() - started) * 1000
    active = [layer["layer"] for layer in probe() if layer["active"]]
    print(f"layers active: {', '.join(active)}")
    print(f"probe (once per process, cached): {probe_ms:.1f} ms")
    for label, fn in (("app life (spawn, ready, 1 GET, stop)", one_life), ("whole grade", one_grade)):
        fn("off"), fn("auto")  # warm-up: imports, page cache
        times = {"off": [], "auto": []}
        for _ in range(rounds):
            for mode in ("off", "auto"):
                times[mode].append(fn(mode))
        # The fastest round is the one a busy machine disturbed least; both are shown.
        for name, pick in (("median", statistics.median), ("fastest", min)):
            off, auto = (pick(times[m]) * 1000 for m in ("off", "auto"))
            print(f"{label}, {name} of {rounds}: off {off:.0f} ms (baseline), "
                  f"sandboxed {auto:.0f} ms, added {auto - off:+.0f} ms")


if __name__ == "__main__":
    main()
