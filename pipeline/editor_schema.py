"""`pipeline schema`: the front matter's JSON Schema in the form editors and their tools read.

The YAML language server behind VS Code's YAML extension validates with JSON Schema draft-07,
and so do the Ajv-based front-matter linters (remark-lint-frontmatter-schema reports a 2020-12
schema as malformed), so draft-07 is the default: `$defs` become `definitions`. Our own
annotations (`x-code`, `x-messages`, `x-hint`) mean nothing to other tools and are left out.
`--draft 2020-12` gives the same schema in the dialect the checker itself uses.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.schema import Schema, front_matter_schema

DRAFTS = {"7": "http://json-schema.org/draft-07/schema#",
          "2020-12": "https://json-schema.org/draft/2020-12/schema"}
# Keywords whose value maps names to schemas: their keys are names, not keywords.
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions",
                        "dependentSchemas"})


def editor_schema(schema: Schema, draft: str = "7") -> Schema:
    """The standalone schema of the front matter, in the given draft."""
    if draft not in DRAFTS:
        raise ValueError(f"unknown draft {draft!r}; choose one of {', '.join(DRAFTS)}")
    root = _without_annotations(front_matter_schema(schema))
    assert isinstance(root, dict)
    if draft == "7":
        root = _draft7(root)
    result: Schema = {"$schema": DRAFTS[draft]}
    if root.get("$id"):
        result["$id"] = root["$id"]
    result.update((key, value) for key, value in root.items() if key not in result)
    return result


def editor_schema_text(schema: Schema, draft: str = "7") -> str:
    return json.dumps(editor_schema(schema, draft), indent=2, ensure_ascii=False) + "\n"


def _without_annotations(node: Any, names: bool = False) -> Any:
    """A copy without `x-*` keywords (property names that start with `x-` are kept)."""
    if isinstance(node, list):
        return [_without_annotations(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {key: _without_annotations(value, names=key in _NAME_MAPS and not names)
            for key, value in node.items() if names or not key.startswith("x-")}


def _draft7(node: Any) -> Any:
    """`$defs` → `definitions`, and every `#/$defs/...` reference with it."""
    if isinstance(node, list):
        return [_draft7(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
            result[key] = "#/definitions/" + value.removeprefix("#/$defs/")
        elif key == "$defs":
            result["definitions"] = {name: _draft7(sub) for name, sub in value.items()}
        elif key in _NAME_MAPS and isinstance(value, dict):
            result[key] = {name: _draft7(sub) for name, sub in value.items()}
        else:
            result[key] = _draft7(value)
    return result
