"""Check that this machine can run the course, and say exactly what to fix: ``python -m grader doctor``.

Exit status 0 when the course is usable (degraded parts are warnings), 1 when something blocks
it: a Python too old, a package the grader needs missing, no loopback, or an app that cannot
be served.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from grader import manifest

OK, WARN, FAIL = "ok", "warn", "FAIL"
# Without these the grader cannot grade at all; any other missing package only degrades the
# chapters that use it.
GRADER_NEEDS = {"flask", "werkzeug", "requests", "pytest", "beautifulsoup4", "watchfiles"}
INSTALL = f"{Path(sys.executable).name} -m pip install -r requirements.txt"
JUPYTER_TIMEOUT = 30.0


@dataclass
class Finding:
    """One line of the doctor's report."""

    level: str
    what: str
    fix: str = ""


def check_python(pyproject: Path = manifest.ROOT / "pyproject.toml") -> list[Finding]:
    """Compare the running Python with the project's requires-python."""
    from packaging.specifiers import SpecifierSet

    try:
        spec = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["requires-python"]
    except (OSError, KeyError, ValueError):
        spec = ">=3.11"
    version = ".".join(str(n) for n in sys.version_info[:3])
    if version in SpecifierSet(spec):
        return [Finding(OK, f"Python {version} ({sys.executable})")]
    return [Finding(FAIL, f"Python {version} is not supported: the course needs {spec}",
                    f"install a Python {spec}, then recreate the venv: ./flasklings test")]


def check_packages(requirements: Path = manifest.ROOT / "requirements.txt") -> list[Finding]:
    """Compare installed distributions with the pinned requirements."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        lines = requirements.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [Finding(WARN, f"could not read {requirements.name} ({exc})")]
    findings, good = [], 0
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            findings.append(Finding(WARN, f"{requirements.name}: cannot read the line {line!r}"))
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = canonicalize_name(req.name)
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            blocks = name in GRADER_NEEDS
            findings.append(Finding(
                FAIL if blocks else WARN,
                f"{req.name} is not installed"
                + ("" if blocks else " (only the chapters that use it are affected)"),
                INSTALL))
            continue
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            findings.append(Finding(WARN, f"{req.name} {have} is installed; requirements.txt "
                                          f"asks for {req.specifier}", INSTALL))
            continue
        good += 1
    findings.insert(0, Finding(OK, f"{good} packages installed as requirements.txt pins them"))
    return findings


def check_loopback() -> list[Finding]:
    """Bind a port on 127.0.0.1 and talk to it, as every grade does."""
    try:
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            port = server.getsockname()[1]
            with socket.create_connection(("127.0.0.1", port), timeout=3) as client:
                conn, _ = server.accept()
                with conn:
                    client.sendall(b"ping")
                    if conn.recv(4) != b"ping":
                        raise OSError("the bytes sent did not arrive")
    except OSError as exc:
        return [Finding(FAIL, f"cannot serve on 127.0.0.1 ({exc})",
                        "the grader runs your app on a loopback port: allow binding to "
                        "127.0.0.1 (firewall, container network settings)")]
    return [Finding(OK, f"loopback: bound and reached 127.0.0.1:{port}")]


_PROBE_APP = '''from flask import Flask


def create_app():
    app = Flask(__name__)
    app.get("/")(lambda: "doctor")
    return app
'''


def check_live_app() -> list[Finding]:
    """Serve a two-line Flask app through the grader's own launcher and fetch a page."""
    import requests

    from grader.liveapp import LiveApp, StartupError

    with tempfile.TemporaryDirectory(prefix="flasklings-doctor-") as tmp:
        # The sandbox may run the app as another uid: it must be able to enter the folder.
        os.chmod(tmp, 0o755)
        Path(tmp, "probe_app.py").write_text(_PROBE_APP, encoding="utf-8")
        os.chmod(Path(tmp, "probe_app.py"), 0o644)
        app = LiveApp(Path(tmp), target="probe_app")
        started = time.perf_counter()
        try:
            app.start()
            session = requests.Session()
            session.trust_env = False
            body = session.get(app.base_url + "/", timeout=5).text
            took = time.perf_counter() - started
        except (StartupError, OSError, requests.RequestException) as exc:
            return [Finding(FAIL, f"the grader could not serve a test app ({exc})",
                            "run `python -m grader doctor` again; if it persists, reinstall: "
                            + INSTALL)]
        finally:
            app.cleanup()
    if body != "doctor":
        return [Finding(FAIL, f"a test app answered {body[:60]!r} instead of 'doctor'")]
    return [Finding(OK, f"the grader served a test app and got its page in {took:.2f} s")]


def check_jupyterlab(timeout: float = JUPYTER_TIMEOUT) -> list[Finding]:
    """Start JupyterLab quietly and offline on a free port, ask its status, stop it."""
    fix = ("you can still read course/chNN_*.md and grade in a terminal; to get the notebooks "
           "back: " + INSTALL)
    with tempfile.TemporaryDirectory(prefix="flasklings-doctor-jupyter-") as tmp:
        dirs = {name: Path(tmp, name) for name in ("config", "data", "runtime", "root")}
        for d in dirs.values():
            d.mkdir()
        token = os.urandom(12).hex()
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(dirs["config"]),
                   JUPYTER_DATA_DIR=str(dirs["data"]), JUPYTER_RUNTIME_DIR=str(dirs["runtime"]))
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               "--port=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={dirs['root']}", "--ServerApp.port_retries=0",
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        log = Path(tmp, "jupyter.log")
        started = time.perf_counter()
        try:
            with open(log, "wb") as out:
                proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as exc:
            return [Finding(WARN, f"JupyterLab could not be started ({exc})", fix)]
        try:
            version = _wait_for_jupyter(proc, dirs["runtime"], token, timeout)
        finally:
            _stop(proc)
        if version is None:
            tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            why = " / ".join(tail) or f"no answer within {timeout:g} s"
            return [Finding(WARN, f"JupyterLab did not start: {why[:300]}", fix)]
    return [Finding(OK, f"JupyterLab (server {version}) starts and answers in "
                        f"{time.perf_counter() - started:.1f} s")]


def _wait_for_jupyter(proc, runtime: Path, token: str, timeout: float) -> str | None:
    import requests

    deadline = time.monotonic() + timeout
    session = requests.Session()
    session.trust_env = False
    while time.monotonic() < deadline and proc.poll() is None:
        for info in runtime.glob("jpserver-*.json"):
            try:
                port = json.loads(info.read_text(encoding="utf-8"))["port"]
                r = session.get(f"http://127.0.0.1:{port}/api/status",
                                headers={"Authorization": f"token {token}"}, timeout=2)
                if r.status_code == 200:
                    return session.get(f"http://127.0.0.1:{port}/api", timeout=2).json().get(
                        "version", "?")
            except (OSError, ValueError, KeyError, requests.RequestException):
                pass
        time.sleep(0.1)
    return None


def _stop(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


def check_sandbox() -> list[Finding]:
    """List the isolation layers grader.sandbox reports (it may not exist in this copy)."""
    try:
        sandbox = importlib.import_module("grader.sandbox")
    except ImportError:
        return [Finding(WARN, "sandbox: not available in this copy of the grader; your app "
                              "runs without isolation")]
    try:
        layers = sandbox.probe()
    except Exception as exc:  # noqa: BLE001 - a broken probe must not hide the rest
        return [Finding(WARN, f"sandbox: the probe failed ({exc})")]
    findings = []
    for layer in layers:
        name, detail = layer.get("layer", "?"), layer.get("detail", "")
        if layer.get("active"):
            findings.append(Finding(OK, f"sandbox layer {name}: active"
                                        + (f" ({detail})" if detail else "")))
        else:
            findings.append(Finding(WARN, f"sandbox layer {name}: not active"
                                          + (f" — {detail}" if detail else "")))
    return findings or [Finding(WARN, "sandbox: no layer reported")]


def render(findings: list[Finding], paint=None) -> str:
    """Return the report: one line per finding, its fix under it, then the verdict."""
    paint = paint or (lambda text, *styles: text)
    style = {OK: ("green",), WARN: ("yellow",), FAIL: ("red", "bold")}
    lines = ["Flasklings doctor"]
    for f in findings:
        lines.append(f"  {paint(f.level.ljust(4), *style[f.level])}  {f.what}")
        if f.fix and f.level != OK:
            lines.append(f"        fix: {f.fix}")
    fails = sum(f.level == FAIL for f in findings)
    warns = sum(f.level == WARN for f in findings)
    if fails:
        lines.append(paint(f"Blocked: fix the {fails} FAIL line{'s' * (fails != 1)} above, then "
                           f"run `python -m grader doctor` again.", "red", "bold"))
    else:
        extra = f" ({warns} warning{'s' * (warns != 1)}: some parts are degraded)" if warns else ""
        lines.append(paint(f"The course is usable here{extra}.", "green", "bold"))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Run every check, print what to fix, exit 1 only when the course is blocked."""
    from grader import report
    from grader.cli import parse

    parser = argparse.ArgumentParser(prog="python -m grader doctor",
                                     description="Check this machine can run the course.")
    parser.add_argument("--no-jupyter", action="store_true",
                        help="skip starting JupyterLab (the slowest check, about 2 s)")
    parser.add_argument("--no-color", action="store_true", help="plain text, no colour")
    args = parse(parser, argv)
    checks = [check_python, check_packages, check_loopback, check_live_app, check_sandbox]
    if not args.no_jupyter:
        checks.insert(4, check_jupyterlab)
    findings: list[Finding] = []
    for run in checks:
        try:
            findings.extend(run())
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the rest
            findings.append(Finding(WARN, f"{run.__name__} could not run ({exc})"))
    paint = report.Painter(False if args.no_color else report.use_colour())
    sys.stdout.write(report.fit_encoding(render(findings, paint)))
    return 1 if any(f.level == FAIL for f in findings) else 0
