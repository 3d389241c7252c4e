"""Leave a grandchild in a session of its own that would outlive the run (for 30 s at most)."""
import os
import time

from flask import Flask

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(30)
    os._exit(0)
os.wait()

app = Flask(__name__)


@app.get("/")
def home():
    return "ok"
