"""The document instance the JSON Schema sees, and jsonschema errors as located diagnostics.

The schema in `schemas/article.schema.json` is the source of truth. Its own annotations give
each rule a code (`x-code`), human messages (`x-messages`, by keyword) and a fix (`x-hint`).
`sectionOutline` is the one keyword of ours: the ordered sections of an article type; beside
it, `x-references-required` names the types that must cite sources (REF106), `x-stub` the
short defining pages and `x-disclaimer` the disclaimer `pipeline new` writes. `{allowed}` in a
message or hint of an `enum` lists its values, so adding a type needs no rewording.
An unknown heading that most likely names a missing required section ("Diagnostic approach"
for Diagnosis) is one problem, MED110, instead of MED105 and MED101.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Sequence
from difflib import SequenceMatcher
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pipeline.config import ConfigError
from pipeline.diagnostics import Diagnostic, make
from pipeline.model import Article, FieldPath, Span
from pipeline.suggest import closest, did_you_mean

Schema = dict[str, Any]

_VALUE_KEYWORDS = frozenset({"enum", "const", "oneOf", "anyOf"})

_TYPE_WORDS = {"string": "text", "array": "a list", "object": "a mapping of fields",
               "integer": "a whole number", "number": "a number", "boolean": "true or false"}


def load_schema(path: Path) -> Schema:
    """Read the schema and check that it is itself a valid 2020-12 schema.

    Cached while the file is unchanged, so a long-running preview sees schema edits."""
    try:
        stat = path.stat()
    except OSError as error:
        raise ConfigError(f"cannot read schema {path}: {error.strerror or error}") from error
    return _read_schema(path, stat.st_mtime_ns, stat.st_size)


@cache
def _read_schema(path: Path, _mtime: int, _size: int) -> Schema:
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read schema {path}: {error}") from error
    problem = _meta_problem(schema)
    if problem:
        raise ConfigError(f"schema {path} is not a valid JSON Schema: {problem}")
    if not isinstance(schema, dict):
        raise ConfigError(f"schema {path} must be a JSON object")
    return schema


def _meta_problem(schema: Any) -> str:
    """Why the schema is not a valid 2020-12 schema ("" if it is). jsonschema-rs answers the
    common case, a valid schema, without importing jsonschema; jsonschema words the problem."""
    try:
        import jsonschema_rs

        if jsonschema_rs.meta.is_valid(schema):
            return ""
    except (ImportError, ValueError):
        pass
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]
    from jsonschema.exceptions import (  # type: ignore[import-untyped, unused-ignore]
        SchemaError,
    )

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        return str(error.message)
    return ""


def outlines(schema: Schema) -> dict[str, list[dict[str, Any]]]:
    """Article type → its section outline, as the schema defines them."""
    defs = schema.get("$defs", {}).get("outline", {})
    return {kind: list(sub.get("sectionOutline", [])) for kind, sub in defs.items()}


def types_requiring_references(schema: Schema) -> frozenset[str]:
    """The article types whose outline says `"x-references-required": true` (REF106)."""
    defs = schema.get("$defs", {}).get("outline", {})
    return frozenset(kind for kind, sub in defs.items()
                     if isinstance(sub, dict) and sub.get("x-references-required") is True)


def stub_types(schema: Schema) -> frozenset[str]:
    """The article types whose outline says `"x-stub": true`: short defining pages, which
    the renderers may mark as stubs."""
    defs = schema.get("$defs", {}).get("outline", {})
    return frozenset(kind for kind, sub in defs.items()
                     if isinstance(sub, dict) and sub.get("x-stub") is True)


def front_matter_schema(schema: Schema) -> Schema:
    """The schema of the front matter alone, standalone, for editors (YAML language servers)."""
    defs = schema.get("$defs", {})
    root = dict(defs.get("front_matter", {}))
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    root["$id"] = str(schema.get("$id", "")).replace("article.schema", "front-matter.schema")
    root["$defs"] = {name: value for name, value in defs.items()
                     if name in ("contributor", "image", "reference", "csl-names", "csl-date",
                                 "upstream")}
    return root


def _normalised(front_matter: dict[str, Any]) -> dict[str, Any]:
    """Licence spellings the licence table recognises become SPDX ids (a rule warns of them)."""
    from pipeline.licenses import normalise

    result = dict(front_matter)
    if isinstance(result.get("license"), str):
        result["license"] = normalise(result["license"]) or result["license"]
    images = result.get("images")
    if isinstance(images, list):
        result["images"] = [
            {**image, "license": normalise(image["license"]) or image["license"]}
            if isinstance(image, dict) and isinstance(image.get("license"), str) else image
            for image in images]
    return result


def generated_sections(schema: Schema) -> frozenset[str]:
    """Titles (and synonyms, lower case) of the sections the pipeline fills in itself
    (`"generated": true` in an outline: Notes, References): empty is how they are written."""
    names = {str(name).lower() for outline in outlines(schema).values() for entry in outline
             if entry.get("generated")
             for name in (entry["title"], *entry.get("synonyms", []))}
    return frozenset(names)


def document_instance(article: Article, generated: frozenset[str] = frozenset()
                      ) -> dict[str, Any]:
    """What the schema validates: the front matter (licences as SPDX ids) and the outline.

    Each section also carries the line of its heading, for messages ("first on line 12").
    A section in `generated` is never empty: its content is made at render time.
    """
    return {
        "front_matter": _normalised(article.front_matter),
        "body": {"sections": [{"title": s.title,
                               "empty": s.empty and s.title.lower() not in generated,
                               "line": s.line}
                              for s in article.sections]},
    }


# -- validation --------------------------------------------------------------------------------


Problem = tuple[str, str, int, dict[str, Any]]  # code, message key, section index, values


def outline_problems(outline: list[dict[str, Any]], instance: Any) -> Iterator[Problem]:
    """What `sectionOutline` finds wrong with a body's sections: required sections, their
    order, synonyms, duplicates. Pure data; both validators below report from it."""
    if not isinstance(instance, dict) or not isinstance(instance.get("sections"), list):
        return
    order = [str(entry["title"]) for entry in outline]
    position = {title: index for index, title in enumerate(order)}
    aliases = heading_aliases(outline)
    found: dict[str, int] = {}
    placed: list[tuple[int, int]] = []  # (section index, outline position)
    sections = instance["sections"]
    titles = [str(section.get("title", "")) if isinstance(section, dict) else ""
              for section in sections]
    likely = likely_headings(outline, titles)
    for index, title in enumerate(titles):
        canonical = title if title in position else aliases.get(title.lower())
        if canonical is None and index in likely:
            # one problem, not two: an unknown heading that names a missing required section
            canonical = likely[index]
            yield "MED110", "likely", index, {"title": title, "canonical": canonical}
        elif canonical is None:
            near = closest(title, [*order, *aliases])
            named = near if near is None or near in position else aliases[near.lower()]
            yield "MED105", "unknown", index, {
                "title": title, "suggestion": f"did you mean `{named}`? " if named else ""}
            continue
        elif canonical != title:
            yield "MED106", "synonym", index, {"title": title, "canonical": canonical}
        if canonical in found:
            first = sections[found[canonical]]
            line = first.get("line", found[canonical] + 1) if isinstance(first, dict) else 0
            yield "MED104", "duplicate", index, {"title": canonical, "first": line}
            continue
        found[canonical] = index
        placed.append((index, position[canonical]))
    highest = -1
    for index, where in placed:
        if where < highest:
            yield "MED102", "order", index, {"title": order[where],
                                             "previous": order[highest]}
        highest = max(highest, where)
    for where, entry in enumerate(outline):
        title = str(entry["title"])
        if entry.get("required") and title not in found:
            later = [index for index, at in placed if at > where]
            index = min(later) if later else len(sections)
            nxt = sections[index].get("title", "") if later else ""
            yield "MED101", "missing", index, {"title": title, "next": nxt,
                                               "hint": "missing_hint_before" if later
                                               else "missing_hint_end"}


def heading_aliases(outline: list[dict[str, Any]]) -> dict[str, str]:
    """Lower-case title or synonym → canonical title (the first entry naming it wins)."""
    aliases = {str(entry["title"]).lower(): str(entry["title"]) for entry in outline}
    for entry in outline:
        for synonym in entry.get("synonyms", []):
            aliases.setdefault(str(synonym).lower(), str(entry["title"]))
    return aliases


# A heading this much like a missing required section (or one of its synonyms) names it.
LIKENESS = 0.8
_MINOR_WORDS = frozenset({"a", "an", "and", "the", "of", "in", "for", "to", "with", "its", "on"})


def likeness(heading: str, name: str) -> float:
    """How much `heading` looks like the section name `name`, from 0 to 1: the better of the
    similarity of the two texts and the share of the name's words the heading has (a word
    matches a word of the same stem: "diagnostic" is "diagnosis")."""
    whole = SequenceMatcher(None, heading.lower(), name.lower()).ratio()
    ours, theirs = _words(heading), _words(name)
    if not ours or not theirs:
        return whole
    shared = sum(1 for word in theirs if any(_same_word(word, other) for other in ours))
    return max(whole, shared / len(theirs))


def _words(text: str) -> list[str]:
    return [word for word in re.findall(r"[^\W_]+", text.lower()) if word not in _MINOR_WORDS]


def _same_word(one: str, other: str) -> bool:
    if one == other:
        return True
    stem = 0
    for a, b in zip(one, other, strict=False):
        if a != b:
            break
        stem += 1
    return stem >= 5 or (min(len(one), len(other)) >= 4
                         and SequenceMatcher(None, one, other).ratio() >= LIKENESS)


def likely_headings(outline: list[dict[str, Any]], titles: Sequence[str]) -> dict[int, str]:
    """Section index → the missing required section its unknown heading most likely names
    ("Diagnostic approach" when there is no Diagnosis). Each heading and each missing section
    is paired at most once, the closest pairs first."""
    aliases = heading_aliases(outline)
    present = {aliases.get(title.lower(), "") for title in titles}
    missing = [(where, entry) for where, entry in enumerate(outline)
               if entry.get("required") and str(entry["title"]) not in present]
    candidates = []
    for index, title in enumerate(titles):
        if title.lower() in aliases or not title.strip():
            continue
        for where, entry in missing:
            names = [str(entry["title"]), *map(str, entry.get("synonyms", []))]
            score = max(likeness(title, name) for name in names)
            if score >= LIKENESS:
                candidates.append((-score, index, where, str(entry["title"])))
    result: dict[int, str] = {}
    for _, index, _, canonical in sorted(candidates):
        if index not in result and canonical not in result.values():
            result[index] = canonical
    return result


def _section_outline(validator: Any, outline: list[dict[str, Any]], instance: Any,
                     schema: Schema) -> Iterator[Any]:
    """The `sectionOutline` keyword for jsonschema: each problem as a ValidationError that
    carries its code and hint, with messages from the schema's `x-outline-messages`."""
    from jsonschema.exceptions import (  # type: ignore[import-untyped, unused-ignore]
        ValidationError,
    )

    messages: dict[str, str] = schema.get("x-outline-messages", {})
    kind = str(schema.get("x-article-type", "article"))
    order = ", ".join(str(entry["title"]) for entry in outline)
    for code, key, index, values in outline_problems(outline, instance):
        values = {**values, "type": kind, "order": order, "allowed": order}
        err = ValidationError(_format(messages.get(key, key), values), path=["sections", index])
        hint_key = values.pop("hint", key + "_hint")
        err.pipeline_code = code  # type: ignore[attr-defined, unused-ignore]
        err.pipeline_hint = _format(messages.get(hint_key, ""),  # type: ignore[attr-defined, unused-ignore]
                                    values)
        yield err


class _OutlineKeyword:
    """`sectionOutline` for jsonschema-rs: only whether the outline holds."""

    def __init__(self, parent_schema: Schema, value: list[dict[str, Any]],
                 schema_path: Any) -> None:
        self.outline = value

    def validate(self, instance: Any) -> None:
        if next(outline_problems(self.outline, instance), None) is not None:
            raise ValueError("the section outline does not hold")


@cache
def _fast_validator(path: Path, _identity: int) -> Any:
    """jsonschema-rs on the same schema, to pass valid articles quickly; None if absent.

    jsonschema stays the reference: it runs whenever this one finds anything wrong, and the
    test suite checks that both agree on every fixture."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    return jsonschema_rs.validator_for(load_schema(path), validate_formats=True,
                                       keywords={"sectionOutline": _OutlineKeyword})


@cache
def _validator_class() -> Any:
    from jsonschema import (  # type: ignore[import-untyped, unused-ignore]
        Draft202012Validator,
        validators,
    )

    return validators.extend(Draft202012Validator, {"sectionOutline": _section_outline})


def _validator(path: Path) -> Any:
    return _compiled(path, id(load_schema(path)))


@cache
def _compiled(path: Path, _identity: int) -> Any:
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

    schema = copy.deepcopy(load_schema(path))  # annotated below; the loaded one stays as read
    for kind, sub in schema.get("$defs", {}).get("outline", {}).items():
        sub.setdefault("x-article-type", kind)
        sub.setdefault("x-outline-messages", schema.get("x-outline-messages", {}))
    return _validator_class()(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@lru_cache(maxsize=8)
def _generated(path: Path, _identity: int) -> frozenset[str]:
    return generated_sections(load_schema(path))


def check_schema(article: Article, schema_path: Path) -> list[Diagnostic]:
    """Validate one article against the schema; every error becomes a located diagnostic."""
    instance = document_instance(article, _generated(schema_path, id(load_schema(schema_path))))
    fast = _fast_validator(schema_path, id(load_schema(schema_path)))
    if fast is not None and fast.is_valid(instance):
        return []
    validator = _validator(schema_path)
    diagnostics: list[Diagnostic] = []
    seen: set[tuple[str, FieldPath]] = set()
    for error in validator.iter_errors(instance):
        path: FieldPath = tuple(error.absolute_path)
        # One diagnostic per value: `summary:` left empty fails both `type` and `minLength`,
        # a date like `1 June` both `pattern` and `format`; the first keyword says it best.
        # Missing and unknown fields are listed by name, so they are kept apart.
        kind = (str(error.validator) if error.validator in ("required", "additionalProperties")
                or getattr(error, "pipeline_code", None) else "value")
        marker = (kind, path)
        if marker in seen and not getattr(error, "pipeline_code", None):
            continue
        seen.add(marker)
        diagnostics.extend(_diagnostics_for(article, error, path))
    return diagnostics


def _diagnostics_for(article: Article, error: Any, path: FieldPath) -> list[Diagnostic]:
    code = getattr(error, "pipeline_code", None)
    if code is not None:
        span = _body_span(article, path)
        return [_at(article, span, code, error.message, error.pipeline_hint)]
    if not path or path[0] != "front_matter":
        if path[:2] == ("body", "sections"):
            return [_leaf(article, error, _body_span(article, path))]
        return []
    field = path[1:]
    if error.validator == "required":
        return _missing(article, error, field)
    if error.validator == "additionalProperties":
        return _unknown(article, error, field)
    return [_leaf(article, error, article.source_map.value(field))]


def _missing(article: Article, error: Any, field: FieldPath) -> list[Diagnostic]:
    properties: dict[str, Schema] = error.schema.get("properties", {})
    instance = error.instance if isinstance(error.instance, dict) else {}
    span = (Span(1, 1, 1, 3) if not field else article.source_map.value(field))
    result = []
    for name in error.validator_value:
        if name in instance:
            continue
        sub = properties.get(name, {})
        where = _describe((*field, name))
        values = {"value": None, "key": name, **_choices(sub)}
        message = _message(sub, "required", values, f"missing required field {where!r}")
        hint = _format(sub.get("x-hint") or error.schema.get("x-hint", f"add `{name}:`"), values)
        result.append(_at(article, span, sub.get("x-code", "FMT101"), message, hint))
    return result


def _unknown(article: Article, error: Any, field: FieldPath) -> list[Diagnostic]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    known = set(error.schema.get("properties", {}))
    result = []
    for key in instance:
        if key in known:
            continue
        span = article.source_map.key((*field, key))
        message = _message(error.schema, "additionalProperties", {"key": key, "value": None},
                           f"unknown field {key!r}")
        fields = {"fields": ", ".join(error.schema.get("properties", {}))}  # schema order
        hint = _joined(did_you_mean(str(key), known),
                       _format(error.schema.get("x-hint", ""), fields))
        result.append(_at(article, span, "FMT103", message, hint))
    return result


def _leaf(article: Article, error: Any, span: Span) -> Diagnostic:
    sub: Schema = error.schema if isinstance(error.schema, dict) else {}
    keyword = str(error.validator)
    where = _describe(tuple(error.absolute_path)[1:])
    value = error.instance
    code = sub.get("x-code")
    if value is None or value == "":
        return _at(article, span, code or "FMT105", f"{where} is empty", sub.get("x-hint", ""))
    if isinstance(value, (list, dict)) and keyword in _VALUE_KEYWORDS:
        # a list or mapping where the schema expects one of some words: a shape problem
        message = _message(sub, "type", {"value": value, "key": where}, f"{where} must be text")
        return _at(article, span, code or "FMT104", message, sub.get("x-hint", ""))
    if code is None:
        code = "FMT104" if keyword == "type" else "FMT102"
    default = _default_message(keyword, where, value, error)
    values = {"value": value, "key": where, **_choices(sub)}
    message = _message(sub, keyword, values, default)
    template = str(sub.get("x-hint", ""))
    hint = _format(template, values)
    if keyword == "enum" and "{allowed}" in template:
        # a hint that lists every value is led by the nearest one; hints that name a value
        # themselves (LIC101's) stay as they are
        hint = _joined(did_you_mean(str(value), map(str, sub.get("enum", []))), hint)
    return _at(article, span, code, message, hint)


def _joined(first: str, second: str) -> str:
    """Two hints as one: "did you mean …?" first, then the general advice."""
    return " ".join(part for part in (first, second) if part)


def _choices(sub: Schema) -> dict[str, str]:
    """`{allowed}` for messages and hints: the values an `enum` lists, so a message names
    every value the schema allows without being reworded when one is added."""
    values = sub.get("enum")
    return {"allowed": ", ".join(map(str, values))} if isinstance(values, list) else {}


def _default_message(keyword: str, where: str, value: Any, error: Any) -> str:
    expected = error.validator_value
    if keyword == "type":
        words = [_TYPE_WORDS.get(t, t) for t in ([expected] if isinstance(expected, str)
                                                  else expected)]
        return f"{where} must be {' or '.join(words)}"
    if keyword == "enum":
        return f"{where} {value!r} is not one of {', '.join(map(str, expected))}"
    if keyword == "const":
        return f"{where} must be {expected!r}"
    if keyword == "pattern":
        return f"{where} {value!r} does not have the expected form"
    if keyword in ("minLength", "maxLength"):
        bound = "at least" if keyword == "minLength" else "at most"
        return f"{where} must be {bound} {expected} characters long"
    if keyword in ("minItems", "maxItems"):
        bound = "at least" if keyword == "minItems" else "at most"
        return f"{where} must have {bound} {expected} entries"
    if keyword == "uniqueItems":
        return f"{where} lists the same entry twice"
    return f"{where}: {error.message}"


def _message(sub: Schema, keyword: str, values: dict[str, Any], default: str) -> str:
    template = sub.get("x-messages", {}).get(keyword)
    return _format(template, values) if isinstance(template, str) else default


def _format(template: str, values: dict[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def _describe(field: FieldPath) -> str:
    text = ""
    for part in field:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "front matter"


def _body_span(article: Article, path: FieldPath) -> Span:
    """The heading of section `path[2]`; past the last section, the end of the article."""
    sections = article.sections
    if len(path) >= 3 and isinstance(path[2], int) and path[2] < len(sections):
        section = sections[path[2]]
        return Span(section.line, section.column, section.line,
                    len(article.lines[section.line - 1]))
    # a section that would come after all the others: the line after the last paragraph
    line = _last_content_line(article) + 1 if len(path) >= 3 else article.body_line
    if line <= len(article.lines):
        return Span(line, 1, line, 1)
    # no line after the last one: point just past the end of the file's last line
    last = len(article.lines)
    column = len(article.lines[-1]) + 1 if article.lines else 1
    return Span(last, column, last, column)


def _last_content_line(article: Article) -> int:
    """The last line of the file that is not blank (at least the closing `---`)."""
    number = len(article.lines)
    while number >= article.body_line and not article.lines[number - 1].strip():
        number -= 1
    return max(number, article.body_line - 1)


def _at(article: Article, span: Span, code: str, message: str, hint: str) -> Diagnostic:
    return make(article.path, span.line, span.column, code, message, hint,
                span.end_line, span.end_column)
