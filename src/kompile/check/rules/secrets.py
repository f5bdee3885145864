"""Secret rules: secret-looking variables in plain text and secrets baked into images.

Messages name variables and files, never values.
"""

from __future__ import annotations

import fnmatch
import typing as t
from pathlib import Path, PurePosixPath

from kompile.check.model import Hit, Severity, rule
from kompile.check.secretnames import looks_secret
from kompile.check.service import ServiceView, display_path

SECRET_FILE_PATTERNS = (
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    ".env",
    ".env.*",
    ".netrc",
    ".npmrc",
    ".pypirc",
)
# Suffixes of checked-in templates, which hold placeholders instead of secrets.
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist")


def _mapping(value: t.Any) -> dict[str, str | None]:
    """Return environment or args as a mapping, whichever syntax the file used."""
    if isinstance(value, dict):
        return {str(key): None if item is None else str(item) for key, item in value.items()}
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {name: (text if equals else None) for name, equals, text in pairs}
    return {}


def _env_file_names(path: Path) -> list[str]:
    """Return the variable names that a ``.env`` style file sets, in file order."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    names = []
    for line in lines:
        text = line.strip().removeprefix("export ").strip()
        name, equals, value = text.partition("=")
        if text.startswith("#") or not equals or not value.strip():
            continue
        names.append(name.strip())
    return names


@rule(
    "secret-in-environment",
    Severity.ERROR,
    group="secrets",
    summary="A secret-looking variable is set in plain text in environment or env_file.",
    fix="move the value into a compose secret (secrets:), or take it from the shell with "
    "NAME: ${NAME}",
)
def secret_in_environment(service: ServiceView) -> t.Iterator[Hit]:
    for name, value in _mapping(service.config.get("environment")).items():
        if value and looks_secret(name, value):
            message = f"environment variable {name} looks like a secret and is set in plain text"
            yield Hit(message, ("environment", name))
    for index, entry in enumerate(service.config.get("env_file") or []):
        text = entry.get("path") if isinstance(entry, dict) else entry
        if not isinstance(text, str):
            continue
        path = service.project.working_dir / text
        for name in _env_file_names(path):
            if looks_secret(name):
                shown = display_path(service.project, path)
                message = f"env_file {shown} sets {name}, which looks like a secret"
                yield Hit(message, ("env_file", index))


@rule(
    "secret-in-build-arg",
    Severity.ERROR,
    group="secrets",
    summary="A build argument with a secret-looking name stays in the image history.",
    fix="pass the secret with build: secrets: and read it in RUN --mount=type=secret",
)
def secret_in_build_arg(service: ServiceView) -> t.Iterator[Hit]:
    build = service.build or {}
    for name, value in _mapping(build.get("args")).items():
        if value and looks_secret(name, value):
            message = f"build argument {name} looks like a secret and is stored in the image"
            yield Hit(message, ("build", "args", name))


def _is_secret_file(source: str) -> bool:
    name = PurePosixPath(source.rstrip("/")).name
    if name.endswith(_TEMPLATE_SUFFIXES):
        return False
    return any(fnmatch.fnmatch(name, pattern) for pattern in SECRET_FILE_PATTERNS)


@rule(
    "secret-file-in-image",
    Severity.ERROR,
    group="secrets",
    summary="The Dockerfile copies a key, certificate key or .env file into the image.",
    fix="mount the file at run time as a compose secret, or use RUN --mount=type=secret "
    "during the build, and list it in .dockerignore",
)
def secret_file_in_image(service: ServiceView) -> t.Iterator[Hit]:
    for instruction in service.image_instructions("COPY", "ADD"):
        if instruction.heredocs:
            continue
        sources = instruction.words()[:-1]
        for source in filter(_is_secret_file, sources):
            message = f"{instruction.keyword} puts {source} into the image"
            yield service.dockerfile_hit(message, instruction.line)


def _declared_names(keyword: str, words: list[str]) -> list[str]:
    """Return the names an ARG or ENV instruction declares."""
    if keyword == "ENV" and words and "=" not in words[0]:
        return words[:1]  # the old ``ENV NAME value`` form
    return [word.partition("=")[0] for word in words if word.partition("=")[0]]


@rule(
    "secret-in-dockerfile",
    Severity.ERROR,
    group="secrets",
    summary="An ARG or ENV with a secret-looking name stores its value in the image.",
    fix="remove the ARG or ENV, and read the secret at build time with RUN "
    "--mount=type=secret, or at run time from a compose secret",
)
def secret_in_dockerfile(service: ServiceView) -> t.Iterator[Hit]:
    for instruction in service.image_instructions("ARG", "ENV"):
        for name in _declared_names(instruction.keyword, instruction.words()):
            if looks_secret(name):
                message = f"{instruction.keyword} {name} looks like a secret"
                yield service.dockerfile_hit(message, instruction.line)
