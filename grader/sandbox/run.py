"""One sandboxed run of the launcher: set up the layers, watch it, and tear it all down."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from grader.sandbox import bwrap, cgroups, layers, slots
from grader.sandbox.capture import Capture
from grader.sandbox.limits import Limits, LimitsError

MODES = ("auto", "required", "off")
KEEP = 32 * 1024
_noted = False
_SKIP = shutil.ignore_patterns("__pycache__", ".git", ".venv", "venv", "node_modules", ".tox")


class SandboxFailure(Exception):
    """The sandbox could not be set up; the message says what is missing."""


def mode_from_env(mode: str | None = None) -> str:
    """``mode`` if given, else ``FLASKLINGS_SANDBOX``, else "auto"."""
    mode = (mode or os.environ.get("FLASKLINGS_SANDBOX") or "auto").strip().lower()
    if mode not in MODES:
        raise SandboxFailure(f"FLASKLINGS_SANDBOX must be one of {', '.join(MODES)}, "
                             f"not {mode!r}")
    return mode


def _note_once(missing: list[str]) -> None:
    global _noted
    if missing and not _noted:
        _noted = True
        sys.stderr.write("flasklings: your app runs with fewer safety layers: "
                         + "; ".join(missing)
                         + ". (`python -m grader doctor` lists the layers.)\n")


class Run:
    """The layers around one copy of the app (not used at all in "off" mode)."""

    def __init__(self, folder: Path, mode: str, limits: Limits | None = None,
                 writable: tuple[Path, ...] = ()):
        self.folder = Path(folder).resolve()
        self.mode = mode
        try:
            self.limits = limits or Limits.from_env()
        except LimitsError as exc:
            raise SandboxFailure(str(exc)) from None
        self.layers = layers.detect()
        if mode == "required":
            missing = [m for m, ok in zip((self.layers.why_rlimits, self.layers.why_bwrap),
                                          (self.layers.rlimits, self.layers.bwrap)) if not ok]
            if layers._is_root() and not self.layers.uid:
                missing.append(self.layers.why_uid)
            if missing:
                raise SandboxFailure("the sandbox is required here but " + "; ".join(missing))
        else:
            _note_once(self.layers.missing())
        self.marker = f"FLASKLINGS_RUN={uuid.uuid4().hex}"
        self.writable = [Path(p).resolve() for p in writable]
        self.slot: slots.Slot | None = None
        self.group: cgroups.Group | None = None
        self.copy: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.capture: Capture | None = None
        self.verdict: str | None = None
        self.cause = ""  # for a timeout: "wall" (the deadline) or "cpu" (RLIMIT_CPU)
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._closed = False

    # -- before the process ----------------------------------------------------------------
    def prepare(self, run_dir: Path) -> None:
        """Take a uid slot and, under it, copy the submission into ``run_dir``."""
        if not self.layers.uid:
            return
        self.slot = slots.acquire()
        if self.slot is None:
            pool = slots.uid_range()
            raise SandboxFailure(f"every sandbox uid slot ({pool.start}-{pool.stop - 1}) is busy")
        if self.layers.bwrap:
            # The slot uid cannot read a root-only submission: it runs on its own copy.
            self.copy = run_dir / "app"
            size = _copy_tree(self.folder, self.copy, self.limits.folder)
            if size < 0:
                raise SandboxFailure(f"the folder {self.folder} holds more than "
                                     f"{self.limits.folder:,} bytes of files; the grader "
                                     "copies at most that much (caches and virtualenvs "
                                     "are left out)")
        for top in [self.copy, *self.writable]:
            if top is not None:
                _chown_tree(top, self.slot.uid)
        if self.layers.cgroups:
            # Bubblewrap's two helper processes count against pids.max too.
            try:
                self.group = cgroups.Group(self.slot.uid, self.limits.total_memory,
                                           self.limits.procs + 8)
            except OSError:
                self.group = None  # the host refused after all: rlimits still bound each process

    def command(self, inner: list[str]) -> list[str]:
        """Wrap the launcher command in the active layers."""
        if self.layers.bwrap:
            argv = bwrap.command(inner, folder=self.folder, source=self.copy or self.folder,
                                 uid=self.slot.uid if self.slot else None,
                                 writable=self.writable, tmp_size=self.limits.tmp,
                                 bwrap=self.layers.bwrap)
        elif self.slot is not None:
            argv = ["setpriv", f"--reuid={self.slot.uid}", f"--regid={self.slot.uid}",
                    "--clear-groups", "--inh-caps=-all", "--no-new-privs", *inner]
        else:
            argv = inner
        return self.group.wrap(argv) if self.group is not None else argv

    def env(self, base: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
        """The app's environment: sandboxed, only what it needs plus ``extra``."""
        if self.layers.bwrap or self.slot is not None:
            # Nothing of the grader's own environment (tokens, paths) reaches the app.
            env = {k: v for k, v in base.items() if k.startswith("PYTHON")}
            env.update({"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp",
                        "USER": "student", "TMPDIR": "/tmp", "LANG": "C.UTF-8"})
            env.update({k: v for k, v in extra.items() if v is not None})
        else:
            env = dict(base)
        env["MALLOC_ARENA_MAX"] = "2"
        # Keep the app's folder off sys.path until the launcher is loaded: a student's own
        # grader/launcher.py must not replace ours (which sets the rlimits).
        env["PYTHONSAFEPATH"] = "1"
        key, _, value = self.marker.partition("=")
        env[key] = value
        return env

    def launcher_args(self) -> list[str]:
        if not self.layers.rlimits:
            return []
        return ["--limits", self.limits.launcher_arg(nproc=self.slot is not None)]

    # -- while it runs ---------------------------------------------------------------------
    def started(self, proc: subprocess.Popen, output_fd: int) -> None:
        """Start draining output and the wall-clock deadline."""
        self.proc = proc
        self.capture = Capture(output_fd, KEEP, self.limits.output,
                               lambda: self.kill("output_flood"))
        self._timer = threading.Timer(self.limits.wall, self.kill, args=("timeout",))
        self._timer.daemon = True
        self._timer.start()

    def kill(self, verdict: str | None = None) -> None:
        """Kill every process of the run; remember why if it is an infrastructure verdict."""
        with self._lock:
            if verdict and self.verdict is None and self.proc and self.proc.poll() is None:
                self.verdict = verdict
                self.cause = "wall" if verdict == "timeout" else ""
            if self.proc is not None and self.proc.poll() is None:
                try:
                    # The app and bwrap run in their own session; bwrap's pid namespace dies
                    # with it (--die-with-parent), taking every process inside.
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            if self.layers.bwrap:
                return  # the pid namespace dies with bubblewrap: nothing can be left
            if self.slot is not None:
                slots.kill_uid(self.slot.uid)
            elif sys.platform.startswith("linux"):
                slots.kill_marked(self.marker)

    def exit_verdict(self) -> str | None:
        """Name the infrastructure outcome behind the process's end, if there is one."""
        if self.verdict:
            return self.verdict
        code = self.proc.returncode if self.proc else None
        if code is None:
            return None
        sig = -code if code < 0 else code - 128 if self.layers.bwrap and code > 128 else 0
        if self.group is not None and self.group.ran_out_of_memory():
            return "out_of_memory"
        if sig == signal.SIGXCPU:
            self.cause = "cpu"
            return "timeout"
        if sig == signal.SIGXFSZ:
            return "disk_limit"
        return None

    def output(self) -> str:
        if self.capture is None:
            return ""
        if self.proc is not None and self.proc.poll() is not None:
            self.capture.finish(0.5)
        return self.capture.text()

    # -- after ---------------------------------------------------------------------------
    def close(self) -> None:
        """Kill what is left, drop the run folder copy and give the slot back."""
        if self._closed:
            return
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join(1.0)  # a run leaves no thread behind it
        self.kill()
        clean = True
        if self.proc is not None:
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                clean = False
        if self.capture is not None:
            self.capture.finish(1.0)
        if self.copy is not None:
            shutil.rmtree(self.copy, ignore_errors=True)
        if self.slot is not None:
            if not clean:
                slots.kill_uid(self.slot.uid)
            self.slot.release()
            self.slot = None


def _copy_tree(src: Path, dest: Path, limit: int) -> int:
    """Copy ``src`` without caches or virtualenvs; -1 if it holds more than ``limit`` bytes."""
    total = 0

    def counted(s, d):
        nonlocal total
        st = os.lstat(s)
        if not stat.S_ISREG(st.st_mode):
            return d  # a fifo or device would block or leak: only plain files are copied
        total += st.st_size
        if total > limit:
            raise _TooBig
        return shutil.copy2(s, d)

    try:
        shutil.copytree(src, dest, symlinks=True, ignore=_SKIP, copy_function=counted)
    except _TooBig:
        return -1
    return total


class _TooBig(Exception):
    pass


def _chown_tree(top: Path, uid: int) -> None:
    os.chown(top, uid, uid, follow_symlinks=False)
    for base, dirs, files in os.walk(top):
        for name in dirs + files:
            os.chown(os.path.join(base, name), uid, uid, follow_symlinks=False)
