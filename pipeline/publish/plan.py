"""Plan: what changed since the last publish, and which articles depend on it.

An article is checked and rendered again when its file or an image it shows changed, and
so is every article whose links or orphan status that change can alter: the articles that
mention it (its title may be in their links) and those it stopped or started mentioning.
Titles are first guessed from the front matter; `follow_up` names the articles to do again
once the real titles and anchors are known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Config
from pipeline.fsio import read_text
from pipeline.rules.context import mentions_of

if TYPE_CHECKING:
    from pipeline.publish.state import State
    from pipeline.publish.work import Processed

MAX_SCAN = 4 * 1024 * 1024


@dataclass
class Plan:
    """Articles to check and render now; the rest are reused from the previous build."""

    dirty: set[str]  # changed, added, or showing a changed image
    deleted: set[str]
    mentions: dict[str, tuple[str, ...]]  # every article → the slugs its text names
    titles: dict[str, str]  # every article → its title (pre-scanned where dirty)
    work: set[str] = field(default_factory=set)  # dirty plus the articles that depend on them
    processed: set[str] = field(default_factory=set)


def make_plan(paths: dict[str, Path], stats: dict[str, tuple[int, int]],
              images: dict[str, tuple[int, int]], state: State | None) -> Plan:
    known = state.articles if state is not None else {}
    changed_images = ({n for n in set(images) | set(state.images)
                       if images.get(n) != state.images.get(n)} if state else set())
    dirty = {slug for slug in paths if slug not in known or stats[slug] != known[slug].stat
             or set(known[slug].facts.images) & changed_images}
    deleted = set(known) - set(paths)
    mentions = {slug: entry.mentions for slug, entry in known.items() if slug in paths}
    titles = {slug: entry.facts.title for slug, entry in known.items() if slug in paths}
    for slug in sorted(dirty):  # one text at a time: memory does not grow with the corpus
        text = scan_text(paths[slug])
        mentions[slug] = mentions_of(slug, text)
        titles[slug] = title_guess(text) or slug
    plan = Plan(dirty, deleted, mentions, titles)
    plan.work = set(dirty)
    if not dirty and not deleted:
        return plan  # nothing changed: no need for the reverse indexes
    mentioned_by = reverse(mentions)
    old_mentioned_by = reverse({s: e.mentions for s, e in known.items()})
    for slug in dirty | deleted:
        old = known.get(slug)
        if old is None or slug in deleted or old.facts.title != titles.get(slug):
            plan.work |= mentioned_by.get(slug, set()) | old_mentioned_by.get(slug, set())
        before = set(old.mentions) if old else set()
        after = set(mentions.get(slug, ()))
        plan.work |= before ^ after  # their incoming links changed: orphan or not
    plan.work = (plan.work & set(paths)) - deleted
    return plan


def follow_up(found: list[Processed], plan: Plan, state: State | None) -> set[str]:
    """Articles to do again once the real titles and anchors are known."""
    again: set[str] = set()
    mentioned_by = reverse(plan.mentions)
    for processed in found:
        if processed.facts is None:
            continue
        slug = processed.slug
        old = state.articles.get(slug) if state is not None else None
        guessed = plan.titles.get(slug)
        anchors_changed = old is not None and old.facts.anchors != processed.facts.anchors
        if processed.facts.title != guessed or anchors_changed:
            again |= mentioned_by.get(slug, set())
    return again


def reverse(mentions: dict[str, tuple[str, ...]]) -> dict[str, set[str]]:
    """Who mentions each slug."""
    result: dict[str, set[str]] = {}
    for source, targets in mentions.items():
        for target in targets:
            result.setdefault(target, set()).add(source)
    return result


_TITLE = re.compile(r"^title:[ \t]*(?P<value>.*?)[ \t]*$", re.MULTILINE)


def title_guess(text: str) -> str:
    """The title as the front matter most likely writes it; checked after the real parse."""
    head = text[:4096]
    match = _TITLE.search(head)
    if match is None:
        return ""
    value = match.group("value")
    if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) >= 2:
        return value[1:-1].replace("''", "'") if value[0] == "'" else value[1:-1]
    return value


def scan_text(path: Path) -> str:
    """A regular file, and a bounded read: a link to /dev/zero must not hang the scan."""
    return read_text(path, MAX_SCAN) or ""


def stat(path: Path) -> tuple[int, int]:
    """What tells a changed file: modification time and size; (-1, -1) if unreadable."""
    try:
        info = path.stat()
    except OSError:
        return (-1, -1)
    return (info.st_mtime_ns, info.st_size)


def image_stats(config: Config) -> dict[str, tuple[int, int]]:
    folder = config.articles / config.images_dir
    if not folder.is_dir():
        return {}
    return {p.name: stat(p) for p in sorted(folder.iterdir()) if p.is_file()}
