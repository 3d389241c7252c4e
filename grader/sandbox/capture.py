"""Drain the app's output in a thread, keeping its head and tail, and spot a flood."""

from __future__ import annotations

import os
import threading


class Capture:
    """Read ``fd`` until it closes; keep ``keep`` bytes at each end and count the rest."""

    def __init__(self, fd: int, keep: int, flood: int, on_flood):
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self.flooded = False
        self._keep, self._flood, self._on_flood = keep, flood, on_flood
        self._fd = fd
        self._thread = threading.Thread(target=self._pump, name="flasklings-output", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            while chunk := os.read(self._fd, 65536):
                self.total += len(chunk)
                room = self._keep - len(self.head)
                if room > 0:
                    self.head += chunk[:room]
                    chunk = chunk[room:]
                if chunk:
                    self.tail += chunk
                    # Trim in big steps: trimming on every chunk would copy the tail each time.
                    if len(self.tail) > 2 * self._keep:
                        del self.tail[:-self._keep]
                if self.total > self._flood and not self.flooded:
                    self.flooded = True
                    self._on_flood()
        except OSError:
            pass
        finally:
            os.close(self._fd)

    def finish(self, timeout: float) -> None:
        """Wait up to ``timeout`` for the writer side to close."""
        self._thread.join(timeout)

    def text(self) -> str:
        """The output kept, with a marker where the middle was dropped."""
        tail = bytes(self.tail[-self._keep:])
        cut = self.total - len(self.head) - len(tail)
        middle = f"\n[... {cut} bytes cut ...]\n".encode() if cut > 0 else b""
        return (bytes(self.head) + middle + tail).decode("utf-8", "replace")
