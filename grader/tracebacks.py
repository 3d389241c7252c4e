"""Trim tracebacks to the student's own frames, with paths relative to their folder.

Imported by the launcher inside the student's process, so it uses the standard library only.
"""

from __future__ import annotations

import os
import sys
import traceback

HEADER = "Traceback (most recent call last; only your code is shown):"


def _owner(filename: str) -> str:
    """Name the library a frame belongs to: 'flask', 'werkzeug', 'python'..."""
    if filename.startswith("<frozen importlib"):
        return "the import system"
    parts = filename.replace("\\", "/").split("/")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            i = parts.index(marker)
            if i + 1 < len(parts):
                return parts[i + 1].removesuffix(".py")
    if "grader" in parts:
        return "the grader's launcher"
    return "python"


def _is_own(filename: str, root: str) -> bool:
    if filename.startswith("<"):  # <frozen importlib._bootstrap>, <string>
        return False
    path = os.path.abspath(filename)
    return path.startswith(root.rstrip(os.sep) + os.sep) and "site-packages" not in path


def relative(text: str, root: str) -> str:
    """Rewrite absolute paths under ``root`` as paths relative to it.

    The per-run instance folder the grader made (FLASKLINGS_INSTANCE) is shown as
    ``instance``, the folder the student knows.
    """
    instance = os.environ.get("FLASKLINGS_INSTANCE")
    if instance:
        text = text.replace(instance.rstrip(os.sep), "instance")
    return text.replace(root.rstrip(os.sep) + os.sep, "")


def format_frames(frames: list[traceback.FrameSummary], root: str) -> list[str]:
    """Format frames, collapsing each run of library frames into one line."""
    lines: list[str] = []
    hidden: list[str] = []

    def flush() -> None:
        if hidden:
            owners = ", ".join(dict.fromkeys(hidden))
            n = len(hidden)
            lines.append(f"  [... {n} frame{'s' if n != 1 else ''} inside {owners}]\n")
            hidden.clear()

    for frame in frames:
        if _is_own(frame.filename, root):
            flush()
            lines.extend(traceback.format_list([frame]))
        else:
            hidden.append(_owner(frame.filename))
    flush()
    return [relative(line, root) for line in lines]


def format_exception(exc: BaseException, root: str) -> str:
    """Format ``exc`` (and its causes) showing only frames under ``root``."""
    te = traceback.TracebackException.from_exception(exc)
    return _format_te(te, root)


def _format_te(te: traceback.TracebackException, root: str) -> str:
    out: list[str] = []
    if te.__cause__ is not None:
        out.append(_format_te(te.__cause__, root))
        out.append("\nThe above exception was the direct cause of the following exception:\n\n")
    elif te.__context__ is not None and not te.__suppress_context__:
        out.append(_format_te(te.__context__, root))
        out.append("\nDuring handling of the above exception, another exception occurred:\n\n")
    if te.stack:
        out.append(HEADER + "\n")
        out.extend(format_frames(list(te.stack), root))
    out.extend(relative(line, root) for line in te.format_exception_only())
    return "".join(out)


def format_stack(frame, root: str) -> str:
    """Format the stack that ends at ``frame``, showing only frames under ``root``."""
    frames = traceback.extract_stack(frame)
    own = format_frames(list(frames), root)
    return "".join(own) if own else "  (no frame of your code is on the stack)\n"


def format_syntax_error(exc: SyntaxError, root: str) -> str:
    """Format a SyntaxError as Python does, without any traceback frames."""
    return relative("".join(traceback.format_exception_only(exc)), root)


if __name__ == "__main__":  # pragma: no cover - manual check
    try:
        {}["x"]
    except KeyError as e:
        sys.stdout.write(format_exception(e, os.getcwd()))
