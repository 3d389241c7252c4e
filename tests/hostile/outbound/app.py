"""Try to reach the host's loopback and a non-routable address; report what connected."""
import os
import socket

from flask import Flask

reached = []
for host, port in (("127.0.0.1", int(os.environ["HOSTILE_TRAP_PORT"])), ("10.255.255.1", 9)):
    try:
        socket.create_connection((host, port), timeout=0.3).close()
        reached.append(f"{host}:{port}")
    except OSError:
        pass
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
        b"x", ("127.0.0.1", int(os.environ["HOSTILE_TRAP_PORT"])))
except OSError:
    pass

app = Flask(__name__)


@app.get("/")
def home():
    return "connected to " + ", ".join(reached) if reached else "ok"
