"""Flasklings grader: start a student's Flask app as a live server and check it over HTTP.

Kept empty of imports on purpose: the launcher imports this package inside the student's
process, and every millisecond here is paid on every grade.
"""
