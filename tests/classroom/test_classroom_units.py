"""Pure parts of the classroom: the late policy, roster parsing, archive checks, rendering."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from classroom import archives, roster
from classroom.late import Policy

DUE = datetime(2026, 12, 1, 23, 59, tzinfo=UTC)


def test_late_policy_on_time_late_and_closed():
    p = Policy(DUE, late_hours=48, penalty_pct=25)
    assert p.verdict(DUE) == "on time" and p.counted(8, DUE) == 8
    late = DUE + timedelta(hours=1)
    assert p.verdict(late) == "late" and p.counted(8, late) == 6
    closed = DUE + timedelta(hours=49)
    assert p.verdict(closed) == "closed" and p.counted(8, closed) == 0
    assert Policy(None).counted(8, closed) == 8
    # SQLite gives naive datetimes back; they are UTC.
    assert p.verdict(late.replace(tzinfo=None)) == "late"


def test_roster_parse_header_sections_and_errors():
    rows = roster.parse("name,email,section\nAda,ADA@example.edu,A\nAlan,alan@example.edu\n")
    assert rows == [{"name": "Ada", "email": "ada@example.edu", "section": "A"},
                    {"name": "Alan", "email": "alan@example.edu", "section": ""}]
    with pytest.raises(roster.RosterError, match="row 2: ada@example.edu appears twice"):
        roster.parse("Ada,ada@example.edu\nAda again,ada@example.edu\n")
    with pytest.raises(roster.RosterError, match="expected name,email"):
        roster.parse("just-one-field\n")
    with pytest.raises(roster.RosterError, match="no students"):
        roster.parse("name,email\n")


def test_archive_read_accepts_a_plain_chapter_and_hash_ignores_zip_details():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("linkly/__init__.py", "x = 1\n")
        zf.writestr("linkly/", "")
    files = archives.read(buf.getvalue())
    assert files == {"linkly/__init__.py": b"x = 1\n"}
    # The same files zipped another way (compressed, another timestamp, no folder entry)
    # hash the same; a changed byte does not.
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("linkly/__init__.py", date_time=(2001, 2, 3, 4, 5, 6))
        zf.writestr(info, "x = 1\n")
    assert archives.digest(archives.read(other.getvalue())) == archives.digest(files)
    assert archives.digest({"linkly/__init__.py": b"x = 2\n"}) != archives.digest(files)


def test_archive_header_that_lies_about_size_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.txt", b"A" * 1000)
    data = bytearray(buf.getvalue())
    # Shrink the declared size in the central directory: the real data is larger.
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises(archives.BadArchive):
        archives.read(bytes(data))


def test_unpack_writes_only_inside_the_destination(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("linkly/__init__.py", "ok\n")
    name = archives.store(tmp_path / "store", "abc", buf.getvalue())
    dest = tmp_path / "dest"
    dest.mkdir()
    archives.unpack(tmp_path / "store", name, dest)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*")) == \
        ["linkly", "linkly/__init__.py"]


def test_migrations_match_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from classroom import db
    from classroom.models import Base

    url = f"sqlite:///{tmp_path / 'm.sqlite'}"
    db.upgrade(url)
    with db.engine(url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
