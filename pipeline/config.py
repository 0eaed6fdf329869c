"""`[tool.pipeline]` in `pyproject.toml` as a typed, validated configuration."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.diagnostics import SEVERITIES, Severity


class ConfigError(Exception):
    """The configuration is unusable; the command line exits with 2."""


STATE_FOLDER = ".pipeline-cache"  # in the project: the publishes' state, the title cache
MAX_YAML_DEPTH = 256  # beyond this, YAML nesting is refused whatever the configuration


@dataclass(frozen=True)
class Limits:
    """Bounds on what one article may make the pipeline do."""

    max_file_bytes: int = 1_048_576
    max_line_chars: int = 20_000
    max_yaml_depth: int = 16
    max_markdown_indent: int = 96
    max_markdown_nesting: int = 32
    max_markdown_elements: int = 10_000  # blocks, inline elements, definitions (SEC109)
    max_slug_chars: int = 100  # article and category file names (SEC104)
    max_table_columns: int = 20  # per table (SEC108)
    max_table_cells: int = 1_000  # per table: the PDF lays out about 500 cells a second
    max_image_bytes: int = 10_485_760  # per image file (SEC105)
    max_image_pixels: int = 40_000_000  # width times height of a raster image (SEC105)


@dataclass(frozen=True)
class Config:
    root: Path
    articles: Path
    schema: Path
    templates: Path
    images_dir: str = "images"
    base_url: str = "https://encyclopedia.example.org/"
    site_name: str = "Open Medical Encyclopedia"
    language: str = "en-GB"
    page_size: str = "A4"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    review_max_age_days: int = 3 * 365
    reference_max_age_years: int = 10  # older sources are a warning (REF107)
    credentials: tuple[str, ...] = ()  # designations recognised besides the built-in list
    scheduler: str | None = None  # a Dask scheduler's address: publish on its cluster
    books: tuple[str, ...] = ()  # categories published as print books (print/books/)
    search_shard_pages: int = 500  # pages per search-index shard, on average at most
    limits: Limits = Limits()

    def is_enabled(self, code: str, path: str) -> bool:
        """Select/ignore by code prefix; the longest matching prefix wins, as in flake8."""
        best_select = max((len(p) for p in self.select if code.startswith(p)), default=-1)
        best_ignore = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        if self.select and best_select < 0:
            return False
        if best_ignore > best_select:
            return False
        for pattern, prefixes in self.per_file_ignores.items():
            if _path_matches(path, pattern) and any(code.startswith(p) for p in prefixes):
                return False
        return True

    def severity_of(self, code: str, default: Severity) -> Severity:
        best = max((p for p in self.severity if code.startswith(p)), key=len, default=None)
        return self.severity[best] if best is not None else default


def _path_matches(path: str, pattern: str) -> bool:
    from fnmatch import fnmatch

    return fnmatch(path, pattern) or fnmatch(Path(path).name, pattern)


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` with a pyproject.toml, else `start` itself."""
    for folder in (start, *start.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return start


def load_config(start: Path | None = None) -> Config:
    root = find_root((start or Path.cwd()).resolve())
    table: dict[str, Any] = {}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"{pyproject}: {error}") from error
        table = data.get("tool", {}).get("pipeline", {})
    return config_from_table(root, table)


_PATHS = {"articles": "articles", "schema": "schemas/article.schema.json",
          "templates": "templates"}


def config_from_table(root: Path, table: dict[str, Any]) -> Config:
    table = {key.replace("-", "_"): value for key, value in table.items()}
    known = {f.name for f in fields(Config)} - {"root"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"[tool.pipeline]: unknown setting(s): {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, default in _PATHS.items():
        values[name] = root / _text(table, name, default)
    for name in ("images_dir", "base_url", "site_name", "language", "page_size", "scheduler"):
        if name in table:
            values[name] = _text(table, name, "")
    for name in ("select", "ignore", "credentials", "books"):
        if name in table:
            values[name] = tuple(_text_list(table[name], name))
    if "severity" in table:
        values["severity"] = _severities(table["severity"])
    if "per_file_ignores" in table:
        raw = table["per_file_ignores"]
        if not isinstance(raw, dict):
            raise ConfigError("[tool.pipeline] per-file-ignores must be a table")
        values["per_file_ignores"] = {str(k): tuple(_text_list(v, f"per-file-ignores.{k}"))
                                      for k, v in raw.items()}
    if "review_max_age_days" in table:
        values["review_max_age_days"] = _positive_int(table["review_max_age_days"],
                                                      "review-max-age-days")
    if "reference_max_age_years" in table:
        values["reference_max_age_years"] = _positive_int(table["reference_max_age_years"],
                                                          "reference-max-age-years")
    if "search_shard_pages" in table:
        values["search_shard_pages"] = _positive_int(table["search_shard_pages"],
                                                     "search-shard-pages")
    if "limits" in table:
        values["limits"] = _limits(table["limits"])
    if not values.get("base_url", "/").endswith("/"):
        values["base_url"] = values["base_url"] + "/"
    return Config(root=root, **values)


def _text(table: dict[str, Any], name: str, default: str) -> str:
    value = table.get(name, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"[tool.pipeline] {name} must be a non-empty string")
    return value


def _text_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"[tool.pipeline] {name} must be a list of strings")
    return list(value)


def _positive_int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"[tool.pipeline] {name} must be a positive integer")
    return value


def _severities(value: Any) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError("[tool.pipeline] severity must be a table of code = severity")
    result: dict[str, Severity] = {}
    for code, severity in value.items():
        if severity not in SEVERITIES:
            raise ConfigError(f"[tool.pipeline] severity.{code} must be 'error' or 'warning'")
        result[str(code)] = severity
    return result


def _limits(value: Any) -> Limits:
    if not isinstance(value, dict):
        raise ConfigError("[tool.pipeline] limits must be a table")
    known = {f.name for f in fields(Limits)}
    cleaned = {k.replace("-", "_"): v for k, v in value.items()}
    unknown = sorted(set(cleaned) - known)
    if unknown:
        raise ConfigError(f"[tool.pipeline.limits]: unknown setting(s): {', '.join(unknown)}")
    limits = Limits(**{k: _positive_int(v, f"limits.{k}") for k, v in cleaned.items()})
    if limits.max_yaml_depth > MAX_YAML_DEPTH:
        raise ConfigError(f"[tool.pipeline.limits] max_yaml_depth must be at most "
                          f"{MAX_YAML_DEPTH} (the loader's own ceiling)")
    return limits


def today(environ: Mapping[str, str] | None = None) -> date:
    """Today's date, or the day SOURCE_DATE_EPOCH names (UTC), for reproducible builds and
    tests: the one "today" of the review-date rules, the publish fingerprint and `new`. A
    value that is not a number of seconds is a configuration error (exit 2)."""
    import os
    from datetime import UTC, datetime

    raw = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return date.today()
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC).date()
    except (ValueError, OverflowError, OSError) as error:
        raise ConfigError(f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds since 1970 "
                          f"({error})") from error
