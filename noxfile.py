"""Sessions: tests, check (the articles), style (ruff + mypy), publish, rules (reference doc)."""

from __future__ import annotations

import nox

nox.options.sessions = ["style", "check", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    session.install("-e", ".[pdf,test]")
    session.run("pytest", *session.posargs)


@nox.session
def check(session: nox.Session) -> None:
    """Check every bundled article."""
    session.install("-e", ".")
    session.run("pipeline", "check", *session.posargs)


@nox.session
def style(session: nox.Session) -> None:
    """Lint and type-check the package."""
    session.install("-e", ".[dev]")
    session.run("ruff", "check", "pipeline", "noxfile.py")
    session.run("mypy", "pipeline")
