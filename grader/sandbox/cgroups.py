"""Per-slot cgroups where the host offers cgroup v1 memory/pids: one total for the whole run.

rlimits bound each process; a cgroup bounds the run's sum (a hundred processes of 1 GiB each
would otherwise fit under the limits). Only v1 hierarchies are used, in a child of the cgroup
the grader was started in; the grader itself never moves. On cgroup v2 hosts a process cannot
sit in a cgroup whose children use controllers, so this layer stays off there.
"""

from __future__ import annotations

import os
from pathlib import Path

MOUNT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids")


def _own(controller: str) -> Path | None:
    """The v1 cgroup folder this process belongs to for ``controller``, if writable."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            folder = MOUNT / controller / path.lstrip("/")
            if (folder / "cgroup.procs").exists() and os.access(folder, os.W_OK):
                return folder
    return None


def available() -> tuple[bool, str]:
    """Can this process make child cgroups for memory and pids?"""
    found = {c: _own(c) for c in CONTROLLERS}
    if all(found.values()):
        return True, "cgroup v1 memory and pids: " + ", ".join(
            str(p) for p in found.values())
    missing = [c for c, p in found.items() if p is None]
    return False, (f"no writable cgroup v1 {' and '.join(missing)} hierarchy here (cgroup v2 "
                   "hosts and unprivileged users go without)")


class Group:
    """The slot's memory and pids cgroups, made (or reused) and sized for one run."""

    def __init__(self, uid: int, memory: int, procs: int):
        self.folders = []
        for controller in CONTROLLERS:
            folder = _own(controller) / f"flasklings-{uid}"
            folder.mkdir(exist_ok=True)
            self.folders.append(folder)
        memory_folder, pids_folder = self.folders
        (memory_folder / "memory.limit_in_bytes").write_text(str(memory))
        (pids_folder / "pids.max").write_text(str(procs))
        self._oom_at_start = self.oom_kills()

    def wrap(self, argv: list[str]) -> list[str]:
        """Prefix ``argv`` with a shell that joins the groups, then execs it.

        Joining from the parent would race bubblewrap's first fork, and a preexec_fn makes
        Python fork the whole grader instead of vfork (about 25 ms): sh costs about 1 ms.
        """
        join = ('echo $$ > "$1" && echo $$ > "$2" || { echo "flasklings-sandbox: could not '
                'join the run\'s cgroups" >&2; exit 125; }; shift 2; exec "$@"')
        return ["/bin/sh", "-c", join, "sh",
                *(str(f / "cgroup.procs") for f in self.folders), *argv]

    def oom_kills(self) -> int:
        """How many processes the kernel killed for this group's memory limit so far."""
        try:
            text = (self.folders[0] / "memory.oom_control").read_text()
        except OSError:
            return 0
        for line in text.splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def ran_out_of_memory(self) -> bool:
        return self.oom_kills() > self._oom_at_start
