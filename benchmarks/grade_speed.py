"""Median wall time of `python -m grader CHAPTER --solution` beside the floor, in one run.

    python benchmarks/grade_speed.py [--chapter ch2] [--runs 10] [--all]

The floor (benchmarks/floor_app.py) spawns a minimal Flask app with make_server, makes as many
requests as the grade makes, and stops it: whole-process wall time, like the grade's. With
--all it also times grading every chapter's solution in turn (the whole course).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import manifest


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="ch2")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--all", action="store_true", help="also time the whole course")
    args = parser.parse_args()
    chapter = manifest.find(args.chapter)

    probe = subprocess.run([sys.executable, "-m", "grader", chapter.id, "--solution", "--json"],
                           cwd=ROOT, capture_output=True, text=True, check=False)
    doc = json.loads(probe.stdout)
    n_requests = sum(t.get("requests", 0) for t in doc["tests"])
    grade_cmd = [sys.executable, "-m", "grader", chapter.id, "--solution"]
    floor_cmd = [sys.executable, str(ROOT / "benchmarks" / "floor_app.py"), str(n_requests)]

    wall(grade_cmd), wall(floor_cmd)  # warm the page cache
    grades, floors = [], []
    for _ in range(args.runs):  # interleaved, so drift hits both alike
        floors.append(wall(floor_cmd))
        grades.append(wall(grade_cmd))
    g, f = statistics.median(grades), statistics.median(floors)
    print(f"chapter              {chapter.id} ({len(doc['tests'])} checks, {n_requests} requests, "
          f"score {doc['score']}/{doc['max_score']})")
    print(f"floor (spawn+{n_requests} GETs)  median {f:.3f} s  (min {min(floors):.3f})")
    print(f"grader --solution    median {g:.3f} s  (min {min(grades):.3f})")
    print(f"ratio                {g / f:.2f}x the floor (target <= 1.5x)")
    if args.all:
        chapters = manifest.load()
        start = time.perf_counter()
        for ch in chapters:
            wall([sys.executable, "-m", "grader", ch.id, "--solution"])
        total = time.perf_counter() - start
        print(f"whole course         {len(chapters)} chapters graded in {total:.2f} s "
              f"({total / len(chapters):.2f} s per chapter)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
