"""Characters no article should hold and no output may contain.

Control characters (tab and line breaks aside), bidirectional overrides and isolates, and
Unicode noncharacters: invisible, forbidden in HTML, or able to make text read differently
from what reviewers approved ("Trojan Source"). The check reports them (SEC107); the
renderers remove whatever is left, so a page stays valid HTML even when SEC107 is ignored.
"""

from __future__ import annotations

import re

_NONCHARACTERS = "".join(chr(plane * 0x10000 + last) for plane in range(17)
                         for last in (0xFFFE, 0xFFFF))

FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                                  "\ufdd0-\ufdef" + _NONCHARACTERS + "]")


def without_forbidden(text: str) -> str:
    """`text` with every forbidden character removed."""
    return FORBIDDEN_CHARACTERS.sub("", text)
