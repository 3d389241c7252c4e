"""Stand in for the grader's launcher: if this runs, no limit was set before student code."""
import sys

print("the student's own launcher ran instead of the grader's")
sys.exit(4)
