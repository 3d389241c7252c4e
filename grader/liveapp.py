"""Start a student's app in a subprocess as a live server, and always stop it again."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from grader import sandbox as _sandbox
from grader.manifest import ROOT
from grader.results import head_tail

STARTUP_TIMEOUT = 10.0
LOG_TAIL = 4000
STATUS_CAP = 1 << 16  # the launcher's one status line is far shorter


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
    **_sandbox.OUTCOMES,
}
# What the app is told when the sandbox, not the student's code, ended it.
_VERDICTS = {
    "timeout": "the app was stopped: it ran longer than the {limits.wall:g} s a run may take. "
               "Look for a call that never returns (a sleep, a blocking read, a lock).",
    "timeout_cpu": "the app was stopped: it used more than {limits.cpu} s of CPU time. Look for "
                   "a loop that never ends.",
    "output_flood": "the app was stopped: it printed more than {limits.output} bytes. Look for "
                    "a print or log call inside a loop.",
    "disk_limit": "the app was stopped: it wrote a file larger than {limits.file_size} bytes",
    "out_of_memory": "the app was stopped: its processes together used more than "
                     "{limits.total_memory} bytes of memory",
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


def app_env(chapter, folder: Path, scratch: Path,
            extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for one copy of the app: the chapter's, a fresh instance folder, ``extra``.

    The instance folder is a per-copy writable copy of ``folder/instance`` (if any), so a grade
    never writes into the graded folder and copies never share a database.
    """
    instance = Path(tempfile.mkdtemp(prefix="instance-", dir=scratch))
    if (folder / "instance").is_dir():
        shutil.copytree(folder / "instance", instance, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.sqlite", "*.db", "__pycache__"))
    env = {k: str(v).replace("{instance}", str(instance))
           for k, v in chapter.extra.get("env", {}).items()}
    env["FLASKLINGS_INSTANCE"] = str(instance)
    env.update(extra or {})
    # A value of None removes the variable: a check can start the app without a setting.
    return {k: v for k, v in env.items() if v is not None}


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
    # "auto" | "required" | "off"; None: FLASKLINGS_SANDBOX, else "auto" (grader/sandbox/README)
    sandbox: str | None = None
    limits: _sandbox.Limits | None = None
    _run: _sandbox.Run | None = None
    _spawn_error: StartupError | None = None
    _events_fd: int = -1
    _pidfd: int = -1
    notes: list[str] = field(default_factory=list)  # the launcher's notes for the student

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.run_dir / "app.log"

    @property
    def events_path(self) -> Path:
        return self.run_dir / "events.jsonl"

    def fresh(self) -> LiveApp:
        """A new, unstarted copy of this app with the same settings."""
        return LiveApp(self.folder, self.target, self.env, self.server, self.workers,
                       self.startup_timeout, sandbox=self.sandbox, limits=self.limits)

    def spawn(self) -> LiveApp:
        """Open the socket and start the process; do not wait for it (see ``wait_ready``)."""
        try:
            if _sandbox.mode_from_env(self.sandbox) != "off":
                self._run = _sandbox.Run(self.folder, _sandbox.mode_from_env(self.sandbox),
                                        self.limits, writable=self._writable())
                self._run.prepare(self.run_dir)
        except (_sandbox.SandboxFailure, OSError) as exc:
            self._spawn_error = StartupError("sandbox_failure", f"the sandbox failed: {exc}")
            if self._run is not None:
                self._run.close()
            return self
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
        if self._run is not None:
            return self._spawn_sandboxed(cmd, fd, status_w)
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

    def _spawn_sandboxed(self, cmd: list[str], fd: int, status_w: int) -> LiveApp:
        self._events_fd = os.open(self.events_path, os.O_WRONLY | os.O_APPEND)
        cmd[cmd.index("--events") + 1] = f"fd:{self._events_fd}"
        out_r, out_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                self._run.command(cmd + self._run.launcher_args()),
                cwd=self.folder,
                env=self._run.env(_child_env(None), self.env or {}),
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=subprocess.STDOUT,
                pass_fds=(fd, status_w, self._events_fd),
                start_new_session=True,
            )
        except OSError as exc:
            os.close(out_r)
            self._spawn_error = StartupError("sandbox_failure",
                                             f"the sandbox could not start the app: {exc}")
            self._run.close()
            return self
        finally:
            os.close(out_w)
            os.close(status_w)
        self._run.started(self.proc, out_r)
        return self

    def _writable(self) -> tuple[Path, ...]:
        """Folders outside the app's own that it may write: its instance folder."""
        instance = (self.env or {}).get("FLASKLINGS_INSTANCE")
        return (Path(instance),) if instance and Path(instance).is_dir() else ()

    def infrastructure_outcome(self) -> str | None:
        """The sandbox's verdict if it ended the app (timeout, output_flood, ...), else None."""
        return self._run.exit_verdict() if self._run is not None else None

    def _verdict_key(self, verdict: str) -> str:
        return "timeout_cpu" if verdict == "timeout" and self._run.cause == "cpu" else verdict

    def _verdict_error(self, fallback: StartupError) -> StartupError:
        verdict = self.infrastructure_outcome()
        output = self.output()
        if verdict is None and output.startswith(("bwrap:", "setpriv:", "flasklings-sandbox:")):
            verdict = "sandbox_failure"
        if verdict is None:
            return fallback
        message = _VERDICTS.get(self._verdict_key(verdict),
                                _sandbox.OUTCOMES.get(verdict, verdict))
        if verdict == "sandbox_failure":
            message = f"the sandbox could not start the app: {output.strip()[:500]}"
        return StartupError(verdict, message.format(limits=self._run.limits), output=output)

    def wait_ready(self) -> None:
        """Block until the app says it serves; raise StartupError naming why it does not."""
        if self._spawn_error is not None:
            raise self._spawn_error
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
                if len(buf) > STATUS_CAP and b"\n" not in buf:
                    # Only student code writes this much here: never hold it all in memory.
                    self.stop()
                    raise StartupError("crashed", "the app wrote over the grader's status "
                                       "channel instead of starting", output=self.output())
        finally:
            os.close(self._status_r)
            self._status_r = -1
        if not buf.strip():
            ended = "the app's process ended ({}) before it started serving"
            if self.proc:
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    # Only student code closes the status channel and runs on.
                    ended = "the app closed the grader's status channel before it started serving"
            error = self._verdict_error(StartupError(
                "exited", ended.format(self.exit_description()), output=self.output()))
            self.stop()  # let go of the sandbox's slot and run folder now, not at cleanup
            raise error
        try:
            record = json.loads(buf.split(b"\n", 1)[0])
            record.get("event")
        except (ValueError, AttributeError):
            self.stop()
            raise StartupError("crashed", "the app wrote over the grader's status channel "
                               "instead of starting", output=self.output()) from None
        if self._run is not None and self._run.layers.bwrap and hasattr(os, "pidfd_open"):
            try:
                self._pidfd = os.pidfd_open(self._launcher_pid())
            except OSError:
                pass
        if record.get("event") != "ready":
            self.stop()
            raise StartupError(
                record.get("kind", "crashed"),
                record.get("message", "the app failed to start"),
                detail=record.get("detail", ""),
                output=self.output(),
            )
        self.notes = [str(n) for n in record.get("notes") or []]

    def start(self) -> LiveApp:
        """Spawn the app and wait until it serves."""
        self.spawn()
        self.wait_ready()
        return self

    def alive(self) -> bool:
        if self.proc is None or self.proc.poll() is not None:
            return False
        if self._pidfd >= 0:
            # Under bubblewrap the launcher dies a moment before bwrap itself notices.
            readable, _, _ = select.select([self._pidfd], [], [], 0)
            return not readable
        return True

    def death(self) -> tuple[str, str]:
        """Name why the app's process ended: the sandbox's verdict, or "crashed"."""
        if self.proc is not None and self.proc.poll() is None:
            try:  # the launcher is gone; bubblewrap follows within milliseconds
                self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        verdict = self.infrastructure_outcome()
        if verdict in _VERDICTS:
            return verdict, _VERDICTS[self._verdict_key(verdict)].format(limits=self._run.limits)
        return "crashed", f"the app's process died during this check ({self.exit_description()})"

    def exit_description(self) -> str:
        code = self.proc.returncode if self.proc else None
        if self._run is not None and self._run.layers.bwrap and code and code > 128:
            code = 128 - code  # bubblewrap reports a child's signal as 128 + its number
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
                os.kill(self._launcher_pid(), signal.SIGUSR1)
            except ProcessLookupError:
                pass
            time.sleep(0.05)

    def _launcher_pid(self) -> int:
        """The launcher's pid as this host sees it (under bubblewrap it is a grandchild)."""
        pid = self.proc.pid
        if self._run is None or not self._run.layers.bwrap:
            return pid
        for _ in range(4):  # bwrap -> its init -> the launcher (setpriv execs in place)
            try:
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    kids = f.read().split()
            except OSError:
                return pid
            if not kids:
                return pid
            pid = int(kids[0])
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                if b"grader.launcher" in argv and not argv[0].endswith(b"bwrap"):
                    return pid
            except OSError:
                return pid
        return pid

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
        if self._run is not None:
            text = self._run.output()
        else:
            try:
                text = self.log_path.read_bytes().decode("utf-8", "replace")
            except FileNotFoundError:
                return ""
        return head_tail(text.replace(str(self.folder) + os.sep, ""), limit)

    def stop(self) -> None:
        """Stop the app and every process it started: terminate, wait, then kill."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._run is not None:
            # Quick and total: SIGKILL the sandbox, then whatever the slot uid still runs.
            self._run.close()
            for name in ("_events_fd", "_pidfd"):
                if getattr(self, name) >= 0:
                    os.close(getattr(self, name))
                    setattr(self, name, -1)
            return
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
