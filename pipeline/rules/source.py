"""SRC: reading the file — encoding, size, front matter, YAML, nesting, file name, long lines.

These problems stop (or precede) parsing, so the loader (`pipeline.load`) reports them while it
reads the file: their rules have no check of their own. SRC017 and SRC018 (whitespace, which
`--fix` repairs) are rules on the loaded article, in `pipeline.rules.structure`.
"""

from __future__ import annotations

from pipeline.diagnostics import Rule

_FM = "---\ntitle: Asthma\n"

RULES: tuple[Rule, ...] = (
    Rule("SRC001", "unreadable-file", "error", "The file cannot be read.",
         "A file the pipeline cannot open can be neither checked nor published."),
    Rule("SRC002", "invalid-utf8", "error", "The file is not valid UTF-8.",
         "Articles are UTF-8 text; other encodings turn into garbled pages.",
         "A file saved as Latin-1 with a byte 0xE9 for 'é'.",
         "The same file saved as UTF-8."),
    Rule("SRC003", "file-too-large", "error",
         "The file is larger than the configured limit (`max_file_bytes`).",
         "An article of several megabytes is a mistake or an attack; it would slow every build.",
         "A 10 MB article.", "An article of a few kilobytes."),
    Rule("SRC004", "empty-file", "error", "The file is empty.",
         "An empty article cannot be published.", "", _FM + "...\n"),
    Rule("SRC005", "missing-front-matter", "error",
         "The file does not start with a `---` front matter block.",
         "The front matter carries the title, licence, disclaimer and credits.",
         "## Overview\n", "---\ntitle: Asthma\n...\n---\n## Overview\n"),
    Rule("SRC006", "unterminated-front-matter", "error",
         "The front matter is opened with `---` but never closed.",
         "Without the closing line, the whole article would be read as YAML.",
         "---\ntitle: Asthma\n## Overview\n", "---\ntitle: Asthma\n---\n## Overview\n"),
    Rule("SRC007", "yaml-syntax", "error", "The front matter is not valid YAML.",
         "The front matter must parse before anything in it can be checked.",
         "title: [Asthma\n", "title: Asthma\n"),
    Rule("SRC008", "duplicate-key", "error", "A key appears twice in the same mapping.",
         "YAML keeps the last value silently; the first one is lost without a word.",
         "title: Asthma\ntitle: Asthma in children\n", "title: Asthma in children\n"),
    Rule("SRC009", "yaml-tag", "error", "The front matter uses a YAML tag (`!name`).",
         "Tags can build arbitrary objects; front matter is plain text, lists and mappings.",
         "title: !!python/object:os.system x\n", "title: Asthma\n"),
    Rule("SRC010", "yaml-alias", "error",
         "The front matter uses a YAML anchor or alias (`&name`, `*name`).",
         "Aliases can expand exponentially (\"billion laughs\") and hide where a value comes "
         "from.", "author: &a Jane\nreviewer: *a\n", "author: Jane\nreviewer: Jane\n"),
    Rule("SRC011", "front-matter-not-mapping", "error",
         "The front matter is not a mapping of keys to values.",
         "Fields are looked up by name; a list or a single value has no names.",
         "---\n- title\n- Asthma\n---\n", "---\ntitle: Asthma\n---\n"),
    Rule("SRC012", "too-deeply-nested", "error",
         "The front matter nests lists or mappings deeper than the configured limit.",
         "Deep nesting is never needed for an article and can exhaust the parser.",
         "a: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
         "categories: [Immunology]\n"),
    Rule("SRC013", "invalid-file-name", "error",
         "The file name is not a valid slug (`lower-case-words.md`).",
         "The file name becomes the page's address and file name in every output.",
         "articles/Immune Dysregulation.md", "articles/immune-dysregulation.md"),
    Rule("SRC015", "too-much-markdown-nesting", "error",
         "The Markdown nests brackets, emphasis, quotes or lists deeper than the limit.",
         "Pathological nesting is never needed in prose and makes parsers slow.",
         "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[link]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
         "[link](asthma.md)"),
    Rule("SRC016", "line-too-long", "error",
         "A line is longer than the configured limit (`max_line_chars`).",
         "Lines of tens of thousands of characters are pasted data, not prose.",
         "A paragraph of 200,000 characters on one line.", "Prose wrapped into paragraphs."),
)
