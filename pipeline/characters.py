"""Characters no article should hold and no output may contain.

Control characters (tab and line breaks aside), bidirectional overrides and isolates, and
Unicode noncharacters: invisible, forbidden in HTML, or able to make text read differently
from what reviewers approved ("Trojan Source"). The check reports them (SEC107); the
renderers remove whatever is left, so a page stays valid HTML even when SEC107 is ignored.
"""

from __future__ import annotations

import re

_BMP = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff"
_ASTRAL_NONCHARACTERS = "".join(chr(plane * 0x10000 + last) for plane in range(1, 17)
                                for last in (0xFFFE, 0xFFFF))

# A class holding single characters beyond U+FFFF is slow to match in Python (it was most of
# SEC107's cost), so those are only tried where the text has such a character at all.
FORBIDDEN_CHARACTERS = re.compile(
    f"[{_BMP}]|(?=[\U00010000-\U0010ffff])[{_ASTRAL_NONCHARACTERS}]")
_FORBIDDEN_BMP = re.compile(f"[{_BMP}]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def has_forbidden(text: str) -> bool:
    """Whether `text` holds a forbidden character (the fast test, for whole files)."""
    if text.isprintable() or text.replace("\n", "").replace("\t", "").isprintable():
        return False  # every forbidden character is unprintable (Cc, Cf or Cn); line breaks
        # and tabs are allowed, though unprintable
    return bool(_FORBIDDEN_BMP.search(text)
                or (_ASTRAL.search(text) and FORBIDDEN_CHARACTERS.search(text)))


def without_forbidden(text: str) -> str:
    """`text` with every forbidden character removed."""
    return FORBIDDEN_CHARACTERS.sub("", text) if has_forbidden(text) else text
