"""Fill the private /tmp with small files, then grow one file in the app's folder; both bounded."""
import os

chunk = b"x" * (512 << 10)
os.makedirs("/tmp/filler", exist_ok=True)
try:
    for i in range(64):  # at most 32 MiB
        with open(f"/tmp/filler/{i}", "wb") as f:
            f.write(chunk)
except OSError:
    pass  # the private /tmp is full: go on to the app's own folder
with open("fill.bin", "wb") as f:
    for _ in range(128):  # at most 64 MiB
        f.write(chunk)
        f.flush()

from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    return "64 MiB were written"
