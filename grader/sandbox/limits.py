"""Resource limits for one run of a student's app, and how they are configured."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


class LimitsError(ValueError):
    """FLASKLINGS_LIMITS could not be read; the message says which part and why."""


@dataclass(frozen=True)
class Limits:
    """What one copy of the app may use; sizes in bytes, times in seconds."""

    wall: float = 300.0          # the app's whole life, from spawn to stop
    cpu: int = 60                # CPU seconds per process (RLIMIT_CPU)
    memory: int = 1 << 30        # address space per process (RLIMIT_AS)
    total_memory: int = 2 << 30  # memory of all the run's processes together (cgroup)
    stack: int = 2 << 20         # also each thread's stack, so threads reserve little
    procs: int = 96              # processes + threads of the slot uid (RLIMIT_NPROC)
    file_size: int = 16 << 20    # largest file the app may write (RLIMIT_FSIZE)
    open_files: int = 512        # RLIMIT_NOFILE
    output: int = 2 << 20        # output beyond this is a flood: the app is stopped
    tmp: int = 64 << 20          # size of the private /tmp (bubblewrap only)
    folder: int = 64 << 20       # largest submission copied into a run folder

    @classmethod
    def from_env(cls, text: str | None = None) -> Limits:
        """Read ``FLASKLINGS_LIMITS`` ("wall=20,memory=512M,procs=64"); defaults elsewhere."""
        text = os.environ.get("FLASKLINGS_LIMITS", "") if text is None else text
        known = {f.name: f.type for f in fields(cls)}
        changes = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, value = part.partition("=")
            key = key.strip()
            if not sep or key not in known:
                raise LimitsError(
                    f"FLASKLINGS_LIMITS: {part!r} is not name=value with a name among "
                    f"{', '.join(known)}")
            changes[key] = _number(key, value.strip(), float if key == "wall" else int)
        return replace(cls(), **changes)

    def launcher_arg(self, nproc: bool) -> str:
        """The rlimits the launcher sets on itself before it imports student code."""
        spec = {"AS": self.memory, "CPU": self.cpu, "STACK": self.stack,
                "FSIZE": self.file_size, "NOFILE": self.open_files, "CORE": 0}
        if nproc:
            spec["NPROC"] = self.procs
        return ",".join(f"{k}={v}" for k, v in spec.items())


def _number(key: str, value: str, kind):
    scale = _UNITS.get(value[-1:].lower(), 1)
    digits = value[:-1] if scale != 1 else value
    try:
        number = kind(float(digits) * scale) if kind is int else kind(digits) * scale
    except ValueError:
        raise LimitsError(f"FLASKLINGS_LIMITS: {key}={value!r} is not a number") from None
    if number <= 0:
        raise LimitsError(f"FLASKLINGS_LIMITS: {key} must be above zero, not {value!r}")
    return number
