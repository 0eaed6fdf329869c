"""Diagnostics as plain data, and the catalogue of every rule that can produce one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

Severity = Literal["error", "warning"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning")


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem at one place of one file. Sorting orders by path, then position."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    severity: Severity
    message: str
    hint: str = ""

    def with_severity(self, severity: Severity) -> Diagnostic:
        return replace(self, severity=severity)


@dataclass(frozen=True)
class Rule:
    """A catalogue entry: what a code means, for `pipeline rules` and the rules reference."""

    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    bad: str
    good: str

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")


def _rule(code: str, name: str, severity: Severity, summary: str, why: str,
          bad: str = "", good: str = "") -> Rule:
    return Rule(code, name, severity, summary, why, bad, good)


FAMILIES: dict[str, str] = {
    "SRC": "Reading the file: encoding, size, front matter, YAML",
    "FMT": "Front matter fields, as the schema describes them",
    "MED": "Article structure: the sections each type of article must have",
    "LIC": "Licensing of the article and of every asset it includes",
    "CRD": "Credits: images and their attribution",
    "LNK": "Links between articles and to the web",
    "TRS": "Trustworthy medical content",
    "SEC": "Safety of what contributors write",
    "SUP": "Inline suppressions",
    "PUB": "Publishing: the build folder and the outputs",
}

_FM = "---\ntitle: Asthma\n"

RULES: tuple[Rule, ...] = (
    # -- SRC: reading the file ---------------------------------------------------------------
    _rule("SRC001", "unreadable-file", "error", "The file cannot be read.",
          "A file the pipeline cannot open can be neither checked nor published."),
    _rule("SRC002", "invalid-utf8", "error", "The file is not valid UTF-8.",
          "Articles are UTF-8 text; other encodings turn into garbled pages.",
          "A file saved as Latin-1 with a byte 0xE9 for 'é'.",
          "The same file saved as UTF-8."),
    _rule("SRC003", "file-too-large", "error",
          "The file is larger than the configured limit (`max_file_bytes`).",
          "An article of several megabytes is a mistake or an attack; it would slow every build.",
          "A 10 MB article.", "An article of a few kilobytes."),
    _rule("SRC004", "empty-file", "error", "The file is empty.",
          "An empty article cannot be published.", "", _FM + "...\n"),
    _rule("SRC005", "missing-front-matter", "error",
          "The file does not start with a `---` front matter block.",
          "The front matter carries the title, licence, disclaimer and credits.",
          "## Overview\n", "---\ntitle: Asthma\n...\n---\n## Overview\n"),
    _rule("SRC006", "unterminated-front-matter", "error",
          "The front matter is opened with `---` but never closed.",
          "Without the closing line, the whole article would be read as YAML.",
          "---\ntitle: Asthma\n## Overview\n", "---\ntitle: Asthma\n---\n## Overview\n"),
    _rule("SRC007", "yaml-syntax", "error", "The front matter is not valid YAML.",
          "The front matter must parse before anything in it can be checked.",
          "title: [Asthma\n", "title: Asthma\n"),
    _rule("SRC008", "duplicate-key", "error", "A key appears twice in the same mapping.",
          "YAML keeps the last value silently; the first one is lost without a word.",
          "title: Asthma\ntitle: Asthma in children\n", "title: Asthma in children\n"),
    _rule("SRC009", "yaml-tag", "error", "The front matter uses a YAML tag (`!name`).",
          "Tags can build arbitrary objects; front matter is plain text, lists and mappings.",
          "title: !!python/object:os.system x\n", "title: Asthma\n"),
    _rule("SRC010", "yaml-alias", "error",
          "The front matter uses a YAML anchor or alias (`&name`, `*name`).",
          "Aliases can expand exponentially (\"billion laughs\") and hide where a value comes "
          "from.", "author: &a Jane\nreviewer: *a\n", "author: Jane\nreviewer: Jane\n"),
    _rule("SRC011", "front-matter-not-mapping", "error",
          "The front matter is not a mapping of keys to values.",
          "Fields are looked up by name; a list or a single value has no names.",
          "---\n- title\n- Asthma\n---\n", "---\ntitle: Asthma\n---\n"),
    _rule("SRC012", "too-deeply-nested", "error",
          "The front matter nests lists or mappings deeper than the configured limit.",
          "Deep nesting is never needed for an article and can exhaust the parser.",
          "a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
          "categories: [Immunology]\n"),
    _rule("SRC013", "invalid-file-name", "error",
          "The file name is not a valid slug (`lower-case-words.md`).",
          "The file name becomes the page's address and file name in every output.",
          "articles/Immune Dysregulation.md", "articles/immune-dysregulation.md"),
    _rule("SRC015", "too-much-markdown-nesting", "error",
          "The Markdown nests brackets, emphasis, quotes or lists deeper than the limit.",
          "Pathological nesting is never needed in prose and makes parsers slow.",
          "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[link]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
          "[link](asthma.md)"),
    _rule("SRC016", "line-too-long", "error",
          "A line is longer than the configured limit (`max_line_chars`).",
          "Lines of tens of thousands of characters are pasted data, not prose.",
          "A paragraph of 200,000 characters on one line.", "Prose wrapped into paragraphs."),
    _rule("SRC017", "trailing-whitespace", "warning",
          "A line ends with spaces or tabs (a two-space hard line break is left alone).",
          "Invisible whitespace makes diffs noisy and reviews harder; `--fix` removes it.",
          "Asthma is common.   \n", "Asthma is common.\n"),
    _rule("SRC018", "final-newline", "warning",
          "The file does not end with exactly one line break.",
          "Tools that join or diff files expect one final line break; `--fix` adds or trims.",
          "...\n- [Influenza](influenza.md)", "...\n- [Influenza](influenza.md)\n"),
    # -- FMT: front matter -----------------------------------------------------------------
    _rule("FMT101", "missing-field", "error", "A required front-matter field is missing.",
          "Every article needs its title, type, summary, licence, disclaimer, contributors, "
          "categories and review date.", "---\ntitle: Asthma\n---\n",
          "---\ntitle: Asthma\ntype: condition\n...\n---\n"),
    _rule("FMT102", "invalid-value", "error", "A front-matter value is not one the schema allows.",
          "Values drive rendering and checks; a wrong one breaks both.",
          "type: disease\n", "type: condition\n"),
    _rule("FMT103", "unknown-field", "error",
          "The front matter has a field the schema does not know.",
          "A misspelt field is silently ignored unless it is reported.",
          "titel: Asthma\n", "title: Asthma\n"),
    _rule("FMT104", "wrong-type", "error",
          "A front-matter value has the wrong shape (text, list or mapping).",
          "A list where text is expected (or the reverse) cannot be rendered.",
          "categories: Immunology\n", "categories: [Immunology]\n"),
    _rule("FMT105", "empty-value", "error", "A front-matter value is empty.",
          "An empty title or summary gives an empty page heading or description.",
          "summary:\n", "summary: A long-term condition of the airways.\n"),
    _rule("FMT106", "invalid-date", "error", "`last_reviewed` is not a real date (YYYY-MM-DD).",
          "Readers rely on the review date to judge how current the advice is.",
          "last_reviewed: 2026-02-30\n", "last_reviewed: 2026-02-28\n"),
    _rule("FMT107", "missing-disclaimer", "error",
          "The article has no disclaimer, or one the site does not define.",
          "Every medical article must tell readers it is not a substitute for professional "
          "advice.", "disclaimer: none\n", "disclaimer: medical\n"),
    _rule("FMT108", "missing-contributors", "error",
          "The article names no contributor, or a contributor without a name.",
          "Readers must be able to see who wrote and reviewed the article.",
          "contributors: []\n", "contributors:\n  - name: A. Editor\n    credentials: MD\n"),
    _rule("FMT109", "incomplete-image-credit", "error",
          "An image entry lacks its file, alt text, title, author, source or licence.",
          "Creative Commons licences require title, author, source and licence (TASL); alt text "
          "is needed by readers who cannot see the image.",
          "images:\n  - file: lungs.svg\n", "images:\n  - file: lungs.svg\n    title: Lungs\n"
          "    alt: Diagram of the lungs\n    author: A. Artist\n    source: Own work\n"
          "    license: CC-BY-SA-4.0\n"),
    # -- MED: structure ----------------------------------------------------------------------
    _rule("MED101", "required-section", "error",
          "A section required for this type of article is missing.",
          "Readers find the same information in the same place in every article of a type.",
          "## Overview\n## Symptoms\n", "## Overview\n## Causes\n## Symptoms\n"),
    _rule("MED102", "section-order", "error",
          "A section is out of the order the schema sets for this type of article.",
          "A fixed order makes articles predictable to read and to compare.",
          "## Symptoms\n## Causes\n", "## Causes\n## Symptoms\n"),
    _rule("MED103", "empty-section", "error", "A section has a heading but no content.",
          "An empty section promises information the article does not give.",
          "## Causes\n## Symptoms\n", "## Causes\nGenetic variants...\n## Symptoms\n"),
    _rule("MED104", "duplicate-section", "error", "The same section appears twice.",
          "Two sections of the same name split information and break section links.",
          "## Causes\n...\n## Causes\n", "## Causes\n...\n"),
    _rule("MED105", "unknown-section", "warning",
          "A section is neither required nor optional for this type of article.",
          "Sections outside the schema's list make articles of one type diverge.",
          "## Random thoughts\n", "## Prognosis\n"),
    _rule("MED106", "heading-synonym", "warning",
          "A section heading is a synonym of a canonical one; `--fix` renames it.",
          "One name per section keeps links and navigation consistent.",
          "## Signs and symptoms\n", "## Symptoms\n"),
    _rule("MED107", "text-before-first-section", "error",
          "The body has text before its first `##` section.",
          "All content belongs to a section; the summary lives in the front matter.",
          "Asthma is common.\n## Overview\n", "## Overview\nAsthma is common.\n"),
    _rule("MED108", "level-one-heading", "error",
          "The body uses a `#` level-one heading; the title comes from the front matter.",
          "A page has one title; a second one confuses readers and screen readers.",
          "# Asthma\n", "## Overview\n"),
    _rule("MED109", "placeholder-text", "error",
          "A placeholder left by `pipeline new` has not been replaced.",
          "Placeholders are instructions to the author, not content for readers.",
          "TODO: describe the causes.\n", "Asthma is caused by...\n"),
    # -- LIC: licensing ----------------------------------------------------------------------
    _rule("LIC101", "article-license", "error",
          "The article licence is not CC BY-SA (CC-BY-SA-3.0 or CC-BY-SA-4.0).",
          "The encyclopedia is published under CC BY-SA; every article must be too.",
          "license: CC-BY-NC-4.0\n", "license: CC-BY-SA-4.0\n"),
    _rule("LIC102", "incompatible-image-license", "error",
          "An image's licence does not allow it to be included in a CC BY-SA article.",
          "Everything on a page is republished under CC BY-SA, commercially and with changes; "
          "NC, ND, GFDL-only and all-rights-reserved material forbids one or the other.",
          "images:\n  - file: lungs.svg\n    license: CC-BY-NC-4.0\n",
          "images:\n  - file: lungs.svg\n    license: CC-BY-4.0\n"),
    _rule("LIC103", "unknown-license", "error",
          "An image's licence is not one the licence table knows.",
          "A licence that cannot be identified cannot be shown to allow reuse.",
          "    license: free for educational use\n", "    license: CC-BY-SA-4.0\n"),
    _rule("LIC104", "license-spelling", "warning",
          "A licence is written in a common spelling rather than as its SPDX id.",
          "SPDX ids are unambiguous and are what the site shows and links to; the checker "
          "reads the spelling as the id it names.",
          "license: CC BY-SA 3.0\n", "license: CC-BY-SA-3.0\n"),
    # -- CRD: credits ------------------------------------------------------------------------
    _rule("CRD101", "uncredited-image", "error",
          "The body shows an image that has no entry in the front matter `images:`.",
          "CC licences require the title, author, source and licence of every image (TASL).",
          "![Lungs](images/lungs.svg)\n   # and no `images:` entry for lungs.svg",
          "images:\n  - file: lungs.svg\n    ...\n---\n![Lungs](images/lungs.svg)\n"),
    _rule("CRD102", "unused-credit", "error",
          "An `images:` entry credits a file the body does not show.",
          "A stale credit lists an image readers never see, and often means the body names "
          "the file differently.",
          "images:\n  - file: lungs.svg\n    ...\n---\n## Overview\nNo image here.\n",
          "images:\n  - file: lungs.svg\n    ...\n---\n![Lungs](images/lungs.svg)\n"),
    _rule("CRD103", "missing-image-file", "error",
          "An image the body shows is not in the images folder (`images_dir`).",
          "A missing file is a broken image on the page and in print.",
          "![Lungs](images/lungs.svg)   # articles/images/lungs.svg does not exist",
          "![Lungs](images/lungs.svg)   # articles/images/lungs.svg is committed"),
    _rule("CRD104", "image-outside-folder", "error",
          "An image is referenced from outside the images folder: a URL, an absolute path, "
          "`..` or another folder.",
          "Only files in the images folder are checked, credited and published with the site; "
          "remote images track readers and can change or vanish.",
          "![Lungs](https://example.org/lungs.png)\n![Lungs](../lungs.svg)\n",
          "![Lungs](images/lungs.svg)\n"),
    _rule("CRD105", "duplicate-credit", "error",
          "Two `images:` entries credit the same file.",
          "One of the two credits is wrong, and readers cannot tell which.",
          "images:\n  - file: lungs.svg\n    ...\n  - file: lungs.svg\n    ...\n",
          "images:\n  - file: lungs.svg\n    ...\n"),
    # -- LNK: links --------------------------------------------------------------------------
    _rule("LNK101", "broken-link", "error",
          "An internal link or See Also entry points to an article that does not exist, or is "
          "not written as `slug.md`.",
          "A broken link leads readers to an error page.",
          "[Asthma](asthama.md)\n[Asthma](asthma)\n", "[Asthma](asthma.md)\n"),
    _rule("LNK102", "broken-anchor", "error",
          "A link to a section (`slug.md#anchor` or `#anchor`) names a heading that does not "
          "exist.",
          "The reader lands at the top of the page instead of the section promised.",
          "[treatment](asthma.md#therapy)\n", "[treatment](asthma.md#treatment)\n"),
    _rule("LNK103", "see-also-format", "error",
          "The See Also section holds something other than a list of links to other articles.",
          "See Also is navigation; prose, web links and images belong in other sections.",
          "## See Also\nSee the asthma article.\n- [NHS](https://www.nhs.uk/)\n",
          "## See Also\n- [Asthma](asthma.md)\n"),
    _rule("LNK104", "orphan-article", "warning",
          "No other article links to this one.",
          "Readers can only find an orphan through search; link to it from a related article.",
          "# no article mentions `[...](new-article.md)`",
          "## See Also\n- [New article](new-article.md)   # in a related article"),
    _rule("LNK105", "insecure-link", "warning",
          "An external link uses `http://` (or no scheme) instead of `https://`.",
          "Plain http can be read and altered on the way; most sites serve https.",
          "[NHS](http://www.nhs.uk/)\n", "[NHS](https://www.nhs.uk/)\n"),
    # -- TRS: trustworthy medical content ------------------------------------------------------
    _rule("TRS101", "unrecognised-credentials", "warning",
          "A contributor's credentials are not a recognised professional designation "
          "(extend the list with `credentials = [...]`).",
          "Readers judge advice by who gives it (HONcode: authority); credentials must mean "
          "something they can check.",
          "    credentials: Health guru\n", "    credentials: MD, PhD\n"),
    _rule("TRS102", "review-date-in-future", "error",
          "`last_reviewed` is later than today.",
          "A review date in the future misleads readers about how current the article is.",
          "last_reviewed: 2099-01-01\n", "last_reviewed: 2026-06-01\n"),
    _rule("TRS103", "review-overdue", "warning",
          "The article has not been reviewed for longer than `review_max_age_days` "
          "(default 3 years).",
          "Medical knowledge changes; old advice can be wrong advice (HONcode: date).",
          "last_reviewed: 2019-05-01\n", "last_reviewed: 2026-06-01\n"),
    _rule("TRS104", "promotional-content", "error",
          "The article contains advertising: offers, prices, promo codes, calls to buy, "
          "product plugs.",
          "An encyclopedia article must keep advertising apart from information "
          "(HONcode: honesty in advertising).",
          "Try W8MD's weight loss program. Call now for 20% off!\n",
          "Weight loss can improve blood glucose control.\n"),
    _rule("TRS105", "dose-without-reference", "warning",
          "A drug article states a dose without a reference (an https link in the same "
          "paragraph or list item).",
          "A dose is the most dangerous thing to get wrong; readers must be able to check it "
          "(HONcode: attribution).",
          "Adults usually take 200 to 400 mg every 4 to 6 hours.\n",
          "Adults usually take 200 to 400 mg every 4 to 6 hours "
          "([BNF](https://bnf.nice.org.uk/drugs/ibuprofen/)).\n"),
    # -- SEC: safety ---------------------------------------------------------------------------
    _rule("SEC101", "unsafe-link-scheme", "error",
          "A link or image uses a scheme other than `https:`/`http:` (`javascript:`, `data:`, "
          "`file:`, `vbscript:`, `mailto:`, ...), however it is spelt or encoded.",
          "Such links run code, read local files or leave the web; none belongs in an article.",
          "[click](javascript:alert(1))\n[x](jav&#x61;script:alert(1))\n",
          "[NHS](https://www.nhs.uk/)\n"),
    _rule("SEC102", "raw-html", "error",
          "The body contains raw HTML (HTML comments are allowed).",
          "Raw HTML is removed from the page, so what the author wrote is not what readers "
          "see; it is also how scripts get in.",
          "<span style=\"color:red\">Warning</span>\n", "**Warning**\n"),
    _rule("SEC103", "symlink-outside-repository", "error",
          "An article, or the images folder, is a symbolic link to something outside the "
          "repository (images that lead out of the images folder are CRD104).",
          "A link committed into the articles folder could publish, or hang on, any file of "
          "the machine that builds the site: `/etc/passwd`, a secret, `/dev/zero`.",
          "articles/notes.md -> /home/ci/.ssh/id_rsa\n",
          "articles/notes.md (a file of the repository)\n"),
    _rule("SEC104", "unsafe-file-name", "error",
          "A file name, or a category that becomes one, is longer than `max_slug_chars`, or "
          "names the same output file as another article or category once case and "
          "character width are ignored.",
          "Names that differ only in case or width overwrite each other on case-insensitive "
          "disks and web servers; very long names cannot be written at all.",
          "articles/asthma.md and articles/Asthma.md\n"
          "categories: [Public health]   # and elsewhere [Public Health]\n",
          "articles/asthma.md\ncategories: [Public health]   # spelt the same everywhere\n"),
    _rule("SEC105", "unsafe-image", "error",
          "An image the article shows can run script or load other files (an SVG with "
          "scripts, event handlers, external references or a DOCTYPE), or is larger than "
          "`max_image_bytes`.",
          "Images are published as files of the site: an SVG opened on its own runs its "
          "scripts with the site's address, and entity declarations can blow up any parser "
          "that reads it.",
          "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\">\n",
          "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">...</svg>\n"),
    _rule("SEC106", "markup-in-front-matter", "error",
          "A front-matter value holds HTML markup or a script address (`javascript:`); it "
          "would be shown as plain text.",
          "Front-matter values are text: markup in them is never run, so it reaches readers "
          "as literal tags, and it is how an attack would try to break out of a page.",
          "title: Asthma <script>alert(1)</script>\n", "title: Asthma\n"),
    _rule("SEC107", "control-character", "error",
          "The file holds a control character, a bidirectional override or a Unicode "
          "noncharacter, written directly or as a YAML escape.",
          "These characters are invisible, forbidden in HTML, or reorder what readers see "
          "(\"Trojan Source\"), so the text is not what reviewers approved.",
          "title: \"Aspirin \\u202e 500 mg\"\n", "title: Aspirin\n"),
    _rule("SEC108", "table-too-large", "error",
          "A table has more columns than `max_table_columns` or more cells than "
          "`max_table_cells`.",
          "The print edition lays tables out cell by cell: a small file with a huge table "
          "would take minutes to render, and no reader can use it.",
          "| a | b | c | ... 9,000 columns |\n",
          "| Drug | Usual dose |\n|---|---|\n| Ibuprofen | 200-400 mg |\n"),
    _rule("SEC109", "markdown-too-complex", "error",
          "The body holds more Markdown elements (blocks, inline elements, link reference "
          "definitions) than `max_markdown_elements`.",
          "Checking and rendering grow with the elements: a small file flooded with markers "
          "(thousands of `*`, backticks, comments or definitions) would tie up every build. "
          "The largest bundled article has about 650.",
          "*a*a*a*a*a*a*a*a*a*a ... 19,000 times\n",
          "Prose in paragraphs, lists and tables.\n"),
    # -- SUP: suppressions -----------------------------------------------------------------------
    _rule("SUP101", "suppression-without-reason", "warning",
          "An inline suppression gives no `reason=\"...\"`.",
          "A silenced rule needs a reason that the next editor can weigh.",
          "<!-- pipeline: ignore TRS105 -->\n",
          "<!-- pipeline: ignore TRS105 reason=\"dose quoted from the cited trial\" -->\n"),
    _rule("SUP102", "unused-suppression", "warning",
          "An inline suppression silences nothing: no diagnostic with that code is reported "
          "where it applies.",
          "Stale suppressions would silently hide the next real problem.",
          "<!-- pipeline: ignore LNK105 reason=\"old site\" -->\n[NHS](https://www.nhs.uk/)\n",
          "[NHS](https://www.nhs.uk/)\n"),
    _rule("SUP103", "invalid-suppression", "warning",
          "An inline suppression names an unknown code, a code that cannot be suppressed "
          "(SRC, SUP), or is malformed.",
          "A suppression that names nothing real silences nothing, and hides the mistake.",
          "<!-- pipeline: ignore TRS999 reason=\"...\" -->\n",
          "<!-- pipeline: ignore TRS105 reason=\"...\" -->\n"),
)

PUBLISH_RULES: tuple[Rule, ...] = (
    _rule("PUB001", "publish-locked", "error",
          "Another publish of the same output folder is running.",
          "Two publishes writing one folder at once would mix their outputs."),
    _rule("PUB002", "output-not-writable", "error",
          "The output folder or its staging copy cannot be written (permissions, full disk).",
          "A publish that cannot write all its files must leave the previous build whole."),
    _rule("PUB003", "output-missing-notice", "error",
          "A rendered output lacks the disclaimer, the licence or the attribution.",
          "Every page, JSON document and PDF must carry them, legally and for readers' safety."),
    _rule("PUB004", "render-failed", "error",
          "An article could not be rendered.",
          "A template or renderer fault must stop the publish, not produce a broken page."),
    _rule("PUB005", "unsafe-output-path", "error",
          "A value that becomes a file name would write outside the output folder.",
          "Slugs, image names and categories become paths; none may escape the build."),
)

RULES = RULES + PUBLISH_RULES

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}


def make(path: str, line: int, column: int, code: str, message: str, hint: str = "",
         end_line: int | None = None, end_column: int | None = None) -> Diagnostic:
    """Build a diagnostic for a catalogued code at its default severity."""
    rule = RULES_BY_CODE[code]
    return Diagnostic(
        path=path, line=max(line, 1), column=max(column, 1),
        end_line=max(end_line if end_line is not None else line, 1),
        end_column=max(end_column if end_column is not None else column, 1),
        code=code, name=rule.name, severity=rule.severity, message=message, hint=hint,
    )
