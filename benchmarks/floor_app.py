"""The floor: spawn a minimal Flask app with make_server on port 0, make N requests, stop it.

Run as `python benchmarks/floor_app.py N`; it is what any live-server grade must at least do.
"""

import subprocess
import sys

CHILD = """
from flask import Flask
from werkzeug.serving import make_server
app = Flask(__name__)
@app.get("/")
def index():
    return "ok"
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.port, flush=True)
server.serve_forever()
"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    proc = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True)
    import requests  # imported while the child boots, as the grader does

    port = int(proc.stdout.readline())
    with requests.Session() as s:
        for _ in range(n):
            s.get(f"http://127.0.0.1:{port}/", timeout=5).raise_for_status()
    proc.terminate()
    proc.wait()


if __name__ == "__main__":
    main()
