"""Build the bubblewrap command line that runs the launcher in a minimal read-only root."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from grader.manifest import ROOT

# Only these grader modules run inside: the checks folder next to them stays invisible.
GRADER_FILES = ("__init__.py", "launcher.py", "tracebacks.py")
ETC_FILES = ("ld.so.cache", "localtime", "hosts", "nsswitch.conf", "mime.types")
TOP_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


def find() -> str | None:
    """Path of bwrap: ``FLASKLINGS_BWRAP`` if set (empty disables it), else from PATH."""
    if "FLASKLINGS_BWRAP" in os.environ:
        path = os.environ["FLASKLINGS_BWRAP"]
        return path if path and os.access(path, os.X_OK) else None
    return shutil.which("bwrap")


def python_trees() -> list[Path]:
    """Folders the interpreter and its packages live in (read-only inside)."""
    found = {Path(p).resolve() for p in (sys.base_prefix, sys.base_exec_prefix, sys.prefix,
                                          sys.exec_prefix)}
    found.add(Path(os.path.realpath(sys.executable)).parent.parent)
    for entry in sys.path:
        # Packages outside the prefixes (a user site, a distro's dist-packages), never the
        # repository itself, which an editable install puts on sys.path.
        if entry.endswith(("site-packages", "dist-packages")) and Path(entry).is_dir():
            found.add(Path(entry).resolve())
    keep = [p for p in found if p != Path("/") and not _under(p, Path("/usr"))]
    return [p for p in keep if not any(q != p and _under(p, q) for q in keep)]


def _under(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def command(inner: list[str], *, folder: Path, source: Path, uid: int | None,
            writable: list[Path], tmp_size: int, bwrap: str) -> list[str]:
    """Wrap ``inner`` so it runs in ``folder`` (bound from ``source``) and sees little else.

    With ``uid`` (the grader runs as root) bubblewrap runs privileged, binds what root can read,
    keeps only CAP_SETUID/CAP_SETGID and lets setpriv drop to ``uid`` inside, so the app never
    holds a capability. Without it bubblewrap runs unprivileged in a user namespace.
    """
    argv = [bwrap, "--die-with-parent", "--new-session"]
    if uid is None:
        argv += ["--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    else:
        argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                 "--unshare-cgroup-try", "--cap-drop", "ALL",
                 "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for name in TOP_LINKS:
        top = Path("/", name)
        if top.is_symlink():
            argv += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            argv += ["--ro-bind", str(top), str(top)]
    for name in ETC_FILES:
        if Path("/etc", name).exists():
            argv += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/tmp",
             "--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/dev/shm"]
    mounts = [(p, p, "--ro-bind") for p in python_trees()]
    mounts += [(ROOT / "grader" / f, ROOT / "grader" / f, "--ro-bind") for f in GRADER_FILES]
    mounts += [(source, folder, "--bind")]
    mounts += [(p, p, "--bind") for p in writable]
    made: set[Path] = {Path("/"), Path("/tmp"), Path("/usr"), Path("/etc"), Path("/dev")}
    for src, dest, how in sorted(mounts, key=lambda m: len(m[1].parts)):
        for parent in reversed(dest.parents):
            if parent not in made and not any(_under(parent, d) for d, _ in _bound(mounts)):
                # Made here, parents would be root-only (0700): the slot uid must pass through.
                argv += ["--perms", "0755", "--dir", str(parent)]
            made.add(parent)
        argv += [how, str(src), str(dest)]
    # The root tmpfs holds only mount points: read-only, so even uid 0 inside cannot add files.
    argv += ["--remount-ro", "/", "--chdir", str(folder)]
    if uid is not None:
        argv += ["--", "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    else:
        argv += ["--"]
    return argv + inner


def _bound(mounts):
    return [(dest, src) for src, dest, _ in mounts]
