import sys
import time

from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    line = "chatter " * 128 + "\n"
    for _ in range(4096):  # about 4 MB at most
        sys.stdout.write(line)
    sys.stdout.flush()
    time.sleep(1)  # the sandbox stops the app before it answers
    return "4 MB of output were allowed"
