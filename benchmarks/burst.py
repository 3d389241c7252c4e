"""A deadline burst against a real classroom: N students submit within a short window.

    python benchmarks/burst.py [--students 300] [--window 20] [--backend sqlite|postgres]
                               [--workers 2] [--threads 2]

sqlite:   web server on SQLite, grading by `python -m classroom worker` processes running the
          embedded pool (no Redis).
postgres: web server on PostgreSQL (127.0.0.1:5432, a throwaway database), grading by RQ workers
          on Redis (127.0.0.1:6379, a throwaway queue prefix).

During the burst a tenth of the students submit a second, different version and a twentieth
send the same files again (which must be recognised, not graded twice); one worker is killed
with SIGKILL (with its job processes) and restarted. Printed: submissions accepted, graded,
lost (acknowledged but not graded: must be 0), duplicate-graded, re-runs after the kill,
gradings per second per core, submit-to-graded latency percentiles, and web latency p50/p99
measured while the burst runs. The baseline, measured in the same run, is one grade of the same
chapter done directly with grader.runner.grade: the cost the queue cannot go below.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import manifest, runner
from grader.submit import pack

PY = sys.executable
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


class Room:
    def __init__(self, backend: str, instance: Path):
        self.backend = backend
        self.instance = instance
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("CLASSROOM_", "FLASK_"))
                    and k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update({"CLASSROOM_INSTANCE": str(instance), "PYTHONPATH": str(ROOT),
                         "CLASSROOM_GRADING_WORKERS": "0",  # grading only in the workers
                         "CLASSROOM_HEARTBEAT_INTERVAL": "1", "CLASSROOM_HEARTBEAT_TIMEOUT": "6",
                         "CLASSROOM_SUBMIT_LIMIT": "1000/minute",
                         "CLASSROOM_HIDDEN_CHECKS_DIR": str(instance / "hidden")})
        self.db_name = ""
        if backend == "postgres":
            self.db_name = f"classroom_burst_{secrets.token_hex(4)}"
            with create_engine(f"{PG}/test", isolation_level="AUTOCOMMIT").connect() as c:
                c.execute(text(f"CREATE DATABASE {self.db_name}"))
            self.env.update({"DATABASE_URL": f"{PG}/{self.db_name}", "REDIS_URL": REDIS,
                             "CLASSROOM_QUEUE_PREFIX": f"burst-{secrets.token_hex(4)}"})
            self.url_db = f"{PG}/{self.db_name}"
        else:
            self.url_db = f"sqlite:///{instance / 'classroom.sqlite'}"
        self.web = None
        self.url = ""
        self.engine = create_engine(self.url_db)

    def cli(self, *args: str, input: str | None = None) -> str:
        return subprocess.run([PY, "-m", "classroom", *args], env=self.env, cwd=ROOT, input=input,
                              capture_output=True, text=True, check=True).stdout

    def start_web(self) -> None:
        # Production shape: gunicorn with threads, as the README's deployment guide runs it.
        self.web = subprocess.Popen(
            [PY, "-m", "gunicorn", "-w", "2", "--threads", "8", "-b", "127.0.0.1:0",
             "--access-logfile", "-", "classroom:create_app()"],
            env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while True:
            line = self.web.stderr.readline()
            if not line:
                raise SystemExit("gunicorn did not start")
            if "Listening at: " in line:
                self.url = line.split("Listening at: ")[1].split()[0]
                break
        threading.Thread(target=self.web.stderr.read, daemon=True).start()

    def worker(self, threads: int) -> subprocess.Popen:
        return subprocess.Popen([PY, "-m", "classroom", "worker", "--threads", str(threads)],
                                env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def sql(self, query: str):
        with self.engine.connect() as c:
            return c.execute(text(query)).all()

    def close(self) -> None:
        if self.web and self.web.poll() is None:
            self.web.terminate()
            self.web.wait(timeout=20)
        self.engine.dispose()
        if self.db_name:
            with create_engine(f"{PG}/test", isolation_level="AUTOCOMMIT").connect() as c:
                c.execute(text(f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)"))


def kill_worker_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a worker and every process it started (RQ horses use their own group)."""
    try:
        children = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True,
                                  text=True, check=False).stdout.split()
        horses = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                text=True, check=False).stdout.split()
        for pid in set(children + horses):
            try:
                os.killpg(os.getpgid(int(pid)), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def baseline(chapter, rounds: int = 3) -> float:
    """Median seconds for one direct grade of the solution, in this run, on this machine."""
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        runner.grade(chapter, chapter.solution_dir)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=300)
    ap.add_argument("--window", type=float, default=20.0, help="seconds the submissions span")
    ap.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--workers", type=int, default=2, help="worker processes")
    ap.add_argument("--threads", type=int, default=1, help="jobs at once per worker (pool mode)")
    ap.add_argument("--chapter", default="ch1")
    args = ap.parse_args()
    chapter = manifest.find(args.chapter)
    cores = os.cpu_count() or 1

    print(f"burst: {args.students} students, {args.window:g} s window, {args.backend}, "
          f"{args.workers} workers, {cores} cores")
    base = baseline(chapter)
    print(f"baseline: one direct grade of {chapter.id} = {base:.3f} s "
          f"(≈ {1 / base:.2f} gradings/s on one core)")

    instance = Path(tempfile.mkdtemp(prefix="classroom-burst-"))
    room = Room(args.backend, instance)
    workers: list[subprocess.Popen] = []
    try:
        (instance / "hidden").mkdir()
        room.cli("init", "--email", "prof@example.edu", "--password-stdin",
                 input="burst-password\n")
        roster = instance / "roster.csv"
        roster.write_text("".join(f"Student {i},s{i}@example.edu,S{i % 4}\n"
                                  for i in range(args.students)))
        tokens = [line.split(",")[1] for line in room.cli("import-roster", str(roster))
                  .splitlines()[1:]]
        room.start_web()
        workers = [room.worker(args.threads) for _ in range(args.workers)]

        good, _ = pack(chapter.solution_dir)
        other, _ = pack(chapter.exercise_dir)
        rng = random.Random(7)
        plan = []  # (offset s, token, archive)
        for tok in tokens:
            plan.append((rng.uniform(0, args.window), tok, good if rng.random() < 0.7 else other))
            r = rng.random()
            if r < 0.10:
                plan.append((rng.uniform(0, args.window), tok,
                             other if plan[-1][2] is good else good))
            elif r < 0.15:
                plan.append((rng.uniform(0, args.window), tok, plan[-1][2]))
        plan.sort()

        web_ms: dict[str, list[float]] = {"POST": [], "GET": []}
        receipts: dict[int, dict] = {}
        refused: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        slow: list[tuple[float, float, str]] = []

        def timed(method, url, **kw):
            t = time.perf_counter()
            resp = requests.request(method, url, timeout=30, **kw)
            ms = (time.perf_counter() - t) * 1000
            with lock:
                web_ms[method].append(ms)
                slow.append((ms, time.monotonic() - t0, method))
            return resp

        # A server is warm before a deadline: one round through each path first.
        for tok in tokens[:4]:
            requests.get(f"{room.url}/api/me", headers={"Authorization": f"Bearer {tok}"},
                         timeout=30)
            requests.post(f"{room.url}/api/submissions", headers={"Authorization": f"Bearer {tok}"},
                          data={"chapter": chapter.id}, files={"archive": ("c.zip", b"warm-up")},
                          timeout=30)
        t0 = time.monotonic()

        def submit(item):
            offset, tok, data = item
            delay = offset - (time.monotonic() - t0)
            if delay > 0:
                time.sleep(delay)
            try:
                r = timed("POST", f"{room.url}/api/submissions",
                          headers={"Authorization": f"Bearer {tok}"}, data={"chapter": chapter.id},
                          files={"archive": ("c.zip", data, "application/zip")})
            except requests.RequestException as exc:
                with lock:
                    refused.append(type(exc).__name__)
                return
            if r.status_code in (200, 201):
                with lock:
                    receipts.setdefault(r.json()["id"], {"tok": tok, "dups": 0})
                    receipts[r.json()["id"]]["dups"] += r.status_code == 200
            else:
                with lock:
                    refused.append(str(r.status_code))

        def poll_pages():
            # Students refreshing their results while the burst runs: the web p99 under load.
            while not stop.is_set():
                with lock:
                    sample = rng.sample(list(receipts.items()), min(4, len(receipts)))
                for sid, info in sample:
                    try:
                        timed("GET", f"{room.url}/api/submissions/{sid}",
                              headers={"Authorization": f"Bearer {info['tok']}"})
                    except requests.RequestException:
                        pass
                time.sleep(0.5)

        pollers = [threading.Thread(target=poll_pages, daemon=True) for _ in range(2)]
        for p in pollers:
            p.start()

        def chaos():
            # Kill one worker (with its jobs) a third of the way in; restart it shortly after.
            time.sleep(args.window / 3)
            kill_worker_tree(workers[0])
            print(f"chaos: killed worker pid {workers[0].pid} at "
                  f"{time.monotonic() - t0:.1f} s", flush=True)
            time.sleep(2)
            workers[0] = room.worker(args.threads)

        killer = threading.Thread(target=chaos)
        killer.start()
        with ThreadPoolExecutor(max_workers=48) as pool:
            list(pool.map(submit, plan))
        burst_end = time.monotonic() - t0
        killer.join()

        deadline = time.monotonic() + max(180.0, 4 * len(receipts) * base / cores + 60)
        while time.monotonic() < deadline:
            left = room.sql("SELECT count(*) FROM submissions WHERE state IN ('queued', "
                            "'running')")[0][0]
            if left == 0:
                break
            time.sleep(0.5)
        drained = time.monotonic() - t0
        stop.set()
        for p in pollers:
            p.join()

        rows = room.sql("SELECT id, state, submitted_at, graded_at FROM submissions")
        by_id = {r[0]: r for r in rows}
        lost = [sid for sid in receipts if sid not in by_id or by_id[sid][1] != "done"]
        graded = [r for r in rows if r[1] == "done"]
        jobs = room.sql("SELECT submission_id, state, attempt FROM jobs")
        runs = []
        for started, finished in room.sql("SELECT started_at, finished_at FROM jobs "
                                          "WHERE state = 'done'"):
            if isinstance(started, str):
                started, finished = datetime.fromisoformat(started), \
                    datetime.fromisoformat(finished)
            runs.append((finished - started).total_seconds())
        done_per_sub: dict[int, int] = {}
        for sid, state, _ in jobs:
            done_per_sub[sid] = done_per_sub.get(sid, 0) + (state == "done")
        dup_graded = sum(1 for n in done_per_sub.values() if n > 1)
        reruns = sum(1 for j in jobs if j[2] > 1)
        lat = []
        for r in graded:
            sub_at, graded_at = r[2], r[3]
            if isinstance(sub_at, str):  # SQLite hands raw SQL's datetimes back as text
                sub_at, graded_at = datetime.fromisoformat(sub_at), \
                    datetime.fromisoformat(graded_at)
            lat.append((graded_at - sub_at).total_seconds())
        gradings = len([j for j in jobs if j[1] == "done"]) + reruns
        print(f"submissions sent: {len(plan)}  accepted: {len(receipts)} new + "
              f"{sum(v['dups'] for v in receipts.values())} recognised duplicates  "
              f"refused: {len(refused)} {sorted(set(refused))}")
        print(f"graded: {len(graded)}  lost: {len(lost)}  duplicate-graded: {dup_graded}  "
              f"re-runs after the kill: {reruns}")
        print(f"burst lasted {burst_end:.1f} s; queue drained at {drained:.1f} s after the first "
              f"submission")
        thr = gradings / drained / cores
        print(f"throughput: {gradings / drained:.2f} gradings/s = {thr:.2f} per core "
              f"(baseline {1 / base:.2f} per core-second of direct grading)")
        need = gradings * base / cores
        print(f"the gradings alone need ≈ {need:.1f} s on {cores} cores (at the baseline); "
              f"drained in {drained:.1f} s ({drained / need:.2f}×)")
        print(f"one job's run time in a worker s: p50 {pct(runs, 50):.2f}  p90 {pct(runs, 90):.2f}"
              f" (baseline {base:.2f}); load average now {os.getloadavg()[0]:.1f}")
        print(f"submit→graded latency s: p50 {pct(lat, 50):.1f}  p90 {pct(lat, 90):.1f}  "
              f"p99 {pct(lat, 99):.1f}  max {max(lat, default=float('nan')):.1f}")
        every = web_ms["POST"] + web_ms["GET"]
        print(f"web latency ms under load ({len(every)} requests): p50 {pct(every, 50):.0f}  "
              f"p99 {pct(every, 99):.0f}  (submit p50 {pct(web_ms['POST'], 50):.0f} "
              f"p99 {pct(web_ms['POST'], 99):.0f}; result page p50 {pct(web_ms['GET'], 50):.0f} "
              f"p99 {pct(web_ms['GET'], 99):.0f})")
        worst = ", ".join(f"{m} {ms:.0f} ms at {at:.1f} s" for ms, at, m in sorted(slow)[-5:])
        print(f"slowest web requests: {worst}")
        return 0 if not lost else 1
    finally:
        for w in workers:
            if w.poll() is None:
                kill_worker_tree(w)
        room.close()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
