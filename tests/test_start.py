"""The README's start command really opens JupyterLab on the course's notebooks."""

import json
import os
import signal
import subprocess
import time

import requests

from grader import manifest

TOKEN = "flasklings-test-token"


def test_start_command_serves_the_notebooks(tmp_path):
    env = dict(os.environ)
    for name in ("CONFIG", "DATA", "RUNTIME"):
        (tmp_path / name).mkdir()
        env[f"JUPYTER_{name}_DIR"] = str(tmp_path / name)
    cmd = ["./flasklings", "start", "--no-browser", "--port=0", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={TOKEN}"]
    log = open(tmp_path / "lab.log", "wb")  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(cmd, cwd=manifest.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and url is None:
            assert proc.poll() is None, (tmp_path / "lab.log").read_text()
            for f in (tmp_path / "RUNTIME").glob("jpserver-*.json"):
                try:
                    url = json.loads(f.read_text())["url"]
                except (ValueError, KeyError):
                    pass
            time.sleep(0.2)
        assert url, "JupyterLab never wrote its server file:\n" + (tmp_path / "lab.log").read_text()
        headers = {"Authorization": f"token {TOKEN}"}
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{url}api/status", headers=headers, timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert url.startswith("http://127.0.0.1:")
        listing = requests.get(f"{url}api/contents/notebooks", headers=headers, timeout=10)
        assert listing.status_code == 200
        names = {item["name"] for item in listing.json()["content"]}
        for chapter in manifest.load():
            assert chapter.notebook.name in names
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
