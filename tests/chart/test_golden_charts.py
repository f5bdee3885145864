"""Golden charts: the chart of each golden case, stored and compared byte for byte.

``golden/<case>/chart/`` contains the chart ``kompile chart`` writes for the case, and
``charts/lamp-stack/`` the one for the LAMP case. A case without a stored chart is
compared once ``pytest --update-golden`` has written it. Every chart, stored or not,
passes helm lint through the Helm v4 engine.
"""

from __future__ import annotations

import shutil
import typing as t
from pathlib import Path

import pytest

from tests.chart import helm
from tests.chart.conftest import CASES, GOLDEN, REPOSITORY

LAMP_CHART = REPOSITORY / "charts" / "lamp-stack"
MIN_GOLDEN_CHARTS = 5


def tree(folder: Path) -> dict[str, bytes]:
    """Return every file under ``folder`` by relative path, with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def compare_or_update(actual: Path, expected: Path, update: bool) -> None:
    if update:
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(actual, expected)
    assert expected.is_dir(), f"{expected} is missing; run pytest --update-golden"
    written, stored = tree(actual), tree(expected)
    assert sorted(written) == sorted(stored), f"{expected} has other files; --update-golden"
    for name, content in written.items():
        assert content == stored[name], f"{expected / name} differs; review, then --update-golden"


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_golden_chart(case: str, make_chart: t.Callable[..., Path], update_golden: bool) -> None:
    expected = GOLDEN / case / "chart"
    if not expected.exists() and not update_golden:
        pytest.skip(f"{case} has no stored chart; pytest --update-golden writes it")
    compare_or_update(make_chart(GOLDEN / case / "compose.yaml"), expected, update_golden)


def test_enough_golden_charts() -> None:
    stored = [case for case in CASES if (GOLDEN / case / "chart" / "Chart.yaml").exists()]
    assert len(stored) >= MIN_GOLDEN_CHARTS, stored


def test_lamp_chart_in_repository(make_chart: t.Callable[..., Path], update_golden: bool) -> None:
    chart = make_chart(GOLDEN / "lamp-stack" / "compose.yaml", name="lamp-stack")
    compare_or_update(chart, LAMP_CHART, update_golden)


def test_helm_lint_passes_on_every_chart(
    helm_python: Path, make_chart: t.Callable[..., Path]
) -> None:
    charts = [make_chart(GOLDEN / case / "compose.yaml", name=case) for case in CASES]
    charts.append(LAMP_CHART)
    results = helm.lint(helm_python, charts)
    assert sorted(results) == sorted(charts)
    for chart, messages in results.items():
        assert helm.errors(messages) == [], chart


def test_helm_lint_can_fail(helm_python: Path, make_chart: t.Callable[..., Path]) -> None:
    chart = make_chart(GOLDEN / "lamp-stack" / "compose.yaml")
    template = chart / "templates" / "web-deployment.yaml"
    template.write_text(template.read_text().replace(".Values.web.", ".Values.web-app."))
    messages = helm.lint(helm_python, [chart])[chart]
    assert "error: templates/" in helm.errors(messages)
