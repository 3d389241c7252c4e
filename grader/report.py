"""Render a results document for people: colour in a terminal, plain text elsewhere."""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap

_CODES = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1", "cyan": "36"}


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    return hasattr(stream, "isatty") and stream.isatty()



# Where the output cannot encode these (an ASCII-only console), plain stand-ins are used.
_ASCII = str.maketrans({"✓": "+", "✗": "x", "→": "->", "←": "<-", "·": "-", "…": "...",
                        "—": "-", "█": "#", "░": "-"})


def fit_encoding(text: str, stream=None) -> str:
    """Return ``text`` with symbols the stream's encoding lacks replaced by ASCII ones."""
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass
    try:
        return text.translate(_ASCII).encode(encoding, "replace").decode(encoding)
    except LookupError:
        return text.translate(_ASCII).encode("ascii", "replace").decode("ascii")

class Painter:
    def __init__(self, colour: bool):
        self.colour = colour

    def __call__(self, text: str, *styles: str) -> str:
        if not self.colour or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _indent(text: str, prefix: str) -> str:
    return textwrap.indent(text.rstrip("\n"), prefix)


def _wrap(text: str, width: int) -> str:
    """Wrap prose to ``width``; lines of code or data (indented, or no spaces) stay whole."""
    out = []
    for line in text.splitlines() or [""]:
        if len(line) <= width or line.startswith(" ") or " " not in line:
            out.append(line)
        else:
            out.extend(textwrap.wrap(line, width, break_long_words=False,
                                     break_on_hyphens=False))
    return "\n".join(out)


_STOCK_PAGE = re.compile(r"^<!doctype html>\s*<html lang=en>\s*<title>([^<]+)</title>", re.IGNORECASE)


def _summarise_body(body: str) -> str:
    """Name Werkzeug's stock error pages instead of printing their boilerplate."""
    m = _STOCK_PAGE.match(body)
    if m and "<h1>" in body and body.count("<p>") == 1 and len(body) < 1200:
        return f"(the standard \"{m.group(1)}\" error page of Flask and Werkzeug)"
    return body


def _exchange(ex: dict, paint: Painter, last: bool) -> list[str]:
    lines = [paint(f"→ {ex['method']} {ex['path']}", "cyan")]
    for k, v in (ex.get("request_headers") or {}).items():
        lines.append(paint(f"  {k}: {v}", "dim"))
    if ex.get("request_body"):
        lines.append(paint(f"  {ex['request_body']}", "dim"))
    if "status" not in ex:
        lines.append(paint(f"← {ex.get('error', 'no answer')}", "red"))
        return lines
    headers = ex.get("response_headers") or {}
    ctype = headers.get("Content-Type", "no Content-Type")
    lines.append(paint(f"← {ex['status']} {ex.get('reason', '')}  ({ctype})", "cyan"))
    if last:
        for k in ("Location", "Set-Cookie", "Cache-Control", "ETag"):
            if k in headers:
                lines.append(paint(f"  {k}: {headers[k]}", "dim"))
        body = _summarise_body((ex.get("response_body") or "").strip())
        if body:
            body = body if len(body) < 400 else body[:400] + " …"
            lines.append(_indent(body, "  "))
    return lines


def render_test(t: dict, paint: Painter, width: int, details: bool = True) -> list[str]:
    mark = {"pass": paint("✓", "green"), "fail": paint("✗", "red"),
            "error": paint("!", "yellow")}[t["status"]]
    score = f"{t['score']}/{t['points']}"
    title = t["title"]
    room = max(20, width - 8 - len(score))
    if len(title) > room:
        title = title[: room - 1] + "…"
    lines = [f"  {mark} {title.ljust(room)} {paint(score, 'dim')}"]
    if t["status"] == "pass" or not details:
        return lines
    body: list[str] = []
    prose = max(40, width - 6)
    if t.get("message"):
        body.append(paint(_wrap(t["message"], prose), "bold"))
    if t.get("expected") or t.get("actual"):
        body.append(f"expected: {t.get('expected', '')}")
        body.append(f"actual:   {_indent(t.get('actual', ''), '          ').lstrip()}")
    exchanges = t.get("exchanges") or []
    if exchanges:
        shown = exchanges[-2:]
        if len(exchanges) > 2:
            body.append(paint(f"(the last 2 of {len(exchanges)} requests this check made)", "dim"))
        for i, ex in enumerate(shown):
            body.extend(_exchange(ex, paint, last=i == len(shown) - 1))
    if t.get("server_traceback"):
        body.append(paint("Your app raised:", "red"))
        body.append(_indent(t["server_traceback"], "  "))
    if t.get("stuck_at"):
        body.append(paint("Where the handler was stuck:", "yellow"))
        body.append(_indent(t["stuck_at"], "  "))
    if t.get("detail"):
        body.append(_indent(t["detail"], "  "))
    if t.get("output"):
        body.append(paint("The app's output:", "dim"))
        body.append(_indent(t["output"][-1500:], "  "))
    if t.get("hint"):
        body.append(_wrap(paint("Hint: ", "yellow") + t["hint"], prose))
    lines.extend(_indent(line, "      ") for line in body)
    return lines


def render(doc: dict, colour: bool | None = None, width: int | None = None,
           focus: bool = False) -> str:
    """Return the report for ``doc`` as text.

    With ``focus`` (watch mode) only the first failing check is shown in full, so the one thing
    to fix next fits on a screen; the others keep their one-line verdict.
    """
    paint = Painter(use_colour() if colour is None else colour)
    width = width or min(100, shutil.get_terminal_size((90, 20)).columns)
    out = [paint(f"Flasklings · {doc['chapter']} · {doc['title']}", "bold")
           + paint(f"  ({doc['folder']})", "dim")]
    outcome = doc.get("outcome")
    if outcome:
        out.append("")
        out.append(_wrap(paint(f"  {outcome['title']}: ", "red", "bold") + outcome["message"],
                         width))
        if outcome.get("detail"):
            out.append(_indent(outcome["detail"], "    "))
        if outcome.get("output", "").strip():
            out.append(paint("  The app's output:", "dim"))
            tail = outcome["output"][-(800 if focus else 2000):]
            out.append(_indent(tail, "    "))
        if doc["tests"]:
            out.append("")
            out.append(f"  None of the {len(doc['tests'])} checks could run.")
    else:
        out.append("")
        shown = False
        for t in doc["tests"]:
            full = not (focus and shown)
            out.extend(render_test(t, paint, width, details=full))
            shown = shown or t["status"] != "pass"
        if any(t["status"] == "error" for t in doc["tests"]):
            out.append(paint("  (! = the check could not finish: the app hung, crashed or "
                             "did not start)", "dim"))
    for note in doc.get("notes") or []:
        out.append("")
        lines = textwrap.wrap(note, width=max(40, width - 8))
        out.append(paint("  Note: ", "yellow", "bold") + lines[0])
        out.extend("        " + line for line in lines[1:])
    out.append("")
    passed = sum(t["status"] == "pass" for t in doc["tests"])
    colour_ = "green" if doc["status"] == "pass" else "red"
    verdict = "all checks pass" if doc["status"] == "pass" else \
        f"{passed} of {len(doc['tests'])} checks pass"
    meter = _meter(doc["score"], doc["max_score"], paint, colour_)
    out.append(paint(f"Score {doc['score']}/{doc['max_score']}", colour_, "bold")
               + f" {meter} · {verdict} · {doc['duration_s']:.2f} s")
    return fit_encoding("\n".join(out) + "\n")


def _meter(score: int, max_score: int, paint: Painter, colour: str, width: int = 20) -> str:
    filled = round(width * score / max_score) if max_score else 0
    return paint("█" * filled, colour) + paint("░" * (width - filled), "dim")
