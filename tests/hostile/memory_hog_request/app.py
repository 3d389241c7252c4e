from flask import Flask

app = Flask(__name__)


@app.get("/")
def home():
    hog = [b"x" * (64 << 20) for _ in range(16)]  # at most 1 GiB
    return f"{len(hog)} blocks were allowed"
