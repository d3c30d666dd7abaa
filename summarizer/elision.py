"""Elided articles and pronouns glued to the next word ("l’Europe", "d’IA", "qu’Intel",
"dell’Italia"): the word is what remains. Keywords and story grouping share this one rule.

French, Italian, Catalan and Occitan elide a short word before a vowel or a mute h. English
and the other languages do not, and there a letter and an apostrophe open a name: "O’Neill",
"D’Angelo", "N’Golo" stay whole, as they do in French text ("N’Golo": no elision before a
consonant). In an eliding language a capitalised elision is one at the start of a sentence
("L’Américaine", after "Tokyo 2020 :"), or before a word in lower case or in capitals
("L’équipe", "L’ONU"); elsewhere "D’Angelo" and "L’Oréal" are names and stay whole.
"""

from __future__ import annotations

import re

# The languages that elide articles and pronouns with an apostrophe; "und" (unknown) is
# read as one of them, as the older rule did for every text.
ELIDING_LANGUAGES = frozenset({"fr", "it", "ca", "oc", "und"})

# French (c d j l m n s t, qu and its compounds), Italian (l d c s m t v n, un, the articulated
# prepositions dell/dall/nell/sull/all/coll, quest/quell) and Catalan (l d m n s t), before a
# vowel or h. Case is looked at by unelide.
_ELISION = re.compile(
    r"^(?:[cdjlmnstv]|qu|jusqu|lorsqu|puisqu|quoiqu|un|dell|dall|nell|sull|all|coll"
    r"|quest|quell)['’](?=[aeiouyhàáâãäåæèéêëìíîïòóôõöœùúûüýÿ])",
    re.IGNORECASE,
)


def unelide(token: str, language: str = "und", *, opening: bool = False) -> str:
    """``token`` without an elided article or pronoun before it, in a language that elides.

    ``opening``: the token starts a sentence or a headline, where a capital says nothing.
    """
    if language not in ELIDING_LANGUAGES or ("'" not in token and "’" not in token):
        return token
    match = _ELISION.match(token)
    if match is None:
        return token
    rest = token[match.end() :]
    if token[0].islower() or opening or not rest[:1].isupper():
        return rest
    # A capitalised elision inside a sentence: only before a word in capitals ("L’ONU");
    # before a capitalised word it opens a name ("D’Angelo", "L’Oréal").
    letters = [c for c in rest if c.isalpha()]
    return rest if len(letters) >= 2 and all(c.isupper() for c in letters) else token
