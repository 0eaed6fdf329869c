"""A seeded synthetic corpus in the article format, for benchmarks and load tests.

Every generated article is valid: all three types, required and optional sections, images
with credits, links to neighbours (no orphans), See Also lists, lists, tables and emphasis;
about 5 KB each. Hugo reads the same files as they are (its front matter is YAML too).
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
         "hormone insulin glucose protein vitamin iron fever fatigue pain swelling rash cough "
         "breath sleep exercise diet weight risk factor family history genetic test scan "
         "doctor nurse clinic hospital medicine dose course therapy recovery outcome patient "
         "child adult older people common rare chronic acute mild severe early late")
WORDS = tuple(_VOCABULARY.split())

OUTLINES = {
    "condition": ["Overview", "Causes", "Risk factors", "Symptoms", "Diagnosis", "Treatment",
                  "Prevention", "See Also"],
    "drug": ["Overview", "Medical uses", "Contraindications", "Side effects", "Interactions",
             "Pharmacology", "See Also"],
    "topic": ["Overview", "Health effects", "Recommendations", "History", "See Also"],
}
CATEGORIES = ["Immunology", "Cardiology", "Respiratory medicine", "Endocrinology",
              "Infectious diseases", "Public health", "Pharmacology", "Nutrition and lifestyle"]
PEOPLE = [("Amara Okafor", "MD"), ("Daniel Reyes", "PharmD"), ("Helen Whitfield", "MBBS, FRCP"),
          ("Priya Raman", "RD, MPH"), ("Sarah Lindqvist", "RN, MSc"), ("Tomasz Nowak", "PhD")]
IMAGES = 8
MIN_COUNT = 2  # one article alone would have an empty See Also and be an orphan

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120">
<title>Diagram {n}</title><rect x="10" y="10" width="180" height="100" fill="#dde" stroke="#335"/>
<text x="100" y="65" text-anchor="middle" font-size="16">Diagram {n}</text></svg>
"""


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"*{words[i]}*"
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, slugs: list[str], titles: dict[str, str]) -> str:
    sentences = [_sentence(rng) for _ in range(rng.randint(3, 5))]
    if rng.random() < 0.5:
        target = rng.choice(slugs)
        sentences.append(f"See also [{titles[target].lower()}]({target}.md).")
    return " ".join(sentences)


def _section(rng: random.Random, title: str, slugs: list[str], titles: dict[str, str],
             image: str | None) -> str:
    parts = [_paragraph(rng, slugs, titles)]
    roll = rng.random()
    if roll < 0.3:
        parts.append("\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(3, 5))))
    elif roll < 0.4:
        rows = [f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} | {rng.choice(WORDS)} |"
                for _ in range(4)]
        parts.append("| Item | Value | Note |\n|---|---:|---|\n" + "\n".join(rows))
    if image:
        parts.append(f"![Diagram of {title.lower()}](images/{image})")
    parts.append(_paragraph(rng, slugs, titles))
    return f"## {title}\n\n" + "\n\n".join(parts) + "\n"


def article_text(index: int, count: int, rng: random.Random, titles: dict[str, str],
                 slugs: list[str]) -> str:
    slug = slugs[index]
    kind = ("condition", "condition", "drug", "topic")[index % 4]
    people = rng.sample(PEOPLE, 2)
    image = f"diagram-{index % IMAGES}.svg" if index % 3 == 0 else None
    neighbours = sorted({slugs[(index + 1) % count], slugs[(index - 1) % count],
                         slugs[rng.randrange(count)]} - {slug})
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
    lines += [f"categories: [{rng.choice(CATEGORIES)}]", 'last_reviewed: "2026-06-01"', "---"]
    sections = []
    outline = OUTLINES[kind]
    image_section = rng.randrange(len(outline) - 1) if image else -1
    for number, title in enumerate(outline):
        if title == "See Also":
            sections.append("## See Also\n\n" + "\n".join(
                f"- [{titles[s]}]({s}.md)" for s in neighbours) + "\n")
        else:
            sections.append(_section(rng, title, slugs, titles,
                                     image if number == image_section else None))
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
    slugs = [f"article-{i:05d}" for i in range(count)]
    titles = {slug: f"Synthetic subject {i}" for i, slug in enumerate(slugs)}
    paths = []
    for index, slug in enumerate(slugs):
        path = folder / f"{slug}.md"
        path.write_text(article_text(index, count, rng, titles, slugs), encoding="utf-8")
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
