"""What a rule may know beyond its article: the configuration and the rest of the corpus."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.model import Article


@dataclass
class Corpus:
    """The articles folder, loaded lazily: checking one file does not parse all the others."""

    config: Config
    loaded: dict[str, Article | None] = field(default_factory=dict)
    _files: dict[str, Path] | None = None
    _texts: dict[str, str] = field(default_factory=dict)

    @property
    def files(self) -> dict[str, Path]:
        if self._files is None:
            folder = self.config.articles
            paths = sorted(folder.glob("*.md")) if folder.is_dir() else []
            self._files = {p.name[:-3]: p for p in paths}
        return self._files

    def slugs(self) -> set[str]:
        return set(self.files) | {s for s, a in self.loaded.items() if a is not None}

    def get(self, slug: str) -> Article | None:
        """The article with this slug, loading it on first use; None if missing or broken."""
        if slug not in self.loaded:
            path = self.files.get(slug)
            if path is None:
                return None
            from pipeline.check import display_path
            from pipeline.load import load_file

            self.loaded[slug] = load_file(path, display_path(path), self.config.limits).article
        return self.loaded[slug]

    def text(self, slug: str) -> str:
        """Raw text of an article file ('' when unreadable), for cheap scans."""
        if slug not in self._texts:
            article = self.loaded.get(slug)
            if article is not None:
                self._texts[slug] = "\n".join(article.lines)
            else:
                try:
                    path = self.files[slug]
                    if path.stat().st_size <= self.config.limits.max_file_bytes:
                        self._texts[slug] = path.read_text(encoding="utf-8", errors="replace")
                    else:
                        self._texts[slug] = ""
                except (OSError, KeyError):
                    self._texts[slug] = ""
        return self._texts[slug]


@dataclass
class Context:
    config: Config
    corpus: Corpus

    @property
    def images_folder(self) -> Path:
        return self.config.articles / self.config.images_dir
