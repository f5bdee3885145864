"""The one place where ``kompile check`` asks whether a variable contains a secret.

The secret rules call `looks_secret` and nothing else, so they judge variables exactly as
``kompile convert`` does when it moves them to Secrets.
"""

from __future__ import annotations

import re

from kompile.convert.secretdetect import classify, is_secret_name

# ``DB_PASSWORD_FILE`` and ``--password-file`` name where a secret is, not the secret.
_REFERENCE_SUFFIX = re.compile(r"[_\-.]?(file|path|dir)$", re.IGNORECASE)


def looks_secret(name: str, value: str | None = None) -> bool:
    """Tell whether variable or option ``name`` (set to ``value``) contains a secret.

    Without a value, as for a Dockerfile ``ARG`` that has no default, the name decides.
    """
    if _REFERENCE_SUFFIX.search(name):
        return False
    if value is None:
        return is_secret_name(name)
    return classify(name, value) is not None
