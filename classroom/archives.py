"""Check, store and unpack uploaded chapter archives (zip) without trusting them."""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import zipfile
from pathlib import Path

from grader.submit import content_hash

MAX_MEMBERS = 400
MAX_UNPACKED = 8 * 1024 * 1024
_SAFE_PART = re.compile(r"[A-Za-z0-9_.@+\- ]+")


class BadArchive(ValueError):
    """The upload is not an archive we will unpack; the message says why."""


def _check_name(name: str) -> str:
    if "\\" in name or name.startswith("/") or ":" in name or "\0" in name:
        raise BadArchive(f"the archive holds an unsafe path: {name!r}")
    parts = name.rstrip("/").split("/")
    for part in parts:
        if part in ("", ".", "..") or not _SAFE_PART.fullmatch(part):
            raise BadArchive(f"the archive holds an unsafe path: {name!r}")
    return "/".join(parts)


def read(data: bytes, max_members: int = MAX_MEMBERS,
         max_unpacked: int = MAX_UNPACKED) -> dict[str, bytes]:
    """Return the archive's regular files by path, or raise BadArchive before anything is kept."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise BadArchive("the upload is not a readable zip archive") from None
    if len(infos) > max_members:
        raise BadArchive(f"the archive holds {len(infos)} entries; at most {max_members} allowed")
    declared = sum(i.file_size for i in infos)
    if declared > max_unpacked:
        raise BadArchive(f"the archive unpacks to {declared} bytes; at most {max_unpacked}")
    files: dict[str, bytes] = {}
    total = 0
    with zf:
        for info in infos:
            name = _check_name(info.filename)
            mode = info.external_attr >> 16
            if info.is_dir():
                continue
            kind = stat.S_IFMT(mode)
            if kind and kind != stat.S_IFREG:  # a bare permission mode (no type) is a file
                raise BadArchive(f"the archive holds a link or special file: {name!r}")
            if name in files:
                raise BadArchive(f"the archive holds {name!r} twice")
            try:
                # Read at most one byte past the declared size: a lying header cannot balloon.
                with zf.open(info) as member:
                    body = member.read(info.file_size + 1)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError,
                    EOFError, ValueError) as exc:
                raise BadArchive(f"{name!r} could not be unpacked: {exc}") from None
            total += len(body)
            if len(body) > info.file_size or total > max_unpacked:
                raise BadArchive("the archive unpacks to more than it declares")
            files[name] = body
    if not files:
        raise BadArchive("the archive holds no files")
    for name in files:
        # "a" and "a/b" cannot both be unpacked: refuse now, not in every grading attempt.
        parts = name.split("/")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]) in files:
                raise BadArchive(f"the archive holds {'/'.join(parts[:i])!r} as both a file "
                                 "and a folder")
    return files


def digest(files: dict[str, bytes]) -> str:
    """Return the content hash the student's client computes too."""
    return content_hash(files)


def store(storage: Path, content: str, data: bytes) -> str:
    """Write the archive durably under its content hash and return its file name."""
    name = f"{content}.zip"
    path = Path(storage) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    # The rename is only durable once the folder's entry is on disk; also when another upload
    # of the same files renamed it a moment ago and has not synced the folder yet.
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    return name


def unpack(storage: Path, name: str, dest: Path) -> None:
    """Unpack a stored archive into the empty folder ``dest``, re-checking every entry."""
    files = read((Path(storage) / name).read_bytes())
    for rel, body in files.items():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as f:  # "x": never follow or overwrite anything there
            f.write(body)
