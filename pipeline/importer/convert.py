"""One page's wikitext → a draft article (front matter + Markdown) and what was done.

The wikitext is parsed once by mwparserfromhell; sections are mapped to the schema's
outline through its synonyms; references become CSL entries cited as `[@id]`."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import mwparserfromhell
import yaml
from mwparserfromhell.nodes import (
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from pipeline.importer.refs import RefTable, cite_kind, from_ref, plain
from pipeline.importer.sources import Page
from pipeline.names import slugify

CHANGES = "Converted to Markdown; sections renamed; advertising removed"
_CONDITION_BOXES = ("infobox medical condition", "infobox disease", "infobox symptom")
_DRUG_BOXES = ("drugbox", "infobox drug")
_CODE_BOXES = ("medical resources", "medical condition classification and resources",
               "infobox medical", "drugbox", "infobox drug", "infobox disease",
               "drug resources", "chembox")
# Infobox parameters (lower case) → our `codes:` keys.
_CODE_PARAMS = {"icd10": "icd10", "icd-10": "icd10", "icd11": "icd11", "icd-11": "icd11",
                "meshid": "mesh", "mesh": "mesh", "mesh_id": "mesh", "omim": "omim",
                "snomed ct": "snomed", "snomed": "snomed", "snomedct": "snomed",
                "cas_number": "cas", "cas number": "cas", "casno": "cas",
                "drugbank": "drugbank", "atc": "atc", "atc_supplemental": "atc"}
# Parameter pairs whose values join into one ATC code (Drugbox, Chembox Pharmacology).
_ATC_PAIRS = {"atc_prefix": "atc_suffix", "atccode_prefix": "atccode_suffix"}
MAINTENANCE = frozenset({
    "citation needed", "cn", "fact", "medcn", "medical citation needed", "vague",
    "clarify", "dubious", "better source needed", "better source", "when", "who", "which",
    "failed verification", "verify source", "update inline", "by whom", "according to whom",
    "unreliable medical source", "unreliable source?", "primary source inline",
    "page needed", "citation needed span", "disputed inline", "needs update"})
_INLINE_KEEP = frozenset({"nowrap", "nobr", "lang", "small", "smaller", "big", "abbr",
                          "nowrap begin", "ill", "vr", "em", "strong", "var", "tooltip"})
_SILENT = frozenset({"reflist", "references", "notelist", "webarchive", "short description",
                     "use dmy dates", "use mdy dates", "pp-semi-indef", "pp-move-indef",
                     "good article", "featured article", "toc limit", "-", "clear",
                     "main", "see also", "further", "anchor", "portal", "portal bar",
                     "authority control", "commons category", "sister project links"})
_DROPPED_SECTIONS = frozenset({"references", "notes", "footnotes", "external links",
                               "further reading", "sources", "bibliography", "citations",
                               "notes and references", "gallery"})
_IMAGE_PREFIXES = ("file:", "image:")
_MD_ESCAPE = re.compile(r"([\\`*_\[\]<>~^|])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_LIST = "\x00L"  # a list marker at the start of a line, then the wiki markers, then \x00
_BLOCK = "\x01"  # a placeholder for a block (table, image, heading) kept aside


@dataclass
class Report:
    """What the import did with one page."""

    title: str
    path: str = ""
    kind: str = ""
    sections: list[tuple[str, str]] = field(default_factory=list)  # (from, to)
    references: int = 0
    merged_references: int = 0
    source_refs: int = 0
    templates_dropped: list[str] = field(default_factory=list)
    red_links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    tables_left_out: list[str] = field(default_factory=list)
    codes: dict[str, list[str]] = field(default_factory=dict)
    todo: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "path": self.path, "type": self.kind,
                "sections": [{"from": a, "to": b} for a, b in self.sections],
                "references": {"kept": self.references, "merged": self.merged_references},
                "templates_dropped": sorted(set(self.templates_dropped)),
                "red_links": sorted(set(self.red_links)), "images": self.images,
                "tables_left_out": self.tables_left_out, "codes": self.codes,
                "todo": self.todo, "notes": self.notes}


@dataclass
class Draft:
    slug: str
    text: str
    report: Report


class _Context:
    def __init__(self, existing: frozenset[str], max_columns: int) -> None:
        self.refs = RefTable()
        self.existing = existing
        self.max_columns = max_columns
        self.blocks: list[str] = []
        self.images: list[dict[str, str]] = []
        self.footnotes: list[tuple[str, str]] = []
        # Notes (`<ref group=…>`): definitions by (group, name), and the labels given.
        self.note_texts: dict[tuple[str, str], Wikicode] = {}
        self.note_labels: dict[tuple[str, str], str] = {}
        self.report = Report("")


def convert(page: Page, schema_outlines: dict[str, list[dict[str, Any]]],
            kind: str | None, existing: frozenset[str], slug: str,
            max_columns: int = 20) -> Draft:
    """The draft article for `page` (type `kind`, or the infobox's, or the best match)."""
    code = _parse(page.text)
    context = _Context(existing, max_columns)
    report = context.report
    report.title = page.title
    report.source_refs = count_source_refs(code)
    _collect_definitions(code, context)
    boxes = [t for t in code.filter_templates(recursive=True)
             if _name(t).startswith(_CODE_BOXES)]
    infobox = next((t for t in code.filter_templates(recursive=False)
                    if _name(t).startswith(_CONDITION_BOXES + _DRUG_BOXES)), None)
    codes = _codes(boxes)
    report.codes = codes
    # sections: lead, then each level-2 heading (deeper headings stay inside)
    raw_sections: list[tuple[str, list[Node]]] = [("", [])]
    for node in code.nodes:
        if isinstance(node, Heading) and node.level <= 2:
            raw_sections.append((plain(node.title), []))
        else:
            raw_sections[-1][1].append(node)
    chosen = kind or _kind_from_box(infobox) or _best_kind(
        [t for t, _ in raw_sections[1:]], schema_outlines)
    report.kind = chosen
    outline = schema_outlines[chosen]
    lookup = {}
    for entry in outline:
        for name in (entry["title"], *entry.get("synonyms", [])):
            lookup[str(name).lower()] = str(entry["title"])
    lead_title = str(outline[0]["title"])
    bodies: dict[str, list[str]] = {}
    see_also: list[str] = []
    current = lead_title
    for title, nodes in raw_sections:
        low = title.lower()
        if title and low in _DROPPED_SECTIONS:
            report.notes.append(f"section {title!r} left out (the reference list and "
                                "links are generated from references:)")
            continue
        target = lookup.get(low) if title else lead_title
        rendered = _render_blocks(nodes, context)
        if target in ("See Also",):
            see_also.extend(_see_also_links(nodes, context))
            report.sections.append((title, target))
            continue
        if target is None:
            target = current
            report.sections.append((title, f"{target} (as a subsection)"))
            rendered = f"### {title}\n\n{_demote(rendered)}" if rendered else ""
        elif target in bodies and title:
            report.sections.append((title, f"{target} (merged)"))
            if title.lower() != target.lower():
                rendered = f"### {title}\n\n{_demote(rendered)}" if rendered else ""
        elif title:
            report.sections.append((title, target))
        current = target
        if rendered:
            bodies.setdefault(target, []).append(rendered)
        else:
            bodies.setdefault(target, [])
    if infobox is not None:
        image = _infobox_image(infobox, context)
        if image:
            bodies.setdefault(lead_title, []).insert(0, image)
    lines: list[str] = []
    for entry in outline:
        title = str(entry["title"])
        if entry.get("generated") and title != "Notes":
            continue
        if title == "Notes":
            if context.footnotes:
                lines += ["## Notes", ""]
                lines += [f"[^{label}]: {text}" for label, text in context.footnotes] + [""]
            continue
        if title == "See Also":
            lines += ["## See Also", ""]
            if see_also:
                lines += [*dict.fromkeys(see_also), ""]
            else:
                lines += ["- TODO: link related articles here as `[Title](slug.md)`", ""]
                report.todo.append("See Also: link related articles")
            continue
        content = [part for part in bodies.get(title, []) if part.strip()]
        if not content and not entry.get("required"):
            continue
        lines += [f"## {title}", ""]
        if content:
            lines += ["\n\n".join(content), ""]
        else:
            guidance = " ".join(str(entry.get("guidance") or "write this section.").split())
            lines += [f"TODO: {guidance}", ""]
            report.todo.append(f"{title}: the source has no such section")
    lines += ["## References", ""]
    body = "\n".join(_resolve_blocks("\n".join(lines), context)).rstrip("\n") + "\n"
    body = re.sub(r"\n{3,}", "\n\n", body)
    report.references = len(context.refs.entries)
    report.merged_references = context.refs.merged
    front = _front_matter(page, chosen, code, infobox, codes, context)
    report.images = [image["file"] for image in context.images]
    return Draft(slug, f"---\n{front}---\n{body}", report)


# -- reading the page ---------------------------------------------------------------------------


def _parse(text: str) -> Wikicode:
    """The page parsed with bold and italics. An unbalanced `''` inside a `<ref>` can make
    mwparserfromhell give up on that ref (it comes out as text, `<ref>` and all). Then the
    refs are found in a parse without style tags, lose their quote marks (a reference
    entry is plain text anyway), and the page is parsed again."""
    code = mwparserfromhell.parse(text, skip_style_tags=False)
    if not _stray_refs(code):
        return code
    robust = mwparserfromhell.parse(text, skip_style_tags=True)
    for tag in robust.filter_tags(recursive=True):
        if str(tag.tag).strip().lower() == "ref" and tag.contents is not None \
                and not _group(tag):
            for node in tag.contents.filter_text(recursive=True):
                node.value = str(node.value).replace("''", "")
    again = mwparserfromhell.parse(str(robust), skip_style_tags=False)
    return again if len(_stray_refs(again)) < len(_stray_refs(code)) else code


def _stray_refs(code: Wikicode) -> list[Text]:
    return [node for node in code.filter_text(recursive=True)
            if "<ref" in str(node.value).lower()]


def _name(template: Template) -> str:
    return " ".join(str(template.name).replace("_", " ").split()).lower()


def count_source_refs(code: Wikicode) -> int:
    """Distinct `<ref>`s of the page: one per name, one per unnamed ref with content."""
    names: set[str] = set()
    unnamed = 0
    for tag in code.filter_tags(recursive=True):
        if str(tag.tag).strip().lower() != "ref" or _group(tag):
            continue
        name = _ref_name(tag)
        if name:
            names.add(name)
        elif tag.contents is not None and str(tag.contents).strip():
            unnamed += 1
    return len(names) + unnamed


def _ref_name(tag: Tag) -> str:
    for attribute in tag.attributes:
        if str(attribute.name).strip().lower() == "name" and attribute.value is not None:
            return " ".join(str(attribute.value).split())
    return ""


def _group(tag: Tag) -> str:
    for attribute in tag.attributes:
        if str(attribute.name).strip().lower() == "group" and attribute.value is not None:
            return str(attribute.value).strip()
    return ""


def _collect_definitions(code: Wikicode, context: _Context) -> None:
    """Every `<ref>` with content, wherever it is (list-defined and infobox refs too)."""
    for tag in code.filter_tags(recursive=True):
        if str(tag.tag).strip().lower() != "ref":
            continue
        if tag.contents is None or not str(tag.contents).strip():
            continue
        name = _ref_name(tag)
        if _group(tag):  # a note, perhaps defined in {{Reflist|group=…|refs=…}}
            if name:
                context.note_texts.setdefault((_group(tag), name), tag.contents)
            continue
        if name and name in context.refs.by_name:
            continue
        entry = from_ref(tag.contents)
        if entry is None or not entry.get("title"):
            context.refs.unusable.append(str(tag.contents)[:80])
            continue
        found = context.refs.add(entry, name or None)
        if not name:
            context.refs.by_name[f"\x00{id(tag)}"] = found


def _kind_from_box(box: Template | None) -> str | None:
    if box is None:
        return None
    return "drug" if _name(box).startswith(_DRUG_BOXES) else "condition"


def _best_kind(titles: list[str], schema_outlines: dict[str, list[dict[str, Any]]]) -> str:
    """The type whose outline names most of the page's headings (ties: the schema's order)."""
    def score(kind: str) -> int:
        names = {str(n).lower() for e in schema_outlines[kind] if not e.get("generated")
                 and e["title"] not in ("Overview", "See Also")
                 for n in (e["title"], *e.get("synonyms", []))}
        return sum(1 for t in titles if t.lower() in names)
    return max(schema_outlines, key=lambda kind: (score(kind), -list(schema_outlines)
                                                  .index(kind)))


def _codes(boxes: list[Template]) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for box in boxes:
        values = {" ".join(str(p.name).split()).lower(): plain(p.value) for p in box.params}
        for prefix_key, suffix_key in _ATC_PAIRS.items():
            prefix, suffix = values.get(prefix_key, ""), values.get(suffix_key, "")
            code = prefix + suffix
            if prefix.lower() != "none" and re.fullmatch(r"[A-Z]\d{2}[A-Z]{2}\d{2}", code) \
                    and code not in codes.setdefault("atc", []):
                codes["atc"].append(code)
        for parameter in box.params:
            key = " ".join(str(parameter.name).split()).lower()
            target = _CODE_PARAMS.get(key)
            if target is None:
                continue
            for value in _code_values(parameter.value, target):
                if value not in codes.setdefault(target, []):
                    codes[target].append(value)
    return {key: values for key, values in codes.items() if values}


def _code_values(value: Wikicode, target: str) -> list[str]:
    found: list[str] = []
    for template in value.filter_templates(recursive=False):
        name = _name(template)
        args = [plain(p.value) for p in template.params if not p.showkey]
        if name.startswith("icd10") and len(args) >= 2:
            letter, number = args[0], args[1]
            decimal = args[2] if len(args) > 2 and args[2] else ""
            found.append(f"{letter}{number}" + (f".{decimal}" if decimal else ""))
        elif name == "atc" and len(args) >= 2:  # {{ATC|G01|AD03}}
            found.append(args[0] + args[1])
        elif args:
            found.append(args[0])
    if not found:
        text = plain(value)
        found = [part for part in re.split(r"[,;\s]+", text) if part]
    pattern = {"mesh": r"^[A-Z]\d{6,9}$", "omim": r"^\d{6}$", "cas": r"^\d{2,7}-\d{2}-\d$",
               "drugbank": r"^DB\d{5}$", "icd10": r"^[A-Z]\d{2}(?:\.[0-9A-Z]{1,4})?$",
               "snomed": r"^\d{6,18}$", "icd11": r"^[0-9A-Z]{2,4}(?:\.[0-9A-Z]{1,4})?$",
               "atc": r"^[A-Z]\d{2}[A-Z]{2}\d{2}$"}.get(target, r"^\S+$")
    return [v for v in found if re.match(pattern, v)]


# -- rendering ----------------------------------------------------------------------------------


def _render_blocks(nodes: list[Node], context: _Context) -> str:
    """Nodes of one section → Markdown blocks (paragraphs, lists, block placeholders)."""
    raw = "".join(_inline(node, context) for node in nodes)
    blocks: list[str] = []
    paragraph: list[str] = []
    listing: list[str] = []

    def flush() -> None:
        if paragraph:
            text = " ".join(p.strip() for p in paragraph if p.strip())
            text = _tidy(text)
            if text:
                blocks.append(_safe_start(text))
            paragraph.clear()
        if listing:
            blocks.append("\n".join(listing))
            listing.clear()

    for line in raw.split("\n"):
        if line.startswith(_LIST):
            if paragraph:
                flush()
            markers, _, rest = line[len(_LIST):].partition("\x00")
            rest = _tidy(rest.strip())
            depth = max(len(markers) - 1, 0)
            if not rest:
                continue
            if markers.endswith((";", ":")) and not markers.strip(":;"):
                flush()
                blocks.append(_safe_start(rest))
                continue
            bullet = "1." if markers.endswith("#") else "-"
            listing.append(f"{'   ' * depth}{bullet} {rest}")
        elif line.strip().startswith(_BLOCK):
            flush()
            blocks.append(line.strip())
        elif not line.strip():
            flush()
        else:
            if listing:
                flush()
            paragraph.append(line)
    flush()
    return "\n\n".join(blocks)


def _tidy(text: str) -> str:
    text = re.sub(r"\]\s*\[@", "; @", text)  # [@a][@b] → [@a; @b]
    text = re.sub(r"\s+([.,;:])(?=\s|$)", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    return text.strip()


def _safe_start(text: str) -> str:
    """A paragraph that does not read as a list, heading, quote or code when it starts."""
    if re.match(r"^\d{1,9}[.)]\s", text):
        return re.sub(r"^(\d{1,9})([.)])", r"\1\\\2", text)
    if text[:1] in "#-+=>" or text.startswith("    "):
        return "\\" + text.lstrip()
    return text


def _escape(text: str) -> str:
    text = html.unescape(text).replace("\u00a0", " ")
    text = _MD_ESCAPE.sub(r"\\\1", text)
    return _ENTITY_LIKE.sub(r"\\&", text)


def _inline(node: Node, context: _Context) -> str:
    if isinstance(node, Text):
        return _escape(str(node.value))
    if isinstance(node, Comment):
        return ""
    if isinstance(node, HTMLEntity):
        return _escape(node.normalize())
    if isinstance(node, Heading):
        title = _tidy("".join(_inline(n, context) for n in node.title.nodes))
        level = min(max(node.level + 0, 3), 6)
        return _block(f"{'#' * level} {title}", context)
    if isinstance(node, Wikilink):
        return _wikilink(node, context)
    if isinstance(node, ExternalLink):
        url = str(node.url).strip()
        label = _children(node.title, context) if node.title else ""
        if not url.lower().startswith(("http://", "https://")):
            return label
        return f"[{label or _escape(url)}]({url.replace(' ', '%20').replace(')', '%29')})"
    if isinstance(node, Template):
        return _template(node, context)
    if isinstance(node, Tag):
        return _tag(node, context)
    return _escape(str(node))


def _children(code: Wikicode | None, context: _Context) -> str:
    return "" if code is None else "".join(_inline(n, context) for n in code.nodes)


def _block(markdown: str, context: _Context) -> str:
    context.blocks.append(markdown)
    return f"\n{_BLOCK}{len(context.blocks) - 1}{_BLOCK}\n"


def _resolve_blocks(text: str, context: _Context) -> list[str]:
    pattern = re.compile(f"{_BLOCK}(\\d+){_BLOCK}")
    return [pattern.sub(lambda m: context.blocks[int(m.group(1))], text)]


def _demote(markdown: str) -> str:
    return re.sub(r"(?m)^(#{3,5}) ", r"#\1 ", markdown)


def _wikilink(node: Wikilink, context: _Context) -> str:
    target = plain(node.title)
    low = target.lower().lstrip(":")
    if low.startswith(_IMAGE_PREFIXES):
        return _image(target.split(":", 1)[1], node.text, context)
    if low.startswith("category:"):
        return ""
    if ":" in low.split("#")[0] and not target.startswith(":"):
        return _children(node.text, context) if node.text else ""  # interwiki, other spaces
    label = _children(node.text, context) if node.text else _escape(target.split("#")[0])
    if not target.split("#")[0].strip():  # [[#Section]]: a place on the same page
        return label or _escape(target.lstrip("#"))
    slug = slugify(target.split("#")[0])
    if slug and slug in context.existing:
        return f"[{label}]({slug}.md)"
    context.report.red_links.append(target.split("#")[0])
    return label


def _image(name: str, text: Wikicode | None, context: _Context) -> str:
    options = str(text).split("|") if text is not None else []
    caption_code = None
    if text is not None:
        parts = [p for p in options if p.strip() and not re.match(
            r"^\s*(?:thumb|thumbnail|frame|frameless|left|right|center|centre|none|upright"
            r"(?:=.*)?|\d+px|x?\d+px|\d+x\d+px|alt=.*|link=.*|border|baseline|class=.*"
            r"|page=.*|lang=.*)\s*$", p, re.IGNORECASE)]
        caption_code = mwparserfromhell.parse(parts[-1]) if parts else None
    caption = _tidy(_children(caption_code, context)) if caption_code else ""
    entry = _credit(name, caption, context)
    if entry is None:
        return ""
    alt = plain(caption_code) if caption_code else ""
    return _block(f"![{_escape(alt) or 'TODO: describe the image'}](images/{entry['file']})",
                  context)


def _credit(name: str, caption: str, context: _Context) -> dict[str, str] | None:
    name = " ".join(name.replace("_", " ").split())
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower()
    if not dot or extension not in ("svg", "png", "jpg", "jpeg", "webp", "gif"):
        context.report.notes.append(f"file {name!r} left out (not an image format we show)")
        return None
    file = f"{(slugify(stem) or 'image')[:90]}.{extension}"
    if any(image["file"] == file for image in context.images):
        return next(image for image in context.images if image["file"] == file)
    plain_caption = re.sub(r"\\(.)", r"\1", re.sub(r"\[@[^\]]*\]", "", caption)).strip()
    entry = {"file": file, "title": stem,
             "alt": f"TODO: describe the image ({plain_caption[:150]})" if plain_caption
             else "TODO: describe the image",
             "author": f"TODO: the author of {name}",
             "source": f"TODO: confirm https://commons.wikimedia.org/wiki/File:"
                       f"{name.replace(' ', '_')}",
             "license": "TODO"}
    context.images.append(entry)
    return entry


def _infobox_image(box: Template, context: _Context) -> str:
    for key in ("image", "Image"):
        if box.has(key):
            name = plain(box.get(key).value)
            if name:
                caption = plain(box.get("caption").value) if box.has("caption") else ""
                entry = _credit(name.split(":", 1)[-1], caption, context)
                if entry:
                    return _block(f"![{_escape(caption) or 'TODO: describe the image'}]"
                                  f"(images/{entry['file']})", context)
    return ""


def _template(node: Template, context: _Context) -> str:
    name = _name(node)
    args = [p for p in node.params if not p.showkey]
    if name in MAINTENANCE:
        return f" (TODO: {name})"
    if name.startswith(_CODE_BOXES) or name.startswith(_CONDITION_BOXES + _DRUG_BOXES):
        return ""  # read for codes, the type and its image
    if cite_kind(node) is not None:
        return ""  # a citation outside <ref>: kept only when in a ref
    if name in ("sub", "sup") and args:
        inner = _children(args[0].value, context).replace(" ", "\\ ")
        mark = "~" if name == "sub" else "^"
        return f"{mark}{inner}{mark}" if inner else ""
    if name in ("convert", "cvt") and args:
        value = plain(args[0].value)
        unit = plain(args[1].value) if len(args) > 1 else ""
        return _escape(f"{value} {unit}".strip())
    if name == "as of" and args:
        lower = node.has("lc") and plain(node.get("lc").value).lower() in ("y", "yes")
        return _escape(f"{'as' if lower else 'As'} of {plain(args[0].value)}")
    if name in ("ubl", "unbulleted list", "plainlist", "bulleted list", "hlist", "flatlist"):
        return ", ".join(_children(a.value, context).strip() for a in args)
    if name in _INLINE_KEEP and args:
        index = 1 if name == "lang" and len(args) > 1 else 0
        return _children(args[index].value, context)
    if name in ("snd", "ndash", "mdash", "spaced ndash"):
        return " \u2013 " if name != "mdash" else "\u2014"
    if name in ("nbsp", "thinsp"):
        return " "
    if name in ("efn", "efn-ua", "efn-lr", "refn", "note") and args:
        text = _note_text(args[-1].value, context)
        if not text:
            return ""
        label = str(len(context.footnotes) + 1)
        context.footnotes.append((label, text))
        return f"[^{label}]"
    if name in ("cite pmid", "cite doi"):
        return ""
    if name not in _SILENT:
        context.report.templates_dropped.append(str(node.name).strip())
    return ""


def _tag(node: Tag, context: _Context) -> str:
    tag = str(node.tag).strip().lower()
    if tag == "ref":
        if _group(node):
            return _footnote(node, context)
        name = _ref_name(node)
        key = name or f"\x00{id(node)}"
        found = context.refs.by_name.get(key)
        return f"[@{found}]" if found else ""
    if tag in ("references", "gallery") and tag == "references":
        return ""
    if tag == "gallery":
        return _gallery(node, context)
    if tag in ("li", "dt", "dd") and node.wiki_markup:
        return f"\n{_LIST}{node.wiki_markup}\x00"
    if tag == "br":
        return " "
    if tag == "hr":
        return "\n\n"
    if tag == "table":
        return _table(node, context)
    if tag in ("math", "chem", "ce"):
        return f"`{str(node.contents or '').strip()}`"
    if tag in ("nowiki",):
        return _escape(str(node.contents or ""))
    if tag in ("pre", "syntaxhighlight", "source"):
        return _block("```\n" + str(node.contents or "").strip("\n") + "\n```", context)
    inner = _children(node.contents, context)
    if tag in ("b", "strong"):
        return f"**{inner.strip()}**" if inner.strip() else ""
    if tag in ("i", "em", "cite", "var"):
        return f"*{inner.strip()}*" if inner.strip() else ""
    if tag == "sub":
        return f"~{inner.strip().replace(' ', chr(92) + ' ')}~" if inner.strip() else ""
    if tag == "sup":
        return f"^{inner.strip().replace(' ', chr(92) + ' ')}^" if inner.strip() else ""
    if tag in ("blockquote", "poem"):
        return "\n\n" + inner + "\n\n"
    if tag in ("score", "timeline", "graph", "mapframe", "templatestyles", "indicator",
               "imagemap", "inputbox"):
        context.report.notes.append(f"<{tag}> left out")
        return ""
    return inner


def _footnote(node: Tag, context: _Context) -> str:
    """A note (`<ref group=…>`) as a Markdown footnote; a note used again by name keeps its
    label, and one defined elsewhere (a list-defined note) takes that definition's text."""
    key = (_group(node), _ref_name(node))
    if key[1] and key in context.note_labels:
        return f"[^{context.note_labels[key]}]"
    contents = node.contents if node.contents is not None and str(node.contents).strip() \
        else context.note_texts.get(key) if key[1] else None
    text = _note_text(contents, context) if contents is not None else ""
    if not text:
        return ""
    label = str(len(context.footnotes) + 1)
    if key[1]:
        context.note_labels[key] = label
    context.footnotes.append((label, text))
    return f"[^{label}]"


def _note_text(code: Wikicode, context: _Context) -> str:
    """A note's wikitext as one line of Markdown (a footnote is one paragraph): its
    paragraphs and list items run together; tables and images are left out of it."""
    rendered = _render_blocks(list(code.nodes), context)
    parts = []
    for line in rendered.split("\n"):
        line = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", line).strip()
        if line and not line.startswith(_BLOCK):
            parts.append(line)
    return _tidy(" ".join(parts))


def _gallery(node: Tag, context: _Context) -> str:
    out = []
    for line in str(node.contents or "").splitlines():
        name, _, caption = line.strip().partition("|")
        if not name:
            continue
        name = name.split(":", 1)[1] if name.lower().startswith(_IMAGE_PREFIXES) else name
        out.append(_image(name, mwparserfromhell.parse(caption) if caption else None,
                          context))
    return "".join(out)


def _table(node: Tag, context: _Context) -> str:
    """A wiki table as a Markdown pipe table, when it is a plain grid; otherwise left out."""
    caption = ""
    rows: list[list[str]] = []
    header_rows = 0
    simple = True
    for child in (node.contents.nodes if node.contents else []):
        if not isinstance(child, Tag):
            continue
        child_tag = str(child.tag).lower()
        if child_tag == "caption":
            caption = plain(child.contents) if child.contents else ""
            continue
        if child_tag != "tr":
            continue
        cells: list[str] = []
        all_header = True
        for cell in (child.contents.nodes if child.contents else []):
            if not isinstance(cell, Tag) or str(cell.tag).lower() not in ("td", "th"):
                continue
            spans = [a for a in cell.attributes
                     if str(a.name).strip().lower() in ("rowspan", "colspan")
                     and plain(a.value or "") not in ("", "1")]
            if spans:
                simple = False
            if str(cell.tag).lower() != "th":
                all_header = False
            text = _tidy(_children(cell.contents, context).replace("\n", " "))
            cells.append(text.replace("|", "\\|"))
        if cells:
            rows.append(cells)
            if all_header and len(rows) == header_rows + 1:
                header_rows += 1
    width = max((len(r) for r in rows), default=0)
    if not rows or not simple or width > context.max_columns or any(
            _BLOCK in c for r in rows for c in r) or header_rows > 1:
        label = caption or (rows[0][0] if rows and rows[0] else "a table")
        shown = re.sub(r"[*~^\\]", "", label)[:60]
        why = "merged cells" if not simple else "not a plain grid"
        context.report.tables_left_out.append(f"{shown} ({why})")
        return ""
    rows = [r + [""] * (width - len(r)) for r in rows]
    header = rows[0] if header_rows else [""] * width
    body = rows[1:] if header_rows else rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in body]
    table = "\n".join(lines)
    if caption:
        table = f"*{_escape(caption)}*\n\n{table}"
    return _block(table, context)


def _see_also_links(nodes: list[Node], context: _Context) -> list[str]:
    links = []
    for node in Wikicode(nodes).filter_wikilinks(recursive=True):
        target = plain(node.title).split("#")[0]
        slug = slugify(target)
        label = plain(node.text) if node.text else target
        if slug and slug in context.existing:
            links.append(f"- [{_escape(label)}]({slug}.md)")
        else:
            context.report.red_links.append(target)
    return links


# -- front matter -------------------------------------------------------------------------------


def _front_matter(page: Page, kind: str, code: Wikicode, infobox: Template | None,
                  codes: dict[str, list[str]], context: _Context) -> str:
    site = page.site
    license_ = site.license_on(page.date) if site else "CC-BY-SA-4.0"
    if site and site.earlier and not page.date:
        context.report.todo.append(
            f"adapted_from.license: the revision's date is unknown; {site.name} text from "
            f"before {site.earlier[0]} is {site.earlier[1]}, not {site.license}")
    summary = _summary(code)
    category = _category(infobox)
    data: dict[str, Any] = {
        "title": page.title,
        "type": kind,
        "summary": summary or "TODO: one plain sentence that says what the subject is.",
        "license": "CC-BY-SA-3.0" if license_ == "CC-BY-SA-3.0" else "CC-BY-SA-4.0",
        "disclaimer": "drug" if kind == "drug" else "medical",
        "contributors": [{"name": "TODO: your name", "role": "author"},
                         {"name": "TODO: the reviewer's name",
                          "credentials": "TODO: the reviewer's qualifications",
                          "role": "reviewer"}],
    }
    if context.images:
        data["images"] = [dict(image) for image in context.images]
    data["categories"] = [category] if category else ["TODO"]
    data["last_reviewed"] = "TODO"
    if codes:
        data["codes"] = {key: list(values) for key, values in codes.items()}
    if context.refs.entries:
        data["references"] = [dict(entry) for entry in context.refs.entries.values()]
    upstream: dict[str, Any] = {"title": page.title,
                                "url": page.url or "TODO: the page's address"}
    if page.revision:
        upstream["revision"] = page.revision
    if page.date:
        upstream["date"] = page.date
    upstream["authors"] = f"{site.name if site else 'TODO: the site'} contributors"
    upstream["license"] = license_
    upstream["changes"] = CHANGES
    data["adapted_from"] = upstream
    context.report.todo += ["contributors: name the author and the reviewer",
                            "last_reviewed: the date of the review"]
    if not category:
        context.report.todo.append("categories")
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                               default_flow_style=False)
    return text.replace('last_reviewed: TODO\n', 'last_reviewed: "TODO"\n')


def _summary(code: Wikicode) -> str:
    lead: list[Node] = []
    for node in code.nodes:
        if isinstance(node, Heading):
            break
        lead.append(node)
    kept = [n for n in lead if not isinstance(n, Template | Comment)
            and not (isinstance(n, Tag) and str(n.tag).lower() in ("ref", "references"))
            and not (isinstance(n, Wikilink) and ":" in str(n.title))]
    text = str(Wikicode(kept).strip_code(normalize=True, collapse=True))
    for paragraph in text.split("\n"):
        paragraph = " ".join(paragraph.replace("\u00a0", " ").split())
        if len(paragraph.strip()) < 20:
            continue
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", paragraph.strip())
        summary = ""
        for sentence in sentences:
            summary = f"{summary} {sentence}".strip()
            if len(summary) >= 20:
                break
        summary = re.sub(r"[<>]", "", summary)
        if len(summary) > 300:
            summary = summary[:297].rsplit(" ", 1)[0] + "\u2026"
        return summary if len(summary) >= 20 else ""
    return ""


def _category(box: Template | None) -> str:
    if box is None:
        return ""
    for key in ("field", "specialty"):
        if box.has(key):
            links = box.get(key).value.filter_wikilinks()
            text = plain(links[0].text or links[0].title) if links else plain(
                box.get(key).value).split(",")[0]
            text = text[:1].upper() + text[1:]
            if re.fullmatch(r"[A-Z][A-Za-z0-9]*(?:[ -][A-Za-z0-9]+)*", text) and len(text) <= 60:
                return text
    return ""
