"""SUP: `<!-- pipeline: ignore CODE reason="..." -->`, a rule silenced in one place.

On a line of its own, a suppression covers the next non-blank block: the paragraph, list,
heading or table that follows (by its line range). At the end of a line of text it covers
that line. In the front matter it is written inside a YAML comment
(`# <!-- pipeline: ignore TRS101 reason="..." -->`) and covers the next field (with everything
nested under it) or, at the end of a line, that line.

Several codes may be given, comma-separated; a code may be a prefix (`TRS`, `LNK10`).
SRC diagnostics (the file could not be read) and SUP diagnostics cannot be suppressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pipeline.diagnostics import Diagnostic, Rule, make
from pipeline.model import Article

UNSUPPRESSIBLE = ("SRC", "SUP")
_DIRECTIVE = re.compile(r"<!--\s*pipeline\s*:(?P<body>.*?)-->", re.IGNORECASE)
_IGNORE = re.compile(r"\s*ignore\b(?P<rest>.*)", re.IGNORECASE | re.DOTALL)
_REASON = re.compile(r"\breason\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>\S+))",
                     re.IGNORECASE)
_CODE = re.compile(r"[A-Z]{2,5}[0-9]{0,3}")


@cache
def _suppressible() -> tuple[str, ...]:
    """Every catalogued code a suppression may name (read once the registry is built)."""
    from pipeline.rules import REGISTRY

    return tuple(code for code in REGISTRY if not code.startswith(UNSUPPRESSIBLE))


@dataclass
class Suppression:
    line: int  # where the comment is
    column: int
    codes: tuple[str, ...]  # valid codes or prefixes
    first: int  # lines it covers, inclusive
    last: int
    used: set[str] = field(default_factory=set)

    def covers(self, diagnostic: Diagnostic) -> str | None:
        """The code of this suppression that silences `diagnostic`, if any."""
        if diagnostic.code.startswith(UNSUPPRESSIBLE):
            return None
        if not self.first <= diagnostic.line <= self.last:
            return None
        return next((code for code in self.codes if diagnostic.code.startswith(code)), None)


def apply(article: Article, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics no suppression covers, plus the SUP diagnostics of the suppressions."""
    suppressions, problems = find(article)
    if not suppressions:
        return diagnostics + problems
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        silenced = False
        if diagnostic.path == article.path:
            for suppression in suppressions:
                code = suppression.covers(diagnostic)
                if code is not None:
                    suppression.used.add(code)
                    silenced = True
        if not silenced:
            kept.append(diagnostic)
    for suppression in suppressions:
        for code in suppression.codes:
            if code not in suppression.used:
                kept.append(make(article.path, suppression.line, suppression.column, "SUP102",
                                 f"suppression of {code} is unused: no {code} diagnostic "
                                 f"on lines {suppression.first}-{suppression.last}",
                                 "remove the suppression, or fix the code it names"))
    return kept + problems


def find(article: Article) -> tuple[list[Suppression], list[Diagnostic]]:
    """Every suppression comment of the file, and the problems of malformed ones."""
    suppressions: list[Suppression] = []
    problems: list[Diagnostic] = []
    in_code = code_lines(article)
    for number, text in enumerate(article.lines, start=1):
        if number in in_code or "pipeline" not in text.lower():
            continue
        for match in _DIRECTIVE.finditer(text):
            in_front_matter = number < article.body_line
            if in_front_matter and "#" not in text[:match.start()]:
                problems.append(_problem(article, number, match.start(),
                                         "a suppression in the front matter must be written "
                                         "in a YAML comment: `# <!-- pipeline: ... -->`"))
                continue
            codes, problems_here = _parse(article, number, match)
            problems.extend(problems_here)
            if not codes:
                continue
            first, last = _scope(article, number, text, match, in_front_matter)
            suppressions.append(Suppression(number, match.start() + 1, codes, first, last))
    return suppressions, problems


def _problem(article: Article, line: int, offset: int, message: str,
             code: str = "SUP103", hint: str = "") -> Diagnostic:
    return make(article.path, line, offset + 1, code, message,
                hint or 'write `<!-- pipeline: ignore CODE reason="why" -->`')


def _parse(article: Article, line: int, match: re.Match[str]
           ) -> tuple[tuple[str, ...], list[Diagnostic]]:
    offset = match.start()
    ignore = _IGNORE.match(match.group("body"))
    if ignore is None:
        return (), [_problem(article, line, offset,
                             "unknown pipeline directive; the only one is `ignore`")]
    rest = ignore.group("rest")
    reason_match = _REASON.search(rest)
    words = (rest[:reason_match.start()] if reason_match else rest).replace(",", " ").split()
    problems: list[Diagnostic] = []
    codes: list[str] = []
    for word in words:
        code = word.upper()
        if not _CODE.fullmatch(code):
            problems.append(_problem(article, line, offset,
                                     f"{word!r} is not a rule code", hint="name codes such as "
                                     "TRS105, comma-separated, then reason=\"...\""))
        elif code.startswith(UNSUPPRESSIBLE):
            problems.append(_problem(article, line, offset,
                                     f"{code} diagnostics cannot be suppressed",
                                     hint="fix the problem itself"))
        elif not any(known.startswith(code) for known in _suppressible()):
            problems.append(_problem(article, line, offset, f"unknown rule code {code!r}",
                                     hint="see `pipeline rules` for the codes"))
        else:
            codes.append(code)
    if not words:
        problems.append(_problem(article, line, offset, "the suppression names no rule code"))
    reason = ""
    if reason_match:
        reason = next((g for g in reason_match.group("dq", "sq", "bare") if g is not None), "")
    if codes and not reason.strip():
        problems.append(_problem(article, line, offset, "suppression without a reason",
                                 code="SUP101",
                                 hint='add reason="..." saying why the rule does not apply '
                                      "here"))
    return tuple(dict.fromkeys(codes)), problems


def _own_line(text: str, match: re.Match[str], in_front_matter: bool) -> bool:
    before = text[:match.start()].strip()
    after = text[match.end():].strip()
    return not after and (not before or (in_front_matter and before == "#"))


def _is_directive_line(text: str, in_front_matter: bool) -> bool:
    match = _DIRECTIVE.search(text)
    return match is not None and _own_line(text, match, in_front_matter)


def _scope(article: Article, number: int, text: str, match: re.Match[str],
           in_front_matter: bool) -> tuple[int, int]:
    """Lines a suppression covers: its own line, or the next block (or field)."""
    if not _own_line(text, match, in_front_matter):
        return number, number
    limit = article.body_line - 2 if in_front_matter else len(article.lines)
    target = number + 1
    while target <= limit and (not article.lines[target - 1].strip()
                               or _is_directive_line(article.lines[target - 1],
                                                     in_front_matter)):
        target += 1
    if target > limit:
        return number, number
    if in_front_matter:
        return target, _field_end(article, target)
    for token in article.tokens:
        if token.map is not None and token.nesting >= 0 \
                and article.body_line + token.map[0] == target:
            return target, max(target, article.body_line + token.map[1] - 1)
    return target, target


def _field_end(article: Article, line: int) -> int:
    """Last line of the front-matter field (or list entry) that starts on `line`."""
    source = article.source_map
    spans = [source.values[path] for path, key in source.keys.items()
             if key.line == line and path in source.values]
    spans += [span for span in source.values.values() if span.line == line]
    last = line
    for span in spans:
        end = span.end_line - 1 if span.end_column <= 1 and span.end_line > span.line \
            else span.end_line
        last = max(last, end)
    return min(last, article.body_line - 2)


def code_lines(article: Article) -> set[int]:
    """File lines inside fenced or indented code blocks, where comments are shown as text."""
    lines: set[int] = set()
    for token in article.tokens:
        if token.type in ("fence", "code_block") and token.map is not None:
            lines.update(range(article.body_line + token.map[0],
                               article.body_line + token.map[1]))
    return lines


RULES: tuple[Rule, ...] = (
    Rule("SUP101", "suppression-without-reason", "warning",
         "An inline suppression gives no `reason=\"...\"`.",
         "A silenced rule needs a reason that the next editor can weigh.",
         "<!-- pipeline: ignore TRS105 -->\n",
         "<!-- pipeline: ignore TRS105 reason=\"dose quoted from the cited trial\" -->\n",
         check=apply, scope="suppressions"),
    Rule("SUP102", "unused-suppression", "warning",
         "An inline suppression silences nothing: no diagnostic with that code is reported "
         "where it applies.",
         "Stale suppressions would silently hide the next real problem.",
         "<!-- pipeline: ignore LNK105 reason=\"old site\" -->\n[NHS](https://www.nhs.uk/)\n",
         "[NHS](https://www.nhs.uk/)\n",
         check=apply, scope="suppressions"),
    Rule("SUP103", "invalid-suppression", "warning",
         "An inline suppression names an unknown code, a code that cannot be suppressed "
         "(SRC, SUP), or is malformed.",
         "A suppression that names nothing real silences nothing, and hides the mistake.",
         "<!-- pipeline: ignore TRS999 reason=\"...\" -->\n",
         "<!-- pipeline: ignore TRS105 reason=\"...\" -->\n",
         check=apply, scope="suppressions"),
)
