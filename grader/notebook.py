"""Grade a chapter from inside its notebook: ``from grader.notebook import check; check("ch1")``.

The grade is the CLI's own (``runner.grade`` on the same folder, recorded in the same progress
file); only the rendering differs: HTML in Jupyter, the plain-text report anywhere else. A
student's broken app, or a grader problem, is reported in the output and never raised, so the
last cell of a notebook always shows something to act on.
"""

from __future__ import annotations

import html
from pathlib import Path

from grader import manifest, progress, report, results

# JupyterLab's theme variables, with fallbacks for classic Notebook and VS Code.
_GREEN = "var(--jp-success-color1, #2e7d32)"
_RED = "var(--jp-error-color1, #c62828)"
_YELLOW = "var(--jp-warn-color1, #ef6c00)"
_MUTED = "opacity: 0.7"
_PRE = ("white-space: pre-wrap; margin: 0.3em 0; padding: 0.4em 0.6em; "
        "background: var(--jp-layout-color2, #f5f5f5); border-radius: 3px; font-size: 90%")


class Report:
    """A results document that shows as HTML in Jupyter and as text elsewhere."""

    def __init__(self, doc: dict):
        self.doc = doc

    @property
    def passed(self) -> bool:
        return self.doc["status"] == "pass"

    def __repr__(self) -> str:
        return report.render(self.doc, colour=False)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        return to_html(self.doc)


def _pre(text: str) -> str:
    return f'<pre style="{_PRE}">{html.escape(text.rstrip())}</pre>'


def _test_html(t: dict) -> str:
    mark, colour = {"pass": ("✓", _GREEN), "fail": ("✗", _RED),
                    "error": ("!", _YELLOW)}[t["status"]]
    head = (f'<span style="color: {colour}; font-weight: bold">{mark}</span> '
            f'{html.escape(t["title"])} '
            f'<span style="{_MUTED}">{t["score"]}/{t["points"]}</span>')
    if t["status"] == "pass":
        return f"<li>{head}</li>"
    parts = [f'<div style="font-weight: bold">{html.escape(t.get("message", ""))}</div>']
    if t.get("expected") or t.get("actual"):
        parts.append(_pre(f"expected: {t.get('expected', '')}\nactual:   {t.get('actual', '')}"))
    exchanges = t.get("exchanges") or []
    if exchanges:
        shown = exchanges[-2:]
        lines: list[str] = []
        for i, ex in enumerate(shown):
            lines.extend(report._exchange(ex, report.Painter(False), last=i == len(shown) - 1))
        note = (f'<div style="{_MUTED}">the last 2 of {len(exchanges)} requests this check '
                f'made</div>' if len(exchanges) > 2 else "")
        parts.append(note + _pre("\n".join(lines)))
    for key, label in (("server_traceback", "Your app raised:"),
                       ("stuck_at", "Where the handler was stuck:"),
                       ("detail", ""), ("output", "The app's output:")):
        if t.get(key):
            text = t[key][-1500:] if key == "output" else t[key]
            parts.append((f"<div>{label}</div>" if label else "") + _pre(text))
    if t.get("hint"):
        parts.append(f'<div><span style="color: {_YELLOW}; font-weight: bold">Hint:</span> '
                     f'{html.escape(t["hint"])}</div>')
    return (f"<li>{head}<div style=\"margin: 0.2em 0 0.6em 1.4em\">{''.join(parts)}</div>"
            f"</li>")


def to_html(doc: dict) -> str:
    """Render a results document as self-contained HTML (inline styles, no scripts)."""
    title = (f'<div style="font-weight: bold; font-size: 110%">Flasklings · '
             f'{html.escape(doc["chapter"])} · {html.escape(doc["title"])} '
             f'<span style="{_MUTED}; font-weight: normal">({html.escape(doc["folder"])})'
             f'</span></div>')
    out = ['<div class="flasklings-report" style="line-height: 1.4">', title]
    outcome = doc.get("outcome")
    if outcome:
        out.append(f'<div style="margin-top: 0.5em"><span style="color: {_RED}; '
                   f'font-weight: bold">{html.escape(outcome["title"])}:</span> '
                   f'{html.escape(outcome["message"])}</div>')
        if outcome.get("detail"):
            out.append(_pre(outcome["detail"]))
        if outcome.get("output", "").strip():
            out.append(f"<div>The app's output:</div>{_pre(outcome['output'][-2000:])}")
        if doc["tests"]:
            out.append(f"<div>None of the {len(doc['tests'])} checks could run.</div>")
    else:
        out.append('<ul style="list-style: none; padding-left: 0.4em">')
        out.extend(_test_html(t) for t in doc["tests"])
        out.append("</ul>")
    passed = sum(t["status"] == "pass" for t in doc["tests"])
    ok = doc["status"] == "pass"
    verdict = "all checks pass" if ok else f"{passed} of {len(doc['tests'])} checks pass"
    out.append(f'<div><span style="color: {_GREEN if ok else _RED}; font-weight: bold">'
               f'Score {doc["score"]}/{doc["max_score"]}</span> '
               f'<progress value="{doc["score"]}" max="{doc["max_score"] or 1}" '
               f'style="vertical-align: middle"></progress> · {verdict} · '
               f'{doc["duration_s"]:.2f} s</div>')
    if ok:
        out.append(f'<div style="{_MUTED}">Compare with the reference in a terminal: '
                   f'<code>python -m grader solution {html.escape(doc["chapter"])}</code></div>')
    elif doc["tests"] or outcome:
        out.append(f'<div style="{_MUTED}">Stuck? <code>python -m grader hint '
                   f'{html.escape(doc["chapter"])}</code> in a terminal gives a hint, and a more '
                   f'specific one each time you ask.</div>')
    out.append("</div>")
    return "\n".join(out)


class _Unknown:
    """Enough of a Chapter to build an error document for a name the manifest lacks."""

    def __init__(self, name: str):
        self.id, self.title, self.points = name, "(unknown chapter)", 0


def check(chapter: str, path: str | None = None) -> Report:
    """Grade ``chapter``'s exercise (or the app in ``path``) and return the report."""
    try:
        chap = manifest.find(chapter)
    except manifest.UnknownChapter as exc:
        return Report(results.error_document(_Unknown(str(chapter)), "", "unknown_chapter",
                                             str(exc)))
    except (OSError, ValueError) as exc:
        return Report(results.error_document(_Unknown(str(chapter)), "", "grader_error",
                                             f"the course manifest could not be read: {exc}"))
    folder = Path(path) if path else chap.exercise_dir
    try:
        from grader import runner

        doc = runner.grade(chap, folder)
    except Exception as exc:  # noqa: BLE001 - report it; the notebook must stay usable
        return Report(results.error_document(chap, str(folder), "grader_error",
                                             f"the grader could not run the checks: {exc}"))
    if path is None:
        try:
            progress.record(doc)
        except OSError:
            pass  # a read-only checkout still gets its report
    return Report(doc)
