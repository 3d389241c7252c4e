"""Spread memory over processes each under the per-process limit (6 x 160 MiB at most)."""
import os
import signal
import time

children = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (160 << 20)  # every page touched
        time.sleep(10)
        os._exit(0)
    children.append(pid)
time.sleep(1.5)  # let them all allocate
stopped = 0
for pid in children:
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    stopped += os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    return "ok" if stopped else "960 MiB across six processes were allowed"
