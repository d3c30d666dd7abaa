"""A page's title without the site's name ("Best gadgets | ZDNet" -> "Best gadgets")."""

from __future__ import annotations

import re
from typing import Any

# What separates a site's name from the headline in a page's <title>.
_TITLE_SEPARATOR_RE = re.compile(r"\s+(?:[|–—•·»«:]|-{1,2}|::)\s+|\s*\|\s*")


def page_title(document: Any, markdown: str = "") -> str | None:
    """The page's title without its site tag ("Best gadgets | ZDNet" -> "Best gadgets"): the
    part the metadata's site name or domain names goes; with no such part, a headline (h1)
    that is one side of the title is taken for it."""
    title = getattr(document, "title", None) if document is not None else None
    if not title or not title.strip():
        return None
    names = [getattr(document, "sitename", None), getattr(document, "hostname", None)]
    title = strip_site_tag(" ".join(title.split()), [name for name in names if name])
    headline = _first_headline(markdown)
    if headline and headline != title:
        parts = _TITLE_SEPARATOR_RE.split(title)
        if len(parts) >= 2 and _name_key(headline) in (_name_key(parts[0]), _name_key(parts[-1])):
            return headline
    return title


def _first_headline(markdown: str) -> str | None:
    """The text of the extracted page's first h1, when it comes near the top."""
    for line in markdown.split("\n", 40)[:40]:
        if line.startswith("# "):
            return " ".join(line[2:].split()) or None
    return None


def _name_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def strip_site_tag(title: str, site_names: list[str]) -> str:
    """``title`` without a leading or trailing part that names the site.

    A part names the site when it is (or holds) the site name or the main label of its domain
    ("techcrunch.com" -> "techcrunch"). The headline itself is never dropped.
    """
    keys = set()
    for name in site_names:
        keys.add(_name_key(name))
        labels = [label for label in name.casefold().split(".") if label]
        if len(labels) >= 2:  # a host name: its main label ("www.zdnet.com" -> "zdnet")
            main = [label for label in labels[:-1] if label not in {"www", "m", "co", "com"}]
            if main:
                keys.add(_name_key(main[-1]))
    keys = {key for key in keys if len(key) >= 3}
    if not keys:
        return title
    while True:
        parts = _TITLE_SEPARATOR_RE.split(title)
        seps = _TITLE_SEPARATOR_RE.findall(title)
        if len(parts) < 2:
            return title
        last, first = _name_key(parts[-1]), _name_key(parts[0])
        if last and any(key in last for key in keys) and len(parts[-1].split()) <= 4:
            cut = len(title) - len(parts[-1]) - len(seps[-1])
            title = title[:cut].strip()
        elif first and any(key in first for key in keys) and len(parts[0].split()) <= 4:
            title = title[len(parts[0]) + len(seps[0]) :].strip()
        else:
            return title
