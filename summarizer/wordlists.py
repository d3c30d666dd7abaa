"""Per-language word lists that dependencies ship, read as the data files they are.

stopwordsiso's stop words serve the sentence stage (similarity) and language identification
(function words); justext's stop lists serve language identification. Importing those packages
costs more than reading their files: stopwordsiso looks up its own version through
importlib.metadata (about 20 ms, a tenth of a batch's start-up) and justext pulls in lxml's HTML
cleaner. So the files are found without importing the packages; should a package's layout ever
change, stopwordsiso's own API is used instead.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path


def package_path(package: str, name: str) -> Path | None:
    """``name`` inside an installed package's folder, without importing it; None if absent."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / name
    return path if path.exists() else None


@cache
def stopwords_iso() -> dict[str, tuple[str, ...]]:
    """stopwordsiso's lists: ISO 639-1 code -> its stop words."""
    path = package_path("stopwordsiso", "stopwords-iso.json")
    if path is not None:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return {str(code): tuple(words) for code, words in data.items()}
    import stopwordsiso

    return {code: tuple(sorted(stopwordsiso.stopwords(code))) for code in stopwordsiso.langs()}


def justext_folder() -> Path | None:
    """justext's folder of per-language stop lists (``English.txt``...), if installed."""
    path = package_path("justext", "stoplists")
    return path if path is not None and path.is_dir() else None
