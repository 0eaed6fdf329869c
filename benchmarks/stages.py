"""Where a check and a publish spend their time: CPU per article, stage by stage, in one
process. The benchmark runs it with the code under test on part of its corpus, so that the
table in docs/benchmarks.md says what each unmet target is up against.

`python -m benchmarks.stages PROJECT COUNT` prints JSON: milliseconds of CPU per article for
each stage (`ms`).

Each stage calls the pipeline's own functions, as a check or a publish does, one after the
other; nothing in the pipeline is replaced or patched. The Markdown parse is measured twice:
inside the whole load, and alone (on copies of the loaded articles) to show its share.
"""

from __future__ import annotations

import gc
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

# (key, what it is, whether `pipeline check` does it, whether `publish` does it); a stage
# that is part of another (the parse, inside the load) is in neither sum.
STAGES: tuple[tuple[str, str, bool, bool], ...] = (
    ("read", "read the file", True, True),
    ("load", "load: decode, front matter (YAML events, source map), the size limits and the "
             "Markdown parse", True, True),
    ("parse", "*of which* the Markdown parse (markdown-it-py tokens, sections, links)", False,
     False),
    ("schema", "JSON Schema (jsonschema-rs)", True, True),
    ("rules", "content rules (the table in `pipeline/rules/`)", True, True),
    ("view", "render: the sections to safe HTML (markdown-it renderer, nh3) and the view",
     False, True),
    ("html", "render: the HTML page (Jinja)", False, True),
    ("json", "render: the JSON document", False, True),
    ("notices", "verify: disclaimer, licence and attribution in each output", False, True),
    ("write", "write and hash the two files", False, True),
)


# The print edition, step by step, over fewer articles.
PDF_STAGES: tuple[tuple[str, str], ...] = (
    ("source", "the print edition as Typst source (Jinja, `templates/print.typ`, the "
               "sections' HTML written as Typst)"),
    ("compile", "Typst: lay out the pages and write the tagged PDF (PDF/UA-1)"),
    ("pack", "qpdf (pikepdf): pack the PDF's objects into compressed object streams"),
    ("notices", "verify: the PDF's text read back (PDFium), disclaimer, licence, "
                "attribution and every reference in it"),
)
PDF_ARTICLES = 40


def measure(project: Path, count: int) -> dict[str, Any]:
    """Milliseconds of CPU per article for each stage, over the first `count` articles."""
    from pipeline.check import corpus_files
    from pipeline.config import load_config
    from pipeline.load import load_bytes, parse_body, read_regular_file, slug_of
    from pipeline.publish import make_site, missing_notices
    from pipeline.render.environment import environment
    from pipeline.render.html import render_article_page
    from pipeline.render.json_api import render_article_json
    from pipeline.render.view import absolute_view, build_view
    from pipeline.rules import run_rules
    from pipeline.rules.context import Context, Corpus
    from pipeline.schema import check_schema
    from pipeline.workers import GC_THRESHOLD

    config = load_config(project)
    limits = config.limits
    paths = corpus_files(config)[:count]
    if not paths:
        raise SystemExit(f"stages: no articles in {config.articles}")
    results: dict[str, float] = {}

    def stage(key: str, items: Sequence[Any], work: Callable[[Any], Any]) -> list[Any]:
        for item in items[:3]:
            work(item)  # warm up: first calls compile patterns, validators, templates
        # As in a worker (`pipeline.workers`), which holds one article at a time: what the
        # earlier stages made for all of them is not traversed by the cyclic collector again.
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLD)
        started = _cpu()
        out = [work(item) for item in items]
        results[key] = (_cpu() - started) * 1000 / len(items)
        return out

    data = stage("read", paths, lambda path: read_regular_file(path, limits.max_file_bytes))
    loaded = stage("load", list(zip(paths, data, strict=True)),
                   lambda pair: load_bytes(pair[1], pair[0].name, slug_of(pair[0]),
                                           limits).article)
    articles = [article for article in loaded if article is not None]
    if len(articles) != len(paths):
        raise SystemExit("stages: some articles did not load; run `pipeline check`")
    # timed on shallow copies that are dropped at once, as a worker drops each article's tokens
    stage("parse", articles, lambda article: parse_body(replace(article), limits))
    stage("schema", articles, lambda article: check_schema(article, config.schema))
    context = Context(config=config, corpus=Corpus(config))
    # As a whole-corpus check does before its workers start: the index of which articles
    # name which, built once (not timed), so no rule reads the other files per article.
    context.corpus.mentioned_by("")
    stage("rules", articles, lambda article: run_rules(article, context))
    per_rule = _per_rule(articles, context)
    site = make_site(config, {article.slug: article for article in articles})
    env = environment(config.templates)
    views = stage("view", articles, lambda article: build_view(article, site))
    pages = stage("html", views, lambda view: render_article_page(view, site, env))
    documents = stage("json", views,
                      lambda view: render_article_json(absolute_view(view, site), site))
    lights = [build_view(article, site, with_sections=False) for article in articles]
    stage("notices", list(zip(articles, pages, documents, lights, strict=True)),
          lambda four: list(missing_notices(four[0], {"html/a.html": four[1],
                                                       "json/a.json": four[2]}, four[3])))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)

        def write(pair: tuple[str, tuple[bytes, bytes]]) -> None:
            slug, (page, document) = pair
            for relative, output in ((f"html/{slug}.html", page),
                                     (f"json/{slug}.json", document)):
                path = folder / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(output)
                hashlib.sha256(output).hexdigest()

        stage("write", [(a.slug, pair) for a, pair in
                        zip(articles, zip(pages, documents, strict=True), strict=True)], write)
    top = _dearest(paths, data, config, context, site, env)
    found: dict[str, Any] = {"ms": results, "rules": per_rule, "top": top}
    # the view of the HTML page with absolute links, as a publish shares it with the JSON
    absolute = [absolute_view(view, site) for view in views[:PDF_ARTICLES]]
    pdf = _pdf_stages(list(zip(articles, absolute, lights, strict=False)), site, config, stage)
    if pdf is not None:
        found["pdf_ms"] = {key: results.pop(f"pdf_{key}") for key, _ in PDF_STAGES}
        found["pdf_articles"] = pdf
    return found


def _pdf_stages(sample: list[tuple[Any, Any, Any]], site: Any, config: Any,
                stage: Callable[[str, Sequence[Any], Callable[[Any], Any]], list[Any]]
                ) -> int | None:
    """Time the print edition's steps (`pipeline.render.pdf`) on `sample` (each article with
    its absolute and its light view), under the keys `pdf_<step>`; the number of articles,
    or None when Typst is not installed."""
    import importlib.util

    if importlib.util.find_spec("typst") is None:
        return None
    from pipeline.image_files import images_folder
    from pipeline.publish import missing_notices
    from pipeline.render import pdf

    images = images_folder(config) or config.root / ".no-images-folder"
    views = [view for _, view, _ in sample]
    pdf.compile_pdf(pdf.print_source(views[0], site, config.templates, images, config.limits),
                    images)  # the compiler finds the fonts once per process, not per article
    sources = stage("pdf_source", views, lambda view: pdf.print_source(
        view, site, config.templates, images, config.limits))
    loose = stage("pdf_compile", sources, lambda source: pdf.typeset(source, images))
    files = stage("pdf_pack", loose, pdf.pack)
    stage("pdf_notices", [(article, data, light) for (article, _, light), data
                          in zip(sample, files, strict=True)],
          lambda three: list(missing_notices(three[0], {"print/a.pdf": three[1]}, three[2])))
    return len(sample)


def _cpu() -> float:
    """CPU seconds of this process and of any command it ran (none, since the PDFs are read
    back in this process)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _per_rule(articles: list[Any], context: Any) -> dict[str, float]:
    """CPU per article of each check of the rule registry (its codes as the key)."""
    from pipeline.rules import TABLE

    found: dict[str, float] = {}
    for codes, function in TABLE:
        for article in articles[:3]:
            list(function(article, context))
        started = time.process_time()
        for article in articles:
            list(function(article, context))
        found[", ".join(codes)] = (time.process_time() - started) * 1000 / len(articles)
    return found


def _dearest(paths: Sequence[Path], data: Sequence[bytes], config: Any, context: Any,
             site: Any, env: Any, count: int = 10) -> list[dict[str, Any]]:
    """The `count` functions with the most CPU of their own (cProfile's tottime) over a
    publish of the articles, in ms per article: load, schema, rules, view, HTML, JSON."""
    import cProfile
    import pstats

    from pipeline.load import load_bytes, slug_of
    from pipeline.render.html import render_article_page
    from pipeline.render.json_api import render_article_json
    from pipeline.render.view import absolute_view, build_view
    from pipeline.rules import run_rules
    from pipeline.schema import check_schema

    def publish_one(path: Path, raw: bytes) -> None:
        article = load_bytes(raw, path.name, slug_of(path), config.limits).article
        if article is None:
            return
        check_schema(article, config.schema)
        run_rules(article, context)
        view = build_view(article, site)
        render_article_page(view, site, env)
        render_article_json(absolute_view(view, site), site)

    from pipeline.render import references

    references._FORMATTED.clear()  # the view stage formatted these references already
    profiler = cProfile.Profile()
    profiler.enable()
    for path, raw in zip(paths, data, strict=True):
        publish_one(path, raw)
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])  # type: ignore[attr-defined]
    root = str(Path(__file__).resolve().parent.parent)
    top = []
    for (file, line, name), (_, calls, own, cumulative, _) in rows[:count]:
        where = file.replace(root + "/", "").split("site-packages/")[-1]
        top.append({"function": f"{name} ({where}:{line})", "calls": calls / len(paths),
                    "ms": own * 1000 / len(paths), "cumulative_ms": cumulative * 1000 / len(paths)})
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or not args[1].isdigit() or int(args[1]) < 1:
        print("usage: python -m benchmarks.stages PROJECT COUNT", file=sys.stderr)
        return 2
    print(json.dumps(measure(Path(args[0]), int(args[1]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
