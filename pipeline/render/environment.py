"""The Jinja environment every HTML page is rendered with: one per templates folder.

Autoescaping is on for HTML, XML and `.j2` templates and every undefined name is an error
(`StrictUndefined`). Markup reaches a page unescaped only when our own sanitiser made it
(section HTML, marked `|safe` in the templates) or through `tojson_script`, which writes
JSON that cannot end the `<script>` element it sits in. Whatever is written loses the
characters HTML forbids (`finalize`).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from pipeline.characters import without_forbidden

# Characters that could end a <script> element, open a comment or confuse an HTML parser,
# and the two line separators that old JavaScript parsers read as line ends.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}

TYPE_NAMES = {"condition": "Condition", "drug": "Drug", "topic": "Topic"}


def script_json(value: Any) -> str:
    """JSON text that is safe inside `<script>`: no `<`, `>` or `&` appears literally."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_SCRIPT_ESCAPES)


def tojson_script(value: Any) -> Markup:
    """Jinja filter: `{{ data|tojson_script }}` inside `<script type="application/ld+json">`."""
    return Markup(script_json(value))


def finalize(value: Any) -> Any:
    """Every `{{ ... }}` of every template: text loses the characters HTML forbids
    (`pipeline.characters`), and markup made safe on purpose stays markup."""
    if isinstance(value, Markup):
        return Markup(without_forbidden(str(value)))
    if isinstance(value, str):
        return without_forbidden(value)
    return value


def type_name(article_type: str) -> str:
    """Jinja filter: the reader's word for an article type ("condition" → "Condition")."""
    return TYPE_NAMES.get(article_type, article_type.capitalize())


def environment(templates: Path) -> jinja2.Environment:
    """The environment for a templates folder; built once per folder and reused."""
    return _environment(str(Path(templates).resolve()))


@cache
def _environment(folder: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "xml", "j2"),
                                            default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters["tojson_script"] = tojson_script
    env.filters["type_name"] = type_name
    return env
