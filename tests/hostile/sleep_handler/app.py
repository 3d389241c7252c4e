import time

from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    time.sleep(3600)
    return "ok"
