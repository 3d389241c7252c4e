"""Re-grade a chapter on every save: ``python -m grader watch ch3`` (or ``ch3 --watch``).

One process stays warm for the whole session: pytest, requests and the checks are imported
once and ``runner.grade()`` runs again in-process; only the student's app is restarted, as a
fresh subprocess per grade. File events come from ``watchfiles`` (debounced); where they do not
work, the r key re-runs by hand and ``--poll`` asks watchfiles to poll instead.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from pathlib import Path

from grader import hints, manifest, progress, report

# Wait this long after the last change before grading, so an editor's write-rename-chmod
# burst (or "save all") gives one grade, not three.
STEP_MS = 40
DEBOUNCE_MS = 400
POLL_MS = 200
CLEAR = "\x1b[H\x1b[2J\x1b[3J"
PROMPT = "[h] hint · [r] re-run · [l] list · [q] quit"
# The app writes its database and logs inside its own folder while it is graded; changes
# there must not trigger another grade, or watch mode would loop forever.
IGNORED_DIRS = ("instance", ".flasklings", ".ipynb_checkpoints", "htmlcov")
IGNORED_PATTERNS = (r"\.(db|sqlite3?|db-journal|sqlite-journal|log|pid|tmp)$", r"-(wal|shm)$")


def change_filter():
    """Return the watchfiles filter: its defaults plus the app's own runtime files."""
    import watchfiles

    class ChapterFilter(watchfiles.DefaultFilter):
        ignore_dirs = (*watchfiles.DefaultFilter.ignore_dirs, *IGNORED_DIRS)
        ignore_entity_patterns = (*watchfiles.DefaultFilter.ignore_entity_patterns,
                                  *IGNORED_PATTERNS)

    return ChapterFilter()


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        st = folder.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


class Watcher:
    """Watch one folder in a thread; put ("change", (gen, when, paths)) on ``events``."""

    def __init__(self, folder: Path, events: queue.Queue, poll: bool = False, gen: int = 0):
        self.folder, self.events, self.poll, self.gen = Path(folder), events, poll, gen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="flasklings-watch")
        self._thread.start()

    def _run(self) -> None:
        try:
            import watchfiles

            while not self._stop.is_set():
                if not self._wait_for_folder():
                    return
                shown = _identity(self.folder)
                for batch in watchfiles.watch(self.folder, watch_filter=change_filter(),
                                              step=STEP_MS, debounce=DEBOUNCE_MS,
                                              stop_event=self._stop,
                                              force_polling=self.poll or None,
                                              poll_delay_ms=POLL_MS, raise_interrupt=False):
                    self.events.put(("change", (self.gen, time.perf_counter(),
                                                sorted(p for _, p in batch))))
                    # `reset` (or a git checkout) swaps in a new folder: watch that one.
                    if _identity(self.folder) != shown:
                        break
        except Exception as exc:  # noqa: BLE001 - inotify limits, odd filesystems: use r
            self.events.put(("watch_error", (self.gen, str(exc) or type(exc).__name__)))

    def _wait_for_folder(self) -> bool:
        """Wait while the folder is missing (being replaced); False when told to stop."""
        while not self.folder.is_dir():
            if self._stop.wait(0.1):
                return False
        return True

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)


def _private(stream):
    """Return the key stream on a descriptor of its own.

    While pytest runs a grade it points fd 0 at /dev/null (its stdin capture); a key read
    started then would see end of input and the keys would stop working. A duplicate
    descriptor keeps reading the real terminal or pipe.
    """
    try:
        fd = os.dup(stream.fileno())
    except (AttributeError, OSError, ValueError):
        return stream
    return os.fdopen(fd, "r", encoding=getattr(stream, "encoding", None) or "utf-8",
                     errors="replace")


def _read_keys(stream, events: queue.Queue) -> None:
    """Put ("key", k) on ``events`` for each key (terminal) or each line (pipe)."""
    try:
        if hasattr(stream, "isatty") and stream.isatty():
            fd = stream.fileno()
            while True:
                data = os.read(fd, 32)
                if not data:
                    break
                for ch in data.decode("utf-8", "ignore"):
                    events.put(("key", ch))
        else:
            for line in stream:
                events.put(("key", line.strip()[:1] or "\n"))
    except (OSError, ValueError):
        pass
    events.put(("eof", None))


def forget_checks(chapter: manifest.Chapter) -> list[str]:
    """Drop the chapter's check module from ``sys.modules`` so the next grade reads it afresh.

    pytest's importlib mode caches it under a name derived from its path; in a warm process an
    edited checks file (a course author watching) would otherwise be graded as it first was.
    """
    target = str(Path(chapter.checks_file).resolve())
    gone = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and os.path.abspath(path) == target:
            del sys.modules[name]
            gone.append(name)
    return gone


class Session:
    """The watch-mode screen: the last grade, and whatever a key asked to show under it."""

    def __init__(self, chapter: manifest.Chapter, folder: Path, out=None, colour=None,
                 record: bool = True, state: Path = progress.STATE, follow: bool = True):
        self.chapter = chapter
        self.follow = follow
        self.folder = Path(folder)
        self.out = out or sys.stdout
        self.tty = hasattr(self.out, "isatty") and self.out.isatty()
        self.colour = report.use_colour(self.out) if colour is None else colour
        self.paint = report.Painter(self.colour)
        self.record = record
        self.state = state
        self.doc: dict | None = None
        self.below = ""
        self.status = ""
        self.watching = "watching for saves"

    def grade(self, why: str) -> dict:
        """Grade the folder again and redraw; the app is the only thing restarted."""
        from grader import runner

        if self.tty:  # the verdict is a moment away: say so on the prompt line
            self.out.write("\r\x1b[2K" + self.paint(f"{why} · grading…", "dim"))
            self.out.flush()
        started = time.perf_counter()
        forget_checks(self.chapter)
        try:
            doc = runner.grade(self.chapter, self.folder)
        except Exception as exc:  # noqa: BLE001 - a broken checks file must not end the watch
            from grader import results

            doc = results.error_document(self.chapter, str(self.folder), "grader_error",
                                         f"the grader could not run the checks: {exc}")
        self.doc = doc
        if self.record:
            progress.record(doc, self.state)
        took = time.perf_counter() - started
        self.below = ""
        self.status = f"{why} · graded at {time.strftime('%H:%M:%S')} in {took:.2f} s"
        self.draw()
        return doc

    def footer(self) -> list[str]:
        lines = []
        doc = self.doc
        prompt = PROMPT
        if doc and doc["status"] == "pass":
            nxt = self._next() if self.follow else None
            lines.append(self.paint("All checks pass!", "green", "bold")
                         + " Compare your app with the reference: press s"
                         + (f", or n to go on to {nxt.id} · {nxt.title}." if nxt else "."))
            prompt += " · [s] solution" + (" · [n] next chapter" if nxt else "")
        lines.append(self.paint(self.status, "dim"))
        lines.append(self.paint(f"{self.watching} in {manifest.display(self.folder)}", "dim"))
        lines.append(self.paint(prompt, "bold"))
        return lines

    def draw(self) -> None:
        parts = []
        if self.tty:
            parts.append(CLEAR)
        else:
            parts.append("─" * 60 + "\n")
        if self.doc is not None:
            parts.append(report.render(self.doc, colour=self.colour, focus=True))
        if self.below:
            parts.append("\n" + self.below.rstrip("\n") + "\n")
        parts.append("\n" + "\n".join(self.footer()) + "\n")
        self.out.write(report.fit_encoding("".join(parts), self.out))
        self.out.flush()

    def _next(self) -> manifest.Chapter | None:
        try:
            chapters = manifest.load()
        except (OSError, ValueError):
            return None
        later = [c for c in chapters if c.number > self.chapter.number]
        return later[0] if later else None

    def show_hint(self) -> None:
        if self.doc is None:
            return
        hint = hints.next_hint(self.doc, self.chapter, self.state)
        self.below = hints.render(hint, self.doc, self.paint, again="press h")
        self.draw()

    def show_list(self) -> None:
        try:
            self.below = progress.render_list(manifest.load(), progress.load(self.state))
        except (OSError, ValueError) as exc:
            self.below = f"The chapter list could not be read: {exc}\n"
        self.draw()

    def show_solution(self) -> None:
        from grader import solution

        if not (self.doc and self.doc["status"] == "pass"):
            self.below = "The reference solution opens once every check passes.\n"
        else:
            self.below = solution.render_diff(self.chapter, self.folder, self.paint) or \
                "Your app matches the reference file for file.\n"
        self.draw()


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.resolve().relative_to(folder.resolve()))
    except ValueError:
        return str(path)


def run(chapter: manifest.Chapter, folder: Path, keys=None, out=None, poll: bool = False,
        record: bool = True, colour: bool | None = None, state: Path = progress.STATE,
        follow: bool = True) -> int:
    """Watch ``folder`` and re-grade on each save until q (or Ctrl-C).

    ``keys`` is the key source (a terminal, or a stream read line by line); without one the
    watch runs until interrupted. ``follow`` lets the n key move on to the next chapter.
    """
    events: queue.Queue = queue.Queue()
    gen = 0
    watcher = Watcher(folder, events, poll, gen)
    session = Session(chapter, folder, out, colour, record, state, follow)
    restore = _cbreak(keys)
    if keys is not None:
        threading.Thread(target=_read_keys, args=(_private(keys), events), daemon=True,
                         name="flasklings-keys").start()
    try:
        session.grade("first run")
        while True:
            try:
                kind, payload = events.get(timeout=0.5)
            except queue.Empty:
                continue
            if kind == "change" and payload[0] == gen:
                paths = list(payload[2]) + _drain_changes(events, gen)
                names = sorted({_relative(Path(p), session.folder) for p in paths})
                shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
                session.grade(f"saved {shown}")
            elif kind == "watch_error" and payload[0] == gen:
                session.watching = (f"file events are not available here ({payload[1]}); "
                                    f"save, then press r — or restart with --poll")
                session.draw()
            elif kind == "key":
                key = payload.lower()
                if key in ("q", "\x04"):
                    break
                if key in ("r", "\n", "\r"):
                    session.grade("re-run")
                elif key == "h":
                    session.show_hint()
                elif key == "l":
                    session.show_list()
                elif key == "s":
                    session.show_solution()
                elif key == "n" and follow and session.doc and session.doc["status"] == "pass":
                    nxt = session._next()
                    if nxt is not None and nxt.exercise_dir.is_dir():
                        watcher.stop()
                        gen += 1
                        watcher = Watcher(nxt.exercise_dir, events, poll, gen)
                        session = Session(nxt, nxt.exercise_dir, out, colour, record, state,
                                          follow)
                        session.grade(f"on to {nxt.id}")
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        watcher.stop()
        if restore:
            restore()


def _drain_changes(events: queue.Queue, gen: int) -> list[str]:
    """Take the saves already queued (made while the last grade ran): one grade covers them."""
    paths, keep = [], []
    while True:
        try:
            kind, payload = events.get_nowait()
        except queue.Empty:
            break
        if kind == "change":
            if payload[0] == gen:
                paths += payload[2]
        else:
            keep.append((kind, payload))
    for item in keep:
        events.put(item)
    return paths


def _cbreak(stream):
    """Put a terminal into key-at-a-time mode; return a function that restores it."""
    if stream is None or not (hasattr(stream, "isatty") and stream.isatty()):
        return None
    try:
        import termios
        import tty

        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
        tty.setcbreak(fd)
    except (ImportError, OSError, ValueError):
        return None
    return lambda: termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def main(argv: list[str]) -> int:
    """Parse ``watch`` arguments and watch the chapter's exercise (or ``--path``)."""
    from grader.cli import existing_folder, find_chapter, parse

    parser = argparse.ArgumentParser(
        prog="python -m grader watch",
        description="Re-grade a chapter every time you save one of its files.")
    parser.add_argument("chapter", help="chapter: ch1, ch01 or 1")
    parser.add_argument("--path", type=Path, help="watch and grade the app in this folder")
    parser.add_argument("--poll", action="store_true",
                        help="poll for changes (for filesystems without file events)")
    parser.add_argument("--no-color", action="store_true", help="plain text, no colour")
    args = parse(parser, argv)
    chapter = find_chapter(args.chapter)
    folder = existing_folder(args.path or chapter.exercise_dir)
    return run(chapter, Path(folder), keys=sys.stdin, poll=args.poll,
               record=args.path is None, colour=False if args.no_color else None,
               follow=args.path is None)
