"""The benchmark's smoke test: every measurement runs once on a tiny corpus; no timings judged."""

from __future__ import annotations

import ast
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import bench, stages
from benchmarks import corpus as corpus_command
from benchmarks.corpus import SIZES, features, generate, image_names, plans, profile
from tests.conftest import REPO, write_pyproject

RESULT_ROWS = [
    "*Hugo cold build, HTML + JSON* (reference)",
    "| check, whole corpus |",
    "| check, one file, cold (no `.pipeline-cache/`) |",
    "| check, one file, after a corpus check |",
    "| publish html,json, cold |",
    "| republish html,json, nothing changed |",
    "| republish html,json, one article changed |",
    "| publish html,json,pdf, cold |",
    "| ↳ PDFs: seconds per article",
    "| republish html,json,pdf, nothing changed |",
    "| republish html,json,pdf, one article changed |",
]
TARGETS = ["≤ 0.3x Hugo", "< 0.3 s", "≤ 0.5x Hugo and ≤ 150 MB", "≤ 0.05x Hugo",
           "≤ 0.15 s per article", "< 1.5 s"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> bench.Results:
    workdir = tmp_path_factory.mktemp("bench")
    options = bench.Options(count=12, sample=3, small=4, runs=1, workdir=workdir, project=REPO)
    return bench.run_bench(options)


def test_every_measurement_runs_once(results: bench.Results) -> None:
    for row in results.rows.values():
        assert len(row.runs) == row.wanted, row.key
        assert not row.skipped, row.key
        assert all(run.wall > 0 and run.peak > 0 for run in row.runs), row.key
    assert len(results.rows["hugo_full"].runs) == 2  # Hugo, pipeline, Hugo, pipeline


def test_the_short_rows_run_three_times_in_a_row(results: bench.Results) -> None:
    # each republish with one article changed renders one article, another revision of it
    # each time (a revision missing from the page would stop the benchmark)
    for key, row in results.rows.items():
        wanted = bench.SHORT_REPEATS if key in bench.SHORT_ROWS else 1
        assert len(row.runs) == wanted * (2 if key == "hugo_full" else 1), key
    for key in ("web_full_one", "all_sample_one"):
        assert [bench.rendered_count(run) for run in results.rows[key].runs] == [1, 1, 1]
    assert not [note for note in results.notes if note.startswith("A run of")]
    assert "run 3 times in a row in each round" in bench.markdown(results)


def test_the_report_has_every_row_target_and_fact(results: bench.Results) -> None:
    text = bench.markdown(results)
    results_part = text.split("## Results", 1)[1].split("## Peak memory", 1)[0]
    for row in RESULT_ROWS:
        assert row in results_part, row
    assert results_part.count("*Hugo cold build, HTML + JSON* (reference)") == 2
    for target in TARGETS:
        assert f"| {target} |" in results_part, target
    verdicts = [line for line in results_part.splitlines()
                if line.endswith(("| PASS |", ") |")) and ("PASS" in line or "FAIL" in line)]
    assert len(verdicts) == len(TARGETS)  # each target judged once, on the row it names
    memory = text.split("## Peak memory as the corpus grows", 1)[1].split("## Method", 1)[0]
    assert "| 4 |" in memory and "| 12 |" in memory and "| growth for 3x the articles |" in memory
    assert "Largest page of the site of 12 articles (after the cold publish): html/" in text
    for fact in ("| date |", "| machine | ", "| Python |", "| pipeline |", "| Hugo | hugo v",
                 "| corpus | 12 articles", "| PDF sample | 3 articles", "load average",
                 "smaps_rollup", "median"):
        assert fact in text, fact


def test_the_one_file_check_is_judged_after_a_corpus_check(results: bench.Results) -> None:
    text = bench.markdown(results)
    rows = {line.split(" | ")[0].removeprefix("| "): line for line in text.splitlines()
            if line.startswith("| check, one file")}
    assert set(rows) == {"check, one file, cold (no `.pipeline-cache/`)",
                         "check, one file, after a corpus check"}
    assert "| < 0.3 s |" in rows["check, one file, after a corpus check"]
    assert rows["check, one file, cold (no `.pipeline-cache/`)"].endswith("| — |  |")
    method = text.split("## Method", 1)[1]
    assert "\"check, one file, after a corpus check\" runs right after the whole-corpus " \
           "check" in method
    assert "the target \"< 0.3 s\" is judged on it" in method
    assert "reported for information" in method
    # what the corpus check left for it is said, whatever this version keeps
    assert sum(note.startswith("The whole-corpus check left") for note in results.notes) == 1


def test_only_the_check_after_a_corpus_check_keeps_the_cache(tmp_path: Path) -> None:
    generate(tmp_path / "articles", 4, 2)
    write_pyproject(tmp_path)
    corpus = bench.Corpus(tmp_path, 4, 2, tuple(f"article-{i:05d}" for i in range(4)))
    left = tmp_path / bench.CACHE_FOLDER / "left-by-an-earlier-check"
    left.parent.mkdir()
    left.write_text("state", encoding="utf-8")
    one = [Path("articles") / "article-00000.md"]
    bench.run_check(corpus, one, cold=False)
    assert left.read_text(encoding="utf-8") == "state"  # the check ran on what it found
    kept = sorted(p.name for p in left.parent.iterdir())  # and what the check itself keeps
    assert f"left {len(kept)} file(s)" in bench.cache_note(corpus)
    bench.run_check(corpus, one)  # cold: nothing an earlier run left is there
    assert not left.exists()
    shutil.rmtree(left.parent, ignore_errors=True)  # what the cold check kept, if any
    assert "left no `.pipeline-cache/`" in bench.cache_note(corpus)


def test_the_report_states_the_size_distribution_next_to_real_articles(
        results: bench.Results) -> None:
    text = bench.markdown(results)
    part = text.split("## Machine and corpus", 1)[1].split("## Results", 1)[0]
    corpus_row = next(line for line in part.splitlines() if line.startswith("| corpus |"))
    for word in ("min ", "p10 ", "median ", "mean ", "p90 ", "max ", "% short", "% medium",
                 "% long", "% longer"):
        assert word in corpus_row, word
    table = part.split("### The corpus next to real articles", 1)[1]
    header = next(line for line in table.splitlines() if line.startswith("| |"))
    assert header == ("| | generated, 12 articles | bundled `articles/`, 14 | "
                      "real pages, imported, 8 | the same, raw wikitext, 8 |")
    for label in ("size: min", "size: p10", "size: median", "size: mean", "size: p90",
                  "size: max", "share short, < 10 KB", "share medium, 10-20 KB",
                  "share long, 20-35 KB", "share longer, > 35 KB", "references",
                  "citations", "tables", "sub-sections", "images", "footnotes",
                  "with classification codes", "with an infobox"):
        assert f"| {label}" in table, label
    raw = results.profiles["the same, raw wikitext, 8"]
    assert not raw.counts and raw.count == 8  # sizes only
    wiki = REPO / "tests" / "data" / "wikitext"
    assert sorted(raw.sizes) == sorted((wiki / f"{name}.wiki").stat().st_size
                                       for name in bench.REAL_PAGES)
    imported = results.profiles["real pages, imported, 8"]
    assert max(imported.counts["references"]) > 150  # Autism: 220 works
    codes = next(line for line in table.splitlines() if "with classification codes" in line)
    assert codes.endswith(" | 14% | 50% | — |")  # asthma, ibuprofen; 4 of the 8 real pages


def test_largest_page_is_the_biggest_html_file(tmp_path: Path) -> None:
    (tmp_path / "category").mkdir()
    (tmp_path / "a.html").write_bytes(b"x" * 10)
    (tmp_path / "category" / "b--2.html").write_bytes(b"x" * 30)
    (tmp_path / "feed.xml").write_bytes(b"x" * 99)
    assert bench.largest_page(tmp_path) == ("category/b--2.html", 30)
    assert bench.largest_page(tmp_path / "category" / "none") == ("", 0)


def test_the_hugo_site_is_written_as_files(results: bench.Results) -> None:
    site = results.rows["hugo_full"].corpus.hugo_site
    config = (site / "hugo.toml").read_text(encoding="utf-8")
    assert 'page = ["HTML", "JSON"]' in config and 'home = ["HTML", "JSON"]' in config
    assert str(results.rows["hugo_full"].corpus.articles) in config
    for layout in ("_default/single.html", "_default/single.json", "_default/list.html",
                   "index.html", "index.json"):
        assert (site / "layouts" / layout).is_file(), layout
    assert not (site / "public").exists()  # builds go to scratch folders, then away


def test_the_changed_article_is_put_back(results: bench.Results) -> None:
    corpus = results.rows["check_full"].corpus
    fresh = corpus.root.parent / "fresh"
    generate(fresh, corpus.count, corpus.seed)
    for slug in corpus.slugs:
        assert ((corpus.articles / f"{slug}.md").read_bytes()
                == (fresh / f"{slug}.md").read_bytes()), slug


def test_an_edited_article_stays_valid(tmp_path: Path) -> None:
    generate(tmp_path / "articles", 6, 3)
    write_pyproject(tmp_path)
    corpus = bench.Corpus(tmp_path, 6, 3, tuple(f"article-{i:05d}" for i in range(6)))
    article = bench.ChangedArticle(corpus)
    article.edit()
    assert bench.run_check(corpus).wall > 0  # raises unless 0 errors and 0 warnings
    article.restore()


def test_hugo_missing_outputs_stop_the_bench(tmp_path: Path) -> None:
    corpus = bench.Corpus(tmp_path, 2, 1, ("article-00000", "article-00001"))
    (tmp_path / "article-00000.html").write_text("x", encoding="utf-8")
    with pytest.raises(bench.BenchError, match="wrote 1 of the 2"):
        bench._expect_files("Hugo", corpus,
                            [tmp_path / f"{slug}.html" for slug in corpus.slugs])


def test_peak_memory_sums_the_process_tree(tmp_path: Path) -> None:
    # parent and child each hold ~80 MB of their own: the tree's peak is their sum, which
    # no single process (what ru_maxrss reports) ever reaches
    code = ("import os, time\n"
            "pid = os.fork()\n"
            "block = b'x' * 80_000_000\n"
            "time.sleep(2.0)\n"  # long enough for a sampler on a loaded machine
            "os._exit(0) if pid == 0 else os.waitpid(pid, 0)\n")
    run = bench.timed([sys.executable, "-c", code], tmp_path)
    assert run.peak >= 150 * bench.MB


def test_pages_a_forked_child_shares_count_once(tmp_path: Path) -> None:
    # the parent fills 120 MB, then forks three children that only read it: the tree holds
    # about 120 MB (Pss), though each of the four processes has it resident (Rss)
    code = ("import os, time\n"
            "block = bytearray(b'x' * 120_000_000)\n"
            "children = []\n"
            "for _ in range(3):\n"
            "    pid = os.fork()\n"
            "    if pid == 0:\n"
            "        total = sum(block[::4096])\n"  # read every page: resident, still shared
            "        time.sleep(2.0)\n"
            "        os._exit(0)\n"
            "    children.append(pid)\n"
            "for pid in children:\n"
            "    os.waitpid(pid, 0)\n")
    run = bench.timed([sys.executable, "-c", code], tmp_path)
    assert run.peak_rss >= 400 * bench.MB
    assert 110 * bench.MB <= run.peak <= 250 * bench.MB


def test_the_sampler_takes_little_of_the_cpu_it_measures(tmp_path: Path) -> None:
    # four processes of 100 MB each: every sample walks their page tables
    code = ("import os, time\n"
            "children = []\n"
            "for _ in range(3):\n"
            "    pid = os.fork()\n"
            "    if pid == 0:\n"
            "        block = bytearray(100_000_000)\n"
            "        time.sleep(3.0)\n"
            "        os._exit(0)\n"
            "    children.append(pid)\n"
            "block = bytearray(100_000_000)\n"
            "for pid in children:\n"
            "    os.waitpid(pid, 0)\n")
    run = bench.timed([sys.executable, "-c", code], tmp_path)
    assert run.peak >= 300 * bench.MB  # the peak is still seen
    assert run.sampler_cpu <= bench.SAMPLER_SHARE * 2 * run.wall + 0.02


def test_a_failing_command_stops_the_bench(tmp_path: Path) -> None:
    with pytest.raises(bench.BenchError, match="exited with 3"):
        bench.timed([sys.executable, "-c", "import sys; sys.exit(3)"], tmp_path)


def test_quick_options() -> None:
    args = bench.build_parser().parse_args(["--quick"])
    options = bench.options_from_args(args, ["--quick"])
    assert (options.count, options.sample, options.small, options.runs, options.budget) == (
        1000, 100, 100, 3, 60.0)
    default = bench.options_from_args(bench.build_parser().parse_args([]), [])
    assert (default.count, default.sample, default.small, default.runs, default.budget) == (
        10_000, 500, 1000, 5, None)


def test_module_help_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--help"],
                            capture_output=True, text=True, check=False, cwd=REPO)
    assert result.returncode == 0 and "--quick" in result.stdout


def test_the_benchmark_is_not_in_the_runtime_package() -> None:
    import pipeline

    assert not list(Path(pipeline.__file__).parent.glob("bench*.py"))


def test_the_benchmark_patches_nothing_in_the_pipeline() -> None:
    """No name imported from `pipeline` has an attribute assigned or deleted, and nothing
    calls setattr: the benchmark measures the pipeline as it ships."""
    for path in sorted((REPO / "benchmarks").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {(a.asname or a.name).split(".")[0] for a in node.names
                             if a.name.split(".")[0] == "pipeline"}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline"):
                imported |= {a.asname or a.name for a in node.names}
        for node in ast.walk(tree):
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign | ast.Delete):
                targets = list(node.targets)
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                root = target
                while isinstance(root, ast.Attribute | ast.Subscript):
                    root = root.value
                assert not (isinstance(root, ast.Name) and root.id in imported
                            and root is not target), f"{path.name}:{node.lineno} patches"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "setattr", f"{path.name}:{node.lineno} calls setattr"


def test_the_budget_skips_what_would_not_fit(tmp_path: Path) -> None:
    corpus = bench.Corpus(tmp_path, 1000, 1, ())
    sample = bench.Corpus(tmp_path, 100, 1, ())
    rows = bench.plan_rows(corpus, sample, sample)
    rows["web_full_cold"].runs.append(bench.Run(wall=50.0, cpu=1.0, peak=1))
    assert bench.Budget.expected(rows["all_sample_cold"], rows) == 5.0  # scaled by articles
    assert bench.Budget.expected(rows["check_full"], rows) == 0.0  # unknown: run it
    budget = bench.Budget(20.0)
    assert budget.allows(rows["all_sample_cold"], rows)
    assert not budget.allows(rows["web_full_cold"], rows)  # its last run took 50 s
    assert bench.Budget(None).allows(rows["web_full_cold"], rows)
    assert not bench.Budget(0.0).allows(rows["check_full"], rows)



def test_rendered_count_and_what_is_expected(tmp_path: Path) -> None:
    said = bench.Run(1.0, 1.0, 1, stderr="Published 9 articles (1 rendered, 8 unchanged) ...")
    assert bench.rendered_count(said) == 1
    assert bench.rendered_count(bench.Run(1.0, 1.0, 1, stderr="done")) is None
    corpus = bench.Corpus(tmp_path, 9, 1, ())
    assert bench._as_expected(0, "none", corpus) and not bench._as_expected(9, "none", corpus)
    assert bench._as_expected(1, "one", corpus) and not bench._as_expected(9, "one", corpus)


def test_the_runs_measure_a_copy_of_the_code(results: bench.Results) -> None:
    corpus = results.rows["check_full"].corpus
    assert corpus.code is not None
    assert (corpus.code / "pipeline" / "publish" / "__init__.py").is_file()
    assert (corpus.code / "benchmarks" / "stages.py").is_file()  # the stage profile runs it
    config = (corpus.root / "pyproject.toml").read_text(encoding="utf-8")
    assert str(corpus.code / "templates") in config and str(corpus.code / "schemas") in config
    where = subprocess.run([sys.executable, "-c", "import pipeline; print(pipeline.__file__)"],
                           capture_output=True, text=True, check=True, cwd=corpus.root,
                           env=bench.pipeline_env(corpus.code)).stdout.strip()
    assert Path(where) == corpus.code / "pipeline" / "__init__.py"
    # compiled as an install leaves it: a run under PYTHONDONTWRITEBYTECODE compiles nothing
    env = {**bench.pipeline_env(corpus.code), "PYTHONDONTWRITEBYTECODE": "1"}
    compiled = subprocess.run(
        [sys.executable, "-c", "import importlib.machinery as m, pipeline.check, pipeline.cli\n"
         "calls = []\n"
         "real = m.SourceFileLoader.source_to_code\n"
         "def watched(self, data, path, **kw):\n"
         "    calls.append(path)\n"
         "    return real(self, data, path, **kw)\n"
         "m.SourceFileLoader.source_to_code = watched\n"
         "import pipeline.publish, pipeline.render.html, pipeline.rules\n"
         "print([c for c in calls if 'pipeline' in str(c)])"],
        capture_output=True, text=True, check=True, cwd=corpus.root, env=env).stdout.strip()
    assert compiled == "[]"
    assert list((corpus.code / "pipeline" / "__pycache__").glob("check.*.pyc"))


def test_the_report_says_where_the_time_goes(results: bench.Results) -> None:
    text = bench.markdown(results)
    part = text.split("## Where the time goes", 1)[1].split("## Method", 1)[0]
    ms = results.stages["ms"]
    assert set(ms) == {key for key, *_ in stages.STAGES}
    assert all(value > 0 for value in ms.values())
    assert ms["parse"] < ms["load"]  # the parse is part of the load
    for _, what, _, _ in stages.STAGES:
        assert f"| {what} | " in part, what
    assert "`python -m benchmarks.stages`" in part
    assert "| **sum** | check **" in part
    assert "ms** of CPU per article for the whole check" in part
    # the print edition's steps: each measured, Typst's layout and writing the dearest
    pdf = results.stages["pdf_ms"]
    assert set(pdf) == {key for key, _ in stages.PDF_STAGES}
    assert all(value > 0 for value in pdf.values())
    assert pdf["compile"] > pdf["source"]
    assert pdf["notices"] > 1  # the read-back of each PDF's text (PDFium) is counted
    for _, what in stages.PDF_STAGES:
        assert f"| {what} | " in part, what
    assert "ms** of CPU per article for everything" in part


def test_stage_costs_refuse_bad_arguments() -> None:
    assert stages.main(["only-one-argument"]) == 2
    assert stages.main([".", "0"]) == 2


def test_the_corpus_command_writes_articles_and_their_images(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "corpus"
    assert corpus_command.main(["--count", "5", "--seed", "2", "--out", str(out)]) == 0
    line = capsys.readouterr().out
    assert line.count("\n") == 1
    images = image_names(5, 2)
    assert line.startswith(f"wrote {5 + len(images)} files to {out} (seed 2): 5 articles, ")
    assert "median" in line and "mean" in line and "max" in line
    assert f"{len(images)} images" in line
    assert sorted(p.name for p in out.glob("*.md")) == [f"article-{i:05d}.md" for i in range(5)]
    shown = {name for p in out.glob("*.md")
             for name in re.findall(r"\]\(images/([^)]+)\)", p.read_text(encoding="utf-8"))}
    assert sorted(p.name for p in (out / "images").iterdir()) == images == sorted(shown)
    fresh = generate(tmp_path / "fresh", 5, 2)
    assert [p.read_bytes() for p in fresh] == [(out / p.name).read_bytes() for p in fresh]


def test_the_corpus_command_refuses_what_would_mix_corpora(tmp_path: Path) -> None:
    generate(tmp_path, 6, 1)
    with pytest.raises(SystemExit) as stopped:
        # three of the old articles would stay, linking to articles that are gone
        corpus_command.main(["--count", "3", "--out", str(tmp_path)])
    assert stopped.value.code == 2
    assert corpus_command.main(["--count", "6", "--seed", "4", "--out", str(tmp_path)]) == 0
    with pytest.raises(SystemExit):
        corpus_command.main(["--count", "1", "--out", str(tmp_path / "one")])


# -- the corpus: sizes, features, validity -------------------------------------------------------

ARTICLE = """---
title: Example
type: condition
synonyms: [other name]
codes:
  icd10: [J45]
images:
  - file: a.svg
references:
  - id: a
    type: book
  - id: b
    type: webpage
---
## Overview

Text [@a; @b] and more [@a, p. 4] [write to someone@example.org].[^1]

| A | B |
|---|--:|
| 1 | 2 |

### Detail

![A](images/a.svg)

## See Also

## References

[^1]: A note.
"""


def test_features_are_counted_in_the_markdown() -> None:
    assert features(ARTICLE) == {"references": 2, "citations": 3, "tables": 1, "sections": 3,
                                 "sub_sections": 1, "images": 1, "footnotes": 1, "codes": 1,
                                 "infobox": 1}
    bare = "---\ntitle: Bare\n---\n## Overview\n\n---\n\nText.\n"  # a rule, not a table
    assert features(bare) == dict.fromkeys(features(ARTICLE), 0) | {"sections": 1}


def test_the_profile_gives_the_size_distribution(tmp_path: Path) -> None:
    paths = []
    for name, size in (("a", 5_000), ("b", 15_000), ("c", 40_000), ("d", 25_000)):
        path = tmp_path / f"{name}.md"
        path.write_bytes(ARTICLE.encode() + b"x" * (size - len(ARTICLE.encode())))
        paths.append(path)
    found = profile(paths)
    assert found.count == 4 and found.sizes == (5_000, 15_000, 40_000, 25_000)
    # inclusive deciles of 5, 15, 25, 40 KB: p10 at 0.3 of the way from 5 to 15 KB
    assert found.size_stats() == {"min": 5_000, "p10": 8_000, "median": 20_000,
                                  "mean": 21_250, "p90": 35_500, "max": 40_000}
    assert found.shares() == [("short, < 10 KB", 0.25), ("medium, 10-20 KB", 0.25),
                              ("long, 20-35 KB", 0.25), ("longer, > 35 KB", 0.25)]
    assert found.counts["references"] == (2, 2, 2, 2)
    sizes_only = profile(paths[:1], count_features=False)
    assert sizes_only.counts == {} and sizes_only.size_stats()["p90"] == 5_000
    table = bench.profile_table({"four": found, "one": sizes_only})
    assert "| size: p10 | 8.0 KB | 5.0 KB |" in table
    assert "| share longer, > 35 KB | 25% | 0% |" in table
    assert "| references (`references:` entries): median / max (% with any) | 2 / 2 (100%) " \
           "| — |" in table
    assert "| with an infobox (codes, synonyms, routes, pregnancy category or legal status) " \
           "| 100% | — |" in table


def test_each_article_lands_in_its_size_class(tmp_path: Path) -> None:
    count = 300
    paths = generate(tmp_path, count, seed=5)
    planned = plans(count, 5)
    for path, plan in zip(paths, planned, strict=True):
        low, _, high = plan.size.size
        assert low - 300 <= path.stat().st_size <= high + 1_000, (path.name, plan)
        counted = features(path.read_text(encoding="utf-8"))
        assert counted["images"] == len(plan.images)
        assert plan.size.references[0] <= counted["references"] <= plan.size.references[1]
        assert counted["citations"] >= counted["references"]  # each cited at least once
    found = profile(paths)
    shares = dict(found.shares())
    assert shares["longer, > 35 KB"] == 0
    assert abs(shares["short, < 10 KB"] - SIZES[0].share) < 0.08
    assert abs(shares["long, 20-35 KB"] - SIZES[2].share) < 0.06
    kinds = [plan.kind for plan in planned]
    for kind, at_least in (("condition", 0.75), ("drug", 0.8)):
        mine = [c for c, k in zip(found.counts["codes"], kinds, strict=True) if k == kind]
        assert statistics.mean(mine) >= at_least, kind
    assert 0.05 < statistics.mean(bool(n) for n in found.counts["footnotes"]) < 0.25
    assert 0.3 < statistics.mean(bool(n) for n in found.counts["sub_sections"]) < 0.7


def _cas_digit(body: str) -> int:
    digits = body.replace("-", "")
    return sum(weight * int(d) for weight, d in enumerate(reversed(digits), start=1)) % 10


def test_generated_codes_and_infoboxes_are_well_formed(tmp_path: Path) -> None:
    import yaml
    from stdnum import verhoeff

    seen: set[str] = set()
    for path in generate(tmp_path, 80, seed=6):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:])
        for system, values in front.get("codes", {}).items():
            seen.add(system)
            assert values and all(isinstance(v, str) for v in values), (path.name, system)
            for value in values:
                if system == "cas":
                    assert int(value[-1]) == _cas_digit(value[:-2]), value
                elif system == "snomed":
                    assert verhoeff.is_valid(value), value
        if front["type"] == "drug":
            assert all(re.fullmatch(r"[a-z][a-z -]{1,39}", route)
                       for route in front.get("routes", []))
            for field in ("pregnancy_category", "legal_status"):
                assert all(isinstance(v, str) for v in front.get(field, {}).values())
        else:
            assert not {"routes", "pregnancy_category", "legal_status"} & set(front)
    assert seen == {"icd10", "icd11", "mesh", "snomed", "omim", "atc", "cas", "drugbank"}


def test_a_generated_corpus_checks_without_errors_or_warnings(tmp_path: Path) -> None:
    generate(tmp_path / "articles", 60, 11)
    write_pyproject(tmp_path)
    corpus = bench.Corpus(tmp_path, 60, 11, tuple(f"article-{i:05d}" for i in range(60)))
    assert bench.run_check(corpus).wall > 0  # raises unless 60 files, 0 errors, 0 warnings


def test_the_same_count_and_seed_give_the_same_bytes(tmp_path: Path) -> None:
    def written(folder: Path, count: int, seed: int) -> dict[str, bytes]:
        generate(folder, count, seed)
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    first = written(tmp_path / "one", 40, 9)
    assert written(tmp_path / "two", 40, 9) == first
    other = written(tmp_path / "three", 40, 10)
    assert other.keys() != first.keys() or other != first
