"""The embedded grading pool: a few threads, each running one job at a time in a child process.

Grading imports pytest and runs it in-process, which is not thread-safe, so every job gets its
own ``python -m classroom run-job`` process; the thread only claims, waits and enforces the time
limit. Claims go through the database, so several pools (one per gunicorn worker, say) share the
queue safely.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

from classroom import db, jobs, sweeper
from grader.manifest import ROOT

POLL_S = 1.0


class Pool:
    def __init__(self, size: int, settings: dict):
        self.size = size
        self.settings = settings
        self.sessions = db.sessions(settings["database_url"])
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self._last_sweep = 0.0
        self._sweep_lock = threading.Lock()

    def start(self) -> "Pool":
        for i in range(self.size):
            t = threading.Thread(target=self._loop, daemon=True, name=f"grading-{i}")
            t.start()
            self.threads.append(t)
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def _maybe_sweep(self) -> None:
        every = float(self.settings["heartbeat_timeout"]) / 2
        if time.monotonic() - self._last_sweep < every or not self._sweep_lock.acquire(False):
            return
        try:
            self._last_sweep = time.monotonic()
            if sweeper.sweep(self.sessions, float(self.settings["heartbeat_timeout"]),
                             int(self.settings["max_attempts"])):
                self.wake.set()
        finally:
            self._sweep_lock.release()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                self._maybe_sweep()
                claimed = jobs.claim(self.sessions)
            except Exception as exc:  # the database may be briefly away; try again
                print(f"classroom: grading pool: {exc}", file=sys.stderr)
                claimed = None
            if claimed is None:
                self.wake.wait(POLL_S)
                self.wake.clear()
                continue
            self._run(*claimed)

    def _run(self, job_id: int, attempt: int) -> None:
        env = dict(os.environ)
        env[jobs.SETTINGS_ENV] = json.dumps(self.settings)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        cmd = [sys.executable, "-m", "classroom", "run-job", str(job_id), "--attempt",
               str(attempt)]
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _, err = proc.communicate(timeout=float(self.settings["job_timeout"]))
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            jobs.finish(self.sessions, job_id, attempt, None,
                        f"grading took longer than {self.settings['job_timeout']} s")
            return
        if proc.returncode != 0:
            # The job writes its own outcome; this catches a child that died before it could.
            jobs.finish(self.sessions, job_id, attempt, None,
                        f"grading process exited {proc.returncode}: "
                        f"{err.decode('utf-8', 'replace')[-2000:]}")
