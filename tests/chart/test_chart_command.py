"""The ``kompile chart`` command: options, errors and how it writes the folder."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kompile.cli import cli
from kompile.errors import OutputError
from kompile.output.chart import write_chart
from tests.chart.conftest import GOLDEN

LAMP = GOLDEN / "lamp-stack" / "compose.yaml"


def test_chart_files_written(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP)
    for name in ("Chart.yaml", "values.yaml", "values.schema.json", "README.md", ".helmignore"):
        assert (chart / name).is_file(), name
    assert (chart / "templates" / "_helpers.tpl").is_file()
    assert (chart / "templates" / "NOTES.txt").is_file()
    assert (chart / "templates" / "web-deployment.yaml").is_file()


def test_chart_yaml_fields(make_chart: t.Callable[..., Path]) -> None:
    document = yaml.safe_load((make_chart(LAMP) / "Chart.yaml").read_text())
    assert document["apiVersion"] == "v2"
    assert document["name"] == "lamp-stack"
    assert document["version"] == "0.1.0"
    assert document["appVersion"] == "0.1.0"


def test_chart_version_option(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-version", "2.3.0-rc.1")
    assert yaml.safe_load((chart / "Chart.yaml").read_text())["version"] == "2.3.0-rc.1"


def test_invalid_chart_version_rejected(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "chart"
    arguments = ["chart", "-f", str(LAMP), "-o", str(out), "--chart-version", "1.2"]
    result = runner.invoke(cli, arguments)
    assert result.exit_code == 2
    assert "not a semantic version" in result.stderr
    assert not out.exists()


def test_readme_lists_every_value(make_chart: t.Callable[..., Path]) -> None:
    readme = (make_chart(LAMP) / "README.md").read_text()
    for key in ("web.image.tag", "db.replicas", "persistence.db.size", "prefixNames"):
        assert f"| `{key}` |" in readme, key
    assert "| `secrets.webEnv.values.MYSQL_PASSWORD` | `(secret)` |" in readme


def test_secret_values_embedded_on_request(make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP, "--chart-secret-values")
    values = yaml.safe_load((chart / "values.yaml").read_text())
    assert values["secrets"]["dbEnv"]["values"]["MYSQL_PASSWORD"] == "my-pw"
    assert stat.S_IMODE((chart / "values.yaml").stat().st_mode) == 0o600
    assert "my-pw" not in (chart / "README.md").read_text()


def test_secret_values_never_printed(runner: CliRunner, tmp_path: Path) -> None:
    arguments = ["chart", "-f", str(LAMP), "-o", str(tmp_path / "c"), "--chart-secret-values"]
    result = runner.invoke(cli, arguments)
    assert result.exit_code == 0, result.stderr
    assert "my-pw" not in result.output
    assert "my-pw" not in result.stderr


def test_existing_chart_replaced(runner: CliRunner, make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(LAMP)
    stale = chart / "templates" / "old-service.yaml"
    stale.write_text("kind: Service\n")
    make_chart(LAMP)
    assert not stale.exists()
    assert (chart / "templates" / "web-deployment.yaml").exists()


def test_foreign_folder_left_alone(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n")
    result = runner.invoke(cli, ["chart", "-f", str(LAMP), "-o", str(out)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "contains no chart written by kompile" in result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["notes.txt"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine"]


def test_output_required(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["chart", "-f", str(LAMP)])
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_chart_is_light(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from kompile.cli import main\n"
        "try:\n"
        f"    main(['chart', '-q', '-f', {str(LAMP)!r}, '-o', {str(tmp_path / 'c')!r}])\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "print(' '.join(m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'deepdiff')))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
    assert (tmp_path / "c" / "Chart.yaml").exists()


def test_failed_write_keeps_previous_chart(
    make_chart: t.Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    chart = make_chart(LAMP)
    before = (chart / "values.yaml").read_text()
    real_replace = os.replace

    def failing_replace(source: t.Any, target: t.Any) -> None:
        # Fail the move of the new chart into place, not the restore of the old one.
        if Path(target) == chart and Path(source).name.startswith(".chart."):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OutputError, match="No space left on device"):
        write_chart(chart, {"Chart.yaml": "x\n"}, secret_values=False)
    assert (chart / "values.yaml").read_text() == before
    assert sorted(path.name for path in chart.parent.iterdir()) == ["chart"]
