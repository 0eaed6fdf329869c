"""Hints that ask "did you mean ...?": the known name closest to a misspelt one, for any rule.

Case is ignored when comparing (`Titel` finds `title`), and the known name is returned as it
is spelt. Links to articles and sections (LNK101, LNK102), licence ids (LIC103, LIC105) and
credentials (TRS101) are matched here; so can be any name checked against a closed list,
such as a front-matter key or a value of a schema `enum`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6  # difflib's ratio below which a name is not proposed


def closest(word: str, known: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The known name nearest to `word` (case ignored), or None when none is near enough or
    `word` is itself known."""
    names = sorted(set(known))
    folded: dict[str, str] = {}
    for name in names:
        folded.setdefault(name.casefold(), name)
    wanted = word.strip().casefold()
    if not wanted or word in names:
        return None
    if wanted in folded:
        return folded[wanted]
    found = difflib.get_close_matches(wanted, list(folded), n=1, cutoff=cutoff)
    return folded[found[0]] if found else None


def did_you_mean(word: str, known: Iterable[str], template: str = "`{}`") -> str:
    """`did you mean `title`?` for the nearest known name, "" when there is none; `template`
    writes the name as the hint shows it (e.g. "`{}.md`" for an article)."""
    found = closest(word, known)
    return f"did you mean {template.format(found)}?" if found is not None else ""
