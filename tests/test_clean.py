from __future__ import annotations

from summarizer.clean import clean, display_text, normalize_spaces
from summarizer.load import from_text, load_path


def test_seed_structure(seed_text: str) -> None:
    doc = clean(from_text(seed_text))
    assert doc.title == "ByteDance s’allie à Huawei pour entraîner un nouveau modèle d’IA"
    assert doc.blocks[0].kind == "standfirst"
    assert doc.author_tldr[1] == "ByteDance a commandé 100 000 puces Ascend 910B à Huawei."
    assert len(doc.author_tldr) == 3
    assert "Un changement stratégique" in doc.headings
    assert len(doc.headings) == 4
    body = doc.body
    assert "Tl;dr" not in body and "Un changement stratégique" not in body
    for tldr in doc.author_tldr:
        assert tldr not in body
    for block in doc.blocks:
        assert seed_text[block.start : block.end] == block.text


def test_tldr_markers_in_several_languages() -> None:
    for marker in ("TL;DR:", "En bref", "L'essentiel", "In short", "Kurz gesagt", "**TL;DR**"):
        text = f"Title of the piece\n{marker}\n- First fact here.\n- Second fact here.\nBody sentence one. Body two."
        doc = clean(from_text(text))
        assert doc.author_tldr == ("First fact here.", "Second fact here."), marker
        assert "First fact" not in doc.body


def test_inline_tldr_after_colon() -> None:
    doc = clean(from_text("A title\nTL;DR: Prices rose by 5%.\nThe body says more. It goes on."))
    assert doc.author_tldr == ("Prices rose by 5%.",)


def test_markdown_structure(data_dir) -> None:  # type: ignore[no-untyped-def]
    from summarizer.load import load_path

    doc = clean(load_path(data_dir / "article-en.md"))
    assert doc.title == "Open-source router firmware project reaches version 5.0"
    assert doc.headings
    assert all(not h.startswith("#") for h in doc.headings)


def test_hard_wrapped_paragraph_is_one_block() -> None:
    text = (
        "A title for the story\n\n"
        "The company said on Monday that it would expand its\n"
        "network to twelve more cities next year, doubling\n"
        "its coverage.\n\nA second paragraph follows here."
    )
    doc = clean(from_text(text))
    assert len(doc.blocks) == 2
    assert "doubling\nits coverage." in doc.blocks[0].text
    assert doc.headings == ()


def test_single_line_is_content_not_title() -> None:
    doc = clean(from_text("Just one line without a full stop"))
    assert len(doc.blocks) == 1
    assert doc.blocks[0].text == "Just one line without a full stop"


def test_record_title_is_not_repeated_as_body() -> None:
    doc = clean(from_text("My title\nBody sentence is here.", title="My title"))
    assert doc.title == "My title"
    assert doc.body == "Body sentence is here."


def test_blocks_know_their_section(seed_text: str, data_dir) -> None:  # type: ignore[no-untyped-def]
    doc = clean(from_text(seed_text))
    # Standfirst before any heading, then one paragraph under each of the four headings.
    assert [block.section for block in doc.blocks] == [-1, 0, 1, 2, 3]
    markdown = clean(load_path(data_dir / "article-en.md"))
    assert max(block.section for block in markdown.blocks) == len(markdown.headings) - 1
    items = [block for block in markdown.blocks if block.kind == "item"]
    assert items and all(block.section >= 0 for block in items)


def test_normalize_spaces_collapses_every_unicode_space() -> None:
    # Tabs, line breaks, NEL, no-break and ideographic spaces are all whitespace; a zero-width
    # space is invisible and goes without separating the words around it.
    text = "\t Un\u00a0mot\u3000et\x85un\n\r autre\u200b-ci \u2028 "
    assert normalize_spaces(text) == "Un mot et un autre-ci"


def test_display_text_removes_the_markup_present_and_nothing_else() -> None:
    assert display_text("Vraiment ! Un **gros** chiffre") == "Vraiment ! Un gros chiffre"
    assert display_text("snake_case et __gras__ ici") == "snake_case et gras ici"
    assert display_text("Un [lien](https://x.org) et <b>du HTML</b>") == "Un lien et du HTML"
    assert display_text("2 * 3 < 7 !") == "2 * 3 < 7 !"


def test_separators_bylines_dates_and_credits_are_never_headings() -> None:
    paragraph = (
        "The council voted on Thursday to build a tram line to the harbour, a project that "
        "should cost 180 million euros over six years."
    )
    for line in (
        "___",
        "* * *",
        "By Anna Smith",
        "Updated 10:45 AM",
        "November 18, 2019",
        "12/03/2024",
        "AP Photo/Jane Doe",
        "https://example.com/story",
        "Orange avec AFP, publié le 3 juin 2019",
    ):
        text = f"A title for the story\n\n{paragraph}\n\n{line}\n\n{paragraph}\n\nSecond part\n\n{paragraph}"
        assert line not in clean(from_text(text)).headings, line


def test_plain_text_needs_strong_evidence_for_headings() -> None:
    body = "The plant opened on Monday and will employ 300 people from the region next year."
    # One short line alone (a caption, a list entry) is not a section heading.
    one = clean(from_text(f"A title\n\n{body}\n\nTour dates\n\n{body}"))
    assert one.headings == ()
    # A short line over another short line is not one either.
    stacked = clean(from_text(f"A title\n\n{body}\n\nFirst\n\nSecond line here\n\n{body}"))
    assert stacked.headings == ()
    # Two short lines each over a real paragraph are.
    two = clean(
        from_text(f"A title\n\n{body}\n\nThe opening\n\n{body}\n\nWhat comes next\n\n{body}")
    )
    assert two.headings == ("The opening", "What comes next")


def test_html_headings_come_from_the_markup(data_dir) -> None:  # type: ignore[no-untyped-def]
    doc = clean(load_path(data_dir / "page-boilerplate-en.html"))
    assert doc.headings == ("Shipping backlog", "What comes next")
    assert doc.title == "Port strike ends after workers accept a new contract"
    # A short line in the page's paragraphs is not taken for a heading.
    table = clean(load_path(data_dir / "table-layout-en.html"))
    assert table.headings == ()


def test_text_in_angle_brackets_is_kept_and_tags_removed() -> None:
    assert display_text("All browsers support the HTML <dialog> element.") == (
        "All browsers support the HTML <dialog> element."
    )
    assert display_text("Rust's Vec<T> and Java's Map<String, Integer> grow.") == (
        "Rust's Vec<T> and Java's Map<String, Integer> grow."
    )
    assert display_text('A <b>bold</b> <a href="/x">move</a>,<br>then more<br/>text.') == (
        "A bold move, then more text."
    )


def test_angle_brackets_survive_html_extraction() -> None:
    from summarizer import summarize

    page = (
        "<html><head><title>Browsers ship the dialog element</title></head><body><article>"
        "<p>All major browsers now support the HTML &lt;dialog&gt; element, which lets "
        "developers build modal windows without a script library.</p>"
        "<p>The Rust team also changed how Vec&lt;T&gt; grows its buffer, cutting memory use "
        "in programs that push many small items.</p></article></body></html>"
    )
    texts = [bullet.text for bullet in summarize(page, format="html", bullets=2).bullets]
    assert any("the HTML <dialog> element" in text for text in texts)
    assert any("Vec<T> grows" in text for text in texts)


def test_markdown_line_opening_with_markup_keeps_its_text() -> None:
    text = (
        "# Valtrix <em>opens</em> a fab <script>alert(1)</script>\n\n"
        '<img src="fab.jpg" alt="">\n\n'
        '<img src="x.png">Valtrix says its new fab near Dresden opens in 2028.\n\n'
        "The company expects to hire 2,300 people.\n"
    )
    doc = clean(from_text(text, format="markdown"))
    assert doc.title == "Valtrix opens a fab"
    assert [display_text(block.text) for block in doc.blocks] == [
        "Valtrix says its new fab near Dresden opens in 2028.",
        "The company expects to hire 2,300 people.",
    ]


def test_record_title_loses_its_markup() -> None:
    title = "<b>Chips</b> &amp; <i>fabs</i> &#8217;25 &#27;[31m"
    doc = clean(from_text("Body text of the article.", title=title))
    assert doc.title == "Chips & fabs ’25 [31m"
