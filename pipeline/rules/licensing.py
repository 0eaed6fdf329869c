"""LIC: may each image be included in a CC BY-SA article, may the text an article adapts be
adapted under CC BY-SA, and is every licence an SPDX id?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.fix import fix_license_spelling
from pipeline.licenses import (
    LICENSES,
    Verdict,
    alternatives,
    normalise,
    normalise_expression,
    verdict,
)
from pipeline.model import Article, FieldPath
from pipeline.rules.context import Context
from pipeline.rules.structure import placeholder_in
from pipeline.suggest import closest

WHY_NOT: dict[Verdict, str] = {
    "non-commercial": "NC licences forbid commercial use, but CC BY-SA lets anyone reuse the "
                      "article commercially",
    "no-derivatives": "ND licences forbid changes, but CC BY-SA lets anyone adapt the article",
    "gfdl-only": "the GFDL requires its full text to travel with every copy, which a CC BY-SA "
                 "page does not do; material offered under both may be used (write "
                 "`CC-BY-SA-3.0 OR GFDL-1.2-or-later`)",
    "all-rights-reserved": "the author has not licensed the image for reuse; ask them to "
                           "release it under CC BY-SA or CC BY",
}
ACCEPTED = "CC0-1.0, public domain, CC-BY-* and CC-BY-SA-* (any version), FAL-1.3 or GPL-3.0"


def _image_licences(article: Article) -> Iterator[tuple[FieldPath, str]]:
    images = article.front_matter.get("images")
    if not isinstance(images, list):
        return
    for index, image in enumerate(images):
        if isinstance(image, dict) and isinstance(image.get("license"), str):
            yield ("images", index, "license"), image["license"]


def _at(article: Article, path: FieldPath, code: str, message: str, hint: str) -> Diagnostic:
    span = article.source_map.value(path)
    return make(article.path, span.line, span.column, code, message, hint,
                span.end_line, span.end_column)


def image_license(article: Article, context: Context) -> Iterator[Diagnostic]:
    """LIC102/LIC103: each image's licence lets it be part of a CC BY-SA article."""
    for path, text in _image_licences(article):
        found = verdict(text)
        if found == "compatible" or not text.strip() or placeholder_in(text):
            continue  # a draft's `TODO` is reported by MED109
        name = _file_of(article, path)
        if found == "unknown":
            yield _at(article, path, "LIC103",
                      f"licence {text!r} of image {name!r} is not one the encyclopedia knows",
                      _near(text) + f"write the licence as an SPDX id; accepted: {ACCEPTED}")
            continue
        yield _at(article, path, "LIC102",
                  f"image {name!r} is under {text}, which may not be included in a CC BY-SA "
                  "article", f"{WHY_NOT[found]}; find an image under {ACCEPTED}")


def _near(text: str) -> str:
    """The "did you mean `CC-BY-SA-4.0`? " of a hint: the known licence nearest to each
    unknown part of `text` (an `OR` expression part by part), "" when none is near."""
    found = [spdx for part in alternatives(text) if normalise(part) is None
             and (spdx := closest(part, LICENSES)) is not None]
    return f"did you mean {' OR '.join(f'`{spdx}`' for spdx in found)}? " if found else ""


def _file_of(article: Article, path: FieldPath) -> str:
    entry: Any = article.front_matter["images"][path[1]]
    return str(entry.get("file", "")) if isinstance(entry, dict) else ""


# Accepted for images (a separate work shown on the page) but not for text adapted into the
# article: the GPL lets an adaptation be shared only under the GPL itself.
_NOT_FOR_ADAPTED_TEXT = frozenset({"GPL-3.0-only", "GPL-3.0-or-later"})
ACCEPTED_TEXT = "CC-BY-SA-3.0, CC-BY-SA-4.0, CC-BY-* (any version), CC0-1.0 or public domain"


def upstream_license(article: Article, context: Context) -> Iterator[Diagnostic]:
    """LIC105: the work `adapted_from` names is under a licence that allows adapting it into a
    CC BY-SA article (the verdicts of the image licences, without the GPL)."""
    upstream = article.front_matter.get("adapted_from")
    if not isinstance(upstream, dict) or not isinstance(upstream.get("license"), str):
        return
    text = upstream["license"]
    if not text.strip() or placeholder_in(text):
        return  # a draft's `TODO` is reported by MED109
    usable = [part for part in alternatives(text)
              if normalise(part) not in _NOT_FOR_ADAPTED_TEXT]
    found = verdict(" OR ".join(usable)) if usable else None
    if found == "compatible":
        return
    path: FieldPath = ("adapted_from", "license")
    title = str(upstream.get("title", "the upstream work"))
    if found == "unknown":
        yield _at(article, path, "LIC105",
                  f"licence {text!r} of the adapted work {title!r} is not one the "
                  "encyclopedia knows",
                  _near(text) + "write the licence as an SPDX id; text may be adapted from "
                  f"{ACCEPTED_TEXT}")
        return
    reason = (WHY_NOT[found].replace("the image", "the text") if found is not None else
              "the GPL lets an adaptation be shared only under the GPL, not under CC BY-SA")
    yield _at(article, path, "LIC105",
              f"text adapted from {title!r} is under {text.strip()}, which may not be adapted "
              "into a CC BY-SA article", f"{reason}; adapt text only from {ACCEPTED_TEXT}")


def article_licences(context: Context) -> frozenset[str] | None:
    """The licences the schema allows for an article itself (LIC101), None if it lists none."""
    from pipeline.schema import load_schema

    schema = load_schema(context.config.schema)
    field = schema.get("$defs", {}).get("front_matter", {}).get("properties", {}).get(
        "license", {})
    allowed = field.get("enum") if isinstance(field, dict) else None
    if not isinstance(allowed, list):
        return None
    return frozenset(value for value in allowed if isinstance(value, str))


def license_spelling(article: Article, context: Context) -> Iterator[Diagnostic]:
    """LIC104: licences written as `CC BY-SA 3.0` or a deed URL are read as their SPDX id.
    Only when that id may be used there: a licence the article may not have (LIC101), or an
    image may not be under (LIC102), is reported by that rule alone, whose hint says what to
    do instead of proposing a spelling that would still be refused."""
    fields: list[tuple[FieldPath, str]] = list(_image_licences(article))
    if isinstance(article.front_matter.get("license"), str):
        fields.insert(0, (("license",), article.front_matter["license"]))
    for path, text in fields:
        spdx = normalise_expression(text)
        if spdx is None or spdx == text.strip():
            continue
        if path == ("license",):
            allowed = article_licences(context)
            refused = allowed is not None and spdx not in allowed
        else:
            refused = verdict(spdx) != "compatible"
        if not refused:
            yield _at(article, path, "LIC104",
                      f"licence {text!r} is read as the SPDX id {spdx!r}",
                      f"write `license: {spdx}`")


RULES: tuple[Rule, ...] = (
    Rule("LIC102", "incompatible-image-license", "error",
         "An image's licence does not allow it to be included in a CC BY-SA article.",
         "Everything on a page is republished under CC BY-SA, commercially and with changes; "
         "NC, ND, GFDL-only and all-rights-reserved material forbids one or the other.",
         "images:\n  - file: lungs.svg\n    license: CC-BY-NC-4.0\n",
         "images:\n  - file: lungs.svg\n    license: CC-BY-4.0\n",
         check=image_license),
    Rule("LIC103", "unknown-license", "error",
         "An image's licence is not one the licence table knows.",
         "A licence that cannot be identified cannot be shown to allow reuse.",
         "    license: free for educational use\n", "    license: CC-BY-SA-4.0\n",
         check=image_license),
    Rule("LIC104", "license-spelling", "warning",
         "A licence is written in a common spelling rather than as its SPDX id.",
         "SPDX ids are unambiguous and are what the site shows and links to; the checker "
         "reads the spelling as the id it names.",
         "license: CC BY-SA 3.0\n", "license: CC-BY-SA-3.0\n",
         check=license_spelling, fix=fix_license_spelling),
    Rule("LIC105", "incompatible-upstream-license", "error",
         "The work an article adapts (`adapted_from.license`) is under a licence that does not "
         "allow adapting it into a CC BY-SA article.",
         "Adapted text becomes part of the article, republished under CC BY-SA commercially and "
         "with changes: only CC BY-SA, CC BY, CC0 and public-domain text may be adapted; NC, "
         "ND, GFDL-only and GPL text may not.",
         "adapted_from:\n  ...\n  license: CC-BY-NC-SA-4.0\n",
         "adapted_from:\n  ...\n  license: CC-BY-SA-4.0\n",
         check=upstream_license),
)
