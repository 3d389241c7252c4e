"""Close the grader's status channel at import, then never finish starting (30 s at most)."""
import os
import stat
import time

for fd in sorted(int(n) for n in os.listdir("/proc/self/fd")):
    try:
        if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.close(fd)
    except OSError:
        continue
time.sleep(30)
