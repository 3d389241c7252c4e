"""Run a student's app behind every isolation layer this machine offers.

``probe()`` lists the layers and whether each is active (``python -m grader doctor`` shows it);
``Run`` wraps one copy of the app; ``OUTCOMES`` names the infrastructure verdicts. How the
sandbox is switched on (``FLASKLINGS_SANDBOX``) and tuned (``FLASKLINGS_LIMITS``) is in
README.md next to this file.
"""

from grader.sandbox.layers import probe
from grader.sandbox.limits import Limits, LimitsError
from grader.sandbox.outcomes import OUTCOMES, outcome_of_error
from grader.sandbox.run import MODES, Run, SandboxFailure, mode_from_env

__all__ = ["MODES", "OUTCOMES", "Limits", "LimitsError", "Run", "SandboxFailure",
           "mode_from_env", "outcome_of_error", "probe"]
