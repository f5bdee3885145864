"""Kubernetes resource quantities (`10Gi`, `500m`, `1e3`) as exact fractions, for comparison."""

from __future__ import annotations

import re
from fractions import Fraction

SUFFIXES: dict[str, Fraction] = {
    "": Fraction(1),
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
    "Ki": Fraction(2**10),
    "Mi": Fraction(2**20),
    "Gi": Fraction(2**30),
    "Ti": Fraction(2**40),
    "Pi": Fraction(2**50),
    "Ei": Fraction(2**60),
}

QUANTITY = re.compile(r"([+-]?[0-9.]+)(?:[eE]([+-]?[0-9]+))?([a-zA-Z]*)")


def parse(text: str) -> Fraction:
    """Return the value of a quantity; raises ValueError for text that is not one."""
    match = QUANTITY.fullmatch(text.strip())
    if match is None or match.group(3) not in SUFFIXES:
        raise ValueError(f"invalid quantity: {text!r}")
    number, exponent, suffix = match.groups()
    value = Fraction(number) * SUFFIXES[suffix]
    if exponent:
        value *= Fraction(10) ** int(exponent)
    return value
