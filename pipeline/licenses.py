"""Licences the encyclopedia knows: SPDX ids, names, deeds, and whether an asset may be included.

The article licence itself is decided by the schema (CC BY-SA); this table serves the asset
rules and the renderers (names and deed links in every output).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["compatible", "non-commercial", "no-derivatives", "gfdl-only",
                  "all-rights-reserved", "unknown"]


@dataclass(frozen=True)
class License:
    spdx: str
    name: str
    url: str
    verdict: Verdict


def _cc(spdx: str) -> License:
    parts = spdx.split("-")  # CC-BY-SA-4.0, CC-BY-NC-ND-3.0, CC0-1.0
    if parts[0] == "CC0":
        return License(spdx, "CC0 1.0 Universal",
                       "https://creativecommons.org/publicdomain/zero/1.0/", "compatible")
    version = parts[-1]
    elements = parts[1:-1]
    code = "-".join(e.lower() for e in elements)
    words = {"BY": "Attribution", "SA": "ShareAlike", "NC": "NonCommercial",
             "ND": "NoDerivatives" if version == "4.0" else "NoDerivs"}
    port = {"4.0": "International", "3.0": "Unported"}.get(version, "Generic")
    name = f"Creative Commons {'-'.join(words[e] for e in elements)} {version} {port}"
    verdict: Verdict = "compatible"
    if "NC" in elements:
        verdict = "non-commercial"
    elif "ND" in elements:
        verdict = "no-derivatives"
    return License(spdx, name, f"https://creativecommons.org/licenses/{code}/{version}/",
                   verdict)


_CC_IDS = [f"CC-{kind}-{version}"
           for kind in ("BY", "BY-SA", "BY-NC", "BY-NC-SA", "BY-ND", "BY-NC-ND")
           for version in ("1.0", "2.0", "2.5", "3.0", "4.0")]

LICENSES: dict[str, License] = {spdx: _cc(spdx) for spdx in [*_CC_IDS, "CC0-1.0"]}
LICENSES.update({
    "PDM-1.0": License("PDM-1.0", "Public Domain Mark 1.0",
                       "https://creativecommons.org/publicdomain/mark/1.0/", "compatible"),
    "public-domain": License("public-domain", "Public domain",
                             "https://creativecommons.org/publicdomain/mark/1.0/",
                             "compatible"),
    "FAL-1.3": License("FAL-1.3", "Free Art License 1.3",
                       "https://artlibre.org/licence/lal/en/", "compatible"),
    "GPL-3.0-only": License("GPL-3.0-only", "GNU General Public License v3.0",
                            "https://www.gnu.org/licenses/gpl-3.0.html", "compatible"),
    "GPL-3.0-or-later": License("GPL-3.0-or-later", "GNU General Public License v3.0 or later",
                                "https://www.gnu.org/licenses/gpl-3.0.html", "compatible"),
    "GFDL-1.2-only": License("GFDL-1.2-only", "GNU Free Documentation License 1.2",
                             "https://www.gnu.org/licenses/old-licenses/fdl-1.2.html",
                             "gfdl-only"),
    "GFDL-1.2-or-later": License("GFDL-1.2-or-later",
                                 "GNU Free Documentation License 1.2 or later",
                                 "https://www.gnu.org/licenses/old-licenses/fdl-1.2.html",
                                 "gfdl-only"),
    "GFDL-1.3-only": License("GFDL-1.3-only", "GNU Free Documentation License 1.3",
                             "https://www.gnu.org/licenses/fdl-1.3.html", "gfdl-only"),
    "GFDL-1.3-or-later": License("GFDL-1.3-or-later",
                                 "GNU Free Documentation License 1.3 or later",
                                 "https://www.gnu.org/licenses/fdl-1.3.html", "gfdl-only"),
    "all-rights-reserved": License("all-rights-reserved", "All rights reserved", "",
                                   "all-rights-reserved"),
})

_CASE_FOLDED = {spdx.lower(): spdx for spdx in LICENSES}
_DEED = re.compile(
    r"^https?://(?:www\.)?creativecommons\.org/(?:licenses/(?P<kind>[a-z-]+)/(?P<v>[\d.]+)"
    r"|publicdomain/(?P<pd>zero|mark)/(?P<pv>[\d.]+))(?:/(?:[a-z_-]+/?)?)?(?:deed\.[a-z_-]+)?$",
    re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s_-]+")
# Words of licence names → the parts of their SPDX ids; words in _NOISE are dropped.
_WORDS = {"creative": "", "commons": "cc", "attribution": "by", "sharealike": "sa",
          "noncommercial": "nc", "noderivatives": "nd", "noderivs": "nd"}
_PAIRS = {("cc", "zero"): "cc0", ("cc", "0"): "cc0", ("share", "alike"): "sa",
          ("non", "commercial"): "nc", ("no", "derivatives"): "nd", ("no", "derivs"): "nd"}
_NOISE = frozenset({"international", "unported", "generic", "license", "licence", "deed",
                    "legalcode", "only"})
_ALIASES = {
    "cc0": "CC0-1.0", "cc-0": "CC0-1.0", "cc0-1.0": "CC0-1.0", "cc-0-1.0": "CC0-1.0",
    "public-domain": "public-domain", "pd": "public-domain", "publicdomain": "public-domain",
    "pdm": "PDM-1.0", "public-domain-mark": "PDM-1.0", "public-domain-mark-1.0": "PDM-1.0",
    "all-rights-reserved": "all-rights-reserved", "©": "all-rights-reserved",
    "(c)": "all-rights-reserved", "copyright": "all-rights-reserved",
    "gfdl": "GFDL-1.2-only", "gfdl-1.2": "GFDL-1.2-only", "gnu-fdl": "GFDL-1.2-only",
    "gfdl-1.2+": "GFDL-1.2-or-later", "gfdl-1.2-or-later": "GFDL-1.2-or-later",
    "gfdl-1.3": "GFDL-1.3-only", "gfdl-1.3+": "GFDL-1.3-or-later",
    "gplv3": "GPL-3.0-only", "gpl-3": "GPL-3.0-only", "gpl-3.0": "GPL-3.0-only",
    "gpl-v3": "GPL-3.0-only", "gnu-gpl-v3": "GPL-3.0-only", "gnu-gplv3": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later", "gpl-3+": "GPL-3.0-or-later", "gpl-3.0+": "GPL-3.0-or-later",
    "gpl-v3+": "GPL-3.0-or-later", "gpl-3.0-or-later": "GPL-3.0-or-later",
    "fal": "FAL-1.3", "fal-1.3": "FAL-1.3", "free-art": "FAL-1.3", "free-art-1.3": "FAL-1.3",
    "lal": "FAL-1.3", "lal-1.3": "FAL-1.3", "art-libre": "FAL-1.3", "art-libre-1.3": "FAL-1.3",
}
_OR = re.compile(r"\s+or\s+", re.IGNORECASE)
_VERSION = re.compile(r"v?(\d+)(\.\d+)?(\+?)")


def _folded(raw: str) -> str:
    """`Creative Commons Attribution-ShareAlike 4.0 International` → `cc-by-sa-4.0`."""
    words = [w for w in _SEPARATORS.split(raw.lower()) if w]
    parts: list[str] = []
    index = 0
    while index < len(words):
        pair = _PAIRS.get((words[index], words[index + 1])) if index + 1 < len(words) else None
        if pair is not None:
            parts.append(pair)
            index += 2
            continue
        word = _WORDS.get(words[index], words[index])
        version = _VERSION.fullmatch(word)
        if version is not None:  # v3 → 3.0, 4 → 4.0, 3+ → 3.0+
            word = f"{version[1]}{version[2] or '.0'}{version[3]}"
        if word and word not in _NOISE:
            parts.append(word)
        index += 1
    text = "-".join(parts)
    return f"cc-{text}" if text.startswith("by-") else text


def normalise(text: str) -> str | None:
    """The SPDX id of a licence written in any common spelling, or None if not recognised."""
    raw = text.strip()
    if raw in LICENSES:
        return raw
    deed = _DEED.match(raw)
    if deed:
        if deed.group("pd"):
            return "CC0-1.0" if deed.group("pd").lower() == "zero" else "PDM-1.0"
        return _CASE_FOLDED.get(f"cc-{deed.group('kind').lower()}-{deed.group('v')}")
    if raw.lower() in _CASE_FOLDED:
        return _CASE_FOLDED[raw.lower()]
    folded = _folded(raw)
    if folded in _CASE_FOLDED:
        return _CASE_FOLDED[folded]
    return _ALIASES.get(folded)


def lookup(text: str) -> License | None:
    spdx = normalise(text)
    return LICENSES.get(spdx) if spdx else None


def alternatives(text: str) -> list[str]:
    """The licences of an SPDX `OR` expression (`CC-BY-SA-3.0 OR GFDL-1.2-or-later`)."""
    return [part.strip().strip("()").strip() for part in _OR.split(text.strip())]


def normalise_expression(text: str) -> str | None:
    """`normalise` for a single licence or an `OR` of licences; None if any is unknown."""
    parts = [normalise(part) for part in alternatives(text)]
    if any(part is None for part in parts):
        return None
    return " OR ".join(part for part in parts if part)


_RANK: dict[Verdict, int] = {"compatible": 0, "unknown": 1, "non-commercial": 2,
                             "no-derivatives": 3, "gfdl-only": 4, "all-rights-reserved": 5}


def verdict(text: str) -> Verdict:
    """May material under this licence (or any one of these alternatives) go in a CC BY-SA
    article? `compatible`, `unknown`, or the reason it may not."""
    found: list[Verdict] = []
    for part in alternatives(text):
        known = lookup(part)
        found.append(known.verdict if known else "unknown")
    return min(found, key=_RANK.__getitem__) if found else "unknown"
