"""A seeded synthetic corpus in the article format, for benchmarks and load tests.

Every generated article is valid (`pipeline check`: no error, no warning) and shaped like
the bundled articles (`articles/`) and the real MDWiki and Wikipedia pages of the test data
once imported (`tests/data/wikitext/`, `pipeline import`):

- all three types (half conditions, a quarter drugs, a quarter topics), with the required
  sections and a share of the optional ones in the schema's order, sub-sections, lists,
  tables, emphasis, numbers and abbreviations, links to neighbours (no orphans), See Also;
- an infobox like real pages: most conditions and drugs have classification codes (ICD-10,
  ICD-11, MeSH, SNOMED CT and OMIM for conditions; ATC, CAS, DrugBank for drugs; SNOMED CT
  and CAS with correct check digits) and other names (`synonyms`); most drugs have
  `routes`, `legal_status` and some a `pregnancy_category`;
- CSL references (journal articles with several authors, DOI, PMID and sometimes PMCID;
  books and chapters with ISBN; web pages), each cited at least once in Pandoc syntax,
  sometimes with locators or several keys, and an empty References section;
- images with credits (more in longer articles), footnotes with a Notes section, Further
  reading lists of works and External links in a share of the articles.

Sizes follow `SIZES` (whole files, front matter included; KB = 1000 bytes): 60% short
(about 6 KB, like the bundled articles), 25% medium (10-19 KB), 15% long (20-34 KB, like a
full Wikipedia article). Each article draws a target size in its class, then writes its
front matter (references: 0.6-1.4 per KB), its lists and Notes, and as many of its optional
sections as the rest holds, filled up to the target; so each class stays in its range
whatever the type's outline. For 10,000 articles (seed 1), counted by `profile`: per
article min 3.8 KB, p10 5.3 KB, median 7.4 KB, mean 11.2 KB, p90 24.8 KB, max 33.5 KB;
short 3.8-9.5 KB (median 6.3), medium 10.5-18.8 KB (median 13.9), long 20.5-33.5 KB
(median 26.2); 60.5% under 10 KB, 25.3% of 10-20 KB, 14.2% of 20-35 KB, none larger.
Real pages have a tail the corpus leaves out: three of the eight real pages of the test
data import to 75-151 KB (Anatomy, Abortion, Autism, with 86-221 references).

Hugo reads the same files as they are (its front matter is YAML too). The same count and
seed always give the same bytes.

`python -m benchmarks.corpus --count N [--seed S] --out DIR` writes `DIR/<slug>.md` and the
images they use (`DIR/images/`), then prints one line: how many files, and the sizes.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import string
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from stdnum import casrn, verhoeff

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
            "Ann Intern Med", "Eur Respir J", "Diabetes Care", "Am Fam Physician",
            "Lancet Infect Dis", "Clin Infect Dis", "Pediatrics")
FAMILIES = ("Okafor", "Reyes", "Whitfield", "Raman", "Lindqvist", "Nowak", "Vaughan",
            "Castelli", "Papadia", "Kastin", "Dabbs", "Raymond", "Peterson", "Coulter",
            "Santiago-Delgado", "Di Sabatino", "Corazza", "Forbes", "Young", "Chen", "Ito")
IMAGES = 8
TRAILING = ("See Also", "Further reading", "External links")  # lists of links, at the end
MIN_COUNT = 2  # one article alone would have an empty See Also and be an orphan
KB = 1000
REFERENCES_PER_KB = (0.6, 1.4)  # the bundled articles have about 0.7, imported pages 1.1-1.7
SECTION_BYTES = 700  # a section of one paragraph, about: how many sections a size holds


class SizeClass(NamedTuple):
    """One size class of the corpus."""

    name: str
    share: float  # of the articles
    size: tuple[int, int, int]  # bytes of the whole file: low, most likely, high
    optional: float  # share of the optional sections chosen (kept as far as the size holds)
    sub_sections: float  # share of the sections with sub-sections (### headings)
    references: tuple[int, int]  # how many, at least and at most (else by REFERENCES_PER_KB)
    images: tuple[float, int]  # share of the articles with images, and at most how many
    footnotes: float  # share of the articles with footnotes (and a Notes section)


# From the bundled articles (5-8 KB, up to 5 references, sub-sections in six of fourteen, an
# image in four, codes in two) and the real pages of the test data once imported (5-21 KB
# for a lead or a short page with 8-25 references, full pages 75-151 KB with 86-221;
# sub-sections in five of eight, codes and infoboxes in four, images in all, Notes in one).
SIZES = (
    SizeClass("short", 0.60, (3_800, 6_000, 9_000), 0.30, 0.15, (3, 10), (0.30, 1), 0.05),
    SizeClass("medium", 0.25, (10_500, 13_000, 18_800), 0.50, 0.30, (8, 24), (0.55, 2), 0.12),
    SizeClass("long", 0.15, (20_500, 25_000, 33_500), 0.70, 0.50, (16, 45), (0.80, 3), 0.30),
)

SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="200" height="120" viewBox="0 0 200 120">
<title>Diagram {n}</title><rect x="10" y="10" width="180" height="100" fill="#dde" stroke="#335"/>
<text x="100" y="65" text-anchor="middle" font-size="16">Diagram {n}</text></svg>
"""


# -- the plan: each article's type, size class, target size and images ------------------------


@dataclass(frozen=True)
class Plan:
    kind: str
    size: SizeClass
    target: int  # bytes the article is written up to
    images: tuple[int, ...]  # the diagrams it shows


def plans(count: int, seed: int) -> list[Plan]:
    """What each article will be, from its own random stream (so that `image_names` knows
    the images without writing the articles)."""
    rng = random.Random(f"{seed}/plan")
    found = []
    for index in range(count):
        roll, share, size = rng.random(), 0.0, SIZES[-1]
        for size_class in SIZES:
            share += size_class.share
            if roll < share:
                size = size_class
                break
        low, mode, high = size.size
        target = round(rng.triangular(low, high, mode))
        chance, most = size.images
        images = (tuple(rng.sample(range(IMAGES), rng.randint(1, most)))
                  if rng.random() < chance else ())
        found.append(Plan(("condition", "condition", "drug", "topic")[index % 4], size,
                          target, images))
    return found


def image_names(count: int, seed: int = 1) -> list[str]:
    """The images `count` articles of `seed` show."""
    return [f"diagram-{n}.svg" for n in sorted({n for plan in plans(count, seed)
                                                 for n in plan.images})]


# -- the body ------------------------------------------------------------------------------------


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

    def sentence(self, cite: bool = True) -> str:
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
        wanted = cite and (rng.random() < 0.25 or bool(self.uncited))
        text = " ".join(words)
        return text[0].upper() + text[1:] + (self.citation() if wanted else "") + "."

    def paragraph(self, most: int = 6) -> str:
        rng = self.rng
        sentences = [self.sentence() for _ in range(rng.randint(min(3, most), most))]
        if rng.random() < 0.5:
            target = rng.choice(self.slugs)
            sentences.append(f"See also [{self.titles[target].lower()}]({target}.md).")
        return " ".join(sentences)

    def block(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return "\n".join(f"- {self.sentence()}" for _ in range(rng.randint(3, 6)))
        if roll < 0.42:
            rows = [f"| {rng.choice(WORDS).capitalize()} | {rng.randint(1, 99)} | "
                    f"{rng.choice(WORDS)}{self.citation()} |" for _ in range(rng.randint(3, 7))]
            return ("| Finding | Per cent | Note |\n|---|---:|---|\n" + "\n".join(rows))
        return self.paragraph()

    def fill(self, parts: list[str], budget: int) -> None:
        """Add blocks to `parts` while a block (about 500 bytes) fits in `budget` bytes."""
        used = sum(len(part) + 2 for part in parts)
        while used + 250 < budget:
            block = self.block()
            parts.append(block)
            used += len(block) + 2


def _section(writer: _Writer, title: str, budget: int, sub: bool, images: Sequence[str],
             note: int | None) -> str:
    """A `##` section of about `budget` bytes (at least a short paragraph)."""
    rng = writer.rng
    first = writer.paragraph(most=6 if budget > SECTION_BYTES else 3)
    if note is not None:
        first += f"[^{note}]"
    parts = [first]
    parts += [f"![Diagram of {title.lower()}](images/{image})" for image in images]
    if not sub or budget < SECTION_BYTES:
        writer.fill(parts, budget)
    else:
        count = min(rng.randint(1, 3), max(1, budget // (SECTION_BYTES // 2) - 1))
        left = budget - sum(len(part) + 2 for part in parts)
        for number in range(count):
            heading = f"### {rng.choice(WORDS).capitalize()} {number + 1}"
            inner = [writer.paragraph()]
            writer.fill(inner, left // (count - number) - len(heading) - 2)
            text = heading + "\n\n" + "\n\n".join(inner)
            parts.append(text)
            left -= len(text) + 2
    return f"## {title}\n\n" + "\n\n".join(parts) + "\n"


# -- the front matter ----------------------------------------------------------------------------


def _reference(rng: random.Random, index: int, n: int) -> list[str]:
    year = rng.randint(2017, 2025)
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))).capitalize()
    authors = [f'      - {{family: "{family}", given: "{rng.choice(string.ascii_uppercase)}'
               f'{rng.choice(["", " " + rng.choice(string.ascii_uppercase)])}"}}'
               for family in rng.sample(FAMILIES, rng.randint(1, 6))]
    head = [f"  - id: ref{n}"]
    roll = rng.random() if n > 1 else 0.0  # the first: a journal article (no REF108)
    stem = index * 100 + n
    if roll < 0.65:
        lines = [*head, "    type: article-journal", f"    title: {title}", "    author:",
                 *authors, f"    container-title: {rng.choice(JOURNALS)}",
                 f'    issued: "{year}-{rng.randint(1, 12):02d}"',
                 f'    volume: "{rng.randint(1, 400)}"', f'    issue: "{rng.randint(1, 12)}"',
                 f'    page: "{rng.randint(1, 900)}-{rng.randint(901, 999)}"',
                 f"    DOI: 10.5555/bench.{index}.{n}", f'    PMID: "{30_000_000 + stem}"']
        if rng.random() < 0.25:
            lines.append(f"    PMCID: PMC{5_000_000 + stem}")
        return lines
    if roll < 0.78:
        return [*head, "    type: book", f"    title: {title}", "    author:", *authors[:2],
                "    publisher: Example Medical Press", "    publisher-place: London",
                f'    edition: "{rng.randint(2, 9)}"', f'    issued: "{year}"',
                f"    ISBN: {_isbn(978_000_000_000 + stem)}"]
    if roll < 0.83:
        return [*head, "    type: chapter", f"    title: {title}", "    author:", *authors[:2],
                f"    container-title: Textbook of {rng.choice(WORDS)} medicine",
                "    publisher: Example Medical Press", f'    issued: "{year}"',
                f'    page: "{rng.randint(1, 400)}-{rng.randint(401, 800)}"',
                f"    ISBN: {_isbn(978_000_000_000 + stem)}"]
    return [*head, "    type: webpage", f"    title: {title}",
            "    author: [{literal: World Health Organization}]",
            "    container-title: World Health Organization", f'    issued: "{year}"',
            f"    URL: https://www.who.int/news-room/fact-sheets/detail/topic-{index}-{n}"]


def _isbn(stem: int) -> str:
    """An ISBN-13 with a correct check digit after the twelve digits of `stem`."""
    digits = str(stem)
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


_NOT_IO = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # ICD-11 leaves out I and O


def _codes(rng: random.Random, kind: str) -> list[str]:
    """`codes:` for a condition or drug (most have some) or a topic (a few): in each
    classification's form, SNOMED CT and CAS with their check digits."""
    chance = {"condition": 0.85, "drug": 0.9}.get(kind, 0.25)
    if rng.random() >= chance:
        return []
    found: dict[str, list[str]] = {}
    if kind == "condition":
        if rng.random() < 0.95:
            found["icd10"] = [f"{rng.choice('ABCDEFGHJKLMNQ')}{rng.randint(0, 99):02d}"
                              + rng.choice(["", f".{rng.randint(0, 9)}"])
                              for _ in range(rng.choice((1, 1, 1, 2)))]
        if rng.random() < 0.6:
            found["icd11"] = [f"{rng.choice('ABCDEFGHJKLMN')}{rng.choice(_NOT_IO)}"
                              f"{rng.randint(0, 9)}{rng.choice(string.digits + _NOT_IO)}"
                              + rng.choice(["", f".{rng.choice('0123Z')}"])]
        if rng.random() < 0.85:
            found["mesh"] = [f"D{rng.randint(1, 999_999):06d}"]
        if rng.random() < 0.4:
            body = f"{rng.randint(10_000, 99_999_999)}00"  # an item id, partition 00 (concept)
            found["snomed"] = [f'"{body}{verhoeff.calc_check_digit(body)}"']
        if rng.random() < 0.08:
            found["omim"] = [f'"{rng.randint(100_000, 999_999)}"']
    elif kind == "drug":
        if rng.random() < 0.9:
            found["atc"] = [f"{rng.choice('ABCDGHJLMNPRSV')}{rng.randint(1, 16):02d}"
                            f"{rng.choice(string.ascii_uppercase)}"
                            f"{rng.choice(string.ascii_uppercase)}{rng.randint(1, 99):02d}"
                            for _ in range(rng.choice((1, 1, 1, 2)))]
        if rng.random() < 0.85:
            body = f"{rng.randint(50, 999_999)}-{rng.randint(0, 99):02d}"
            found["cas"] = [f'"{body}-{casrn.calc_check_digit(body)}"']
        if rng.random() < 0.85:
            found["drugbank"] = [f"DB{rng.randint(0, 99_999):05d}"]
        if rng.random() < 0.3:
            found["mesh"] = [f"D{rng.randint(1, 999_999):06d}"]
    else:
        found["mesh"] = [f"D{rng.randint(1, 999_999):06d}"]
    if not found:
        found["mesh"] = [f"D{rng.randint(1, 999_999):06d}"]
    lines = ["codes:"]
    for system, values in found.items():
        lines.append(f"  {system}: [{', '.join(sorted(set(values)))}]")
    return lines


SUFFIXES = ("syndrome", "disease", "disorder", "deficiency", "infection")
CHEMICAL = (("methyl", "ethyl", "hydroxy", "chloro", "amino", "benzyl", "fluoro"),
            ("pro", "xan", "tri", "quin", "pyr", "cef", "sulf"),
            ("idine", "olol", "amide", "azole", "oxacin", "ate sodium", "ine hydrochloride"))


def _infobox(rng: random.Random, kind: str) -> list[str]:
    """The infobox fields besides the codes: other names, and a medicine's routes, pregnancy
    category and legal status."""
    lines: list[str] = []
    if rng.random() < {"condition": 0.7, "drug": 0.6}.get(kind, 0.3):
        names: list[str] = []
        for _ in range(rng.randint(1, 4 if kind == "condition" else 3)):
            if kind == "drug":
                name = "".join(rng.choice(part) for part in CHEMICAL)
            else:
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)}"
            if name not in names:
                names.append(name)
        lines.append(f"synonyms: [{', '.join(names)}]")
    if kind == "drug":
        if rng.random() < 0.9:
            routes = rng.sample(("oral", "intravenous", "intramuscular", "subcutaneous",
                                 "topical", "inhaled", "rectal", "sublingual"),
                                rng.choice((1, 1, 2, 3)))
            lines.append(f"routes: [{', '.join(routes)}]")
        if rng.random() < 0.5:
            lines.append(f"pregnancy_category: {{AU: {rng.choice(('A', 'B1', 'B2', 'B3', 'C'))}"
                         f", US: \"{rng.choice(('N', 'Not recommended', 'Safe'))}\"}}")
        if rng.random() < 0.8:
            lines.append(f"legal_status: {{UK: {rng.choice(('POM', 'P', 'GSL'))}, "
                         f"US: {rng.choice(('Rx-only', 'OTC'))}, "
                         f"AU: {rng.choice(('S2', 'S3', 'S4'))}}}")
    return lines


# -- the trailing lists --------------------------------------------------------------------------


def _further_reading(rng: random.Random, index: int) -> str:
    """Works for further reading, written out as a bibliography (not cited in the text)."""
    items = []
    for n in range(1, rng.randint(2, 5) + 1):
        authors = ", ".join(f"{family} {rng.choice(string.ascii_uppercase)}"
                            for family in rng.sample(FAMILIES, rng.randint(1, 3)))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
        doi = f"10.5555/bench.reading.{index}.{n}"
        items.append(f"- {authors} ({rng.randint(2015, 2025)}). \"{title}\". "
                     f"*{rng.choice(JOURNALS)}*. {rng.randint(1, 400)} ({rng.randint(1, 12)}): "
                     f"{rng.randint(1, 900)}\u2013{rng.randint(901, 999)}. "
                     f"[doi:{doi}](https://doi.org/{doi})")
    return "## Further reading\n\n" + "\n".join(items) + "\n"


def _external_links(rng: random.Random, slug: str, title: str) -> str:
    sites = [f"- [{title} on MedlinePlus](https://medlineplus.gov/{slug}.html)",
             f"- [{title} (NHS)](https://www.nhs.uk/conditions/{slug}/)",
             f"- [{title}: WHO fact sheet](https://www.who.int/health-topics/{slug})"]
    return "## External links\n\n" + "\n".join(rng.sample(sites, rng.randint(1, 3))) + "\n"


# -- one article ---------------------------------------------------------------------------------


def article_text(index: int, count: int, rng: random.Random, titles: dict[str, str],
                 slugs: list[str], outline_of: dict[str, list[tuple[str, bool]]],
                 plan: Plan) -> str:
    """One article of about `plan.target` bytes: the front matter, the trailing lists and
    Notes first, then the sections share what is left (as many optional ones as it holds)."""
    slug, kind, size = slugs[index], plan.kind, plan.size
    people = rng.sample(PEOPLE, 2)
    neighbours = sorted({slugs[(index + 1) % count], slugs[(index - 1) % count],
                         slugs[rng.randrange(count)]} - {slug})
    low, high = size.references
    references = round(plan.target / KB * rng.uniform(*REFERENCES_PER_KB))
    writer = _Writer(rng, slugs, titles, min(high, max(low, references)))
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
    images = [f"diagram-{n}.svg" for n in plan.images]
    if images:
        lines.append("images:")
        for image, n in zip(images, plan.images, strict=True):
            lines += [f"  - file: {image}", f"    title: Diagram {n}",
                      "    alt: A labelled diagram", "    caption: A labelled diagram.",
                      "    author: Encyclopedia contributors", "    source: Own work",
                      "    license: CC-BY-SA-4.0"]
    lines += [f"categories: [{rng.choice(CATEGORIES)}]", 'last_reviewed: "2026-06-01"']
    lines += _infobox(rng, kind)
    lines += _codes(rng, kind)
    lines.append("references:")
    for n in range(1, len(writer.keys) + 1):
        lines += _reference(rng, index, n)
    lines.append("---")
    front = "\n".join(lines) + "\n"

    texts: dict[str, str] = {
        "See Also": "## See Also\n\n" + "\n".join(f"- [{titles[s]}]({s}.md)"
                                                  for s in neighbours) + "\n"}
    if rng.random() < size.optional * 0.5:
        texts["Further reading"] = _further_reading(rng, index)
    if rng.random() < size.optional:
        texts["External links"] = _external_links(rng, slug, titles[slug])
    notes = rng.randint(1, 3) if rng.random() < size.footnotes else 0
    tail = ""
    if notes:
        tail = "## Notes\n\n" + "\n\n".join(
            f"[^{n}]: " + " ".join(writer.sentence(cite=False)
                                   for _ in range(rng.randint(1, 3)))
            for n in range(1, notes + 1)) + "\n\n"
    tail += "## References\n"
    left = plan.target - len(front) - len(tail) - sum(len(t) + 1 for t in texts.values())

    required = [title for title, needed in outline_of[kind] if needed and title not in TRAILING]
    optional = [title for title, needed in outline_of[kind]
                if not needed and title not in TRAILING and rng.random() < size.optional]
    room = max(0, left // SECTION_BYTES - len(required))  # no more sections than the size holds
    kept = set(required) | set(rng.sample(optional, min(room, len(optional))))
    written = [title for title, _ in outline_of[kind] if title in kept]  # in the schema's order
    noted = sorted(rng.sample(range(len(written)), notes))
    shown = {number: [image] for number, image in zip(
        rng.sample(range(len(written)), len(images)), images, strict=True)}
    weights = [rng.uniform(0.5, 1.5) * (1.6 if title == "Overview" else 1.0)
               for title in written]
    for number, title in enumerate(written):
        budget = max(0, round(left * weights[number] / sum(weights[number:])))
        note = noted.index(number) + 1 if number in noted else None
        texts[title] = _section(writer, title, budget - len(title) - 5,
                                rng.random() < size.sub_sections, shown.get(number, ()), note)
        left -= len(texts[title]) + 1
    while writer.uncited:  # every reference cited at least once
        texts[written[-1]] += "\n" + writer.paragraph() + "\n"
    outline = [title for title, _ in outline_of[kind] if title in texts]
    return front + "\n".join(texts[title] for title in outline) + "\n" + tail


def generate(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """Write `count` articles (and the images they use) into `folder`; return the article
    paths."""
    if count < MIN_COUNT:
        raise ValueError(f"count must be at least {MIN_COUNT} (each article links to others)")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "images").mkdir(exist_ok=True)
    planned = plans(count, seed)
    for n in sorted({n for plan in planned for n in plan.images}):
        (folder / "images" / f"diagram-{n}.svg").write_text(SVG.format(n=n), encoding="utf-8")
    outline_of = outlines()
    slugs = [f"article-{i:05d}" for i in range(count)]
    titles = {slug: f"Synthetic subject {i}" for i, slug in enumerate(slugs)}
    paths = []
    for index, slug in enumerate(slugs):
        path = folder / f"{slug}.md"
        path.write_text(article_text(index, count, rng, titles, slugs, outline_of,
                                     planned[index]), encoding="utf-8")
        paths.append(path)
    return paths


# -- what a corpus is like: sizes and features, counted in the files -----------------------------

# The size classes of the report, in bytes: (label, from, below).
SIZE_BINS: tuple[tuple[str, int, int | None], ...] = (
    ("short, < 10 KB", 0, 10 * KB), ("medium, 10-20 KB", 10 * KB, 20 * KB),
    ("long, 20-35 KB", 20 * KB, 35 * KB), ("longer, > 35 KB", 35 * KB, None))
# Per-article counts, by name: what the report shows.
FEATURES = ("references", "citations", "tables", "sections", "sub_sections", "images",
            "footnotes", "codes", "infobox")

_FRONT = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.DOTALL)
_REFERENCE = re.compile(r"^[ \t]*-[ \t]+id:[ \t]", re.MULTILINE)
_IMAGE = re.compile(r"^[ \t]*-[ \t]+file:[ \t]", re.MULTILINE)
_CODES = re.compile(r"^codes:", re.MULTILINE)
_INFOBOX = re.compile(r"^(?:synonyms|codes|routes|pregnancy_category|legal_status):",
                      re.MULTILINE)
_CITATION_GROUP = re.compile(r"\[([^\[\]\n]*@[^\[\]\n]*)\]")
_CITATION_KEY = re.compile(r"(?:^|[;\s])-?@[A-Za-z0-9_]")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$",
                         re.MULTILINE)
_SECTION = re.compile(r"^## ", re.MULTILINE)
_SUB_SECTION = re.compile(r"^###+ ", re.MULTILINE)
_FOOTNOTE = re.compile(r"^\[\^[^\]\s]+\]:", re.MULTILINE)


def features(text: str) -> dict[str, int]:
    """Counted in one article's Markdown: its references (`references:` entries), the keys
    its citations name (`[@a; @b]` is two), its tables, `##` sections (References, Notes and
    See Also included), `###` and deeper sub-sections, `images:` entries and footnote
    definitions; and 1 or 0 for classification codes and any infobox field (codes,
    synonyms, routes, pregnancy category, legal status)."""
    found = _FRONT.match(text)
    front, body = (found.group(1), text[found.end():]) if found else ("", text)
    return {
        "references": len(_REFERENCE.findall(front)),
        "citations": sum(len(_CITATION_KEY.findall(group))
                         for group in _CITATION_GROUP.findall(body)),
        "tables": len(_TABLE_RULE.findall(body)),
        "sections": len(_SECTION.findall(body)),
        "sub_sections": len(_SUB_SECTION.findall(body)),
        "images": len(_IMAGE.findall(front)),
        "footnotes": len(_FOOTNOTE.findall(body)),
        "codes": int(bool(_CODES.search(front))),
        "infobox": int(bool(_INFOBOX.search(front))),
    }


@dataclass(frozen=True)
class Profile:
    """The sizes of a set of files (bytes, in file order) and, for articles, the features of
    each (`features`); raw wikitext has sizes only."""

    sizes: tuple[int, ...]
    counts: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.sizes)

    def size_stats(self) -> dict[str, float]:
        """min, p10, median, mean, p90, max, in bytes."""
        ordered = sorted(self.sizes)
        deciles = (statistics.quantiles(ordered, n=10, method="inclusive")
                   if len(ordered) > 1 else [float(ordered[0])] * 9)
        return {"min": ordered[0], "p10": deciles[0], "median": statistics.median(ordered),
                "mean": statistics.fmean(ordered), "p90": deciles[-1], "max": ordered[-1]}

    def shares(self) -> list[tuple[str, float]]:
        """The share of the files in each of `SIZE_BINS`."""
        return [(label, sum(low <= size and (high is None or size < high)
                            for size in self.sizes) / self.count)
                for label, low, high in SIZE_BINS]


def profile(paths: Iterable[Path], count_features: bool = True) -> Profile:
    """Sizes and (unless `count_features` is false) features of the files at `paths`."""
    sizes: list[int] = []
    counts: dict[str, list[int]] = {name: [] for name in FEATURES} if count_features else {}
    for path in paths:
        data = path.read_bytes()
        sizes.append(len(data))
        if count_features:
            for name, value in features(data.decode("utf-8", errors="replace")).items():
                counts[name].append(value)
    if not sizes:
        raise ValueError("no files to profile")
    return Profile(tuple(sizes), {name: tuple(values) for name, values in counts.items()})


# -- command line -------------------------------------------------------------------------------


def _size(size: float) -> str:
    return f"{size / 1000:.1f} KB" if size < 1_000_000 else f"{size / 1_000_000:.1f} MB"


def summary(folder: Path, articles: Sequence[Path], seed: int) -> str:
    """One line: how many files were written where, and how large they are."""
    found = profile(articles, count_features=False)
    stats = found.size_stats()
    images = [folder / "images" / name for name in image_names(len(articles), seed)]
    image_bytes = sum(path.stat().st_size for path in images)
    classes = ", ".join(f"{share:.0%} {label.split(',')[0]}" for label, share in found.shares())
    return (f"wrote {len(articles) + len(images)} files to {folder} (seed {seed}): "
            f"{len(articles)} articles, {_size(sum(found.sizes))}, per article min "
            f"{_size(stats['min'])}, p10 {_size(stats['p10'])}, median "
            f"{_size(stats['median'])}, mean {_size(stats['mean'])}, p90 "
            f"{_size(stats['p90'])}, max {_size(stats['max'])} ({classes}); "
            f"{len(images)} images, {_size(image_bytes)}")


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
