"""Publishing as maintainers see it: the build folder, the manifest, refusals, the cache."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.publish import PublishRequest, publish
from tests.conftest import Runner

SLUGS = sorted(p.stem for p in (Path(__file__).parent.parent / "articles").glob("*.md"))


def tree(folder: Path) -> dict[str, str]:
    """Every file under a folder with its sha256: what 'unchanged' means in these tests."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus published once with all three outputs (shared: PDFs are slow)."""
    import shutil

    from tests.conftest import ARTICLES, write_pyproject

    root = tmp_path_factory.mktemp("site")
    shutil.copytree(ARTICLES, root / "articles")
    write_pyproject(root)
    result = publish(load_config(root), PublishRequest(out=root / "build", jobs=2))
    assert result.ok, result.diagnostics
    return root


def test_publish_writes_every_output_of_every_article(published: Path) -> None:
    build = published / "build"
    for slug in SLUGS:
        assert (build / "html" / f"{slug}.html").is_file()
        assert (build / "json" / f"{slug}.json").is_file()
        assert (build / "print" / f"{slug}.pdf").read_bytes().startswith(b"%PDF-")
    assert (build / "html" / "index.html").is_file()
    assert (build / "json" / "index.json").is_file()
    assert (build / "html" / "images" / "asthma-airway.svg").is_file()


def test_manifest_lists_every_file_with_its_digest(published: Path) -> None:
    build = published / "build"
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    files = tree(build)
    del files["manifest.json"]
    assert manifest["files"] == {k: v for k, v in files.items()}
    assert sorted(manifest["articles"]) == SLUGS
    asthma = manifest["articles"]["asthma"]["files"]
    assert set(asthma) == {"html/asthma.html", "json/asthma.json", "print/asthma.pdf"}


def test_cli_publish_refuses_on_error_and_leaves_the_build(corpus_project: Path,
                                                          run_cli: Runner) -> None:
    first = run_cli(corpus_project, "publish", "--formats", "html,json")
    assert first.returncode == 0, first.stderr
    before = tree(corpus_project / "build")
    article = corpus_project / "articles" / "asthma.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "license: CC-BY-SA-4.0", "license: CC-BY-NC-4.0", 1), encoding="utf-8")
    second = run_cli(corpus_project, "publish", "--formats", "html,json")
    assert second.returncode == 1
    assert "articles/asthma.md:5:10: LIC101" in second.stdout
    assert "previous build is unchanged" in second.stderr
    assert tree(corpus_project / "build") == before


def test_two_publishes_give_identical_bytes_and_the_second_renders_nothing(
        corpus_project: Path, run_cli: Runner) -> None:
    first = run_cli(corpus_project, "publish", "--formats", "html,json", "--out", "a")
    assert first.returncode == 0, first.stderr
    again = run_cli(corpus_project, "publish", "--formats", "html,json", "--out", "a")
    assert again.returncode == 0
    assert "(0 rendered, 14 unchanged)" in again.stderr
    cold = run_cli(corpus_project, "publish", "--formats", "html,json", "--out", "b",
                   "--jobs", "1", env={"TZ": "Pacific/Kiritimati", "LC_ALL": "C"})
    assert cold.returncode == 0
    assert tree(corpus_project / "a") == tree(corpus_project / "b")


def test_formats_may_be_repeated_in_any_order_and_name_one_build(
        corpus_project: Path, run_cli: Runner) -> None:
    first = run_cli(corpus_project, "publish", "--format", "json", "--format", "html")
    assert first.returncode == 0, first.stderr
    build = corpus_project / "build"
    assert (build / "html" / "asthma.html").is_file()
    assert (build / "json" / "asthma.json").is_file()
    assert not (build / "print").exists()
    again = run_cli(corpus_project, "publish", "--formats", "html,json")
    assert "(0 rendered, 14 unchanged)" in again.stderr  # the same request as the first
    before = tree(build)
    wrong = run_cli(corpus_project, "publish", "--formats", "html", "--formats", "epub")
    assert wrong.returncode == 2
    assert "unknown output(s) epub" in wrong.stderr
    assert tree(build) == before


def test_one_changed_article_is_the_only_one_rendered(corpus_project: Path,
                                                      run_cli: Runner) -> None:
    assert run_cli(corpus_project, "publish", "--formats", "html,json").returncode == 0
    before = tree(corpus_project / "build")
    article = corpus_project / "articles" / "influenza.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("## Causes\n", "## Causes\n\nAn added sentence.\n\n", 1),
                       encoding="utf-8")
    result = run_cli(corpus_project, "publish", "--formats", "html,json")
    assert result.returncode == 0
    assert "(1 rendered, 13 unchanged)" in result.stderr
    after = tree(corpus_project / "build")
    changed = {k for k in after if after[k] != before.get(k)}
    assert "html/influenza.html" in changed and "json/influenza.json" in changed
    assert not any(k.startswith(("html/asthma", "json/asthma")) for k in changed)
    assert "An added sentence." in (corpus_project / "build/html/influenza.html").read_text(
        encoding="utf-8")


def test_a_republish_reads_the_listings_only_when_pages_are_rebuilt(corpus_project: Path,
                                                                    run_cli: Runner) -> None:
    """The state's second line (every article's listing) is not read when nothing changed;
    when it is needed and unreadable, everything is built again, and the build is whole."""
    assert run_cli(corpus_project, "publish", "--formats", "html,json").returncode == 0
    before = tree(corpus_project / "build")
    (state,) = (corpus_project / ".pipeline-cache").glob("publish-*.json")
    head, listings, _ = state.read_bytes().split(b"\n")
    assert json.loads(json.loads(listings)["asthma"])[:3] == ["asthma", "Asthma", "condition"]
    state.write_bytes(head + b"\n{broken\n")
    result = run_cli(corpus_project, "publish", "--formats", "html,json")
    assert result.returncode == 0 and "(0 rendered, 14 unchanged)" in result.stderr
    assert tree(corpus_project / "build") == before
    article = corpus_project / "articles" / "influenza.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = run_cli(corpus_project, "publish", "--formats", "html,json")
    assert result.returncode == 0 and "(14 rendered, 0 unchanged)" in result.stderr
    after = tree(corpus_project / "build")
    assert set(after) == set(before)
    assert {k for k in after if after[k] != before[k]} <= {"manifest.json"}


@pytest.mark.parametrize("listing", ['[1, 2]', '"text"', '["a", "b", "c", "d", "e", [1], "f", '
                                     '["x", "y", "z"]]', 'null'])
def test_a_stored_listing_that_is_not_one_means_a_full_rebuild(
        corpus_project: Path, run_cli: Runner, listing: str) -> None:
    assert run_cli(corpus_project, "publish", "--formats", "html,json").returncode == 0
    before = tree(corpus_project / "build")
    (state,) = (corpus_project / ".pipeline-cache").glob("publish-*.json")
    head, listings, _ = state.read_bytes().split(b"\n")
    stored = json.loads(listings)
    stored["asthma"] = listing
    state.write_bytes(head + b"\n" + json.dumps(stored).encode() + b"\n")
    article = corpus_project / "articles" / "influenza.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = run_cli(corpus_project, "publish", "--formats", "html,json")
    assert result.returncode == 0, result.stderr
    assert "(14 rendered, 0 unchanged)" in result.stderr and "Traceback" not in result.stderr
    after = tree(corpus_project / "build")
    assert {k for k in after if after.get(k) != before.get(k)} <= {"manifest.json"}


def test_a_template_change_renders_everything_again(corpus_project: Path,
                                                    run_cli: Runner) -> None:
    import shutil

    from tests.conftest import TEMPLATES, write_pyproject

    shutil.copytree(TEMPLATES, corpus_project / "templates")
    write_pyproject(corpus_project)
    (corpus_project / "pyproject.toml").write_text(
        (corpus_project / "pyproject.toml").read_text(encoding="utf-8").replace(
            TEMPLATES.as_posix(), "templates"), encoding="utf-8")
    assert run_cli(corpus_project, "publish", "--formats", "html").returncode == 0
    css = corpus_project / "templates" / "style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    result = run_cli(corpus_project, "publish", "--formats", "html")
    assert result.returncode == 0
    assert "(14 rendered, 0 unchanged)" in result.stderr


def test_another_version_of_a_renderer_renders_everything_again(
        corpus_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new Typst (or Jinja, nh3, citeproc-py…) may write other bytes: the files of the
    last build are not reused, so an incremental build stays what a cold one would make."""
    from pipeline.publish import state

    config = load_config(corpus_project)
    request = PublishRequest(out=corpus_project / "build", formats=("json",))
    assert publish(config, request).rendered == len(SLUGS)
    assert publish(config, request).rendered == 0
    installed = state.renderer_versions()
    newer = tuple((name, "99.0" if name == "nh3" else found) for name, found in installed)
    monkeypatch.setattr(state, "renderer_versions", lambda: newer)
    again = publish(config, request)
    assert again.ok and again.rendered == len(SLUGS)


def test_a_second_publish_meets_the_lock(corpus_project: Path, run_cli: Runner) -> None:
    lock = corpus_project / ".build.lock"
    with open(lock, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.write("4242")
        handle.flush()
        result = run_cli(corpus_project, "publish", "--formats", "html")
    assert result.returncode == 1
    assert "PUB001" in result.stdout and "another publish of build is running" in result.stdout
    assert not (corpus_project / "build").exists()


def test_an_unwritable_output_folder_gives_a_diagnostic(corpus_project: Path,
                                                        run_cli: Runner) -> None:
    (corpus_project / "blocked").write_text("a file where a folder should be")
    result = run_cli(corpus_project, "publish", "--formats", "html", "--out",
                     "blocked/build")
    assert result.returncode == 1
    assert "PUB002" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_full_disk_leaves_the_previous_build(corpus_project: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.publish.swap as stage  # every file of a build is written there

    config = load_config(corpus_project)
    out = corpus_project / "build"
    assert publish(config, PublishRequest(out=out, formats=("html",), jobs=1)).ok
    before = tree(out)
    asthma = corpus_project / "articles" / "asthma.md"
    asthma.write_text(asthma.read_text(encoding="utf-8").replace(
        "## Causes\n", "## Causes\n\nMore.\n\n", 1), encoding="utf-8")
    real_write = stage.write_file
    calls = {"n": 0}

    def failing_write(path: Path, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, data)

    monkeypatch.setattr(stage, "write_file", failing_write)
    result = publish(config, PublishRequest(out=out, formats=("html",), jobs=1))
    assert not result.ok
    assert [d.code for d in result.diagnostics] == ["PUB002"]
    assert "No space left on device" in result.diagnostics[0].message
    assert tree(out) == before
    assert not list(corpus_project.glob(".build.staging-*"))


def test_the_site_pages_from_listings_equal_those_from_full_views(tmp_path: Path) -> None:
    """A publish keeps only a listing of each article for the front, category and index
    pages; those pages are byte for byte what the renderers give from the full views."""
    import shutil

    from tests.golden import GOLDEN_ARTICLES, load_corpus, render_site

    shutil.copytree(GOLDEN_ARTICLES, tmp_path / "articles")  # the state folder goes beside it
    corpus = load_corpus(tmp_path / "articles")
    result = publish(corpus.config, PublishRequest(out=tmp_path / "build",
                                                   formats=("html", "json"), jobs=1))
    assert result.ok, result.diagnostics
    expected = render_site(corpus)
    pages = [k for k in expected if k.endswith("index.html") or k.endswith("index.json")
             or k.startswith("html/category/")]
    assert len(pages) >= 4
    for relative in pages:
        assert (tmp_path / "build" / relative).read_bytes() == expected[relative], relative


def test_workers_take_about_half_a_second_of_work_at_a_time() -> None:
    from pipeline.workers import CHECK_SECONDS, PDF_SECONDS, RENDER_SECONDS, batch_size

    assert batch_size(500, 2, PDF_SECONDS) == 7  # no worker waits long for the last PDFs
    assert batch_size(10_000, 2, RENDER_SECONDS) == 20
    assert batch_size(10_000, 2, CHECK_SECONDS) == 83
    # a small set is still shared out in many batches
    assert batch_size(100, 2, CHECK_SECONDS) == 3
    assert batch_size(10, 4, CHECK_SECONDS) == 1
