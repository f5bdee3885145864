"""Shared fixtures, the Helm engine among them, and the ``--update-golden`` option."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.chart import helm

pytest_plugins = ["tests.apiserver.plugin"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the expected files under golden/ from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def helm_python() -> Path:
    """Return the Python that has helm-sdkpy, or skip when no Python 3.12+ exists."""
    python = helm.helm_python()
    if python is None:
        pytest.skip("helm-sdkpy needs Python 3.12 or newer, and none was found")
    return python
