"""The embedded grading pool: a few threads, each running one job at a time in a child process.

Grading runs pytest in-process, which is not thread-safe, so every job gets its own process,
forked from a forkserver that has already imported the grader (a fresh interpreter per job
would spend most of a grade importing). The thread only claims, waits and enforces the time
limit. Claims go through the database, so several pools (one per gunicorn worker, say) share
the queue safely.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
import time

from classroom import db, jobs, sweeper

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
        self._mp = multiprocessing.get_context("forkserver")
        self._mp.set_forkserver_preload(["classroom.jobs", "grader.runner", "grader.plugin",
                                         "pytest", "requests"])

    def start(self) -> Pool:
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
            except Exception as exc:  # noqa: BLE001 — the database may be briefly away; try again
                print(f"classroom: grading pool: {exc}", file=sys.stderr)
                claimed = None
            if claimed is None:
                self.wake.wait(POLL_S)
                self.wake.clear()
                continue
            self._run(*claimed)

    def _run(self, job_id: int, attempt: int) -> None:
        proc = self._mp.Process(target=jobs.run_job, args=(job_id, self.settings, attempt),
                                name=f"grade-job-{job_id}", daemon=False)
        proc.start()
        proc.join(float(self.settings["job_timeout"]))
        if proc.exitcode is None:
            proc.kill()
            proc.join()
            jobs.finish(self.sessions, job_id, attempt, None,
                        f"grading took longer than {self.settings['job_timeout']} s")
        elif proc.exitcode != 0:
            # The job writes its own outcome; this catches a child that died before it could.
            jobs.finish(self.sessions, job_id, attempt, None,
                        f"the grading process died (exit status {proc.exitcode})")
