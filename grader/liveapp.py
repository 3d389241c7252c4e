"""Start a student's app in a subprocess as a live server, and always stop it again."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader.manifest import ROOT

STARTUP_TIMEOUT = 10.0
LOG_TAIL = 4000


@dataclass
class StartupError(Exception):
    """The app never started serving; ``kind`` names the outcome."""

    kind: str
    message: str
    detail: str = ""
    output: str = ""

    def __str__(self) -> str:
        return self.message


OUTCOMES = {
    "syntax_error": "Syntax error",
    "import_error": "Your code raised an exception while the app was being created",
    "no_app": "No app found",
    "exited": "The app exited while starting",
    "never_ready": "The app never became ready",
    "crashed": "The app crashed",
}


def _child_env(extra: dict[str, str] | None) -> dict[str, str]:
    """Build the app's environment: ours without FLASK_* settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # The launcher lives in this repository, which may not be installed in the venv.
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    env.update(extra or {})
    return env


@dataclass
class LiveApp:
    """One running copy of the student's app, reachable at ``base_url``."""

    folder: Path
    target: str = "linkly"
    env: dict[str, str] | None = None
    server: str = "werkzeug"
    workers: int = 2
    startup_timeout: float = STARTUP_TIMEOUT
    proc: subprocess.Popen | None = None
    port: int = 0
    run_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="flasklings-")))
    _events_read: int = 0
    _status_r: int = -1
    _sock: socket.socket | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.run_dir / "app.log"

    @property
    def events_path(self) -> Path:
        return self.run_dir / "events.jsonl"

    def spawn(self) -> "LiveApp":
        """Open the socket and start the process; do not wait for it (see ``wait_ready``)."""
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(128)
        self.port = self._sock.getsockname()[1]
        status_r, status_w = os.pipe()
        self._status_r = status_r
        fd = self._sock.fileno()
        cmd = [
            sys.executable, "-m", "grader.launcher",
            "--app", self.target, "--fd", str(fd), "--status-fd", str(status_w),
            "--events", str(self.events_path), "--server", self.server,
            "--workers", str(self.workers),
        ]
        self.events_path.touch()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.folder,
                env=_child_env(self.env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(fd, status_w),
                start_new_session=True,
            )
        os.close(status_w)
        return self

    def wait_ready(self) -> None:
        """Block until the app says it serves; raise StartupError naming why it does not."""
        deadline = time.monotonic() + self.startup_timeout
        buf = b""
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.stop()
                    raise StartupError(
                        "never_ready",
                        f"the app did not finish starting within {self.startup_timeout:g} s. "
                        "Something at import time or in create_app() never returns "
                        "(an endless loop, a blocking call, a server started by hand?).",
                        output=self.output(),
                    )
                readable, _, _ = select.select([self._status_r], [], [], left)
                if not readable:
                    continue
                chunk = os.read(self._status_r, 65536)
                if not chunk:
                    break
                buf += chunk
        finally:
            os.close(self._status_r)
            self._status_r = -1
        if not buf.strip():
            code = self.proc.wait(timeout=5) if self.proc else None
            raise StartupError(
                "exited",
                f"the app's process ended (exit status {code}) before it started serving",
                output=self.output(),
            )
        record = json.loads(buf.split(b"\n", 1)[0])
        if record.get("event") != "ready":
            self.stop()
            raise StartupError(
                record.get("kind", "crashed"),
                record.get("message", "the app failed to start"),
                detail=record.get("detail", ""),
                output=self.output(),
            )

    def start(self) -> "LiveApp":
        """Spawn the app and wait until it serves."""
        self.spawn()
        self.wait_ready()
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def exit_description(self) -> str:
        code = self.proc.returncode if self.proc else None
        if code is not None and code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def dump_stacks(self) -> None:
        """Ask the app where its in-flight requests are stuck (werkzeug mode only)."""
        if self.alive() and self.server == "werkzeug":
            try:
                os.kill(self.proc.pid, signal.SIGUSR1)
            except ProcessLookupError:
                pass
            time.sleep(0.05)

    def new_events(self) -> list[dict]:
        """Return events the app wrote since the last call."""
        try:
            with open(self.events_path, "rb") as f:
                f.seek(self._events_read)
                data = f.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self._events_read += end
        out = []
        for line in data[:end].splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
        return out

    def output(self, limit: int = LOG_TAIL) -> str:
        """Return the app's own output, keeping the head and tail when it is long."""
        try:
            data = self.log_path.read_bytes()
        except FileNotFoundError:
            return ""
        text = data.decode("utf-8", "replace")
        text = text.replace(str(self.folder) + os.sep, "")
        if len(text) > limit:
            half = limit // 2
            cut = len(text) - limit
            text = f"{text[:half]}\n[... {cut} characters cut ...]\n{text[-half:]}"
        return text

    def stop(self) -> None:
        """Stop the app and every process it started: terminate, wait, then kill."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self.proc is None:
            return
        if self.proc.poll() is None:
            sig = signal.SIGQUIT if self.server == "gunicorn" else signal.SIGTERM
            _killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        # Whatever the app forked in its session goes too.
        _killpg(self.proc.pid, signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def cleanup(self) -> None:
        self.stop()
        for p in (self.log_path, self.events_path):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        try:
            self.run_dir.rmdir()
        except OSError:
            pass


def _killpg(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
