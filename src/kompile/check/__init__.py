"""``kompile check``: judge a compose project against container best practices.

The package reads the project that the compose reader produced, parses each service's
Dockerfile locally (`dockerfile`), runs the rules of `rules` over every service, and
renders the findings as text, JSON or SARIF. It never pulls an image, never talks to a
cluster and never imports the Kubernetes client.
"""

from kompile.check.model import RULES, Finding, Rule, Severity, all_rules
from kompile.check.runner import Report, check_project
from kompile.check.service import CheckOptions

__all__ = [
    "RULES",
    "CheckOptions",
    "Finding",
    "Report",
    "Rule",
    "Severity",
    "all_rules",
    "check_project",
]
