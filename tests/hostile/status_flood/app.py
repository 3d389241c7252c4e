"""Write (256 MB at most) on every inherited pipe, without a newline: the status channel too."""
import os
import stat

junk = b"x" * (1 << 20)
for fd in sorted(int(n) for n in os.listdir("/proc/self/fd")):
    try:
        if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):
            os.set_blocking(fd, True)
            for _ in range(256):
                os.write(fd, junk)
    except OSError:
        continue
