"""TRS106: a reviewer states credentials; the JSON-LD never names one without as `reviewedBy`."""

from __future__ import annotations

from pathlib import Path

from pipeline.check import check_paths
from pipeline.config import load_config
from pipeline.load import load_file
from pipeline.publish import make_site
from pipeline.render.html import article_json_ld
from pipeline.render.view import build_view
from tests.conftest import Runner, write_pyproject

BAD = Path(__file__).parent / "fixtures" / "rule-reviewer-without-credentials-bad"


def test_the_error_names_the_reviewer_on_the_role_line(tmp_path: Path,
                                                       run_cli: Runner) -> None:
    import shutil

    shutil.copytree(BAD / "articles", tmp_path / "articles")
    write_pyproject(tmp_path, 'ignore = ["REF106"]\n')
    result = run_cli(tmp_path, "check", "--format", "concise")
    assert result.returncode == 1
    assert ("articles/alpha.md:12:11: TRS106 [error] reviewer Second Author has no "
            "credentials") in result.stdout
    found = check_paths(load_config(tmp_path))
    assert [d.code for d in found.diagnostics] == ["TRS106"]


def test_json_ld_names_only_credentialed_reviewers(tmp_path: Path) -> None:
    write_pyproject(tmp_path)
    config = load_config(tmp_path)
    article = load_file(BAD / "articles" / "alpha.md", "articles/alpha.md",
                        config.limits).article
    assert article is not None
    site = make_site(config, {"alpha": article})
    data = article_json_ld(build_view(article, site), site)
    assert "reviewedBy" not in data  # Second Author reviews without credentials
    names = [person["name"] for person in data["author"]]
    assert "Second Author" in names  # still credited as a contributor
    good = BAD.parent / "rule-reviewer-without-credentials-good" / "articles" / "alpha.md"
    article = load_file(good, "articles/alpha.md", config.limits).article
    assert article is not None
    data = article_json_ld(build_view(article, site), site)
    assert [p["name"] for p in data["reviewedBy"]] == ["Second Author"]
    assert data["reviewedBy"][0]["honorificSuffix"] == "MBBS, FRCP"
