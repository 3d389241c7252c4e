import sys

line = "flood " * 170 + "\n"
for _ in range(200_000):  # about 200 MB at most
    sys.stdout.write(line)
