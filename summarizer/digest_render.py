"""Render a Digest as one self-contained HTML page, Markdown or JSON (the same content).

The HTML page comes from a Jinja2 template shipped as package data, with autoescaping on:
every title, bullet and source from the input is text, never markup. Only http(s) URLs become
links; anything else (``javascript:``, ``data:``, paths) is shown as text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from .clean import normalize_spaces
from .digests import Digest, Story, is_date_only
from .errors import UsageError
from .render import DIGEST_FORMATS, to_json

_LANG = re.compile(r"^[a-z]{2,3}$")


def render_digest(digest: Digest, format: str = "html") -> str:
    """The digest in ``format`` (html, markdown or json), ending with a newline."""
    if format == "html":
        return render_html(digest)
    if format == "markdown":
        return render_markdown(digest)
    if format == "json":
        return to_json(digest.to_dict())
    raise UsageError(f"unknown digest format {format!r}; choose from {', '.join(DIGEST_FORMATS)}")


def safe_href(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL with a host, else None (shown as text, not linked)."""
    if not url:
        return None
    text = url.strip()
    if any(ord(c) < 33 for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _lang(code: str) -> str:
    # A lang attribute holds only a language tag; "und" is the tag for "undetermined".
    return code if _LANG.match(code) else "und"


def _when(iso: str | None) -> str | None:
    if not iso:
        return None
    if is_date_only(iso):
        return iso
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    offset = moment.utcoffset()
    if offset is not None and not offset:
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.isoformat(sep=" ", timespec="minutes")


def _stats(digest: Digest) -> str:
    articles = sum(len(story.sources) for story in digest.stories)
    languages = sorted({s.language for story in digest.stories for s in story.sources})
    stories = len(digest.stories)
    text = f"{stories} {'story' if stories == 1 else 'stories'} from {articles} article"
    text += "" if articles == 1 else "s"
    return text + (f" in {len(languages)} languages" if len(languages) > 1 else "")


def _story_view(story: Story) -> dict[str, Any]:
    owner = next((s for s in story.sources if s.source == story.author_tldr_source), None)
    return {
        "label": story.label,
        "label_language": _lang(story.label_language),
        "language": _lang(story.language),
        "languages": [_lang(code) for code in story.languages],
        "latest": story.latest,
        "latest_text": _when(story.latest),
        "bullets": [{"text": b.text, "language": _lang(b.language)} for b in story.bullets],
        "author_tldr": list(story.author_tldr),
        "author_tldr_source": story.author_tldr_source,
        "tldr_language": _lang(owner.language) if owner else "und",
        "keywords": list(story.keywords),
        "sources": [
            {
                "title": s.title,
                "language": _lang(s.language),
                "source": s.source,
                "url": s.url,
                "href": safe_href(s.url),
                "published": s.published,
                "published_text": _when(s.published),
                "id": s.id,
            }
            for s in story.sources
        ],
    }


@cache
def _template() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=PackageLoader("summarizer", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("digest.html.j2")


def render_html(digest: Digest, title: str = "News digest") -> str:
    """One self-contained page: inline CSS, no script, light and dark, a language filter."""
    from . import __version__

    views = [_story_view(story) for story in digest.stories]
    counts = Counter(code for view in views for code in view["languages"])
    languages = sorted(counts, key=lambda code: (-counts[code], code))
    page_language = languages[0] if len(languages) == 1 else "en"
    text: str = _template().render(
        title=title,
        stats=_stats(digest),
        stories=views,
        languages=languages,
        page_language=page_language,
        failures=[
            {"source": f.get("source", "?"), "error": f.get("error", "")} for f in digest.failures
        ],
        version=__version__,
    )
    return text if text.endswith("\n") else text + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_text(text: object) -> str:
    """Input text as literal Markdown: one line, Markdown and HTML characters escaped."""
    return _MD_SPECIAL.sub(r"\\\1", normalize_spaces(str(text)))


def render_markdown(digest: Digest, title: str = "News digest") -> str:
    """The same content as the HTML page, as Markdown (input text escaped)."""
    lines = [f"# {title}", "", f"*{_stats(digest)}*", ""]
    for number, story in enumerate(digest.stories, 1):
        lines += _markdown_story(number, story)
    if digest.failures:
        lines += [f"## Inputs that could not be read ({len(digest.failures)})", ""]
        lines += [
            # An error message names its input already ("feed.jsonl:3: invalid JSON line").
            f"- {md_text(f.get('error') or f.get('source', '?'))}"
            for f in digest.failures
        ]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _markdown_story(number: int, story: Story) -> list[str]:
    """One story's lines: heading, facts, bullets, author's Tl;dr, keywords and sources."""
    view = _story_view(story)
    lines = [f"## {number}. {md_text(story.label)}"]
    meta = [f"{len(story.sources)} source{'' if len(story.sources) == 1 else 's'}"]
    if view["latest_text"]:
        meta.append(view["latest_text"])
    meta.append(", ".join(view["languages"]))
    lines += ["", "*" + " · ".join(meta) + "*", ""]
    lines += [f"- {md_text(b.text)}" for b in story.bullets]
    if story.bullets:
        lines.append("")
    if story.author_tldr:
        lines.append(f"> Author's Tl;dr ({md_text(story.author_tldr_source)}):")
        lines += [f"> - {md_text(line)}" for line in story.author_tldr]
        lines.append("")
    if story.keywords:
        lines += ["Keywords: " + ", ".join(md_text(k) for k in story.keywords), ""]
    lines += ["Sources:", ""]
    lines += [_markdown_source(source) for source in view["sources"]]
    lines.append("")
    return lines


def _markdown_source(source: Mapping[str, Any]) -> str:
    """One source as a list item: a link (or its name), language, date, input and id."""
    name = md_text(source["title"] or source["url"] or source["source"])
    href = str(source["href"] or "").replace("<", "%3C").replace(">", "%3E")
    entry = f"[{name}](<{href}>)" if href else name
    extra = [source["language"]]
    if source["published_text"]:
        extra.append(source["published_text"])
    if not source["href"]:
        extra.append(md_text(source["source"]))
    if source["id"]:
        extra.append(f"id {md_text(source['id'])}")
    return f"- {entry} ({', '.join(extra)})"
