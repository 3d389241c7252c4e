"""Fork until refused, but never more than 300 children, each gone after 20 s on its own."""
import os
import time

for _ in range(300):
    if os.fork() == 0:
        time.sleep(20)
        os._exit(0)
# Reaching here means 300 forks were allowed: no process limit was in force.
from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    return "300 forks were allowed"
