"""Save-to-redrawn-verdict latency of watch mode, beside a cold re-grade measured in the same run.

    python benchmarks/watch_latency.py [--chapter ch2] [--saves 15]

It copies the chapter's solution to a temporary folder, starts
`python -m grader watch CHAPTER --path TMP` as a student would (stdin a pipe, stdout read line
by line as it is written), then saves a file N times (a comment added, then removed: each save
changes the bytes) and times each save to the moment the new "Score" line arrives.

Baselines from the same run:
  cold re-grade   `python -m grader CHAPTER --path TMP`, i.e. what re-running the command by
                  hand costs (interpreter, imports, app, checks);
  grade alone     the in-process grade time watch mode reports for each re-grade, so the rest
                  of the latency is what watching adds (file event, debounce, redraw).
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import manifest
from grader.watch import STEP_MS

GRADED = re.compile(r"graded at \S+ in ([0-9.]+) s")


def pick_file(folder: Path) -> Path:
    """The file a student edits most: the app package's __init__.py, else any .py file."""
    for candidate in (folder / "linkly" / "__init__.py", *sorted(folder.rglob("*.py"))):
        if candidate.is_file():
            return candidate
    raise SystemExit(f"no Python file to save in {folder}")


def cold(chapter: str, folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", chapter, "--path", str(folder)], cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="ch2")
    parser.add_argument("--saves", type=int, default=15)
    args = parser.parse_args()
    chapter = manifest.find(args.chapter)

    with tempfile.TemporaryDirectory(prefix="flasklings-watch-bench-") as tmp:
        folder = Path(tmp) / chapter.slug
        shutil.copytree(chapter.solution_dir, folder,
                        ignore=shutil.ignore_patterns("__pycache__", "instance"))
        target = pick_file(folder)
        original = target.read_text(encoding="utf-8")

        env = dict(os.environ, NO_COLOR="1")
        proc = subprocess.Popen(
            [sys.executable, "-m", "grader", "watch", chapter.id, "--path", str(folder)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1)
        lines: queue.Queue = queue.Queue()

        def pump() -> None:
            for line in proc.stdout:
                lines.put((time.perf_counter(), line))

        threading.Thread(target=pump, daemon=True).start()

        def next_grade(timeout: float = 30.0) -> tuple[float, float, str]:
            """Wait for a re-grade: (time its Score line arrived, grade seconds, score)."""
            deadline = time.monotonic() + timeout
            score_at, score = None, ""
            while time.monotonic() < deadline:
                try:
                    when, line = lines.get(timeout=0.5)
                except queue.Empty:
                    continue
                if line.startswith("Score "):
                    score_at, score = when, line.split()[1]
                m = GRADED.search(line)
                if m and score_at is not None:
                    return score_at, float(m.group(1)), score
            raise SystemExit("watch mode stopped answering")

        try:
            next_grade()  # the first run
            time.sleep(0.5)
            latencies, grades, scores = [], [], set()
            for i in range(args.saves):
                text = original + ("\n# benchmark save\n" if i % 2 == 0 else "")
                saved = time.perf_counter()
                target.write_text(text, encoding="utf-8")
                shown, graded, score = next_grade()
                latencies.append(shown - saved)
                grades.append(graded)
                scores.add(score)
                time.sleep(0.3)  # a student reads before saving again
        finally:
            proc.stdin.write("q\n")
            proc.stdin.flush()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        colds = [cold(chapter.id, folder) for _ in range(max(5, args.saves // 3))]

    med = statistics.median
    print(f"chapter            {chapter.id} ({chapter.title}); saving "
          f"{target.relative_to(folder)}; scores seen {sorted(scores)}")
    print(f"save -> verdict    median {med(latencies):.3f} s  p90 {pct(latencies, 0.9):.3f}  "
          f"min {min(latencies):.3f}  max {max(latencies):.3f}  ({len(latencies)} saves)")
    print(f"grade alone        median {med(grades):.3f} s  (in the warm watch process)")
    print(f"watching adds      median {med(latencies) - med(grades):.3f} s  "
          f"(file event + {STEP_MS} ms settle + redraw)")
    print(f"cold re-grade      median {med(colds):.3f} s  (`python -m grader {chapter.id} "
          f"--path ...`, {len(colds)} runs)")
    print(f"watch vs cold      {med(latencies) / med(colds):.2f}x (target: about 0.3 s "
          f"save to verdict)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
