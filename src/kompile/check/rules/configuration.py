"""Configuration rules: credentials and hosts written into command lines."""

from __future__ import annotations

import ipaddress
import re
import typing as t
from urllib.parse import urlsplit

from kompile.check.model import Hit, Severity, rule
from kompile.check.secretnames import looks_secret
from kompile.check.service import ServiceView
from kompile.check.shell import command_script, commands, program

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
# Clients that take the password glued to -p, as in ``mysql -pSECRET``.
_GLUED_PASSWORD_PROGRAMS = frozenset({"mysql", "mysqladmin", "mysqldump", "mariadb"})
_LOCAL_HOSTS = frozenset({"localhost", "0.0.0.0", "::", "::1"})


def _command_sources(service: ServiceView) -> t.Iterator[tuple[str, str, Hit]]:
    """Yield each command line as (description, script, hit template for its place)."""
    for key in ("entrypoint", "command"):
        value = service.config.get(key)
        if value is not None:
            yield key, command_script(value), Hit("", (key,))
    healthcheck = service.config.get("healthcheck")
    if isinstance(healthcheck, dict) and isinstance(healthcheck.get("test"), list):
        test = [str(word) for word in healthcheck["test"]]
        script = " ".join(test[1:]) if test[:1] == ["CMD-SHELL"] else command_script(test[1:])
        yield "healthcheck test", script, Hit("", ("healthcheck", "test"))
    for instruction in service.image_instructions("CMD", "ENTRYPOINT", "HEALTHCHECK"):
        hit = service.dockerfile_hit("", instruction.line)
        yield instruction.keyword, instruction.script(), hit


def _is_literal(value: str) -> bool:
    return bool(value) and not value.startswith("$")


def _credential_options(script: str) -> t.Iterator[str]:
    """Yield the names of options and variables that carry a literal credential."""
    for command in commands(script):
        name_of_program = program(command)
        glued = name_of_program in _GLUED_PASSWORD_PROGRAMS
        for index, word in enumerate(command):
            following = command[index + 1] if index + 1 < len(command) else ""
            name, equals, value = word.lstrip("-").partition("=")
            if name_of_program == "curl" and word in ("-u", "--user"):
                # curl takes USER:PASSWORD after -u.
                if _is_literal(following.partition(":")[2]):
                    yield word
            elif glued and word.startswith("-p") and not word.startswith("--") and len(word) > 2:
                if _is_literal(word[2:]):
                    yield "-p"
            elif word.startswith("-") and looks_secret(name):
                literal = value if equals else following
                if _is_literal(literal) and not literal.startswith("-"):
                    yield word.partition("=")[0]
            elif equals and not word.startswith("-") and looks_secret(name) and _is_literal(value):
                yield name
    for match in _URL.finditer(script):
        password = urlsplit(match.group()).password
        if password and _is_literal(password):
            yield "a URL with a password"


@rule(
    "command-credentials",
    Severity.ERROR,
    group="configuration",
    summary="A command line contains a password or token.",
    fix="read the credential from an environment variable or a secret file, such as "
    "--password-file /run/secrets/db_password",
)
def command_credentials(service: ServiceView) -> t.Iterator[Hit]:
    for source, script, place in _command_sources(service):
        for option in dict.fromkeys(_credential_options(script)):
            message = f"{source} passes a credential in {option}"
            yield Hit(message, place.key_path, place.dockerfile_line)


def _hard_coded_hosts(script: str, services: t.Collection[str]) -> t.Iterator[str]:
    for match in _URL.finditer(script):
        try:
            host = urlsplit(match.group()).hostname
        except ValueError:
            continue
        if host and not _is_local(host) and host not in services and "$" not in host:
            yield host
    for match in _IPV4.finditer(_URL.sub(" ", script)):
        if not _is_local(match.group()):
            yield match.group()


def _is_local(host: str) -> bool:
    if host in _LOCAL_HOSTS:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


@rule(
    "command-host",
    Severity.WARNING,
    group="configuration",
    summary="A command line names a fixed host or IP address.",
    fix="read the address from an environment variable, such as API_URL: ${API_URL}, "
    "or use the name of a compose service",
)
def command_host(service: ServiceView) -> t.Iterator[Hit]:
    services = set(service.project.services)
    for source, script, place in _command_sources(service):
        if source in ("healthcheck test", "HEALTHCHECK"):
            continue  # a healthcheck tests the container itself
        for host in dict.fromkeys(_hard_coded_hosts(script, services)):
            yield Hit(f"{source} names the host {host}", place.key_path, place.dockerfile_line)
