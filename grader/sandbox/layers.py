"""Find out, once per process, which isolation layers work here, and report them."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox import bwrap, cgroups, slots


@dataclass(frozen=True)
class Layers:
    """What this machine offers; ``why_*`` say why a layer is missing."""

    rlimits: bool
    bwrap: str | None
    uid: bool
    why_rlimits: str = ""
    why_bwrap: str = ""
    why_uid: str = ""
    cgroups: bool = False
    cgroups_detail: str = ""
    root: bool = False

    def missing(self) -> list[str]:
        """Plain reasons for each missing layer, for the one-time note."""
        # Not being root is how a student should run: not worth a note, only a doctor line.
        return [why for ok, why in ((self.rlimits, self.why_rlimits),
                                    (self.bwrap, self.why_bwrap),
                                    (self.uid or not self.root, self.why_uid))
                if not ok and why]


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _world_runnable(path: str) -> bool:
    """Can any uid reach and run ``path`` (every folder on the way world-searchable)?"""
    real = Path(os.path.realpath(path))
    try:
        if not real.stat().st_mode & 0o001:
            return False
        return all(p.stat().st_mode & 0o001 for p in real.parents)
    except OSError:
        return False


def _try_bwrap(path: str, uid: int | None) -> str:
    """Run ``true`` the way a real run would; return bubblewrap's complaint, '' if none."""
    here = Path(os.path.realpath(sys.executable)).parent
    argv = bwrap.command(["/usr/bin/true"], folder=here, source=here,
                         uid=uid, writable=[],
                         tmp_size=1 << 20, bwrap=path)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode != 0:
        return (proc.stderr.strip() or f"exit status {proc.returncode}").splitlines()[-1]
    return ""


@functools.lru_cache(maxsize=1)
def detect() -> Layers:
    """Probe the machine (about 10 ms, cached for the life of the process)."""
    try:
        import resource  # noqa: F401 - POSIX only
        rlimits, why_rlimits = True, ""
    except ImportError:
        rlimits, why_rlimits = False, "no resource limits on this system (Windows)"
    root = _is_root()
    pool, why_pool = range(0), ""
    try:
        pool = slots.uid_range()
    except ValueError as exc:
        why_pool = str(exc)
    drop = pool[0] if root and pool else None
    path = bwrap.find()
    why_bwrap = ""
    if path is None and os.environ.get("FLASKLINGS_BWRAP") == "":
        why_bwrap = "bubblewrap is switched off (FLASKLINGS_BWRAP is empty)"
    elif path is None and os.environ.get("FLASKLINGS_BWRAP"):
        why_bwrap = f"FLASKLINGS_BWRAP={os.environ['FLASKLINGS_BWRAP']} is not an executable"
    elif path is None:
        why_bwrap = ("bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
                     if sys.platform.startswith("linux") else
                     f"bubblewrap needs Linux (this is {sys.platform})")
    else:
        complaint = _try_bwrap(path, drop)
        if complaint:
            why_bwrap = f"bubblewrap cannot start a sandbox here: {complaint}"
            path = None
    uid, why_uid = False, ""
    if not root:
        why_uid = "not running as root, so the app keeps your own uid"
    elif drop is None:
        why_uid = why_pool or "FLASKLINGS_SANDBOX_UIDS=none: the app keeps the grader's uid"
    else:
        uid = bool(path) or _world_runnable(sys.executable)
        if not uid:
            why_uid = (f"the interpreter {os.path.realpath(sys.executable)} is not "
                       "reachable by other uids and bubblewrap is missing to bind it")
    groups, groups_detail = cgroups.available() if uid else (
        False, "needs the dedicated uid layer (root)")
    return Layers(rlimits, path, uid, why_rlimits, why_bwrap, why_uid, groups, groups_detail,
                  root)


def probe() -> list[dict]:
    """One record per layer: ``{"layer", "active", "detail"}`` (what ``doctor`` shows)."""
    got = detect()
    limits = "address space, CPU time, stack, file size, open files"
    pool = None
    if got.uid:
        r = slots.uid_range()
        pool = f"{r.start}-{r.stop - 1}"
    kill = ("SIGKILL the sandbox's pid namespace" if got.bwrap else
            "every process of the slot uid" if got.uid else
            "the process group, then every process carrying the run's marker (Linux /proc)"
            if sys.platform.startswith("linux") else "the process group only: an app that "
            "calls setsid can outlive the run")
    return [
        {"layer": "uid", "active": got.uid,
         "detail": f"one uid per concurrent run from {pool}" if got.uid else got.why_uid},
        {"layer": "rlimits", "active": got.rlimits,
         "detail": (limits + (", processes (per slot uid)" if got.uid else
                              "; no process limit without a dedicated uid"))
         if got.rlimits else got.why_rlimits},
        {"layer": "bubblewrap", "active": bool(got.bwrap),
         "detail": (f"{got.bwrap}: read-only minimal root, private /tmp, no capabilities"
                    if got.bwrap else got.why_bwrap)},
        {"layer": "network isolation", "active": bool(got.bwrap),
         "detail": "own network namespace (loopback only); the grader hands the app its socket"
         if got.bwrap else "the app shares this machine's network (needs bubblewrap)"},
        {"layer": "kill-tree", "active": bool(got.bwrap or got.uid
                                              or sys.platform.startswith("linux")),
         "detail": kill},
        {"layer": "cgroups", "active": got.cgroups,
         "detail": ("one total for memory and processes per run; " + got.cgroups_detail)
         if got.cgroups else got.cgroups_detail},
        {"layer": "deadline and output cap", "active": True,
         "detail": "wall-clock deadline per app; output beyond the cap stops the app as a flood"},
    ]
