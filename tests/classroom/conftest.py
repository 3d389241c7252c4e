"""Fixtures: one real classroom server (subprocess, real HTTP) shared by the classroom tests."""

from __future__ import annotations

import pytest
import requests
from classroom_harness import Classroom


@pytest.fixture(scope="session")
def classroom(tmp_path_factory):
    room = Classroom(tmp_path_factory.mktemp("classroom")).setup().start()
    yield room
    room.kill()


@pytest.fixture
def http():
    with requests.Session() as s:
        yield s


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium, never a downloaded one (see /work/shared/notes/ecosystem.md).
    return {**browser_type_launch_args, "executable_path": "/usr/lib/chromium/chromium",
            "args": CHROMIUM_ARGS}
