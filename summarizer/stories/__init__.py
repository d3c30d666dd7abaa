"""Story grouping: which articles report the same event, whatever their language.

An article is read as its title (without a site's name after it or a wire desk's slug before it,
"UPDATE 1-Olympics-Swimming-") and lead. A hyphenated compound counts as its words ("Jong-un" as
"Jong Un", "Tokyo-2020" as "Tokyo 2020"); an elided article or pronoun is cut in the languages
that elide ("l'Europe", "qu'Intel", "Val-d'Oise"; see summarizer.elision) and a possessive
everywhere ("Biles's"), while a letter and an apostrophe opening a name stay ("O'Neill",
"D'Angelo"). Each article becomes two sparse TF-IDF vectors:

* a *lexical* one (stemmed content words of its title and lead, stop words removed, a word's
  first letters standing for its stem where Snowball has no stemmer), compared only with
  articles in the same language;
* an *anchor* one, made of what survives translation: names (folded to ASCII with anyascii and
  reduced to a consonant key so that "Biles", "Байлз" and "Bails" meet), numbers with their
  units, product codes such as ``910B`` or ``H20``, countries and cities mapped to one
  identifier through CLDR's localized names (Babel) and the short forms the press writes (US,
  U.S., UK, Team GB), at half weight cognates (the consonant key of each longer word's stem:
  olympic/olympique, history/historique), and concepts of general news vocabulary from a lexicon
  shipped as package data (earthquake/séisme/Erdbeben, gold/d'or/золото), looked up through each
  language's stemmer; a word of the lexicon counts by its concept, not also by its cognate.

A name is a word in mixed case (iPhone) or in capitals (IOC), or a capitalised word. Where a
capital says little (a headline in title case, "Biles Withdraws From Team Final"; German, whose
nouns are capitalised) a capitalised word is a name only if the feed never writes it in lower
case and wordfreq does not show it to be a word of the language (common there, and rare or
missing in some other language: "Team", "Final"; a name is about as common in every one:
"Paris", "Biles"). In a script without capitals (Arabic), a word rarer than the language's
common words is a name; Latin words with a capital inside CJK text are names.

Articles are taken in publication order (unknown dates last, then by content) and each joins the
existing story whose centroid it is most similar to, if that similarity clears a threshold and
the story was active within ``window`` hours; otherwise it starts a new story. The threshold is
lowest for an article published with the story's nearest one and rises over a few hours: reports
of one event come in bursts. Stories whose centroids are close are then merged, at a bar that
also rises with the time between them; it starts lower for two stories with no language in
common, which meet only by their anchors (reports of one event in two languages come out
together). One pass decides with the stories as they were when each article came, so a few
rounds follow in which each article, taken out of its story, moves to the story that now clears
its bar by the most (as a k-means step does), until none moves. Candidate stories come from an
inverted index over features (very common features and concepts are not indexed), so the cost
grows with the number of articles, not with its square; and the result depends only on the
items, not on their order.
"""

from .features import features, lowercase_words
from .grouping import KIND_WEIGHTS, group
from .names import COGNATE_LETTERS
from .story import (
    BLOCK,
    CANDIDATES,
    LATE_THRESHOLD,
    MERGE_THRESHOLD,
    REFINE_ROUNDS,
    SETTLE_HOURS,
    THRESHOLD,
    WINDOW_HOURS,
)
from .text import StoryInput, clean_title, fold, normalize_language, parse_time

__all__ = [
    "BLOCK",
    "CANDIDATES",
    "COGNATE_LETTERS",
    "KIND_WEIGHTS",
    "LATE_THRESHOLD",
    "MERGE_THRESHOLD",
    "REFINE_ROUNDS",
    "SETTLE_HOURS",
    "THRESHOLD",
    "WINDOW_HOURS",
    "StoryInput",
    "clean_title",
    "features",
    "fold",
    "group",
    "lowercase_words",
    "normalize_language",
    "parse_time",
]
