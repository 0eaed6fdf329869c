"""A seeded synthetic corpus in the article format, for benchmarks and load tests.

Every generated article is valid and shaped like real ones: all three types, required and
optional sections, sub-sections, images with credits, links to neighbours (no orphans), See
Also lists, lists, tables and emphasis, CSL references (journal articles with DOI and PMID,
books with ISBN, web pages) each cited at least once in Pandoc syntax, sometimes with
locators or several keys, footnotes in one article in ten, and an empty References
section. Sizes follow `SIZES`: 60% short (about 5 KB, like the bundled articles), 25%
medium, 15% long (20-35 KB, like full Wikipedia articles). Hugo reads the same files as
they are (its front matter is YAML too).
The same count and seed always give the same bytes.

`python -m benchmarks.corpus --count N [--seed S] --out DIR` writes `DIR/<slug>.md` and the
images they use (`DIR/images/`), then prints one line: how many files, and the sizes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

_VOCABULARY = ("immune cells tissue response infection inflammation symptom treatment diagnosis "
               "blood pressure heart lung airway kidney liver skin joint bone muscle nerve brain "
               "hormone insulin glucose protein vitamin iron fever fatigue pain swelling rash "
               "cough breath sleep exercise diet weight risk factor family history genetic test "
               "scan doctor nurse clinic hospital medicine course therapy recovery outcome "
               "patient child adult older people common rare chronic acute mild severe early "
               "late guideline review trial evidence outcome mortality prevalence incidence")
WORDS = tuple(_VOCABULARY.split())
# Phrases that real articles carry and a word list does not: numbers, units, abbreviations.
PHRASES = ("about 5%", "(WHO)", "in 2\u20133 weeks", "per 100,000 people", "(COPD)", "HbA1c",
           "under 18 years", "SpO₂ below 92%", "every 4\u20136 hours", "in one in ten people")

SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "article.schema.json"


def outlines(schema: Path = SCHEMA) -> dict[str, list[tuple[str, bool]]]:
    """Each type's sections in order, with whether each is required: from the schema, the
    one home of the outlines (the generated Notes and References are written separately)."""
    from pipeline.schema import load_schema
    from pipeline.schema import outlines as schema_outlines

    return {kind: [(str(e["title"]), bool(e.get("required"))) for e in entries
                   if not e.get("generated")]
            for kind, entries in schema_outlines(load_schema(schema)).items()
            if kind in ("condition", "drug", "topic")}


CATEGORIES = ["Immunology", "Cardiology", "Respiratory medicine", "Endocrinology",
              "Infectious diseases", "Public health", "Pharmacology", "Nutrition and lifestyle"]
PEOPLE = [("Amara Okafor", "MD"), ("Daniel Reyes", "PharmD"), ("Helen Whitfield", "MBBS, FRCP"),
          ("Priya Raman", "RD, MPH"), ("Sarah Lindqvist", "RN, MSc"), ("Tomasz Nowak", "PhD")]
JOURNALS = ("Cochrane Database Syst Rev", "Lancet", "BMJ", "N Engl J Med", "JAMA",
            "Ann Intern Med", "Eur Respir J", "Diabetes Care")
IMAGES = 8
TRAILING = ("See Also", "Further reading", "External links")  # lists of links, at the end
MIN_COUNT = 2  # one article alone would have an empty See Also and be an orphan
# Size classes, from the bundled articles (4-7 KB) and the real articles converted from
# MDWiki and Wikipedia in the test data (10-35 KB): (share, paragraphs per section, optional
# sections kept, sub-sections, references).
SIZES = (
    (0.60, (1, 2), 0.3, 0.1, (3, 6)),     # short: like the bundled articles, about 5 KB
    (0.25, (2, 4), 0.7, 0.4, (8, 14)),    # medium: 10-18 KB
    (0.15, (3, 5), 1.0, 0.8, (16, 28)),   # long: 20-35 KB, like a full Wikipedia article
)

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120">
<title>Diagram {n}</title><rect x="10" y="10" width="180" height="100" fill="#dde" stroke="#335"/>
<text x="100" y="65" text-anchor="middle" font-size="16">Diagram {n}</text></svg>
"""


class _Writer:
    """One article's body: sentences that cite its references, each reference at least once."""

    def __init__(self, rng: random.Random, slugs: list[str], titles: dict[str, str],
                 references: int) -> None:
        self.rng, self.slugs, self.titles = rng, slugs, titles
        self.keys = [f"ref{n}" for n in range(1, references + 1)]
        self.uncited = list(self.keys)

    def citation(self) -> str:
        rng = self.rng
        key = self.uncited.pop(0) if self.uncited else rng.choice(self.keys)
        roll = rng.random()
        if roll < 0.15 and len(self.keys) > 1:
            other = rng.choice([k for k in self.keys if k != key])
            return f" [@{key}; @{other}]"
        if roll < 0.25:
            return f" [@{key}, p. {rng.randint(2, 300)}]"
        return f" [@{key}]"

    def sentence(self) -> str:
        rng = self.rng
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(PHRASES))
        if rng.random() < 0.25:
            i = rng.randrange(len(words))
            words[i] = f"**{words[i]}**"
        if rng.random() < 0.25:
            i = rng.randrange(len(words))
            words[i] = f"*{words[i]}*"
        cite = self.citation() if rng.random() < 0.35 or self.uncited else ""
        return " ".join(words).capitalize() + cite + "."

    def paragraph(self) -> str:
        rng = self.rng
        sentences = [self.sentence() for _ in range(rng.randint(3, 6))]
        if rng.random() < 0.5:
            target = rng.choice(self.slugs)
            sentences.append(f"See also [{self.titles[target].lower()}]({target}.md).")
        return " ".join(sentences)

    def block(self, title: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return "\n".join(f"- {self.sentence()}" for _ in range(rng.randint(3, 6)))
        if roll < 0.42:
            rows = [f"| {rng.choice(WORDS).capitalize()} | {rng.randint(1, 99)} | "
                    f"{rng.choice(WORDS)}{self.citation()} |" for _ in range(rng.randint(3, 7))]
            return ("| Finding | Per cent | Note |\n|---|---:|---|\n" + "\n".join(rows))
        return self.paragraph()


def _section(writer: _Writer, title: str, paragraphs: int, sub: bool,
             image: str | None) -> str:
    rng = writer.rng
    parts = [writer.paragraph()]
    parts += [writer.block(title) for _ in range(paragraphs - 1)]
    if image:
        parts.append(f"![Diagram of {title.lower()}](images/{image})")
    if sub:
        for number in range(rng.randint(1, 3)):
            parts.append(f"### {rng.choice(WORDS).capitalize()} {number + 1}\n\n"
                         + writer.paragraph())
    return f"## {title}\n\n" + "\n\n".join(parts) + "\n"


def _reference(rng: random.Random, index: int, n: int) -> list[str]:
    year = rng.randint(2017, 2025)
    family = rng.choice(("Okafor", "Reyes", "Whitfield", "Raman", "Lindqvist", "Nowak"))
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 10))).capitalize()
    head = [f"  - id: ref{n}"]
    roll = rng.random() if n > 1 else 0.0  # the first: a journal article (no REF108)
    if roll < 0.7:
        return [*head, "    type: article-journal", f"    title: {title}",
                       f"    author: [{{family: {family}, given: A}}]",
                       f"    container-title: {rng.choice(JOURNALS)}", f'    issued: "{year}"',
                       f'    volume: "{rng.randint(1, 400)}"',
                       f'    page: "{rng.randint(1, 900)}-{rng.randint(901, 999)}"',
                       f"    DOI: 10.5555/bench.{index}.{n}",
                       f'    PMID: "{30000000 + index * 40 + n}"']
    if roll < 0.85:
        return [*head, "    type: book", f"    title: {title}",
                       f"    author: [{{family: {family}, given: B}}]",
                       "    publisher: Example Medical Press", f'    issued: "{year}"',
                       f"    ISBN: {_isbn(9780000000000 + index * 40 + n)}"]
    return [*head, "    type: webpage", f"    title: {title}",
                   "    author: [{literal: World Health Organization}]",
                   f'    issued: "{year}"',
                   f"    URL: https://www.who.int/news-room/fact-sheets/detail/topic-{index}-{n}"]


def _isbn(stem: int) -> str:
    """An ISBN-13 with a correct check digit, from the first twelve digits of `stem`."""
    digits = str(stem)[:12]
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def article_text(index: int, count: int, rng: random.Random, titles: dict[str, str],
                 slugs: list[str], outline_of: dict[str, list[tuple[str, bool]]]) -> str:
    slug = slugs[index]
    kind = ("condition", "condition", "drug", "topic")[index % 4]
    people = rng.sample(PEOPLE, 2)
    image = f"diagram-{index % IMAGES}.svg" if index % 3 == 0 else None
    neighbours = sorted({slugs[(index + 1) % count], slugs[(index - 1) % count],
                         slugs[rng.randrange(count)]} - {slug})
    roll, share = rng.random(), 0.0
    size = SIZES[-1]
    for size_class in SIZES:
        share += size_class[0]
        if roll < share:
            size = size_class
            break
    _, paragraphs, keep_optional, sub_share, references = size
    writer = _Writer(rng, slugs, titles, rng.randint(*references))
    lines = [
        "---",
        f"title: {titles[slug]}",
        f"type: {kind}",
        f"summary: {titles[slug]} is a synthetic article used to measure the pipeline.",
        "license: CC-BY-SA-4.0",
        f"disclaimer: {'drug' if kind == 'drug' else 'medical'}",
        "contributors:",
        *[f"  - name: {name}\n    credentials: {cred}" for name, cred in people],
    ]
    if image:
        lines += ["images:", f"  - file: {image}", f"    title: Diagram {index % IMAGES}",
                  "    alt: A labelled diagram", "    caption: A labelled diagram.",
                  "    author: Encyclopedia contributors", "    source: Own work",
                  "    license: CC-BY-SA-4.0"]
    lines += [f"categories: [{rng.choice(CATEGORIES)}]", 'last_reviewed: "2026-06-01"',
              "references:"]
    for n in range(1, len(writer.keys) + 1):
        lines += _reference(rng, index, n)
    lines.append("---")
    outline = [title for title, required in outline_of[kind]
               if title == "See Also" or required or rng.random() < keep_optional]
    written = [title for title in outline if title not in TRAILING]  # sections with text
    image_section = rng.randrange(len(written)) if image else -1
    texts: dict[str, str] = {}
    note = rng.random() < 0.1
    for number, title in enumerate(written):
        text = _section(writer, title, rng.randint(*paragraphs), rng.random() < sub_share,
                        image if number == image_section else None)
        if note and number == 0:
            text = text.rstrip("\n") + "[^1]\n\n[^1]: A note that qualifies the claim.\n"
        texts[title] = text
    while writer.uncited:  # every reference cited at least once
        texts[written[-1]] += "\n" + writer.paragraph() + "\n"
    texts["See Also"] = "## See Also\n\n" + "\n".join(
        f"- [{titles[s]}]({s}.md)" for s in neighbours) + "\n"
    for title in outline:
        if title in TRAILING and title != "See Also":  # Further reading, External links
            texts[title] = f"## {title}\n\n- [{title} on {titles[slug]}]" \
                           f"(https://www.who.int/health-topics/{slug})\n"
    sections = [texts[title] for title in outline] + ["## References\n"]
    return "\n".join(lines) + "\n" + "\n".join(sections)


def image_names(count: int) -> list[str]:
    """The images `count` articles use (every third article has one of the eight)."""
    return [f"diagram-{n}.svg" for n in sorted({i % IMAGES for i in range(0, count, 3)})]


def generate(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """Write `count` articles (and the images they use) into `folder`; return the article
    paths."""
    if count < MIN_COUNT:
        raise ValueError(f"count must be at least {MIN_COUNT} (each article links to others)")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    for name in image_names(count):
        n = int(name.removeprefix("diagram-").removesuffix(".svg"))
        (folder / "images" / name).write_text(SVG.format(n=n), encoding="utf-8")
    outline_of = outlines()
    slugs = [f"article-{i:05d}" for i in range(count)]
    titles = {slug: f"Synthetic subject {i}" for i, slug in enumerate(slugs)}
    paths = []
    for index, slug in enumerate(slugs):
        path = folder / f"{slug}.md"
        path.write_text(article_text(index, count, rng, titles, slugs, outline_of),
                        encoding="utf-8")
        paths.append(path)
    return paths


# -- command line -------------------------------------------------------------------------------


def _size(size: float) -> str:
    return f"{size / 1000:.1f} KB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def summary(folder: Path, articles: Sequence[Path], seed: int) -> str:
    """One line: how many files were written where, and how large they are."""
    sizes = sorted(path.stat().st_size for path in articles)
    images = [folder / "images" / name for name in image_names(len(articles))]
    image_bytes = sum(path.stat().st_size for path in images)
    deciles = statistics.quantiles(sizes, n=10, method="inclusive")
    return (f"wrote {len(articles) + len(images)} files to {folder} (seed {seed}): "
            f"{len(articles)} articles, {_size(sum(sizes))}, per article min "
            f"{_size(sizes[0])}, p10 {_size(deciles[0])}, median "
            f"{_size(statistics.median(sizes))}, p90 {_size(deciles[-1])}, max "
            f"{_size(sizes[-1])}; {len(images)} images, {_size(image_bytes)}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.corpus",
        description="Write a seeded synthetic corpus of valid articles, with the images they "
                    "use, for benchmarks and load tests.")
    parser.add_argument("--count", type=int, required=True,
                        help=f"number of articles (at least {MIN_COUNT})")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder for the articles (images go to OUT/images); created if "
                             "missing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.count < MIN_COUNT:
        parser.error(f"--count must be at least {MIN_COUNT}")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        parser.error(f"--out {out} exists and is not a folder")
    wanted = {f"article-{i:05d}.md" for i in range(args.count)}
    stale = sorted(p.name for p in out.glob("*.md") if p.name not in wanted) if out.is_dir() else []
    if stale:
        # left over from another corpus, they would link to articles that no longer exist
        parser.error(f"--out {out} already holds {len(stale)} other article(s) "
                     f"(e.g. {stale[0]}); use an empty or new folder")
    try:
        paths = generate(out, args.count, args.seed)
    except OSError as error:
        print(f"corpus: cannot write to {out}: {error}", file=sys.stderr)
        return 1
    print(summary(out, paths, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
