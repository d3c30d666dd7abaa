"""Story grouping on small hand-written multilingual sets (tests/data/stories/)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from summarizer.stories import StoryInput, clean_title, features, group, parse_time

DATA = Path(__file__).parent / "stories"


def feed() -> tuple[list[str], list[StoryInput]]:
    rows = [json.loads(line) for line in (DATA / "feed.jsonl").read_text("utf-8").splitlines()]
    languages = {"fr", "en", "de", "zh"}
    items = []
    for row in rows:
        suffix = row["id"].rsplit("-", 1)[-1]
        language = suffix if suffix in languages else row["id"].split("-")[1]
        if language not in languages:
            language = "fr"
        items.append(
            StoryInput(
                row["title"], row.get("text", "")[:300], language, parse_time(row["published"])
            )
        )
    return [row["id"] for row in rows], items


def named(groups: list[list[int]], ids: list[str]) -> list[set[str]]:
    return [{ids[i] for i in members} for members in groups]


def test_same_story_in_four_languages_is_one_story() -> None:
    ids, items = feed()
    stories = named(group(items), ids)
    assert {"chips-fr", "chips-en", "chips-de", "chips-zh"} in stories


def test_two_stories_sharing_a_company_name_stay_apart() -> None:
    ids, items = feed()
    stories = named(group(items), ids)
    assert {"phone-en", "phone-fr"} in stories
    chips = next(s for s in stories if "chips-en" in s)
    assert not chips & {"phone-en", "phone-fr"}


def test_a_story_split_across_days_stays_one_story() -> None:
    ids, items = feed()
    stories = named(group(items), ids)
    strike = next(s for s in stories if "strike-fr-1" in s)
    assert {"strike-fr-2", "strike-en", "titles-only"} <= strike


def test_articles_far_apart_in_time_are_different_stories() -> None:
    day = datetime(2025, 3, 1, tzinfo=timezone.utc)
    later = datetime(2025, 6, 1, tzinfo=timezone.utc)
    items = [
        StoryInput("SNCF strike: 60% of TGV trains cancelled on Thursday", "", "en", day),
        StoryInput("SNCF strike: 60% of TGV trains cancelled on Thursday", "", "en", later),
    ]
    assert len(group(items)) == 2
    assert len(group(items, window=None)) == 1


def test_unknown_and_invalid_dates_do_not_break_grouping() -> None:
    assert parse_time("yesterday") is None
    assert parse_time(None) is None
    assert parse_time(20250304) is None
    assert parse_time("2025-03-04").tzinfo is not None  # type: ignore[union-attr]
    items = [
        StoryInput("Huawei unveils Mate 80 smartphone with satellite messaging", "", "en", None),
        StoryInput(
            "Huawei dévoile le smartphone Mate 80 et sa messagerie par satellite",
            "",
            "fr",
            parse_time("2025-03-04T11:45:00Z"),
        ),
    ]
    assert group(items) == [[0, 1]]


def test_grouping_is_deterministic_and_does_not_depend_on_reading_order() -> None:
    ids, items = feed()
    first = named(group(items), ids)
    assert named(group(items), ids) == first
    order = list(range(len(items)))
    random.Random(3).shuffle(order)
    shuffled = named(group([items[i] for i in order]), [ids[i] for i in order])
    # Articles are taken in publication order: the same stories whatever the input order.
    assert sorted(map(sorted, shuffled)) == sorted(map(sorted, first))


def test_empty_and_title_only_inputs() -> None:
    assert group([]) == []
    assert group([StoryInput("")]) == [[0]]


def test_anchors_survive_translation() -> None:
    from summarizer.stories import _places

    places = _places(frozenset({"fr", "en", "de", "ru"}))
    _, en = features(StoryInput("Chip plant in Germany costs €9.4bn", "", "en"), places)
    _, fr = features(StoryInput("Une usine en Allemagne à 9,4 milliards", "", "fr"), places)
    _, ru = features(StoryInput("Завод в Германии", "", "ru"), places)
    assert "place:DE" in en and "place:DE" in fr and "place:DE" in ru
    assert "num:9.4billion" in fr
    _, zh = features(StoryInput("华为昇腾910B芯片", "", "zh"), places)
    assert "code:910b" in zh
    _, latin = features(StoryInput("Simone Biles withdraws", "", "en"), places)
    _, cyrillic = features(StoryInput("Симона Байлз снялась", "", "ru"), places)
    assert {f for f in latin if f.startswith("name:")} & {
        f for f in cyrillic if f.startswith("name:")
    }


def test_names_after_an_elision_or_with_a_possessive_and_vowel_heavy_names() -> None:
    from summarizer.stories import _places

    places = _places(frozenset({"fr", "en"}))
    _, fr = features(StoryInput("Le pari d’Huawei sur l’Ascend", "", "fr"), places)
    _, en = features(StoryInput("Huawei's bet on Ascend chips", "", "en"), places)
    names = {f for f in en if f.startswith("name:")}
    # "Huawei" (skeleton "hw") is a name too; "d’Huawei" and "Huawei's" are the same name.
    assert "name:huawei" in names and names <= set(fr)
    # A place is counted once, as a place, not also as a name.
    _, tokyo = features(StoryInput("Record in Tokyo", "", "en"), places)
    assert "place:Asia/Tokyo" in tokyo and not any(f.startswith("name:tk") for f in tokyo)


def test_site_names_are_cut_from_titles() -> None:
    assert (
        clean_title("Huawei unveils Mate 80 smartphone - Le Monde")
        == "Huawei unveils Mate 80 smartphone"
    )
    assert clean_title("Short - Title") == "Short - Title"


def test_a_loosely_worded_follow_up_joins_only_within_hours() -> None:
    start = datetime(2025, 4, 2, 9, tzinfo=timezone.utc)

    def grouped(hours_later: float) -> list[list[int]]:
        items = [
            StoryInput("Storm Ciara cuts power to thousands of homes in Brittany", "", "en", start),
            StoryInput(
                "Engineers work through the night as homes in Rennes remain without power",
                "",
                "en",
                start + timedelta(hours=hours_later),
            ),
            StoryInput("Central bank keeps interest rates on hold", "", "en", start),
            StoryInput("New electric car battery factory opens near Lyon", "", "en", start),
        ]
        return group(items)

    # Reports of one event come in bursts: half an hour later, little overlap is enough...
    assert [0, 1] in grouped(0.5)
    # ...twelve hours later the same overlap is not (it may be another event on the topic).
    assert [0] in grouped(12) and [1] in grouped(12)


def test_cjk_compatibility_ideographs_are_read_as_cjk() -> None:
    # U+F900-U+FAFF (as sentences reads them): character bigrams, not one long "word".
    title = "\u83ef\u70ba\uf900\uf901\u8eca"
    lexical, _ = features(StoryInput(title, "", "zh"), {})
    assert "zh:\uf900\uf901" in lexical and "zh:\uf901\u8eca" in lexical
