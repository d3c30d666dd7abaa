from __future__ import annotations

from collections.abc import Sequence

import pytest

from summarizer.abstractive import (
    DEFAULT_PROMPT,
    check_template,
    language_name,
    pack,
    parse_bullets,
    render_prompt,
)

# Outputs of the kind chat and seq2seq models really produce.
MESSY = [
    (
        "Sure! Here are 3 bullet points summarizing the article:\n\n"
        "1. **ByteDance** will train a model on Huawei chips.\n"
        "2. The deal covers 100 000 Ascend chips.\n"
        "3. US export rules block NVIDIA H20 sales.\n\n"
        "Let me know if you need anything else!",
        [
            "ByteDance will train a model on Huawei chips.",
            "The deal covers 100 000 Ascend chips.",
            "US export rules block NVIDIA H20 sales.",
        ],
    ),
    (
        "Voici un résumé en 3 points :\n• ByteDance s'allie à Huawei.\n•Le contrat porte sur 2,5 milliards.\n",
        ["ByteDance s'allie à Huawei.", "Le contrat porte sur 2,5 milliards."],
    ),
    (
        "- Huawei supplies the chips\n- The model is trained\n  in China.\n* A third point.",
        ["Huawei supplies the chips", "The model is trained in China.", "A third point."],
    ),
    (
        "ByteDance will train its model on Huawei chips. The US blocks NVIDIA exports.",
        ["ByteDance will train its model on Huawei chips.", "The US blocks NVIDIA exports."],
    ),
    (
        "**Summary**\n\nByteDance partners with Huawei.\nThe deal is worth $1.5 billion.",
        ["ByteDance partners with Huawei.", "The deal is worth $1.5 billion."],
    ),
    (
        "<think>The user wants bullets in French.</think>\n1) Premier fait.\n2) Deuxième fait.",
        ["Premier fait.", "Deuxième fait."],
    ),
    (
        "```\n- One fact.\n- One fact.\n- Another fact.\n```",
        ["One fact.", "Another fact."],
    ),
    (
        "TL;DR\n(1) Prices rose 5 %.\n(2) -5 % is not a marker here.",
        ["Prices rose 5 %.", "-5 % is not a marker here."],
    ),
    (
        "- Key facts:\n- 1.5 million users signed up.\n- Sales fell.",
        ["1.5 million users signed up.", "Sales fell."],
    ),
    ("- Le contrat est sign\ufffd.", ["Le contrat est sign."]),
    ("", []),
    ("Here is the summary:", []),
]


@pytest.mark.parametrize(("raw", "expected"), MESSY)
def test_parse_messy_outputs(raw: str, expected: list[str]) -> None:
    assert parse_bullets(raw, "en") == expected


def test_parse_drops_unfinished_last_bullet_when_cut_off() -> None:
    raw = "- First fact.\n- Second fact is cut o"
    assert parse_bullets(raw, "en", cut_off=True) == ["First fact."]
    assert parse_bullets(raw, "en") == ["First fact.", "Second fact is cut o"]


def test_parse_splits_a_chinese_paragraph_into_sentences() -> None:
    assert parse_bullets("电动车续航八百公里。价格下降。", "zh") == [
        "电动车续航八百公里。",
        "价格下降。",
    ]


def _words(texts: Sequence[str]) -> list[int]:
    return [len(t.split()) for t in texts]


def test_pack_fits_budget_and_keeps_order() -> None:
    pieces = [f"w{i} " * n for i, n in enumerate([3, 4, 2, 5, 1, 6])]
    packed = pack([p.strip() for p in pieces], _words, 8)
    assert all(n <= 8 for n in _words(packed.chunks))
    assert " ".join(packed.chunks).split() == " ".join(pieces).split()
    assert not packed.truncated


def test_pack_remeasures_joined_chunks() -> None:
    # A counter where joining costs extra: the chunk is re-split to fit.
    def count(texts: Sequence[str]) -> list[int]:
        return [len(t.split()) * 2 - 1 if " " in t else 1 for t in texts]

    packed = pack(["a", "b", "c", "d"], count, 3)
    assert all(n <= 3 for n in count(packed.chunks))
    assert "".join(packed.chunks).replace(" ", "") == "abcd"


def test_pack_reports_truncation_past_max_chunks() -> None:
    packed = pack(["a b c"] * 10, _words, 3, max_chunks=4)
    assert packed.chunks == ("a b c",) * 4 and packed.truncated


def test_prompt_renders_and_checks_templates() -> None:
    prompt = render_prompt(DEFAULT_PROMPT, article="Texte.", bullets=4, language="fr")
    assert "4 bullet points" in prompt and "French" in prompt and prompt.endswith("Texte.")
    assert language_name("xx") == "the same language as the article"
    check_template("Résume en {bullets} points ({language_code}) : {article} {{json}}")
    with pytest.raises(ValueError, match="article"):
        check_template("no placeholder")
    with pytest.raises(ValueError, match="placeholders"):
        check_template("{article} {unknown}")


def test_parse_drops_control_characters_a_model_emits() -> None:
    raw = "- Prices rose\x15 by 5%.\n- The \x1b[31mboard\x1b[0m resigned.\u200b"
    bullets = parse_bullets(raw, "en")
    assert bullets == ["Prices rose by 5%.", "The [31mboard[0m resigned."]
    assert not any(ch < " " for bullet in bullets for ch in bullet)


def test_parse_removes_inline_html_a_model_writes() -> None:
    raw = "- <strong>ByteDance</strong> utilise des puces de <b>Huawei</b>.\n- Un <em>fait</em>."
    assert parse_bullets(raw, "fr") == ["ByteDance utilise des puces de Huawei.", "Un fait."]
    assert parse_bullets("- Le seuil est 3 < 5 et 7 > 2.", "fr") == ["Le seuil est 3 < 5 et 7 > 2."]
