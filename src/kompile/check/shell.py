"""Shell command lines as the rules read them: words, commands and package installs.

The rules never run a shell. They split the text with `shlex`, which follows POSIX
quoting, and fall back to splitting on spaces when quotes are unbalanced.
"""

from __future__ import annotations

import shlex
import typing as t
from dataclasses import dataclass
from pathlib import PurePosixPath

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh"})
# Separators between the simple commands of one shell line.
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "(", ")", "\n"})
_INSTALL_VERBS = {
    "apt-get": "install",
    "apt": "install",
    "apk": "add",
    "yum": "install",
    "dnf": "install",
    "microdnf": "install",
    "zypper": "install",
    "pip": "install",
    "pip3": "install",
}


def tokens(script: str) -> list[str]:
    """Split a shell script into words and operators such as ``&&`` and ``&``."""
    lexer = shlex.shlex(script.replace("\n", " ; "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:
        return script.split()


def commands(script: str) -> list[list[str]]:
    """Return the simple commands of a script, each as its list of words."""
    result: list[list[str]] = [[]]
    for token in tokens(script):
        if token in _SEPARATORS:
            result.append([])
        else:
            result[-1].append(token)
    return [command for command in result if command]


def program_index(command: list[str]) -> int:
    """Return the index of the program word, past ``VAR=value`` prefixes, sudo and exec.

    ``python -m pip`` counts as the program ``pip``. The result is ``len(command)`` when
    the command only sets variables.
    """
    for index, word in enumerate(command):
        if "=" in word and not word.startswith("-"):
            continue
        name = PurePosixPath(word).name
        if name in ("sudo", "env", "exec"):
            continue
        if name.startswith("python") and command[index + 1 : index + 3] == ["-m", "pip"]:
            return index + 2
        return index
    return len(command)


def program(command: list[str]) -> str:
    """Return the program name of a command (``apt-get`` for ``sudo apt-get ...``)."""
    index = program_index(command)
    return PurePosixPath(command[index]).name if index < len(command) else ""


def command_script(value: t.Any) -> str:
    """Return the shell text of a compose ``command`` or ``entrypoint``.

    A list starting with a shell and ``-c`` runs the text after ``-c``; any other list
    is one program with its arguments.
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, list) or not value:
        return ""
    words = [str(word) for word in value]
    if PurePosixPath(words[0]).name in SHELLS and "-c" in words[1:-1]:
        return words[words.index("-c") + 1]
    return shlex.join(words)


@dataclass(frozen=True)
class PackageInstall:
    """One package-manager command that installs packages."""

    manager: str
    packages: tuple[str, ...]
    words: tuple[str, ...]


def package_installs(script: str) -> list[PackageInstall]:
    """Find the package installs (apt-get, apk, yum, dnf, zypper, pip) in a script."""
    installs = []
    for command in commands(script):
        manager = program(command)
        verb = _INSTALL_VERBS.get(manager)
        if verb is None:
            continue
        arguments = command[program_index(command) + 1 :]
        if verb not in arguments:
            continue
        after = arguments[arguments.index(verb) + 1 :]
        packages = tuple(word for word in after if not word.startswith("-"))
        installs.append(PackageInstall(manager, packages, tuple(arguments)))
    return installs
