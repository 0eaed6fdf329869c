"""Where a check and a publish spend their time: CPU per article, stage by stage, in one
process. The benchmark runs it with the code under test on part of its corpus, so that the
table in docs/benchmarks.md says what each unmet target is up against.

`python -m pipeline.benchstages PROJECT COUNT` prints JSON: milliseconds of CPU per article
for each stage (`ms`), and the share of the bodies the Rust parser's route took (`fast`).
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

# (key, what it is, whether `pipeline check` does it, whether `publish` does it)
STAGES: tuple[tuple[str, str, bool, bool], ...] = (
    ("read", "read and decode the file", True, True),
    ("front", "front matter (YAML events, source map) and the size limits", True, True),
    ("parse", "Markdown to tokens: the Rust parser and the conversion", True, True),
    ("reference", "*for comparison*: the same bodies through markdown-it-py alone", False,
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


def measure(project: Path, count: int) -> dict[str, Any]:
    """Milliseconds of CPU per article for each stage, over the first `count` articles."""
    import pipeline.load as load
    from pipeline import fastmd
    from pipeline.check import corpus_files
    from pipeline.config import load_config
    from pipeline.publish import _site, _write, missing_notices
    from pipeline.render.environment import environment
    from pipeline.render.html import render_article_page
    from pipeline.render.json_api import render_article_json
    from pipeline.render.view import absolute_view, build_view
    from pipeline.rules import run_rules
    from pipeline.rules.context import Context, Corpus
    from pipeline.schema import check_schema
    from pipeline.workers import GC_THRESHOLD

    config = load_config(project)
    paths = corpus_files(config)[:count]
    results: dict[str, float] = {}

    def stage(key: str, items: Sequence[Any], work: Callable[[Any], Any]) -> list[Any]:
        for item in items[:3]:
            work(item)  # warm up: first calls compile patterns, validators, templates
        # As in a worker (`pipeline.workers`), which holds one article at a time: what the
        # earlier stages made for all of them is not traversed by the cyclic collector again.
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_THRESHOLD)
        started = time.process_time()
        out = [work(item) for item in items]
        results[key] = (time.process_time() - started) * 1000 / len(items)
        return out

    limit = config.limits.max_file_bytes
    texts = stage("read", paths, lambda p: load.read_regular_file(p, limit))
    real_parse = load.parse_body
    load.parse_body = lambda article, limits: None
    try:
        bare = stage("front", list(zip(paths, texts, strict=True)),
                     lambda pair: load.load_bytes(pair[1], pair[0].name, pair[0].stem,
                                                  config.limits).article)
    finally:
        load.parse_body = real_parse
    nesting = config.limits.max_markdown_nesting
    # timed on copies that are dropped at once, as a worker drops each article's tokens
    stage("parse", bare, lambda article: real_parse(replace(article), config.limits))
    for article in bare:
        real_parse(article, config.limits)
    reference = load.markdown_parser(nesting)
    stage("reference", bare, lambda article: reference.parse(article.body))
    articles = [a for a in bare if a is not None and a.tokens]
    if len(articles) != len(paths):
        raise SystemExit("benchstages: some articles did not load; run `pipeline check`")
    fast = sum(fastmd.parse(a.body, nesting) is not None for a in articles) / len(articles)
    stage("schema", articles, lambda article: check_schema(article, config.schema))
    context = Context(config=config, corpus=Corpus(config, deferred=True))
    stage("rules", articles, lambda article: run_rules(article, context))
    site = _site(config, {a.slug: a.title for a in articles})
    env = environment(config.templates)
    views = stage("view", articles, lambda article: build_view(article, site))
    pages = stage("html", views, lambda view: render_article_page(view, site, env))
    documents = stage("json", views,
                      lambda view: render_article_json(absolute_view(view, site), site))
    lights = [build_view(a, site, with_sections=False) for a in articles]
    stage("notices", list(zip(articles, pages, documents, lights, strict=True)),
          lambda four: list(missing_notices(four[0], {"html/a.html": four[1],
                                                       "json/a.json": four[2]}, four[3])))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)

        def write(pair: tuple[str, tuple[bytes, bytes]]) -> None:
            slug, (page, document) = pair
            for relative, data in ((f"html/{slug}.html", page), (f"json/{slug}.json", document)):
                _write(folder / relative, data)
                hashlib.sha256(data).hexdigest()

        stage("write", [(a.slug, pair) for a, pair in
                        zip(articles, zip(pages, documents, strict=True), strict=True)], write)
    return {"ms": results, "fast": fast}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or not args[1].isdigit() or int(args[1]) < 1:
        print("usage: python -m pipeline.benchstages PROJECT COUNT", file=sys.stderr)
        return 2
    print(json.dumps(measure(Path(args[0]), int(args[1]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
