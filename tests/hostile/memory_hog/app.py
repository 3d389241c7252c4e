"""Take memory 64 MiB at a time, touching every page, up to 1 GiB at most."""
hog = []
for _ in range(16):
    hog.append(b"x" * (64 << 20))

from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    return "1 GiB was allowed"
