"""The project's own code stays ruff-clean (exercises and solutions are the students')."""

import subprocess
import sys

from grader import manifest


def test_ruff_finds_nothing():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                       cwd=manifest.ROOT, capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 0, r.stdout + r.stderr
