"""Dedicated unprivileged uids, one per concurrent run, and killing everything a run left."""

from __future__ import annotations

import errno
import fcntl
import os
import pwd
import signal
from dataclasses import dataclass
from pathlib import Path

DEFAULT_UIDS = "61000-61063"
LOCK_DIR = Path("/run/flasklings-sandbox")
CLEAN = b"clean"


@dataclass
class Slot:
    """A uid no one else uses while this run holds its lock."""

    uid: int
    _lock: int

    def release(self) -> None:
        """Mark the uid clean (nothing of the run is left) and unlock it."""
        if self._lock >= 0:
            os.pwrite(self._lock, CLEAN, 0)
            os.close(self._lock)  # closing the file drops the flock
            self._lock = -1


def uid_range(text: str | None = None) -> range:
    """Parse ``FLASKLINGS_SANDBOX_UIDS`` ("61000-61063"; "none": no pool)."""
    text = text or os.environ.get("FLASKLINGS_SANDBOX_UIDS") or DEFAULT_UIDS
    if text.strip().lower() == "none":
        return range(0)
    first, _, last = text.partition("-")
    try:
        lo, hi = int(first), int(last or first)
    except ValueError:
        raise ValueError(f"FLASKLINGS_SANDBOX_UIDS: {text!r} is not FIRST-LAST") from None
    if lo < 1000 or hi < lo:
        raise ValueError(f"FLASKLINGS_SANDBOX_UIDS: {text!r} must be FIRST-LAST, both >= 1000")
    return range(lo, hi + 1)


def _taken_by_account(uid: int) -> bool:
    try:
        return not pwd.getpwuid(uid).pw_name.startswith("flasklings")
    except KeyError:
        return False


def acquire() -> Slot | None:
    """Lock a free uid of the pool (root only); None when every slot is busy."""
    LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
    for uid in uid_range():
        if _taken_by_account(uid):
            continue
        fd = os.open(LOCK_DIR / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        if os.pread(fd, len(CLEAN), 0) != CLEAN:
            kill_uid(uid)  # the last holder crashed: processes may be left under this uid
        os.ftruncate(fd, 0)
        return Slot(uid, fd)
    return None


def kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid``, even ones that called setsid to escape."""
    for _ in range(5):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the forked child
            code = 1
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                code = 0  # nothing left to kill
            except OSError:
                code = 2
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 1:
            return


def kill_marked(marker: str) -> int:
    """SIGKILL every process whose environment holds ``marker`` (Linux, same uid); count them."""
    needle = marker.encode() + b"\0"
    killed = 0
    for _ in range(3):
        found = 0
        try:
            pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            return killed
        for pid in pids:
            if pid == os.getpid():
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if needle not in f.read() + b"\0":
                        continue
                os.kill(pid, signal.SIGKILL)
                found += 1
            except OSError as exc:
                if exc.errno not in (errno.ENOENT, errno.ESRCH, errno.EACCES, errno.EPERM):
                    raise
        killed += found
        if not found:
            break
    return killed
