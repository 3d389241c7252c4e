"""Serve the chapter 2 app under /mounted, as a bigger site or a proxy path would.

The chapter 2 checks start this as ``grader.checks.ch02_mounted:app`` from the student's
folder: links built with url_for() gain the /mounted prefix, hand-written ones do not.
"""

import os

from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from grader.launcher import load_app

PREFIX = "/mounted"

app = DispatcherMiddleware(NotFound(), {PREFIX: load_app("linkly", os.getcwd())})
