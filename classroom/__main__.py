"""``python -m classroom COMMAND``: serve, init, import-roster, reissue, regrade, worker."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path


def _app(pool: bool = False):
    from classroom import create_app

    return create_app({"EMBEDDED_POOL": pool})


def cmd_serve(args) -> int:
    from werkzeug.serving import make_server

    app = _app(pool=True)
    server = make_server(args.host, args.port, app, threaded=True)
    # The real port (``--port 0`` picks a free one): tests and scripts read this line.
    print(f"Classroom serving on http://{args.host}:{server.port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_init(args) -> int:
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from classroom.models import User

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else \
        getpass.getpass("Instructor password: ")
    if len(password) < 8:
        print("classroom: the password needs at least 8 characters", file=sys.stderr)
        return 2
    app = _app()
    with app.app_context():
        db = app.extensions["classroom_sessions"]()
        email = args.email.strip().lower()
        user = db.scalar(select(User).where(User.email == email))
        if user is not None and user.role != "instructor":
            print(f"classroom: {email} is a student on the roster", file=sys.stderr)
            return 1
        if user is None:
            user = User(role="instructor", name=args.name or email, email=email)
            db.add(user)
        user.password_hash = generate_password_hash(password)
        db.commit()
    print(f"Instructor {email} is ready; the database is {app.config['DATABASE_URL']}")
    return 0


def cmd_import_roster(args) -> int:
    from classroom import roster

    try:
        text = Path(args.csv).read_text(encoding="utf-8")
        rows = roster.parse(text)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"classroom: cannot read {args.csv}: {exc}", file=sys.stderr)
        return 2
    except roster.RosterError as exc:
        print(f"classroom: nothing imported: {exc}", file=sys.stderr)
        return 1
    app = _app()
    with app.app_context():
        db = app.extensions["classroom_sessions"]()
        try:
            done = roster.import_rows(db, rows, int(app.config["TOKEN_DAYS"]))
        except roster.RosterError as exc:
            print(f"classroom: nothing imported: {exc}", file=sys.stderr)
            return 1
        db.commit()
        # Tokens are shown once: keep this output (email,token) somewhere safe.
        print("email,token")
        for user, token in done:
            if token:
                print(f"{user.email},{token}")
    print(f"classroom: {len(done)} students imported", file=sys.stderr)
    return 0


def cmd_reissue(args) -> int:
    from sqlalchemy import select

    from classroom.auth import issue_token
    from classroom.models import User

    app = _app()
    with app.app_context():
        db = app.extensions["classroom_sessions"]()
        user = db.scalar(select(User).where(User.email == args.email.strip().lower(),
                                            User.role == "student"))
        if user is None:
            print(f"classroom: no student {args.email}", file=sys.stderr)
            return 1
        token = issue_token(user, int(app.config["TOKEN_DAYS"]))
        db.commit()
    print(token)
    return 0


def cmd_regrade(args) -> int:
    from classroom import chapters, regrade

    app = _app()
    with app.app_context():
        chapter = chapters.find(args.chapter)
        if chapter is None:
            print(f"classroom: no chapter {args.chapter}", file=sys.stderr)
            return 2
        ids = regrade.queue_latest(app, chapter.id)
    print(f"Queued {len(ids)} re-grades of {chapter.id} on the bulk lane.")
    return 0


def cmd_worker(args) -> int:
    from classroom import worker

    return worker.main(_app(), args.threads, args.burst)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m classroom", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the classroom (development server, loopback)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=5000)
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("init", help="create or update the instructor account")
    s.add_argument("--email", required=True)
    s.add_argument("--name", default="")
    s.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    s.set_defaults(func=cmd_init)
    s = sub.add_parser("import-roster", help="import students from CSV; print their tokens")
    s.add_argument("csv")
    s.set_defaults(func=cmd_import_roster)
    s = sub.add_parser("reissue", help="give a student a new token (printed once)")
    s.add_argument("email")
    s.set_defaults(func=cmd_reissue)
    s = sub.add_parser("regrade", help="re-grade every student's latest submission of a chapter")
    s.add_argument("chapter")
    s.set_defaults(func=cmd_regrade)
    s = sub.add_parser("worker", help="run grading jobs: RQ when REDIS_URL is set, else a pool")
    # Not CLASSROOM_GRADING_WORKERS: that sizes the web processes' own pool, and is 0 exactly
    # when separate workers like this one do the grading.
    s.add_argument("--threads", type=int, default=2, choices=range(1, 65), metavar="N",
                   help="jobs graded at once (default 2)")
    s.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    s.set_defaults(func=cmd_worker)
    args = p.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
