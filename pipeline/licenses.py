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
_WORDS = re.compile(r"[\s_]+")


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
    folded = _WORDS.sub("-", raw.lower()).replace("creative-commons", "cc")
    folded = folded.replace("attribution-sharealike", "by-sa").replace("attribution", "by")
    if folded in _CASE_FOLDED:
        return _CASE_FOLDED[folded]
    if folded in ("cc0", "cc-0", "cc-zero", "cc0-1.0"):
        return "CC0-1.0"
    if folded in ("public-domain", "pd", "publicdomain"):
        return "public-domain"
    if folded in ("all-rights-reserved", "©", "(c)", "copyright"):
        return "all-rights-reserved"
    if folded in ("gfdl", "gfdl-1.2", "gnu-fdl"):
        return "GFDL-1.2-only"
    if folded == "gfdl-1.3":
        return "GFDL-1.3-only"
    return None


def lookup(text: str) -> License | None:
    spdx = normalise(text)
    return LICENSES.get(spdx) if spdx else None
