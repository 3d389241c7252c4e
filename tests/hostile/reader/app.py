"""Try to read, change and delete files outside the app's folder; report what worked."""
import glob
import os
from pathlib import Path

from flask import Flask

decoy = Path(os.environ["HOSTILE_DECOY"])
here = Path(__file__).resolve().parent
targets = [decoy / "other_submission" / "app.py", decoy / "hidden" / "checks.py",
           "/etc/shadow", "/root/.bashrc", *glob.glob(str(here.parent / "*" / "app.py"))]
targets += [p for p in glob.glob(os.environ["HOSTILE_CHECKS"] + "/*.py")]
leaks = []
for target in targets:
    if Path(target).resolve().parent == here:
        continue
    try:
        leaks.append(f"read {target}: {Path(target).read_text()[:40]!r}")
    except OSError:
        pass
    try:
        with open(target, "a") as f:
            f.write("# changed by another submission\n")
        leaks.append(f"wrote {target}")
    except OSError:
        pass
for victim in (decoy / "other_submission" / "app.py", decoy / "hidden"):
    try:
        os.remove(victim) if victim.is_file() else os.rmdir(victim)
        leaks.append(f"removed {victim}")
    except OSError:
        pass
try:
    leaks.append(f"listed {decoy}: {os.listdir(decoy)}")
except OSError:
    pass

app = Flask(__name__)


@app.get("/")
def home():
    return "; ".join(leaks) or "ok"
