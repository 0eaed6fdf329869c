"""A seeded synthetic corpus in the article format, for benchmarks and load tests.

Every generated article is valid: all three types, required and optional sections, images
with credits, links to neighbours (no orphans), See Also lists, lists, tables and emphasis;
about 5 KB each. Hugo reads the same files as they are (its front matter is YAML too).
"""

from __future__ import annotations

import random
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


def generate(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """Write `count` articles (and their images) into `folder`; return the article paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    for n in range(IMAGES):
        (folder / "images" / f"diagram-{n}.svg").write_text(SVG.format(n=n), encoding="utf-8")
    slugs = [f"article-{i:05d}" for i in range(count)]
    titles = {slug: f"Synthetic subject {i}" for i, slug in enumerate(slugs)}
    paths = []
    for index, slug in enumerate(slugs):
        path = folder / f"{slug}.md"
        path.write_text(article_text(index, count, rng, titles, slugs), encoding="utf-8")
        paths.append(path)
    return paths
