"""The doctor: real checks on this machine, and its verdict when something is off."""

import sys
import types

from grader import doctor


def test_this_machine_passes_the_real_checks():
    for check in (doctor.check_python, doctor.check_loopback, doctor.check_live_app):
        findings = check()
        assert [f.level for f in findings] == [doctor.OK], findings


def test_jupyterlab_starts_quietly_and_stops():
    findings = doctor.check_jupyterlab()
    assert findings[0].level == doctor.OK, findings
    assert "JupyterLab" in findings[0].what


def test_packages_missing_or_off_pin_are_named_with_the_fix(tmp_path, monkeypatch):
    from importlib import metadata

    req = tmp_path / "requirements.txt"
    flask = metadata.version("flask")
    req.write_text(f"# comment\nFlask=={flask}\nrequests==0.0.1\nno-such-dist-flasklings==1.0\n"
                   f"also-missing-flasklings==2.0\nwindows-only==1.0; sys_platform == 'win32'\n")
    monkeypatch.setattr(doctor, "GRADER_NEEDS", doctor.GRADER_NEEDS | {"no-such-dist-flasklings"})
    found = {f.what: f for f in doctor.check_packages(req)}
    assert found["1 packages installed as requirements.txt pins them"].level == doctor.OK
    off = next(f for w, f in found.items() if w.startswith("requests "))
    assert off.level == doctor.WARN and "asks for ==0.0.1" in off.what
    assert "pip install -r requirements.txt" in off.fix
    assert found["no-such-dist-flasklings is not installed"].level == doctor.FAIL
    also = next(f for w, f in found.items() if w.startswith("also-missing"))
    assert also.level == doctor.WARN and "only the chapters that use it" in also.what
    assert not any("windows-only" in w for w in found)


def test_sandbox_missing_is_a_warning_and_layers_are_listed(monkeypatch):
    monkeypatch.setitem(sys.modules, "grader.sandbox", None)  # import raises ImportError
    assert doctor.check_sandbox()[0].what.startswith("sandbox: not available")
    fake = types.ModuleType("grader.sandbox")
    fake.probe = lambda: [{"layer": "bwrap", "active": True, "detail": "new namespaces"},
                          {"layer": "seccomp", "active": False, "detail": "no libseccomp"}]
    monkeypatch.setitem(sys.modules, "grader.sandbox", fake)
    levels = [(f.level, f.what) for f in doctor.check_sandbox()]
    assert levels == [(doctor.OK, "sandbox layer bwrap: active (new namespaces)"),
                      (doctor.WARN, "sandbox layer seccomp: not active — no libseccomp")]


def test_exit_status_is_zero_with_warnings_and_one_when_blocked(monkeypatch, capsys):
    monkeypatch.setattr(doctor, "check_sandbox",
                        lambda: [doctor.Finding(doctor.WARN, "sandbox: degraded")])
    assert doctor.main(["--no-jupyter", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "warn  sandbox: degraded" in out and "The course is usable here (1 warning" in out

    monkeypatch.setattr(doctor, "check_loopback", lambda: [doctor.Finding(
        doctor.FAIL, "cannot serve on 127.0.0.1", "allow binding to 127.0.0.1")])
    assert doctor.main(["--no-jupyter", "--no-color"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  cannot serve on 127.0.0.1" in out and "fix: allow binding" in out
    assert "Blocked: fix the 1 FAIL line above" in out


def test_a_check_that_crashes_is_reported_not_raised(monkeypatch, capsys):
    def broken():
        raise RuntimeError("probe exploded")

    monkeypatch.setattr(doctor, "check_python", broken)
    assert doctor.main(["--no-jupyter", "--no-color"]) == 0
    assert "broken could not run (probe exploded)" in capsys.readouterr().out
