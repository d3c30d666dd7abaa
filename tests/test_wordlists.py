from __future__ import annotations

from helpers import fresh_python

from summarizer import wordlists


def test_stopwords_iso_are_stopwordsisos_own_lists() -> None:
    import stopwordsiso

    lists = wordlists.stopwords_iso()
    assert set(lists) == set(stopwordsiso.langs())
    for code in ("fr", "en", "de", "ja", "ar"):
        assert set(lists[code]) == stopwordsiso.stopwords(code)


def test_justext_folder_holds_the_stop_lists() -> None:
    folder = wordlists.justext_folder()
    assert folder is not None
    assert "the" in (folder / "English.txt").read_text(encoding="utf-8").split()


def test_missing_package_or_file_is_none() -> None:
    assert wordlists.package_path("no_such_package_here", "x") is None
    assert wordlists.package_path("stopwordsiso", "no-such-file.json") is None


def test_lists_are_read_without_importing_the_packages() -> None:
    code = (
        "import sys\n"
        "from summarizer import sentences, langmodel\n"
        "assert 'le' in sentences.stopwords('fr')\n"
        "assert langmodel.model().function_words\n"
        "assert 'stopwordsiso' not in sys.modules and 'justext' not in sys.modules\n"
    )
    fresh_python(code)
