"""What a rule may know beyond its article: the configuration and the rest of the corpus."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.config import Config, today
from pipeline.load import SLUG, article_files
from pipeline.model import Article

# `slug.md` wherever it is written: a link, a See Also entry, a reference definition.
MENTION = re.compile(rf"(?<![a-z0-9-])({SLUG.pattern})\.md(?![a-z0-9])")
_MD = re.compile(r"\.md(?![a-z0-9])")


def mentions_in(text: str) -> list[str]:
    """The slugs `MENTION.findall(text)` finds, found faster: from each `.md`, backwards. A
    match can only start where the run of slug characters before `.md` starts (the
    look-behind allows no other start), and only if that whole run is a slug; matches do not
    overlap. Runs lie between dots, so each character is looked at once."""
    found: list[str] = []
    end = 0
    for hit in _MD.finditer(text):
        start = begin = hit.start()
        while begin > 0 and text[begin - 1] in _SLUG_CHARS:
            begin -= 1
        if begin >= end and SLUG.fullmatch(text, begin, start):
            found.append(text[begin:start])
            end = hit.end()
    return found


_SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def mentions_of(slug: str, text: str) -> tuple[str, ...]:
    """The other articles the text of `slug` names, each once, sorted."""
    return tuple(sorted({found for found in mentions_in(text) if found != slug}))


@dataclass
class Corpus:
    """The articles folder, loaded lazily: checking one file does not parse all the others."""

    config: Config
    loaded: dict[str, Article | None] = field(default_factory=dict)
    _files: dict[str, Path] | None = None
    _texts: dict[str, str] = field(default_factory=dict)
    _mentions: dict[str, set[str]] | None = None

    @property
    def files(self) -> dict[str, Path]:
        if self._files is None:
            self._files = {p.name[:-3]: p for p in article_files(self.config.articles)}
        return self._files

    def slugs(self) -> set[str]:
        return set(self.files) | {s for s, a in self.loaded.items() if a is not None}

    def exists(self, slug: str) -> bool:
        """Whether an article with this slug is in the corpus (without building `slugs()`)."""
        return slug in self.files or self.loaded.get(slug) is not None

    def mentioned_by(self, slug: str) -> set[str]:
        """Slugs of the other articles whose raw text names `slug.md`. Every file is scanned
        once, on first use, as text: nothing is parsed, and no text is kept."""
        if self._mentions is None:
            mentions: dict[str, set[str]] = {}
            for source in self.files:
                text = self._texts.get(source)
                for target in set(mentions_in(text if text is not None
                                                   else self._read(source))):
                    if target != source:
                        mentions.setdefault(target, set()).add(source)
            self._mentions = mentions
        return self._mentions.get(slug, set())

    def set_mentions(self, mentions: dict[str, set[str]]) -> None:
        """Use an index already built (target → the slugs whose text names it)."""
        self._mentions = mentions

    def is_mentioned(self, slug: str, likely: tuple[str, ...] = ()) -> bool:
        """Whether another article's text names `slug.md`. Without a prepared index (a check
        of a few files), files are read until the first one that does, the `likely` ones
        (the articles this one links to, which often link back) first: no index is built."""
        if self._mentions is not None:
            return bool(self._mentions.get(slug))
        needle = f"{slug}.md"
        order = [s for s in likely if s in self.files] + list(self.files)
        for source in dict.fromkeys(order):
            if source == slug:
                continue
            text = self._texts.get(source)
            text = text if text is not None else self._read(source)
            if needle in text and slug in mentions_in(text):
                return True
        return False

    def get(self, slug: str) -> Article | None:
        """The article with this slug, loading it on first use; None if missing or broken."""
        if slug not in self.loaded:
            path = self.files.get(slug)
            if path is None:
                return None
            from pipeline.fsio import display_path
            from pipeline.load import load_file

            self.loaded[slug] = load_file(path, display_path(path), self.config.limits).article
        return self.loaded[slug]

    def text(self, slug: str) -> str:
        """Raw text of an article file ('' when unreadable), for cheap scans."""
        if slug not in self._texts:
            self._texts[slug] = self._read(slug)
        return self._texts[slug]

    def _read(self, slug: str) -> str:
        article = self.loaded.get(slug)
        if article is not None:
            return "\n".join(article.lines)
        from pipeline.load import read_regular_file

        try:  # a regular file, read only up to the limit: never a link to /dev/zero or a FIFO
            limit = self.config.limits.max_file_bytes
            data = read_regular_file(self.files[slug], limit)
            if len(data) <= limit:
                return data.decode("utf-8", errors="replace")
        except (OSError, KeyError):
            pass
        return ""


@dataclass
class Context:
    config: Config
    corpus: Corpus
    today: date = field(default_factory=lambda: today())  # for review dates

    @property
    def images_folder(self) -> Path:
        return self.config.articles / self.config.images_dir
