"""start_app's options: files written into a copy's instance folder, and removed variables."""

from pathlib import Path

from grader import liveapp, runner
from grader.manifest import Chapter

APP = '''
import os

from flask import Flask


def create_app():
    """Serve what the instance file and the environment said."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_pyfile("config.py", silent=True)

    @app.get("/")
    def home():
        """Answer the settings this copy saw."""
        return {"greeting": app.config.get("GREETING"), "token": os.environ.get("TOKEN")}

    return app
'''

CHECKS = '''
from grader.checking import check, fail


@check()
def test_main_copy(client):
    """The main copy has the chapter's env and no instance file."""
    data = client.get("/").json()
    if data != {"greeting": None, "token": "from-chapter"}:
        fail("main copy saw the wrong settings", actual=str(data))


@check()
def test_second_copy(start_app):
    """A second copy gets its instance file, and loses TOKEN."""
    app = start_app(instance_files={"config.py": 'GREETING = "hi"\\n'}, env={"TOKEN": None})
    data = app.client().get("/").json()
    if data != {"greeting": "hi", "token": None}:
        fail("second copy saw the wrong settings", actual=str(data))
'''


def test_instance_files_and_removed_variables(tmp_path):
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    (app_dir / "app.py").write_text(APP)
    checks = tmp_path / "checks_options.py"
    checks.write_text(CHECKS)
    chapter = Chapter(id="ch98", slug="options", title="Options", app="app:create_app",
                      extra={"checks": str(checks), "env": {"TOKEN": "from-chapter"}})
    doc = runner.grade(chapter, app_dir)
    assert {t["name"]: t["status"] for t in doc["tests"]} == {
        "test_main_copy": "pass", "test_second_copy": "pass"}, doc["tests"]
    assert not (app_dir / "instance").exists()  # nothing was written into the graded folder


def test_app_env_substitutes_instance_and_drops_none(tmp_path):
    folder = tmp_path / "app"
    (folder / "instance").mkdir(parents=True)
    (folder / "instance" / "seed.txt").write_text("seed")
    chapter = Chapter(id="ch98", slug="options", title="Options",
                      extra={"env": {"DB": "{instance}/db.sqlite", "KEEP": "1", "DROP": "x"}})
    env = liveapp.app_env(chapter, folder, tmp_path, {"DROP": None, "EXTRA": "2"})
    instance = Path(env["FLASKLINGS_INSTANCE"])
    assert env["DB"] == f"{instance}/db.sqlite"
    assert (instance / "seed.txt").read_text() == "seed"
    assert "DROP" not in env and env["KEEP"] == "1" and env["EXTRA"] == "2"
