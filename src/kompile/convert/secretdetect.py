"""Decide whether an environment variable contains a secret, from its name and its value.

Names are split into words on ``_``, ``-``, ``.`` and camelCase humps, so ``DB_PASS`` and
``dbPass`` contain the word ``PASS`` while ``PASSENGER`` does not. A name is secret when a
word is a secret word (``PASSWORD``, ``TOKEN``, ``AUTH``, ``SALT``, ...) or ends in a long
one (``PGPASSWORD``), when two adjacent
words form a secret pair (``API_KEY``, ``SIGNING_KEY``), or when it ends in ``KEY`` after a
word that does not make the key public or a plain lookup key (``RAILS_MASTER_KEY`` yes,
``STRIPE_PUBLISHABLE_KEY`` and ``CACHE_KEY`` no). A name stays plain when a setting word
follows its last secret word (``PASSWORD_MIN_LENGTH``, ``TOKEN_TTL``, ``PASSWORD_FILE``,
``SMTP_AUTH_USER``), when a quantity word comes right before it (``MAX_TOKENS``), or when
it contains ``PUBLIC``.

Values are secret when they carry a password in a URL or connection string, a PEM private
key, a JWT, a token of a well-known format, or a long high-entropy string. Empty values,
a lone ``${VAR}`` reference, booleans, numbers of at most four digits, absolute file paths
(``GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/gcp.json``), public keys and certificates
are never secret, whatever the name says.

NOTE: detect-secrets was evaluated and not used. Importing it takes about 130 ms (it
loads ``requests`` for key verification), which doubles the start-up of ``kompile
convert``. Its entropy plugins only look at quoted strings in source lines, and its URL
rule misses a password with an empty user name (``redis://:pw@host``). The patterns
below follow the token formats that each vendor documents.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

SECRET_WORDS = frozenset(
    {
        "PASSWORD",
        "PASSWORDS",
        "PASSWD",
        "PASS",
        "PWD",
        "PASSPHRASE",
        "SECRET",
        "SECRETS",
        "TOKEN",
        "TOKENS",
        "CREDENTIAL",
        "CREDENTIALS",
        "CREDS",
        "APIKEY",
        "AUTH",
        "SALT",
        "PRIVATEKEY",
        # Redis's options for its own password and its primary's.
        "REQUIREPASS",
        "MASTERAUTH",
    }
)
SECRET_PAIRS = frozenset(
    {
        ("API", "KEY"),
        ("ACCESS", "KEY"),
        ("PRIVATE", "KEY"),
        ("SIGNING", "KEY"),
        ("ENCRYPTION", "KEY"),
        ("SESSION", "KEY"),
        ("MASTER", "KEY"),
    }
)
# Words before a final KEY that make it public or a lookup key, not a credential.
PLAIN_KEY_QUALIFIERS = frozenset(
    {
        "PUBLIC",
        "PUB",
        "PUBLISHABLE",
        "SITE",
        "GPG",
        "PGP",
        "SORT",
        "PARTITION",
        "PRIMARY",
        "FOREIGN",
        "CACHE",
        "ROUTING",
        "IDEMPOTENCY",
        "LOOKUP",
        "INDEX",
        "HOT",
        "SHORTCUT",
    }
)
# Words that, after the last secret word, make the variable a setting about the secret.
SETTING_WORDS = frozenset(
    {
        "FILE",
        "PATH",
        "DIR",
        "LOCATION",
        "LENGTH",
        "LEN",
        "MIN",
        "MAX",
        "TTL",
        "EXPIRY",
        "EXPIRES",
        "EXPIRE",
        "EXPIRATION",
        "LIFETIME",
        "TIMEOUT",
        "INTERVAL",
        "AGE",
        "COUNT",
        "LIMIT",
        "RETRIES",
        "ATTEMPTS",
        "ROUNDS",
        "ITERATIONS",
        "SIZE",
        "POLICY",
        "ENABLED",
        "DISABLED",
        "ENABLE",
        "DISABLE",
        "REQUIRED",
        "HEADER",
        "URL",
        "URI",
        "ENDPOINT",
        "HOST",
        "PORT",
        "TYPE",
        "ALGORITHM",
        "METHOD",
        "MODE",
        "PROVIDER",
        "STRATEGY",
        "ISSUER",
        "AUDIENCE",
        "SCOPE",
        "SCOPES",
        "FORMAT",
        "NAME",
        "USER",
        "USERNAME",
        "LOGIN",
        "EMAIL",
    }
)
# Secret words long enough to be found at the end of a word without a separator, such as
# libpq's PGPASSWORD; no common word ends in one of them.
SECRET_SUFFIXES = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY")
QUANTITY_WORDS = frozenset({"MIN", "MAX", "NUM", "COUNT"})
# Names that contain a secret word but are well-known plain variables.
PLAIN_NAMES = frozenset({"PWD", "OLDPWD"})
# Name words that mark the value as an identifier or a checksum, which look random anyway.
IDENTIFIER_WORDS = frozenset(
    {
        "ID",
        "UUID",
        "GUID",
        "SHA",
        "HASH",
        "COMMIT",
        "REVISION",
        "REV",
        "DIGEST",
        "CHECKSUM",
        "FINGERPRINT",
        "VERSION",
        "BUILD",
    }
)

_WORD_SPLIT = re.compile(r"[_\-.]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

_REFERENCE = re.compile(
    r"\$\{[A-Za-z_][A-Za-z0-9_]*(?:[:?+-][^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\([A-Za-z_][A-Za-z0-9_]*\)"
)
_BOOLEAN = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n"})
_SMALL_NUMBER = re.compile(r"[+-]?[0-9]{1,4}(?:\.[0-9]{1,4})?")
_ABSOLUTE_PATH = re.compile(r"(?:/[\w.@-]+)+/?")

# scheme://user:password@host; the user may be empty, the password may not.
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://(?P<user>[^/\s:@]*):(?P<password>[^@\s/]+)@")
# Go's database/sql form without a scheme: user:password@tcp(host:3306)/db.
_DSN_PASSWORD = re.compile(r"^[^:@/\s]+:(?P<password>[^@\s/]+)@[A-Za-z]+\(")
# key=value connection strings: ADO.NET (Password=x;), libpq (password=x), Azure (AccountKey=x).
_CONNECTION_PASSWORD = re.compile(
    r"(?:^|[;\s])(?:password|pwd|accountkey|sharedaccesskey)\s*=\s*(?P<password>[^;\s]+)",
    re.IGNORECASE,
)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PUBLIC_MATERIAL = re.compile(
    r"\s*(?:-----BEGIN (?:(?:[A-Z0-9]+ )*PUBLIC KEY(?: BLOCK)?|CERTIFICATE)-----"
    r"|(?:ssh-(?:rsa|dss|ed25519)|ecdsa-sha2-nistp(?:256|384|521)) AAAA)"
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")

# Token formats published by their vendors: a fixed prefix and a known length or alphabet.
TOKEN_FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern))
    for label, pattern in (
        ("AWS access key id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),
        ("GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
        ("GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{50,}\b"),
        ("GitLab token", r"\bgl(?:pat|dt|rt|ptt|cbt|ft|oas)-[A-Za-z0-9_-]{20,}"),
        ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
        ("Slack webhook", r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/\w+"),
        ("Stripe key", r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b"),
        ("Stripe webhook secret", r"\bwhsec_[A-Za-z0-9]{24,}\b"),
        ("Google API key", r"\bAIza[A-Za-z0-9_-]{35}\b"),
        ("OpenAI or Anthropic key", r"\bsk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{32,}"),
        ("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        ("PyPI token", r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
        ("SendGrid key", r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b"),
        ("Docker Hub token", r"\bdckr_pat_[A-Za-z0-9_-]{20,}"),
        ("HashiCorp Vault token", r"\bhv[sb]\.[A-Za-z0-9_-]{24,}"),
        ("Hugging Face token", r"\bhf_[A-Za-z0-9]{34,}\b"),
        ("DigitalOcean token", r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
        ("Shopify token", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
        ("Telegram bot token", r"^[0-9]{8,10}:[A-Za-z0-9_-]{35}$"),
    )
)

_TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9+/=_.~-]+")
_HEX = re.compile(r"[0-9a-fA-F]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
MIN_RANDOM_LENGTH = 20
MIN_RANDOM_HEX_LENGTH = 32
# Bits per character, measured by Shannon entropy over the value's own characters. Random
# base62 of 20 characters scores about 4.05 and random hex of 32 about 3.5, while words,
# host names and version strings mostly stay below.
MIN_RANDOM_ENTROPY = 3.6
MIN_RANDOM_HEX_ENTROPY = 3.0
# Share of neighbouring characters that change class (upper, lower, digit, other). Random
# base62 changes class about 62% of the time, camelCase words about 25%. A random value
# must also contain a letter and a digit. This keeps digit-free camelCase phrases out,
# but it also misses the 3% of random 20-character base62 strings that have no digit.
MIN_RANDOM_CLASS_CHANGES = 0.35
# Share of characters other than letters and digits, after base64 padding. Base64 of
# random bytes has about 3%, kebab-case names have far more. A dot never occurs in the
# base64 alphabets, so a dotted value (host name, version, class name) is never random.
MAX_RANDOM_PUNCTUATION = 0.2


@dataclass(frozen=True)
class Finding:
    """Why a variable was judged secret: ``by`` is "name" or "value", ``reason`` a label."""

    by: str
    reason: str


def name_words(name: str) -> list[str]:
    """Split a variable name into upper-case words on ``_``, ``-``, ``.`` and camelCase."""
    return [word.upper() for word in _WORD_SPLIT.split(name) if word]


def _secret_spans(words: list[str]) -> list[tuple[int, int]]:
    """Return the (first, last) word indexes of every secret word or pair in ``words``."""
    spans = [
        (index, index)
        for index, word in enumerate(words)
        if word in SECRET_WORDS or word.endswith(SECRET_SUFFIXES)
    ]
    spans += [
        (index, index + 1) for index, pair in enumerate(pairwise(words)) if pair in SECRET_PAIRS
    ]
    if words and words[-1] in ("KEY", "KEYS"):
        before = words[-2] if len(words) > 1 else ""
        if before not in PLAIN_KEY_QUALIFIERS:
            spans.append((max(len(words) - 2, 0), len(words) - 1))
    return sorted(spans)


def is_secret_name(name: str) -> bool:
    """Return True when a variable name says that its value is a secret."""
    if name.upper() in PLAIN_NAMES:
        return False
    words = name_words(name)
    spans = _secret_spans(words)
    if not spans or "PUBLIC" in words:
        return False
    last = max(end for _, end in spans)
    if any(word in SETTING_WORDS for word in words[last + 1 :]):
        return False
    first = spans[0][0]
    return not (first > 0 and words[first - 1] in QUANTITY_WORDS)


def is_plain_value(value: str) -> bool:
    """Return True for values that are never secret: empty, a reference, flags, counts, paths."""
    text = value.strip()
    if not text:
        return True
    if _REFERENCE.fullmatch(text):
        return True
    if text.lower() in _BOOLEAN:
        return True
    return bool(_SMALL_NUMBER.fullmatch(text) or _ABSOLUTE_PATH.fullmatch(text))


def is_public_material(value: str) -> bool:
    """Return True for a public key or a certificate, which may be shared freely."""
    return bool(_PUBLIC_MATERIAL.match(value)) and not _PRIVATE_KEY.search(value)


def _is_real_password(password: str) -> bool:
    return not _REFERENCE.fullmatch(password)


def value_format(value: str) -> str | None:
    """Return a label for a value that has the form of a secret, else None."""
    if _PRIVATE_KEY.search(value):
        return "PEM private key"
    for pattern, label in (
        (_URL_PASSWORD, "URL with a password"),
        (_DSN_PASSWORD, "connection string with a password"),
        (_CONNECTION_PASSWORD, "connection string with a password"),
    ):
        match = pattern.search(value)
        if match and _is_real_password(match.group("password")):
            return label
    if _JWT.search(value):
        return "JSON Web Token"
    for label, token in TOKEN_FORMATS:
        if token.search(value):
            return label
    return None


def shannon_entropy(text: str) -> float:
    """Return the Shannon entropy of ``text`` in bits per character."""
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _character_class(character: str) -> int:
    if character.isupper():
        return 0
    if character.islower():
        return 1
    return 2 if character.isdigit() else 3


def class_change_rate(text: str) -> float:
    """Return the share of neighbouring character pairs that differ in character class."""
    changes = sum(_character_class(a) != _character_class(b) for a, b in pairwise(text))
    return changes / max(len(text) - 1, 1)


def is_random_string(value: str) -> bool:
    """Return True for a long single token whose characters look randomly drawn."""
    text = value.strip()
    if not _TOKEN_CHARACTERS.fullmatch(text) or _UUID.fullmatch(text):
        return False
    if _HEX.fullmatch(text):
        return (
            len(text) >= MIN_RANDOM_HEX_LENGTH and shannon_entropy(text) >= MIN_RANDOM_HEX_ENTROPY
        )
    text = text.rstrip("=")
    punctuation = sum(not c.isalnum() for c in text)
    return (
        "." not in text
        and len(text) >= MIN_RANDOM_LENGTH
        and any(c.isalpha() for c in text)
        and any(c.isdigit() for c in text)
        and punctuation <= MAX_RANDOM_PUNCTUATION * len(text)
        and class_change_rate(text) >= MIN_RANDOM_CLASS_CHANGES
        and shannon_entropy(text) >= MIN_RANDOM_ENTROPY
    )


def classify(name: str, value: str | None) -> Finding | None:
    """Return why ``name=value`` is a secret, or None when it is not one.

    Value rules run first, so a password in ``DATABASE_URL`` or a token under a plain name
    is found, and a public key under a secret-looking name is not.
    """
    if value is None or is_plain_value(value):
        return None
    label = value_format(value)
    if label is not None:
        return Finding("value", label)
    if is_public_material(value):
        return None
    if is_secret_name(name):
        return Finding("name", "secret name")
    if not IDENTIFIER_WORDS & set(name_words(name)) and is_random_string(value):
        return Finding("value", "high-entropy string")
    return None
