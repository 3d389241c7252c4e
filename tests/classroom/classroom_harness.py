"""Run a real classroom server in a subprocess for the tests, and talk to its database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
HIDDEN = Path(__file__).resolve().parent / "hidden"
INSTRUCTOR = ("prof@example.edu", "correct horse battery")
ROSTER = ("name,email,section\nAda Lovelace,ada@example.edu,A\nAlan Turing,alan@example.edu,B\n"
          "Grace Hopper,grace@example.edu,A\nRate Limited,rate@example.edu,B\n"
          "Katherine Johnson,kj@example.edu,B\nMary Jackson,mary@example.edu,A\n")


@dataclass
class Classroom:
    instance: Path
    extra_env: dict = field(default_factory=dict)
    proc: subprocess.Popen | None = None
    url: str = ""
    tokens: dict = field(default_factory=dict)

    @property
    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CLASSROOM_", "FLASK_")) and k not in ("DATABASE_URL",
                                                                           "REDIS_URL")}
        env.update({
            "CLASSROOM_INSTANCE": str(self.instance),
            "CLASSROOM_HIDDEN_CHECKS_DIR": str(self.instance / "hidden_checks"),
            "CLASSROOM_MAX_CONTENT_LENGTH": str(64 * 1024),
            "CLASSROOM_HEARTBEAT_INTERVAL": "0.5",
            "CLASSROOM_HEARTBEAT_TIMEOUT": "3",
            "CLASSROOM_SUBMIT_LIMIT": "20/minute",
            "PYTHONPATH": str(ROOT),
        })
        env.update(self.extra_env)
        return env

    def cli(self, *args: str, input: str | None = None, check: bool = True):
        return subprocess.run([PY, "-m", "classroom", *args], env=self.env, cwd=ROOT,
                              input=input, capture_output=True, text=True, check=check,
                              timeout=60)

    def setup(self, roster: bool = True) -> Classroom:
        self.instance.mkdir(parents=True, exist_ok=True)
        # The hidden checks live on the server, outside this tree: pytest would otherwise pick
        # up the test suite's conftest.py while grading.
        shutil.copytree(HIDDEN, self.instance / "hidden_checks")
        self.cli("init", "--email", INSTRUCTOR[0], "--name", "Prof Test", "--password-stdin",
                 input=INSTRUCTOR[1] + "\n")
        if not roster:
            return self
        csv = self.instance / "roster.csv"
        csv.write_text(ROSTER, encoding="utf-8")
        out = self.cli("import-roster", str(csv)).stdout.splitlines()
        assert out[0] == "email,token"
        self.tokens = dict(line.split(",") for line in out[1:])
        return self

    def start(self) -> Classroom:
        self.proc = subprocess.Popen([PY, "-m", "classroom", "serve", "--port", "0"],
                                     env=self.env, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("Classroom serving on "), f"server did not start: {line!r}"
        self.url = line.split()[-1]
        return self

    def kill(self) -> None:
        """Stop the server the hard way, as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    @property
    def database_url(self) -> str:
        return self.extra_env.get("DATABASE_URL") or \
            f"sqlite:///{self.instance / 'classroom.sqlite'}"

    def worker(self, *args: str) -> subprocess.Popen:
        """Start ``python -m classroom worker`` in its own process group (to kill it whole)."""
        return subprocess.Popen([PY, "-m", "classroom", "worker", *args], env=self.env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)

    def sql(self, query: str, **params):
        eng = create_engine(self.database_url)
        try:
            with eng.begin() as conn:
                result = conn.execute(text(query), params)
                return result.all() if result.returns_rows else result.rowcount
        finally:
            eng.dispose()

    def count(self, table: str) -> int:
        return self.sql(f"SELECT count(*) FROM {table}")[0][0]

    def stored_files(self) -> list[str]:
        folder = self.instance / "submissions"
        return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


def wait_graded(session, url: str, sub_id: int, token: str, timeout: float = 60) -> dict:
    """Poll the API until submission ``sub_id`` is graded (or failed)."""
    end = time.monotonic() + timeout
    while True:
        r = session.get(f"{url}/api/submissions/{sub_id}",
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)
        r.raise_for_status()
        body = r.json()
        if body["state"] in ("done", "failed") or time.monotonic() > end:
            return body
        time.sleep(0.2)
