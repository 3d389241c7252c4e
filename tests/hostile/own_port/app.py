"""Open a server of its own on a port of its choosing, next to the one the grader serves."""
import os
import socket
import threading

from flask import Flask

own = socket.socket()
own.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
own.bind(("127.0.0.1", int(os.environ["HOSTILE_OWN_PORT"])))
own.listen()


def serve():
    while True:
        conn, _ = own.accept()
        conn.sendall(b"HTTP/1.0 200 OK\r\n\r\nown server")
        conn.close()


threading.Thread(target=serve, daemon=True).start()
app = Flask(__name__)


@app.get("/")
def home():
    return "ok"
