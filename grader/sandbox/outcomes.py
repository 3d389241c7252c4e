"""Names for what the sandbox stopped, as opposed to what the student got wrong."""

from __future__ import annotations

OUTCOMES = {
    "timeout": "The app ran past its time limit",
    "out_of_memory": "The app ran out of memory",
    "too_many_processes": "The app started too many processes or threads",
    "output_flood": "The app printed far too much output",
    "disk_limit": "The app wrote more to disk than allowed",
    "sandbox_failure": "The grader's sandbox could not start your app",
}

_SIGNS = (
    ("MemoryError", "out_of_memory"),
    ("[Errno 11] Resource temporarily unavailable", "too_many_processes"),
    ("can't start new thread", "too_many_processes"),
    ("[Errno 27] File too large", "disk_limit"),
    ("[Errno 28] No space left on device", "disk_limit"),
)


def outcome_of_error(error: str) -> str | None:
    """Name the limit behind an exception text from the app ("MemoryError: ..."), if any."""
    for sign, kind in _SIGNS:
        if sign in error:
            return kind
    return None
