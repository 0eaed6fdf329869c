"""One line of purpose per session; `nox` alone runs style, check and tests."""

from __future__ import annotations

import nox

nox.options.sessions = ["style", "check", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    """Run the whole test suite, browser and validator tests included."""
    session.run("bash", ".ci/system-deps", external=True)
    session.install("-e", ".[pdf,test]")
    session.run("pytest", *session.posargs)


@nox.session
def check(session: nox.Session) -> None:
    """Check every bundled article (pass paths or options after --)."""
    session.install("-e", ".")
    session.run("pipeline", "check", *session.posargs)


@nox.session
def publish(session: nox.Session) -> None:
    """Check, then publish the site, the JSON API and the PDFs into build/."""
    session.install("-e", ".[pdf,search]")
    session.run("pipeline", "publish", *session.posargs)


@nox.session
def style(session: nox.Session) -> None:
    """Lint and type-check the package (ruff, mypy --strict)."""
    session.install("-e", ".[dev,pdf,search,import,dask]")
    session.run("ruff", "check", "pipeline", "benchmarks", "tests", "noxfile.py")
    session.run("mypy", "pipeline", "benchmarks")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark check and publish against Hugo; writes docs/benchmarks.md (-- --quick)."""
    session.install("-e", ".[pdf,dask,search,import]", "hugo")
    session.run("python", "-m", "benchmarks.bench", *session.posargs)


@nox.session
def rules(session: nox.Session) -> None:
    """Regenerate docs/rules.md from the rule catalogue."""
    session.install("-e", ".")
    with open("docs/rules.md", "w", encoding="utf-8") as handle:
        session.run("pipeline", "rules", "--format", "markdown", stdout=handle)
