"""The one place where ``kompile check`` asks whether a variable holds a secret.

The secret rules call `looks_secret` and nothing else, so a new detector in
`kompile.convert.secrets` changes one line here.
"""

from __future__ import annotations

import re

from kompile.convert.secrets import is_secret_name

# ``DB_PASSWORD_FILE`` and ``--password-file`` name where a secret is, not the secret.
_REFERENCE_SUFFIX = re.compile(r"[_\-.]?(file|path|dir)$", re.IGNORECASE)


def looks_secret(name: str, value: str | None = None) -> bool:
    """Tell whether variable or option ``name`` (set to ``value``) holds a secret.

    The current detector judges the name alone, so ``value`` is not read yet.
    """
    if _REFERENCE_SUFFIX.search(name):
        return False
    return is_secret_name(name)
