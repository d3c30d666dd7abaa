"""Digest: stories from summaries and records, rendering, escaping, the CLI command."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from summarizer import Digest, digest, group_stories, make_options, summarize_file
from summarizer.cli import cli
from summarizer.digest_render import render_digest, render_html, render_markdown, safe_href

ROOT = Path(__file__).parent.parent
DATA = Path(__file__).parent / "data"
STORIES = Path(__file__).parent / "stories"


@pytest.fixture(scope="module")
def feed_digest() -> Digest:
    return digest([str(STORIES / "feed.jsonl")], make_options(), jobs=1)


def test_digest_groups_the_feed_into_stories(feed_digest: Digest) -> None:
    ids = [{s.id for s in story.sources} for story in feed_digest.stories]
    assert {"chips-fr", "chips-en", "chips-de", "chips-zh"} in ids
    assert {"phone-en", "phone-fr"} in ids
    # Ordered by number of sources: the two four-source stories first.
    assert [len(story.sources) for story in feed_digest.stories] == [4, 4, 2]
    assert not feed_digest.failures


def test_titles_only_record_is_a_source_without_bullets(feed_digest: Digest) -> None:
    strike = next(s for s in feed_digest.stories if any(x.id == "titles-only" for x in s.sources))
    source = next(x for x in strike.sources if x.id == "titles-only")
    assert source.bullets == 0 and source.language == "fr"
    assert source.published == "2025-03-05T19:00:00+00:00"
    assert all(b.source != source.source for b in strike.bullets)


def test_story_bullets_do_not_repeat_a_fact_and_keep_provenance(feed_digest: Digest) -> None:
    for story in feed_digest.stories:
        texts = [b.text for b in story.bullets]
        assert len(texts) == len(set(texts))
        sources = {s.source for s in story.sources}
        for bullet in story.bullets:
            assert bullet.source in sources
            assert bullet.language == story.language
            assert bullet.sentence is not None and bullet.start is not None
    chips = next(s for s in feed_digest.stories if any(x.id == "chips-en" for x in s.sources))
    # Three articles say Huawei delivers before the end of the year: said once.
    assert sum("Huawei" in b.text and ("liefern" in b.text) for b in chips.bullets) <= 1
    assert 3 <= len(chips.keywords) <= 8


def test_prefer_language_picks_bullets_and_label(feed_digest: Digest) -> None:
    records = [
        {
            "source": "a",
            "title": "ByteDance orders 100,000 Ascend 910B chips from Huawei",
            "language": {"code": "en"},
            "bullets": [{"text": "ByteDance ordered 100,000 Ascend 910B chips."}],
        },
        {
            "source": "b",
            "title": "ByteDance commande 100 000 puces Ascend 910B à Huawei",
            "language": {"code": "fr"},
            "bullets": [{"text": "ByteDance a commandé 100 000 puces Ascend 910B."}],
        },
    ]
    (story,) = group_stories(records, prefer_language="fr")
    assert story.language == "fr" and story.label.startswith("ByteDance commande")
    assert [b.language for b in story.bullets] == ["fr"]
    (story,) = group_stories(records, prefer_language="en")
    assert story.language == "en"


def test_digest_is_the_same_whatever_jobs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(STORIES / "feed.jsonl", folder / "feed.jsonl")
    for name in ("article-en.md", "battery-recycling-en.txt", "smartphone-reparation-fr.txt"):
        shutil.copy(DATA / name, folder / name)
    one = render_digest(digest([str(folder)], make_options(), jobs=1), "json")
    two = render_digest(digest([str(folder)], make_options(), jobs=2), "json")
    assert one == two
    assert render_digest(digest([str(folder)], make_options(), jobs=1), "html") == render_digest(
        digest([str(folder)], make_options(), jobs=1), "html"
    )


def test_hostile_text_is_escaped_in_html_and_markdown() -> None:
    result = digest(
        [str(STORIES / "hostile.md"), str(STORIES / "hostile.jsonl")], make_options(), jobs=1
    )
    page = render_html(result)
    assert not re.search(r"<script", page, re.I)
    assert not re.search(r"<img", page, re.I)
    assert all(
        href.startswith(("http://", "https://")) for href in re.findall(r'href="([^"]*)"', page)
    )
    assert "javascript:window.__digestPwned=6" in page  # shown as text
    assert "&lt;script&gt;" in page
    markdown = render_markdown(result)
    # Markdown shows a backslash-escaped "<" as the character: no raw tag is left.
    assert not re.search(r"(?<!\\)<(script|img|/script)", markdown, re.I)
    assert "](javascript" not in markdown and "(<javascript" not in markdown


def test_safe_href_links_only_http() -> None:
    assert safe_href("https://example.com/a?b=1") == "https://example.com/a?b=1"
    assert safe_href("javascript:alert(1)") is None
    assert safe_href(" JavaScript:alert(1)") is None
    assert safe_href("data:text/html,<script>") is None
    assert safe_href("http://") is None
    assert safe_href("https://exa mple.com") is None


def test_json_digest_matches_its_schema(feed_digest: Digest) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((Path(__file__).parent.parent / "docs" / "digest.schema.json").read_text())
    data = json.loads(render_digest(feed_digest, "json"))
    jsonschema.validate(data, schema)
    assert data["articles"] == 10


def test_markdown_and_json_carry_the_same_content(feed_digest: Digest) -> None:
    markdown = render_markdown(feed_digest)
    data = json.loads(render_digest(feed_digest, "json"))
    for story in data["stories"]:
        assert story["label"] in markdown.replace("\\", "")
        for bullet in story["bullets"]:
            assert bullet["text"] in markdown.replace("\\", "")


def test_cli_digest_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "digest.html"
    result = CliRunner().invoke(cli, ["digest", str(STORIES / "feed.jsonl"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh"' in page
    assert "<link" not in page and "<script" not in page and "@import" not in page


def test_cli_digest_reports_failures_and_keeps_going(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": 3}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["digest", str(bad), str(STORIES / "feed.jsonl"), "-f", "json"]
    )
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert len(data["failures"]) == 2 and data["articles"] == 10
    everything_bad = CliRunner().invoke(cli, ["digest", str(bad), "-f", "json", "-q"])
    assert everything_bad.exit_code == 3


def test_cli_digest_rejects_a_bad_preferred_language() -> None:
    result = CliRunner().invoke(
        cli, ["digest", str(STORIES / "feed.jsonl"), "--prefer-language", "xx1"]
    )
    assert result.exit_code == 2


def test_html_pages_are_dated_from_their_metadata_and_grouped_across_languages() -> None:
    pages = [str(STORIES / "fibre-en.html"), str(STORIES / "fibre-fr.html")]
    (story,) = digest(pages, make_options(), jobs=1).stories
    assert {s.language for s in story.sources} == {"en", "fr"}
    assert {s.published for s in story.sources} == {
        "2025-03-06T07:45:00+00:00",
        "2025-03-06T09:10:00+00:00",
    }
    assert story.latest == "2025-03-06T09:10:00+00:00"
    (french,) = group_stories(
        [s.to_dict() | {"bullets": []} for s in story.sources], prefer_language="fr"
    )
    assert french.label.startswith("Fibre : Orange")


def test_digest_of_standard_input_keeps_titles_only_records_and_dates() -> None:
    feed = (STORIES / "feed.jsonl").read_bytes()
    result = CliRunner().invoke(cli, ["digest", "-", "-f", "json", "-q"], input=feed)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["articles"] == 10 and not data["failures"]
    sources = [s for story in data["stories"] for s in story["sources"]]
    assert all(s["published"] for s in sources)


def test_plain_records_without_a_language_are_grouped_by_their_detected_language() -> None:
    records = [
        {
            "title": "SNCF strike: 60% of TGV trains cancelled on Thursday",
            "published": "2025-03-05T20:00:00Z",
        },
        {
            "title": "Grève à la SNCF : 60 % des TGV annulés jeudi",
            "lang": "fr",
            "published": "2025-03-05T18:00:00Z",
        },
        {
            "title": "Huawei unveils Mate 80 smartphone with satellite messaging",
            "published": "2025-03-04T09:00:00Z",
        },
    ]
    stories = group_stories(records)
    assert [len(s.sources) for s in stories] == [2, 1]
    assert {s.language for s in stories[0].sources} == {"en", "fr"}
    assert all(not s.bullets for s in stories)


def test_a_date_without_a_time_stays_a_date() -> None:
    records = [
        {"title": "Regional rail strike enters its second day", "published": "2025-03-05"},
        {"title": "Chip plant opens near Dresden", "published": "2025-03-04T15:00:00+01:00"},
    ]
    result = group_stories(records)
    when = {s.sources[0].title: s.sources[0].published for s in result}
    assert when["Regional rail strike enters its second day"] == "2025-03-05"
    assert when["Chip plant opens near Dresden"] == "2025-03-04T15:00:00+01:00"
    page = render_html(Digest(stories=tuple(result)))
    assert ">2025-03-05</time>" in page and "2025-03-05 00:00" not in page


def test_distinct_facts_of_one_article_all_stay() -> None:
    # The seed's three bullets state three facts; words they share (ByteDance, puces, utiliser)
    # do not make one a repeat of another.
    seed = ROOT / "examples" / "bytedance-huawei-fr.txt"
    summary = summarize_file(str(seed), keywords=False)
    titles_only = {"title": "ByteDance mise sur les puces Huawei", "language": "fr"}
    stories = group_stories([summary, titles_only])
    assert len(stories) == 1
    assert [b.text for b in stories[0].bullets] == [b.text for b in summary.bullets]
