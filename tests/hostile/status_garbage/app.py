"""Write one line of garbage on every inherited pipe, then carry on as a normal app would."""
import os
import stat

for fd in sorted(int(n) for n in os.listdir("/proc/self/fd")):
    try:
        if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.write(fd, b"not json\n")
    except OSError:
        continue

from flask import Flask

app = Flask(__name__)
