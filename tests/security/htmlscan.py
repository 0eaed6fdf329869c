"""What would run in a browser: every executable construct of an HTML page or fragment.

Used on section HTML (JSON API), on whole pages (fuzzing) and on what the browser test
reads back. The page's one `<script type="application/ld+json">` is data, so its text must
be JSON; the site's own search box and the search page's own `search.js` (templates/, trusted)
are allowed in whole pages; any other script, event handler, script URL, plug-in or frame,
form, `<base>`, refresh or CSS that can load or run something is a finding.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data",
                            "poster", "background", "lowsrc", "dynsrc", "cite", "longdesc",
                            "srcset", "ping", "manifest", "codebase", "archive", "icon"})
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:")
FORBIDDEN_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet",
                            "base", "form", "button", "input", "textarea", "select",
                            "style", "svg", "math", "template", "noscript", "xmp",
                            "portal", "fencedframe"})
_LINK_RELATIONS = frozenset({"stylesheet", "canonical", "license", "alternate"})
# The site's own search box (templates/base.html) is the one form a page may hold: a GET to
# the search page with one search field and a submit button. Anything else is a finding.
_SEARCH_FORM = {"form": lambda v: v.get("action", "").endswith("search.html")
                and v.get("method", "get").lower() == "get",
                "input": lambda v: v.get("type") == "search" and v.get("name") == "q",
                "button": lambda v: v.get("type") == "submit"}
_CSS_THREATS = re.compile(r"url\s*\(|expression\s*\(|@import|javascript:|behavior\s*:",
                          re.IGNORECASE)
_URL_NOISE = re.compile(r"[\x00-\x20]")


def url_scheme_is_script(value: str) -> bool:
    """Whether a URL attribute (entities already decoded) runs script: browsers drop tabs and
    line breaks anywhere and control characters at the start, then compare the scheme."""
    return _URL_NOISE.sub("", value).lower().startswith(SCRIPT_SCHEMES)


class _Scanner(HTMLParser):
    def __init__(self, page: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page  # a whole page may have its JSON-LD block, head links and metas
        self.findings: list[str] = []
        self.json_ld: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            if self.page and values.get("type") == "application/ld+json" and len(values) == 1:
                self._script = []
            elif self.page and set(values) == {"src", "defer"} and (
                    values["src"] == "search.js" or values["src"].endswith("/search.js")):
                pass  # the search page's own script (templates/search.js)
            else:
                self.findings.append(f"<script {values}>")
        elif tag in FORBIDDEN_TAGS and not (self.page and tag in _SEARCH_FORM
                                            and _SEARCH_FORM[tag](values)):
            self.findings.append(f"<{tag}>")
        elif tag == "meta" and ("http-equiv" in values or not self.page):
            self.findings.append(f"<meta {values}>")
        elif tag == "link" and (not self.page or not set(values.get("rel", "").split())
                                <= _LINK_RELATIONS):
            self.findings.append(f"<link {values}>")
        for name, value in values.items():
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}=...> event handler")
            elif name in URL_ATTRIBUTES and url_scheme_is_script(value):
                self.findings.append(f"<{tag} {name}={value!r}> script URL")
            elif name == "style" and _CSS_THREATS.search(value):
                self.findings.append(f"<{tag} style={value!r}>")
            elif name == "srcdoc":
                self.findings.append(f"<{tag} srcdoc>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.json_ld.append("".join(self._script))
            self._script = None


def executable_constructs(markup: str, page: bool = False) -> list[str]:
    """Everything in `markup` that could run, load or submit something; [] when safe."""
    scanner = _Scanner(page)
    scanner.feed(markup)
    scanner.close()
    findings = list(scanner.findings)
    for text in scanner.json_ld:
        try:
            json.loads(text)
        except ValueError as error:
            findings.append(f"JSON-LD block is not JSON: {error}")
    if page and len(scanner.json_ld) > 1:
        findings.append("more than one JSON-LD block")
    return findings
