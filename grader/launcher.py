"""Serve a student's app inside its own process, on a socket the grader already opened.

Run as ``python -m grader.launcher`` with the student's folder as the working directory.
The grader binds 127.0.0.1:0 itself and passes the listening socket in (``--fd``), so the
app's own ``app.run()`` or hard-coded port never matters and no port can race. One JSON line
on ``--status-fd`` says "ready" or names why the app could not start. While serving, every
unhandled exception and every stack dump (on SIGUSR1, for a hung request) is appended as a
JSON line to ``--events``, keyed by the grader's request id.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
import signal
import sys
import threading

from grader import tracebacks

REQUEST_HEADER = "X-Flasklings-Request"
_ENVIRON_KEY = "HTTP_" + REQUEST_HEADER.upper().replace("-", "_")


class StartupFailure(Exception):
    """The app could not be loaded; ``kind`` names the outcome."""

    def __init__(self, kind: str, message: str, detail: str = ""):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.detail = detail


class Events:
    """Append JSON lines to the events file; safe from many threads and worker processes."""

    def __init__(self, path: str):
        if path.startswith("fd:"):  # opened by the grader: a sandboxed app cannot open it
            self._fd = int(path[3:])
        else:
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._lock = threading.Lock()

    def write(self, **record) -> None:
        data = (json.dumps(record) + "\n").encode()
        with self._lock:
            os.write(self._fd, data)


NOTES: list[str] = []  # things the student should know although the app started


def _no_run(self, *args, **kwargs):
    """Stand in for Flask.run: the grader serves the app, so a stray app.run() is skipped."""
    note = ("app.run() was called while your app was being imported. The grader skipped it, "
            "but `flask run`, gunicorn or any other server importing your module would hang "
            "there (or start a second server): put app.run() under "
            "`if __name__ == \"__main__\":`.")
    if note not in NOTES:
        NOTES.append(note)
    sys.stderr.write(f"flasklings: {note}\n")


def load_app(target: str, root: str):
    """Import ``target`` ('pkg', 'module:name' or 'module:factory') and return a WSGI app."""
    module_name, _, attr = target.partition(":")
    attr = attr.removesuffix("()")
    try:
        import flask

        flask.Flask.run = _no_run
        instance = os.environ.get("FLASKLINGS_INSTANCE")
        if instance:
            # Each run gets its own writable copy of the instance folder, so a grade never
            # writes into the student's folder and runs never see each other's databases.
            flask.Flask.auto_find_instance_path = lambda self: instance
    except ImportError:
        flask = None
    try:
        module = importlib.import_module(module_name)
    except SyntaxError as exc:
        raise StartupFailure(
            "syntax_error",
            f"Python could not read your code: {exc.msg} ({_where(exc, root)})",
            tracebacks.format_syntax_error(exc, root),
        ) from None
    except ModuleNotFoundError as exc:
        if exc.name == module_name.split(".")[0]:
            raise StartupFailure(
                "no_app",
                f"there is no module or package called {module_name!r} in this folder "
                f"(looked in {root})",
            ) from None
        raise StartupFailure(
            "import_error",
            f"importing {module_name!r} failed: {type(exc).__name__}: {tracebacks.relative(str(exc), root)}",
            tracebacks.format_exception(exc, root),
        ) from None
    except SystemExit as exc:
        raise StartupFailure(
            "exited",
            f"your code called sys.exit({exc.code!r}) while it was being imported",
        ) from None
    except BaseException as exc:  # noqa: BLE001 - any failure in student code is reported
        _raise_if_limit(exc, "while it was being imported")
        raise StartupFailure(
            "import_error",
            f"importing {module_name!r} raised {type(exc).__name__}: {tracebacks.relative(str(exc), root)}",
            tracebacks.format_exception(exc, root),
        ) from None
    return _find_app(module, module_name, attr, root, flask)


def _find_app(module, module_name, attr, root, flask):
    """Find the app object in ``module`` the way ``flask --app`` does."""
    try:
        if attr:
            if not hasattr(module, attr):
                raise StartupFailure(
                    "no_app", f"{module_name!r} has no attribute {attr!r}"
                )
            obj = getattr(module, attr)
            if attr in ("create_app", "make_app") and callable(obj):
                obj = obj()
            if not callable(obj):
                raise StartupFailure(
                    "no_app", f"{module_name}:{attr} is not a WSGI application"
                )
            return obj
        if flask is None:
            raise StartupFailure("no_app", "Flask is not installed")
        from flask.cli import NoAppException, find_best_app

        try:
            return find_best_app(module)
        except NoAppException as exc:
            raise StartupFailure(
                "no_app",
                f"no Flask app found in {module_name!r}: define create_app() (or a module "
                f"variable called app). Flask said: {exc}",
            ) from None
    except StartupFailure:
        raise
    except SystemExit as exc:
        raise StartupFailure(
            "exited", f"your code called sys.exit({exc.code!r}) while creating the app"
        ) from None
    except BaseException as exc:  # noqa: BLE001
        _raise_if_limit(exc, "while creating the app")
        raise StartupFailure(
            "import_error",
            f"creating the app raised {type(exc).__name__}: {tracebacks.relative(str(exc), root)}",
            tracebacks.format_exception(exc, root),
        ) from None


_LIMIT_ERRNOS = {errno.EAGAIN: "too_many_processes", errno.EFBIG: "disk_limit",
                 errno.ENOSPC: "disk_limit", errno.EDQUOT: "disk_limit"}


def _raise_if_limit(exc: BaseException, when: str) -> None:
    """Name a failure caused by a sandbox limit as the infrastructure outcome it is."""
    kind = None
    if isinstance(exc, MemoryError):
        kind = "out_of_memory"
    elif isinstance(exc, OSError) and exc.errno in _LIMIT_ERRNOS:
        kind = _LIMIT_ERRNOS[exc.errno]
    elif isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
        kind = "too_many_processes"
    if kind:
        raise StartupFailure(
            kind, f"your code hit a limit of the grader's sandbox {when}: "
                  f"{type(exc).__name__}: {exc}") from None


def apply_limits(spec: str) -> None:
    """Set the rlimits in ``spec`` ("AS=1073741824,CPU=60,...") here and for all children."""
    import resource

    for item in spec.split(","):
        name, _, value = item.partition("=")
        which = getattr(resource, f"RLIMIT_{name}", None)
        if which is None:
            continue  # not on this system (macOS has no RLIMIT_AS enforcement, for one)
        soft = int(value)
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        # A CPU hard limit one second above the soft one: SIGXCPU first, then SIGKILL.
        new_hard = soft + 1 if name == "CPU" and (hard == resource.RLIM_INFINITY or soft < hard) \
            else soft
        for pair in ((soft, new_hard), (soft, hard)):
            try:
                resource.setrlimit(which, pair)
                break
            except (ValueError, OSError):
                continue  # this system refuses the limit (macOS and RLIMIT_AS): go without
        if name == "STACK":
            # glibc sized thread stacks at start-up; Python threads follow this instead.
            threading.stack_size(max(soft, 256 * 1024))


def _where(exc: SyntaxError, root: str) -> str:
    name = tracebacks.relative(exc.filename or "?", root)
    return f"{name}, line {exc.lineno}"


class Recorder:
    """WSGI middleware: remember which thread serves which request, record crashes."""

    def __init__(self, app, events: Events, root: str):
        self.app = app
        self.events = events
        self.root = root
        self.active: dict[int, tuple[str, str, str]] = {}

    def __call__(self, environ, start_response):
        rid = environ.get(_ENVIRON_KEY, "")
        me = threading.get_ident()
        self.active[me] = (rid, environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        try:
            result = self.app(environ, start_response)
        except BaseException as exc:
            self.exception(exc, rid, environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            raise
        finally:
            self.active.pop(me, None)
        return self._body(result, rid, environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))

    def _body(self, result, rid, method, path):
        """Yield the app's body, recording an exception raised while it is produced.

        A plain WSGI app that yields str instead of bytes fails here, after the status line
        went out: the client only sees the connection break off.
        """
        try:
            for chunk in result:
                if not isinstance(chunk, bytes):
                    # The server would only say "applications must write bytes" to its log.
                    raise TypeError(
                        f"the WSGI app produced {type(chunk).__name__}, not bytes, for its body: "
                        "a WSGI body is an iterable of bytes (encode text, e.g. "
                        "text.encode('utf-8'))")
                yield chunk
        except GeneratorExit:
            raise
        except BaseException as exc:
            self.exception(exc, rid, method, path)
            raise
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def exception(self, exc, rid, method, path) -> None:
        self.events.write(
            event="exception",
            request=rid,
            method=method,
            path=path,
            error=f"{type(exc).__name__}: {exc}",
            traceback=tracebacks.format_exception(exc, self.root),
        )

    def dump_stacks(self, *_):
        """Write where every in-flight request is stuck (sent SIGUSR1 on a timeout)."""
        frames = sys._current_frames()
        for ident, (rid, method, path) in list(self.active.items()):
            frame = frames.get(ident)
            if frame is not None:
                self.events.write(
                    event="stack",
                    request=rid,
                    method=method,
                    path=path,
                    stack=tracebacks.format_stack(frame, self.root),
                )


def _watch_flask_exceptions(app, recorder: Recorder) -> None:
    """Record exceptions Flask turns into 500s (they never reach the middleware)."""
    try:
        from flask import Flask, got_request_exception, request
    except ImportError:
        return
    if not isinstance(app, Flask):
        return

    def on_exception(sender, exception, **extra):
        recorder.exception(
            exception, request.headers.get(REQUEST_HEADER, ""), request.method, request.path
        )

    got_request_exception.connect(on_exception, app, weak=False)


def serve_werkzeug(wsgi, fd: int, ready) -> None:
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, code="-", size="-"):
            sys.stderr.write(f"{self.command} {self.path} -> {code}\n")

    server = make_server("127.0.0.1", 0, wsgi, threaded=True, fd=fd, request_handler=QuietHandler)
    server.daemon_threads = True
    ready()
    server.serve_forever()


def serve_gunicorn(wsgi, fd: int, ready, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Embedded(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", [f"fd://{fd}"])
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", 4)
            self.cfg.set("graceful_timeout", 1)
            self.cfg.set("loglevel", "warning")
            self.cfg.set("when_ready", lambda server: ready())

        def load(self):
            return wsgi

    Embedded().run()


def _mounted(app):
    """Serve ``app`` under the path in FLASKLINGS_MOUNT (e.g. /mounted) too, when it is set."""
    prefix = os.environ.get("FLASKLINGS_MOUNT", "").rstrip("/")
    if not prefix:
        return app
    # As a proxy path or a bigger site would: under the prefix the app sees it as SCRIPT_NAME,
    # so a check can tell links built with url_for() from hand-written ones. One app object
    # serves both places, so no second process is needed.
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    return DispatcherMiddleware(app, {prefix: app})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.launcher")
    parser.add_argument("--app", required=True)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--status-fd", type=int, required=True)
    parser.add_argument("--events", required=True)
    parser.add_argument("--server", choices=["werkzeug", "gunicorn"], default="werkzeug")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limits", default="")
    args = parser.parse_args(argv)
    if args.limits:
        apply_limits(args.limits)

    root = os.getcwd()
    if root not in sys.path:
        sys.path.insert(0, root)
    status = os.fdopen(args.status_fd, "w", buffering=1)
    events = Events(args.events)

    def report(**record) -> None:
        status.write(json.dumps(record) + "\n")
        status.flush()

    try:
        app = load_app(args.app, root)
    except StartupFailure as fail:
        report(event="failed", kind=fail.kind, message=fail.message, detail=fail.detail)
        return 3

    recorder = Recorder(_mounted(app), events, root)
    _watch_flask_exceptions(app, recorder)

    def ready() -> None:
        report(event="ready", pid=os.getpid(), notes=NOTES)
        status.close()

    if args.server == "gunicorn":
        serve_gunicorn(recorder, args.fd, ready, args.workers)
    else:
        signal.signal(signal.SIGUSR1, recorder.dump_stacks)
        serve_werkzeug(recorder, args.fd, ready)
    return 0


if __name__ == "__main__":
    sys.exit(main())
