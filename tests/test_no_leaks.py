"""No command prints or writes a secret value, except inside convert's Secret objects.

Every command of the CLI runs over every golden case and over the fixtures below, with
plain, file, folder and JSON output, each ``--secrets`` mode, and inputs that fail with
``--debug`` after the secrets were read. stdout, stderr (tracebacks included), log
records and every written file are scanned for each secret value and its base64 form.
Secret objects in convert's own manifest output are the only place a value may appear.

A failure names the command and where the value appeared, never the value.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import stat
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

import kompile.cli
from kompile.cli import cli
from tests.apiserver.plugin import Cluster
from tests.bad_inputs.corpus import BadInput, load_cases, prepare, unreadable_as_this_user
from tests.cluster.helpers import apply_as
from tests.convert import fakesecrets as fake

GOLDEN = Path(__file__).resolve().parents[1] / "golden"

URL_PASSWORD = "kompile-fake-url-pw-4Rt"
# The secret values of the leak fixture: one service has a secret in every form the
# detector finds, the other has none. These values must never leave the Secret.
LEAK_FIXTURE_VALUES = {
    "MYSQL_ROOT_PASSWORD": fake.PASSWORD,
    "DATABASE_URL": f"postgres://app:{URL_PASSWORD}@db:5432/app",
    "SSH_IDENTITY": fake.PRIVATE_KEY,
    "ANALYTICS_CONFIG": fake.JWT,
    "GH": fake.GITHUB_TOKEN,
    "SESSION_COOKIE_VALUE": fake.RANDOM_BASE64,
    "LICENSE_SEAT": "kompile-fake-forced-seat",
}
EXTRA_SECRET_TEXT = [URL_PASSWORD]
BAD_INPUTS = load_cases()


def leak_fixture(tail: str = "") -> str:
    environment = {**LEAK_FIXTURE_VALUES, "MYSQL_DATABASE": "app", "TOKEN_TTL": "3600"}
    document = {
        "name": "leaky",
        "services": {
            "app": {
                "image": "example/app:1",
                "environment": environment,
                "x-kompile": {"secrets": ["LICENSE_SEAT"]},
            },
            "other": {"image": "example/other:1", "environment": {"MODE": "plain"}},
        },
    }
    return yaml.safe_dump(document, sort_keys=False) + tail


# Inputs that fail after the secret values were read, to check messages and tracebacks.
FAILING_FIXTURES = {
    "no-image": leak_fixture("  broken:\n    environment: {A: b}\n"),
    "unknown-extension-key": leak_fixture().replace("  secrets:\n", "  secret:\n"),
    "invalid-yaml-after-secret": leak_fixture("  broken: [unclosed\n"),
    "override-in-both-lists": leak_fixture().replace(
        "- LICENSE_SEAT", "- LICENSE_SEAT\n      not-secrets:\n      - LICENSE_SEAT"
    ),
}


@dataclass
class Case:
    """One compose project to run every command over, and its secret values."""

    name: str
    folder: Path
    flags: list[str] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set, repr=False)


def golden_cases() -> list[Case]:
    cases = []
    for compose in sorted(GOLDEN.glob("*/compose.yaml")):
        flags_file = compose.parent / "flags"
        flags = flags_file.read_text().split() if flags_file.exists() else []
        cases.append(Case(compose.parent.name, compose.parent, flags))
    return cases


def secret_forms(values: t.Iterable[str]) -> set[str]:
    """Return each value, its base64 form, and each line of a multi-line value."""
    forms = set()
    for value in values:
        if not value:
            continue
        forms.add(value)
        forms.add(base64.b64encode(value.encode()).decode())
        forms.update(line for line in value.splitlines() if len(line) >= 8)
    return forms


@dataclass
class Run:
    """The output of one command. The texts stay out of the repr, so failures never show them."""

    exit_code: int
    stdout: str = field(repr=False)
    stderr: str = field(repr=False)
    logs: str = field(repr=False)


@pytest.fixture
def run_kompile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> t.Callable[..., Run]:
    """Run ``kompile ARGS`` in-process in ``tmp_path/work``, with no cluster reachable."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent-kubeconfig"))
    for name in ("COMPOSE_FILE", "COMPOSE_PROJECT_NAME", "COMPOSE_PROFILES"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str) -> Run:
        monkeypatch.setattr(kompile.cli, "_debug", False)
        records: list[logging.LogRecord] = []
        handler = logging.Handler(logging.DEBUG)
        handler.emit = records.append  # type: ignore[method-assign]
        root = logging.getLogger()
        root.addHandler(handler)
        previous_level = root.level
        root.setLevel(logging.DEBUG)
        try:
            kompile.cli.main(list(args))
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 2
        finally:
            root.removeHandler(handler)
            root.setLevel(previous_level)
        captured = capsys.readouterr()
        logs = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in records)
        return Run(code, captured.out, captured.err, logs)

    return run


def parse_manifests(text: str) -> list[dict[str, t.Any]] | None:
    """Return the objects of YAML or JSON manifest text, or None when it is not manifests."""
    try:
        if text.lstrip().startswith("{"):
            document = json.loads(text)
            documents = document.get("items", [document]) if isinstance(document, dict) else []
        else:
            documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except (ValueError, yaml.YAMLError):
        return None
    if documents and all(isinstance(doc, dict) and "kind" in doc for doc in documents):
        return documents
    return None


def without_secret_objects(text: str) -> tuple[str, bool]:
    """Return manifest text with its Secret objects removed, and whether it had any."""
    documents = parse_manifests(text)
    if documents is None:
        return text, False
    remaining = [doc for doc in documents if doc["kind"] != "Secret"]
    return json.dumps(remaining), len(remaining) != len(documents)


def leaked_in(text: str, forms: set[str]) -> int:
    return sum(form in text for form in forms)


def written_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def command_variants(command: str, compose: Path, case_flags: list[str]) -> list[list[str]]:
    base = [command, "-f", str(compose)]
    if command != "convert":
        return [base, [*base, "--debug"], [*base, "--format", "json"]]
    flagged = [*base, *case_flags]
    return [
        flagged,
        [*flagged, "--debug"],
        [*flagged, "--format", "json"],
        [*flagged, "-o", "out.yaml"],
        [*flagged, "-o", "out.json"],
        [*flagged, "-o", "out-folder"],
        [*base, "--secrets", "placeholder"],
        [*base, "--secrets", "external", "--secret-store", "vault"],
        [*base, "--secrets", "external", "--secret-store", "vault", "-o", "external"],
    ]


def check_run(label: str, run: Run, forms: set[str], work: Path, convert: bool) -> list[str]:
    """Return one line per place where a secret form appeared, naming the place only."""
    problems = []
    stdout = run.stdout
    if convert and run.exit_code == 0:
        stdout, _ = without_secret_objects(stdout)
    for where, text in (("stdout", stdout), ("stderr", run.stderr), ("logs", run.logs)):
        if leaked_in(text, forms):
            problems.append(f"{label}: {where}")
    for path in written_files(work):
        text = path.read_text(errors="replace")
        has_secret = False
        if convert:
            text, has_secret = without_secret_objects(text)
        if leaked_in(text, forms):
            problems.append(f"{label}: file {path.relative_to(work)}")
        if has_secret and stat.S_IMODE(os.stat(path).st_mode) != 0o600:
            problems.append(f"{label}: file {path.relative_to(work)} is not private")
    return problems


def default_mode_secrets(run_kompile: t.Callable[..., Run], case: Case) -> set[str]:
    """Return the values convert moves into Secrets for ``case`` in the default mode."""
    result = run_kompile("convert", "-q", "-f", str(case.folder / "compose.yaml"))
    exit_code = result.exit_code
    assert exit_code == 0
    values = set()
    for doc in parse_manifests(result.stdout) or []:
        if doc["kind"] != "Secret":
            continue
        values.update((doc.get("stringData") or {}).values())
        for encoded in (doc.get("data") or {}).values():
            try:
                values.add(base64.b64decode(encoded).decode())
            except UnicodeDecodeError:
                continue  # Binary file contents cannot appear in text output as they are.
    return values


def clear(folder: Path) -> None:
    for path in written_files(folder):
        path.unlink()
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir()


def run_all_commands(run_kompile: t.Callable[..., Run], case: Case, work: Path) -> list[str]:
    forms = secret_forms(case.secrets)
    problems = []
    for command in sorted(cli.commands):
        for args in command_variants(command, case.folder / "compose.yaml", case.flags):
            run = run_kompile(*args)
            label = f"{case.name}: kompile {' '.join(args[:1] + args[3:])}"
            problems += check_run(label, run, forms, work, command == "convert")
            clear(work)
    return problems


@pytest.mark.parametrize("case", golden_cases(), ids=lambda case: case.name)
def test_golden_case_leaks_nothing(
    case: Case, run_kompile: t.Callable[..., Run], tmp_path: Path
) -> None:
    case.secrets = default_mode_secrets(run_kompile, case)
    problems = run_all_commands(run_kompile, case, tmp_path / "work")
    assert problems == []


def test_leak_fixture_leaks_nothing(run_kompile: t.Callable[..., Run], tmp_path: Path) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "compose.yaml").write_text(leak_fixture())
    case = Case("leak-fixture", folder, secrets={*LEAK_FIXTURE_VALUES.values()})
    moved = default_mode_secrets(run_kompile, case)
    assert moved == set(LEAK_FIXTURE_VALUES.values())
    case.secrets |= set(EXTRA_SECRET_TEXT)
    problems = run_all_commands(run_kompile, case, tmp_path / "work")
    assert problems == []


@pytest.mark.parametrize("name", sorted(FAILING_FIXTURES))
def test_failing_input_leaks_nothing(
    name: str, run_kompile: t.Callable[..., Run], tmp_path: Path
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "compose.yaml").write_text(FAILING_FIXTURES[name])
    forms = secret_forms([*LEAK_FIXTURE_VALUES.values(), *EXTRA_SECRET_TEXT])
    work = tmp_path / "work"
    for command in sorted(cli.commands):
        run = run_kompile(command, "--debug", "-f", str(folder / "compose.yaml"))
        failed = run.exit_code == 2
        has_traceback = "Traceback" in run.stderr
        if command == "convert":
            assert failed
            assert has_traceback
        assert check_run(f"{name}: {command}", run, forms, work, convert=False) == []
        assert written_files(work) == []


def test_scan_finds_a_leak() -> None:
    forms = secret_forms([fake.PASSWORD])
    manifest = yaml.safe_dump({"kind": "ConfigMap", "data": {"A": fake.PASSWORD}})
    text, had_secret = without_secret_objects(manifest)
    assert leaked_in(text, forms) == 1
    assert had_secret is False


def test_scan_allows_secret_objects() -> None:
    forms = secret_forms([fake.PASSWORD])
    encoded = base64.b64encode(fake.PASSWORD.encode()).decode()
    manifest = yaml.safe_dump({"kind": "Secret", "data": {"A": encoded}})
    text, had_secret = without_secret_objects(manifest)
    assert leaked_in(text, forms) == 0
    assert had_secret is True


@pytest.mark.parametrize("case", [case for case in BAD_INPUTS if case.secrets], ids=str)
def test_bad_input_leaks_nothing(
    case: BadInput,
    run_kompile: t.Callable[..., Run],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = prepare(case, tmp_path / "cases")
    if case.setup == "unreadable" and not unreadable_as_this_user(project / "compose.yaml"):
        pytest.skip("running as root, so chmod cannot make the file unreadable")
    monkeypatch.chdir(project)
    forms = secret_forms(case.secrets)
    chart_out = tmp_path / "chart-out"
    for command in case.commands:
        extra = ["-o", str(chart_out)] if command == "chart" else []
        for debug in ([], ["--debug"]):
            run = run_kompile(command, *case.args, *extra, *debug)
            label = f"{case.name}: {command} {' '.join(debug)}"
            assert run.exit_code == 2, label
            assert check_run(label, run, forms, tmp_path / "work", convert=False) == []
    assert not chart_out.exists()


INTRUDER_PASSWORD = "kompile-fake-intruder-pw-9Lm"
SECRET_FAULTS = {
    "503-storm": {"method": "PATCH", "path": "/secrets/app-env$", "status": 503},
    "403-secrets": {"path": "/secrets", "status": 403},
    "dropped": {"method": "PATCH", "path": "/secrets/app-env$", "drop": True},
    "401": {"path": "/", "status": 401},
}


@pytest.fixture
def no_retry_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from kompile.cluster import client

    monkeypatch.setattr(client, "time", SimpleNamespace(sleep=lambda seconds: None))


def cluster_leak_project(tmp_path: Path) -> Path:
    folder = tmp_path / "leaky"
    folder.mkdir()
    (folder / "compose.yaml").write_text(leak_fixture())
    return folder / "compose.yaml"


def cluster_runs(
    run_kompile: t.Callable[..., Run], cluster: Cluster, compose: Path
) -> dict[str, Run]:
    common = ["--kubeconfig", str(cluster.kubeconfig), "-n", cluster.namespace, "-f", str(compose)]
    return {
        f"{command} {output} --debug": run_kompile(
            command, *common, "-o", output, "--debug", "--prune"
        )
        if command == "apply"
        else run_kompile(command, *common, "-o", output, "--debug")
        for command in ("apply", "diff")
        for output in ("text", "json")
    }


@pytest.mark.parametrize("fault", sorted(SECRET_FAULTS))
def test_cluster_failure_leaks_nothing(
    fault: str,
    cluster: Cluster,
    run_kompile: t.Callable[..., Run],
    tmp_path: Path,
    no_retry_sleep: None,
) -> None:
    if cluster.server is None:
        pytest.skip("needs the fault knobs of the API test double")
    compose = cluster_leak_project(tmp_path)
    common = ["--kubeconfig", str(cluster.kubeconfig), "-n", cluster.namespace, "-q"]
    # Applied first, so that diff sends its dry runs for the Secret too.
    assert run_kompile("apply", *common, "-f", str(compose)).exit_code == 0
    cluster.server.fail_next(1000, **SECRET_FAULTS[fault])
    forms = secret_forms([*LEAK_FIXTURE_VALUES.values(), *EXTRA_SECRET_TEXT])
    for label, run in cluster_runs(run_kompile, cluster, compose).items():
        assert run.exit_code == 2, label
        assert check_run(f"{fault}: {label}", run, forms, tmp_path / "work", convert=False) == []


def test_secret_conflict_leaks_nothing(
    cluster: Cluster, run_kompile: t.Callable[..., Run], tmp_path: Path
) -> None:
    compose = cluster_leak_project(tmp_path)
    intruder = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "app-env", "namespace": cluster.namespace},
        "data": {"MYSQL_ROOT_PASSWORD": base64.b64encode(INTRUDER_PASSWORD.encode()).decode()},
    }
    apply_as(cluster, "intruder", intruder)
    forms = secret_forms([*LEAK_FIXTURE_VALUES.values(), *EXTRA_SECRET_TEXT, INTRUDER_PASSWORD])
    runs = cluster_runs(run_kompile, cluster, compose)
    apply_text = runs["apply text --debug"]
    assert apply_text.exit_code == 2
    # The intruder's Secret carries no project labels, so apply stops before writing it.
    assert "secret/app-env failed: exists and belongs to another tool" in apply_text.stderr
    for label, run in runs.items():
        assert check_run(f"conflict: {label}", run, forms, tmp_path / "work", convert=False) == []
