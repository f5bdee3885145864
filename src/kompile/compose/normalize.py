"""Short syntax to long syntax, as Docker Compose's ``config`` prints it.

Every function takes the raw value of one key and returns its canonical form, raising
`ComposeError` with the key path when the value has the wrong type or shape. Paths in
bind mounts are resolved against the project directory here, so mappers never see a
relative path.
"""

from __future__ import annotations

import datetime
import re
import typing as t
from pathlib import Path

from kompile.compose import units
from kompile.compose.model import MountConfig, PortConfig
from kompile.errors import ComposeError, KeyPath, Location

Locate = t.Callable[[KeyPath], Location]

_PORT_NUMBER = re.compile(r"^\d+(-\d+)?$")
_PROTOCOLS = ("tcp", "udp", "sctp")
_VOLUME_MODES_READ = {"ro": True, "rw": False}
_SELINUX = {"z", "Z"}
_PROPAGATION = {"shared", "rshared", "slave", "rslave", "private", "rprivate"}
_CONSISTENCY = {"consistent", "cached", "delegated"}


def format_go_float(value: float) -> str:
    """Format a float as Go's ``strconv.FormatFloat(v, 'g', -1, 64)`` does."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"
    import decimal

    digits_tuple = decimal.Decimal(repr(value)).normalize().as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits)
    sign = "-" if digits_tuple.sign else ""
    exponent = int(digits_tuple.exponent) + len(digits) - 1
    if exponent < -4 or exponent >= 6:  # Go switches to %e at these exponents.
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    text = format(decimal.Decimal(repr(value)).normalize(), "f")
    return text if text.startswith("-") else sign + text


def scalar_to_string(value: t.Any) -> str:
    """Return the text Docker Compose gives a YAML scalar used where a string is expected."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_go_float(value)
    return str(value)


def wrong_type(locate: Locate, path: KeyPath, expected: str, value: t.Any) -> ComposeError:
    return ComposeError(
        f"must be {expected}, not {describe(value)}",
        location=locate(path),
        key_path=path,
    )


def describe(value: t.Any) -> str:
    """Return the kind of a YAML value for messages: a string, a list, null ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    return type(value).__name__


def expect_mapping(value: t.Any, path: KeyPath, locate: Locate) -> dict[str, t.Any]:
    if not isinstance(value, dict):
        raise wrong_type(locate, path, "a mapping", value)
    return value


def expect_list(value: t.Any, path: KeyPath, locate: Locate) -> list[t.Any]:
    if not isinstance(value, list):
        raise wrong_type(locate, path, "a list", value)
    return value


def environment(value: t.Any, path: KeyPath, locate: Locate) -> dict[str, str | None]:
    """Normalize ``environment`` (list of ``KEY=value`` or mapping) to a mapping.

    A variable listed without a value is None: Compose takes it from the shell at
    ``config`` time and leaves it out of the container when the shell lacks it.
    """
    result: dict[str, str | None] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                raise wrong_type(locate, (*path, key), "a string, number, boolean or null", item)
            result[key] = None if item is None else scalar_to_string(item)
        return result
    for index, item in enumerate(expect_list(value, path, locate)):
        if not isinstance(item, str):
            raise wrong_type(locate, (*path, index), "a string KEY=value", item)
        key, separator, text = item.partition("=")
        result[key] = text if separator else None
    return result


def command(value: t.Any, path: KeyPath, locate: Locate) -> list[str] | None:
    """Normalize ``command`` or ``entrypoint``: a string is split as a POSIX shell would."""
    if value is None:
        return None
    if isinstance(value, str):
        import shlex

        try:
            return shlex.split(value)
        except ValueError as error:
            raise ComposeError(
                f"cannot split the command into words: {error}",
                location=locate(path),
                key_path=path,
                hint="close the quotes or write the command as a list",
            ) from error
    items = expect_list(value, path, locate)
    result = []
    for index, item in enumerate(items):
        if isinstance(item, (dict, list)) or item is None:
            raise wrong_type(locate, (*path, index), "a string", item)
        result.append(scalar_to_string(item))
    return result


def _split_range(text: str, path: KeyPath, locate: Locate) -> tuple[int, int]:
    start_text, _, end_text = text.partition("-")
    start = int(start_text)
    end = int(end_text) if end_text else start
    if not 0 <= start <= 65535 or not 0 <= end <= 65535 or end < start:
        raise ComposeError(
            f"invalid port or port range {text!r}",
            location=locate(path),
            key_path=path,
            hint="use numbers from 0 to 65535 with the lower bound first",
        )
    return start, end


def _is_ip_address(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _split_port(text: str) -> tuple[str, str | None, str, str] | None:
    """Split ``[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]`` from the right, so that an IPv6
    host address keeps its colons with or without brackets."""
    body, _, protocol = text.partition("/")
    parts = body.rsplit(":", 2)
    target = parts[-1]
    published = parts[-2] if len(parts) > 1 and parts[-2] else None
    host_ip = parts[0] if len(parts) == 3 else ""
    if host_ip.startswith("[") and host_ip.endswith("]"):
        host_ip = host_ip[1:-1]
    if not _PORT_NUMBER.match(target) or (published and not _PORT_NUMBER.match(published)):
        return None
    return host_ip, published, target, protocol or "tcp"


def port_entries(value: t.Any, path: KeyPath, locate: Locate) -> list[PortConfig]:
    """Expand one ``ports`` entry (short or long syntax) into long-syntax entries."""
    if isinstance(value, dict):
        return [_long_port(value, path, locate)]
    if isinstance(value, float):
        raise ComposeError(
            f"invalid port {value!r}",
            location=locate(path),
            key_path=path,
            hint="write a whole port number from 1 to 65535",
        )
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise wrong_type(locate, path, "a port string, a number or a mapping", value)
    text = str(value)
    parsed = _split_port(text)
    if parsed is None:
        raise ComposeError(
            f"invalid port {text!r}",
            location=locate(path),
            key_path=path,
            hint=(
                'write it as "TARGET", "PUBLISHED:TARGET" or "HOST_IP:PUBLISHED:TARGET[/PROTOCOL]"'
            ),
        )
    host_ip, published, target, protocol = parsed
    if host_ip and not _is_ip_address(host_ip):
        raise ComposeError(
            f"invalid host IP address in port {text!r}",
            location=locate(path),
            key_path=path,
            hint="use an IPv4 address or an IPv6 address in brackets",
        )
    protocol = protocol.lower()
    if protocol not in _PROTOCOLS:
        raise ComposeError(
            f"invalid protocol {protocol!r} in port {text!r}",
            location=locate(path),
            key_path=path,
            hint="use tcp, udp or sctp",
        )
    target_start, target_end = _split_range(target, path, locate)
    if target_start == 0:
        # Docker Compose rejects a zero target as a missing one; Kubernetes rejects port 0.
        raise ComposeError(
            f"port {text!r} has no target port",
            location=locate(path),
            key_path=path,
            hint="use a target port from 1 to 65535",
        )
    entries: list[PortConfig] = []
    if published is None:
        published_ports: list[str | None] = [None] * (target_end - target_start + 1)
    else:
        published_start, published_end = _split_range(published, path, locate)
        if target_start == target_end:
            published_ports = [published]
        elif published_end - published_start != target_end - target_start:
            raise ComposeError(
                f"port ranges in {text!r} differ in length",
                location=locate(path),
                key_path=path,
                hint="give the published and target ranges the same number of ports",
            )
        else:
            published_ports = [str(p) for p in range(published_start, published_end + 1)]
    for offset, published_port in enumerate(published_ports):
        entry: PortConfig = {"mode": "ingress"}
        if host_ip:
            entry["host_ip"] = host_ip
        entry["target"] = target_start + offset
        if published_port is not None:
            entry["published"] = published_port
        entry["protocol"] = protocol
        entries.append(entry)
    return entries


def _long_port(value: dict[str, t.Any], path: KeyPath, locate: Locate) -> PortConfig:
    target = value.get("target")
    if isinstance(target, str) and target.isdigit():
        target = int(target)
    if not isinstance(target, int) or isinstance(target, bool) or not 0 < target <= 65535:
        raise ComposeError(
            "a port in long syntax needs a target from 1 to 65535",
            location=locate((*path, "target")),
            key_path=(*path, "target"),
        )
    entry: PortConfig = {}
    if "name" in value:
        entry["name"] = str(value["name"])
    entry["mode"] = str(value.get("mode", "ingress"))
    if value.get("host_ip"):
        entry["host_ip"] = str(value["host_ip"])
    entry["target"] = target
    if value.get("published") is not None:
        entry["published"] = scalar_to_string(value["published"])
    protocol = str(value.get("protocol", "tcp")).lower()
    if protocol not in _PROTOCOLS:
        raise ComposeError(
            f"invalid protocol {protocol!r}",
            location=locate((*path, "protocol")),
            key_path=(*path, "protocol"),
            hint="use tcp, udp or sctp",
        )
    entry["protocol"] = protocol
    if value.get("app_protocol"):
        entry["app_protocol"] = str(value["app_protocol"])
    return entry


def ports(value: t.Any, path: KeyPath, locate: Locate) -> list[PortConfig]:
    result: list[PortConfig] = []
    for index, item in enumerate(expect_list(value, path, locate)):
        result.extend(port_entries(item, (*path, index), locate))
    return result


def expose(value: t.Any, path: KeyPath, locate: Locate) -> list[str]:
    result = []
    for index, item in enumerate(expect_list(value, path, locate)):
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise wrong_type(locate, (*path, index), "a port number or range", item)
        text = str(item)
        number, _, protocol = text.partition("/")
        if not re.fullmatch(r"\d+(-\d+)?", number) or (protocol and protocol not in _PROTOCOLS):
            raise ComposeError(
                f"invalid exposed port {text!r}",
                location=locate((*path, index)),
                key_path=(*path, index),
                hint='write it as "PORT", "START-END" or "PORT/PROTOCOL"',
            )
        _split_range(number, (*path, index), locate)
        result.append(text)
    return result


def is_bind_source(source: str) -> bool:
    """Tell a host path from a volume name in the short volume syntax."""
    return source.startswith((".", "/", "~", "$")) or "/" in source or "\\" in source


def resolve_host_path(source: str, working_dir: Path) -> str:
    if source.startswith("~"):
        return str(Path(source).expanduser())
    return str((working_dir / source).resolve()) if not source.startswith("/") else source


def mount(value: t.Any, path: KeyPath, locate: Locate, working_dir: Path) -> MountConfig:
    """Normalize one ``volumes`` entry of a service to long syntax."""
    if isinstance(value, dict):
        return _long_mount(value, path, locate, working_dir)
    if value == "":
        raise ComposeError(
            "empty volume entry",
            location=locate(path),
            key_path=path,
            hint='write it as "SOURCE:TARGET[:MODE]" or remove it',
        )
    if not isinstance(value, str):
        raise wrong_type(locate, path, "a volume string or a mapping", value)
    parts = _split_volume(value)
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0], "volume": {}}
    if len(parts) > 3:
        raise ComposeError(
            f"invalid volume {value!r}",
            location=locate(path),
            key_path=path,
            hint='write it as "SOURCE:TARGET[:MODE]"',
        )
    source, target = parts[0], parts[1]
    options = parts[2].split(",") if len(parts) == 3 else []
    bind = is_bind_source(source)
    entry: MountConfig = {"type": "bind" if bind else "volume"}
    entry["source"] = resolve_host_path(source, working_dir) if bind else source
    entry["target"] = target
    details: dict[str, t.Any] = {}
    for option in options:
        if option in _VOLUME_MODES_READ:
            if _VOLUME_MODES_READ[option]:
                entry["read_only"] = True
        elif option in _SELINUX and bind:
            details["selinux"] = option
        elif option in _PROPAGATION and bind:
            details["propagation"] = option
        elif option == "nocopy" and not bind:
            details["nocopy"] = True
        elif option in _CONSISTENCY:
            t.cast(dict[str, t.Any], entry)["consistency"] = option
        # Docker Compose v2.40.3 ignores any other option, so kompile does too.
    if bind:
        entry["bind"] = {**details, "create_host_path": True}
    else:
        entry["volume"] = details
    return entry


def _split_volume(spec: str) -> list[str]:
    """Split a short volume string at colons, keeping Windows drive letters (``c:/x``)."""
    parts: list[str] = []
    current = ""
    index = 0
    while index < len(spec):
        char = spec[index]
        drive = (
            char == ":"
            and len(current) == 1
            and current.isalpha()
            and spec[index + 1 : index + 2] in ("/", "\\")
        )
        if char == ":" and not drive:
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    parts.append(current)
    return parts


def _long_mount(
    value: dict[str, t.Any], path: KeyPath, locate: Locate, working_dir: Path
) -> MountConfig:
    kind = value.get("type", "volume")
    if kind not in ("volume", "bind", "tmpfs", "npipe", "cluster", "image"):
        raise ComposeError(
            f"invalid mount type {kind!r}",
            location=locate((*path, "type")),
            key_path=(*path, "type"),
            hint="use volume, bind or tmpfs",
        )
    if not isinstance(value.get("target"), str):
        raise ComposeError(
            "a mount needs a target path",
            location=locate(path),
            key_path=(*path, "target"),
        )
    entry = t.cast(MountConfig, dict(value))
    entry["type"] = kind
    if isinstance(value.get("tmpfs"), dict) and "size" in value["tmpfs"]:
        size = byte_size(value["tmpfs"]["size"], (*path, "tmpfs", "size"), locate)
        entry["tmpfs"] = {**value["tmpfs"], "size": size}
    source = value.get("source")
    if kind == "bind":
        if not isinstance(source, str) or not source:
            raise ComposeError(
                "a bind mount needs a source path",
                location=locate(path),
                key_path=(*path, "source"),
            )
        entry["source"] = resolve_host_path(source, working_dir)
    return entry


def depends_on(value: t.Any, path: KeyPath, locate: Locate) -> dict[str, dict[str, t.Any]]:
    if isinstance(value, list):
        result = {}
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise wrong_type(locate, (*path, index), "a service name", item)
            result[item] = {"condition": "service_started", "required": True}
        return result
    mapping = expect_mapping(value, path, locate)
    return {
        name: {"condition": "service_started", "required": True, **(item or {})}
        for name, item in mapping.items()
    }


def healthcheck_test(value: t.Any, path: KeyPath, locate: Locate) -> list[str]:
    if isinstance(value, str):
        return ["CMD-SHELL", value]
    return [scalar_to_string(item) for item in expect_list(value, path, locate)]


def string_mapping(value: t.Any, path: KeyPath, locate: Locate) -> dict[str, str]:
    """Normalize ``labels``, ``annotations`` or ``sysctls``: a missing value becomes ""."""
    return {
        key: "" if item is None else item for key, item in environment(value, path, locate).items()
    }


def string_list(value: t.Any) -> list[str]:
    """Normalize a key that takes one string or a list of them (``dns``, ``tmpfs``)."""
    items = [value] if isinstance(value, str) else list(value)
    return [scalar_to_string(item) for item in items]


def extra_hosts(value: t.Any) -> list[str]:
    """Normalize ``extra_hosts`` to ``HOST=ADDRESS`` strings, as Compose prints them."""
    if isinstance(value, dict):
        result = []
        for host, addresses in value.items():
            for address in [addresses] if isinstance(addresses, str) else addresses:
                result.append(f"{host}={address}")
        return result
    return [item if "=" in item else item.replace(":", "=", 1) for item in value]


def env_files(value: t.Any, base_dir: Path) -> list[dict[str, t.Any]]:
    """Normalize ``env_file`` to long syntax with absolute paths."""
    items = [value] if isinstance(value, str) else value
    result = []
    for item in items:
        entry = {"path": item} if isinstance(item, str) else dict(item)
        entry["path"] = resolve_host_path(entry["path"], base_dir)
        entry.setdefault("required", True)
        result.append(entry)
    return result


def build(value: t.Any, base_dir: Path) -> dict[str, t.Any]:
    """Normalize ``build`` to long syntax with an absolute context."""
    entry = {"context": value} if isinstance(value, str) else dict(value)
    context = entry.get("context", ".")
    if "://" not in context and not context.startswith("git@"):
        context = resolve_host_path(context, base_dir)
    entry["context"] = context
    if "dockerfile_inline" not in entry:
        entry.setdefault("dockerfile", "Dockerfile")
    for key in ("args", "labels"):
        if key in entry:
            entry[key] = environment(entry[key], (key,), _no_location)
    if "shm_size" in entry:
        entry["shm_size"] = str(units.parse_bytes(entry["shm_size"]))
    return entry


def _no_location(path: KeyPath) -> Location:
    return Location("<build>")


def devices(value: list[t.Any]) -> list[dict[str, str]]:
    """Normalize ``devices`` to ``source``/``target``/``permissions`` mappings."""
    result = []
    for item in value:
        if isinstance(item, dict):
            result.append(dict(item))
            continue
        parts = item.split(":")
        source = parts[0]
        target = parts[1] if len(parts) > 1 and parts[1] else source
        permissions = parts[2] if len(parts) > 2 else "rwm"
        result.append({"source": source, "target": target, "permissions": permissions})
    return result


def file_references(value: list[t.Any]) -> list[dict[str, t.Any]]:
    """Normalize service ``secrets`` or ``configs`` entries to long syntax."""
    result = []
    for item in value:
        entry = {"source": item} if isinstance(item, str) else dict(item)
        if "mode" in entry:
            entry["mode"] = _octal_mode(entry["mode"])
        result.append(entry)
    return result


def _octal_mode(mode: t.Any) -> str:
    if isinstance(mode, str):
        return mode if mode.startswith("0") else "0" + format(int(mode, 8), "o")
    return "0" + format(int(mode), "o")


def service_networks(value: t.Any) -> dict[str, t.Any]:
    if isinstance(value, list):
        return {name: None for name in value}
    return dict(value)


def duration(value: t.Any, path: KeyPath, locate: Locate) -> str:
    try:
        return units.normalize_duration(str(value))
    except ValueError:
        raise ComposeError(
            "invalid duration",
            location=locate(path),
            key_path=path,
            hint="write it like 10s, 1m30s or 250ms",
        ) from None


def byte_size(value: t.Any, path: KeyPath, locate: Locate) -> str:
    try:
        return str(units.parse_bytes(value))
    except ValueError:
        raise ComposeError(
            "invalid byte size",
            location=locate(path),
            key_path=path,
            hint="write it like 512m, 1g or a number of bytes",
        ) from None


def healthcheck(value: dict[str, t.Any], path: KeyPath, locate: Locate) -> dict[str, t.Any]:
    result = dict(value)
    if "test" in result:
        result["test"] = healthcheck_test(result["test"], (*path, "test"), locate)
    for key in ("interval", "timeout", "start_period", "start_interval"):
        if key in result:
            result[key] = duration(result[key], (*path, key), locate)
    return result


_DEPLOY_DURATIONS = {
    "update_config": ("delay", "monitor"),
    "rollback_config": ("delay", "monitor"),
    "restart_policy": ("delay", "window"),
}


def deploy(value: dict[str, t.Any] | None, path: KeyPath, locate: Locate) -> dict[str, t.Any]:
    result = dict(value or {})
    for section, keys in _DEPLOY_DURATIONS.items():
        if isinstance(result.get(section), dict):
            entry = dict(result[section])
            for key in keys:
                if key in entry:
                    entry[key] = duration(entry[key], (*path, section, key), locate)
            result[section] = entry
    if "labels" in result:
        result["labels"] = string_mapping(result["labels"], (*path, "labels"), locate)
    resources = dict(result.get("resources") or {})
    for kind in ("limits", "reservations"):
        if isinstance(resources.get(kind), dict):
            entry = dict(resources[kind])
            if "memory" in entry:
                entry["memory"] = byte_size(
                    entry["memory"], (*path, "resources", kind, "memory"), locate
                )
            if "cpus" in entry:
                entry["cpus"] = cpus(entry["cpus"], (*path, "resources", kind, "cpus"), locate)
            resources[kind] = entry
    result["resources"] = resources
    result.setdefault("placement", {})
    return result


def cpus(value: t.Any, path: KeyPath, locate: Locate) -> float | int:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    try:
        number = float(value)
    except ValueError:
        raise ComposeError(
            "invalid number of CPUs", location=locate(path), key_path=path, hint="write it like 0.5"
        ) from None
    return int(number) if number.is_integer() and "." not in str(value) else number
