"""Hostile inputs: every kind gives a result or one clean error line; never a traceback or a hang.

The corpus is generated here (big inputs included) so that nothing large is committed. Each
kind runs through ``summarizer summarize`` exactly as a user would run it, and through the
library, where only ``SummarizerError`` may escape.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import summarizer
from summarizer import load, sentences
from summarizer.cli import cli
from summarizer.errors import DecodeError, InputError, SummarizerError
from summarizer.similarity import centrality, tfidf_vectors

DATA = Path(__file__).parent / "data"
FR = (DATA / "smartphone-reparation-fr.txt").read_text(encoding="utf-8")
EN = (DATA / "battery-recycling-en.txt").read_text(encoding="utf-8")
RU = (DATA / "kosmicheskiy-zapusk-ru.txt").read_text(encoding="utf-8")
ZH = (DATA / "dianche-zh.txt").read_text(encoding="utf-8")

# Written for the project: short news items in languages the tests data has none of.
AR = (
    "أعلنت شركة ناشئة في تونس عن إطلاق تطبيق جديد لإدارة استهلاك الكهرباء في المنازل. "
    "يعتمد التطبيق على عدادات ذكية ترسل البيانات إلى الهاتف كل خمس دقائق. "
    "وتقول الشركة إن المستخدمين وفروا نحو عشرين بالمئة من فواتيرهم خلال فترة التجربة. "
    "ومن المتوقع أن يتوسع المشروع إلى مدن أخرى في العام المقبل.\n"
)
HE = (
    "חברת הזנק מחיפה הציגה השבוע רחפן חדש לניטור שדות חקלאיים. "
    "הרחפן מצלם את הגידולים ומזהה מחלות בעלים בעזרת בינה מלאכותית. "
    "לדברי החברה, החקלאים שהשתתפו בניסוי חסכו כשליש מכמות חומרי ההדברה. "
    "החברה מתכננת להתחיל במכירות בשנה הבאה.\n"
)
# Esperanto and Toki Pona: langdetect has a profile for neither.
EO = (
    "Nova fervojo inter du urboj malfermiĝis hieraŭ matene. La trajnoj veturas je tricent "
    "kilometroj hore kaj uzas nur elektron el suna energio. Laŭ la kompanio, la vojaĝo nun "
    "daŭras malpli ol unu horon. Multaj vojaĝantoj diris, ke ili ne plu uzos la aviadilon.\n"
)
TOKI_PONA = (
    "jan pali li pali e ilo sin. ilo ni li ken toki kepeken toki mute. jan mute li wile "
    "kepeken ilo ni lon tomo pali. tenpo kama la jan pali li wile pana e ilo tawa ma ante.\n"
)
PARA = (
    "<p>La société a présenté un processeur destiné aux centres de données, plus sobre que "
    "le précédent de {n} pour cent selon ses mesures.</p>\n"
)
ARTICLE_HTML = (
    "<html><head><title>Un processeur plus sobre</title></head><body><article><h1>Un "
    "processeur plus sobre</h1>{body}</article></body></html>"
)

# A section front: navigation, a cookie banner, links to other pages, a footer; no article.
NO_ARTICLE_HTML = """<html><head><title>Tech — Accueil</title></head><body>
<nav><ul><li><a href="/">Accueil</a></li><li><a href="/tech">Tech</a></li></ul></nav>
<div class="cookie">Nous utilisons des cookies pour améliorer votre expérience.
<button>Accepter</button></div>
<aside><h3>Articles populaires</h3><ul><li><a href="/a">Un nouveau processeur</a></li>
<li><a href="/b">La fibre arrive</a></li></ul></aside>
<footer>© 2026 Exemple Média. Tous droits réservés. <a href="/mentions">Mentions</a></footer>
</body></html>
"""


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _varied_text(n_chars: int) -> str:
    """Distinct sentences (a repeated paragraph would be too easy on the scorer)."""
    words = FR.split()
    out: list[str] = []
    size = i = 0
    while size < n_chars:
        sentence = " ".join(words[(i * 7 + k * 13) % len(words)] for k in range(14))
        sentence = f"{sentence.capitalize().rstrip('.')} {i}. "
        out.append(sentence)
        size += len(sentence)
        i += 1
    return "".join(out)


def _mixed_endings() -> bytes:
    lines = FR.splitlines()
    endings = ["\r\n", "\n", "\r"]
    return "".join(line + endings[i % 3] for i, line in enumerate(lines)).encode()


Builder = Callable[[Path], Path]


def _file(name: str, data: bytes | str) -> Builder:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return build


def _built(name: str, make: Callable[[], bytes | str]) -> Builder:
    def build(folder: Path) -> Path:
        return _file(name, make())(folder)

    return build


def _symlink_loop(folder: Path) -> Path:
    a, b = folder / "a.txt", folder / "b.txt"
    a.symlink_to(b)
    b.symlink_to(a)
    return a


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.txt"
    os.mkfifo(path)
    return path


def _directory(folder: Path) -> Path:
    path = folder / "folder.txt"
    path.mkdir()
    return path


OK = None  # expectation: a summary with bullets
# kind -> (builder, None for a summary or a pattern the one-line error must match)
CORPUS: dict[str, tuple[Builder, str | None]] = {
    "empty": (_file("empty.txt", b""), "no text"),
    "whitespace-only": (_file("blank.txt", " \n\t\r\n\u3000\u00a0 \n"), "no text"),
    "single-word": (_file("word.txt", "Bonjour"), OK),
    "sentence-1mb-no-punctuation": (_built("long.txt", lambda: "mot " * 262_144), OK),
    "line-1mb-no-space": (_built("token.txt", lambda: "a" * 1_048_576), OK),
    "text-50mb": (_built("big.txt", lambda: _varied_text(50 * 2**20)), OK),
    "png": (_built("image.png", _png), "binary"),
    "png-named-txt": (_built("image.txt", _png), "binary"),
    "gzip": (_built("article.txt.gz", lambda: gzip.compress(FR.encode(), mtime=0)), "binary"),
    "pdf": (_file("paper.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "PDF"),
    "nul-bytes": (_file("nul.txt", b"Un texte\x00\x00\x00 avec des octets nuls."), "binary"),
    "random-binary": (_built("noise.txt", lambda: bytes(range(256)) * 64), "binary"),
    "invalid-utf8": (_built("bad.txt", lambda: FR.encode() + b"\xff\xfe\xc3(\xa0\xa1"), OK),
    "truncated-utf8": (_built("cut.txt", lambda: FR.encode()[:-1] + "é".encode()[:1]), OK),
    "utf16-le-bom": (_built("le.txt", lambda: b"\xff\xfe" + FR.encode("utf-16-le")), OK),
    "utf16-be-bom": (_built("be.txt", lambda: b"\xfe\xff" + FR.encode("utf-16-be")), OK),
    "utf16-le-no-bom": (_built("le2.txt", lambda: FR.encode("utf-16-le")), OK),
    "utf16-be-no-bom": (_built("be2.txt", lambda: FR.encode("utf-16-be")), OK),
    "utf16-le-no-bom-cyrillic": (_built("ru.txt", lambda: RU.encode("utf-16-le")), OK),
    "utf32-bom": (_built("u32.txt", lambda: b"\xff\xfe\x00\x00" + EN.encode("utf-32-le")), OK),
    "latin-1": (
        _built("latin1.txt", lambda: FR.replace("’", "'").encode("latin-1", "replace")),
        OK,
    ),
    "cp1252": (
        _built("cp1252.txt", lambda: ("« Œuvre » coûte 5 € — " + FR).encode("cp1252", "replace")),
        OK,
    ),
    "mixed-line-endings": (_built("endings.txt", _mixed_endings), OK),
    "zero-width-and-bidi": (
        _built("zw.txt", lambda: FR.replace(" ", " \u200b").replace("e", "e\u202e\u2066")),
        OK,
    ),
    "terminal-escapes": (
        _built("ansi.txt", lambda: FR.replace(". ", ".\x1b[2J\x1b]0;pwned\x1b\\ ")),
        OK,
    ),
    "arabic": (_file("ar.txt", AR), OK),
    "hebrew": (_file("he.txt", HE), OK),
    "cjk-no-spaces-no-punctuation": (
        _built("zh.txt", lambda: "".join(ch for ch in ZH if ch.isalnum()) * 40),
        OK,
    ),
    # Was quadratic: every piece cut to one character (300 kB took minutes).
    "combining-marks-zalgo": (
        _built("zalgo.txt", lambda: "Texte " + "e\u0301\u0302\u0303" * 100_000),
        OK,
    ),
    "emoji-zwj-sequences": (
        _built("family.txt", lambda: "👩\u200d👩\u200d👧 " * 50_000),
        "no sentence",
    ),
    "initials-only": (_built("initials.txt", lambda: "a. " * 100_000), OK),
    "emoji-only": (_file("emoji.txt", "😀😃😄 🎉🎉 👍\n🚀🚀🚀"), "no sentence"),
    "numbers-only": (_file("numbers.txt", "12 345 67,8\n3.14 2.71 42\n"), "no sentence"),
    "punctuation-only": (_file("punct.txt", "... !!! ??? — ;;; ::"), "no sentence"),
    "code-as-article": (
        _file(
            "code.txt",
            "import os\n\ndef main(argv):\n    for name in argv:\n        print(os.path.basename(name))\n\nif __name__ == '__main__':\n    main(sys.argv)\n",
        ),
        OK,
    ),
    "markup-only-html": (
        _file("markup.html", "<html><body><div><span></span><br/></div></body></html>"),
        "no article text",
    ),
    "html-no-article": (_file("nav.html", NO_ARTICLE_HTML), "no article text"),
    "html-nested-100k": (
        _built(
            "deep.html",
            lambda: (
                "<html><body>"
                + "<div>" * 100_000
                + "<p>Une phrase au fond.</p>"
                + "</div>" * 100_000
                + "</body></html>"
            ),
        ),
        "no article text|HTML",
    ),
    "html-20mb": (
        _built(
            "huge.html",
            lambda: ARTICLE_HTML.format(body="".join(PARA.format(n=i) for i in range(140_000))),
        ),
        OK,
    ),
    "html-20mb-of-script": (
        _built(
            "scripted.html",
            lambda: (
                "<html><body><script>"
                + "var x = 1;\n" * 2_000_000
                + "</script>"
                + ARTICLE_HTML.format(body="".join(PARA.format(n=i) for i in range(12)))
            ),
        ),
        OK,
    ),
    "html-unclosed-scripts": (
        _built(
            "unclosed.html",
            lambda: (
                ARTICLE_HTML.format(body="".join(PARA.format(n=i) for i in range(12)))
                + "<script>" * 200_000
            ),
        ),
        OK,
    ),
    "script-only-page": (
        _file(
            "script.html",
            "<html><head><script>document.write('<p>Bonjour le monde</p>')</script></head><body><script>alert(1)</script></body></html>",
        ),
        "no article text",
    ),
    "html-entity-bomb": (
        _file(
            "laughs.html",
            '<!DOCTYPE html [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
            + ARTICLE_HTML.format(
                body="<p>Un mot &f; puis la suite de la phrase, assez longue pour compter.</p>"
                + PARA.format(n=3)
            ),
        ),
        OK,
    ),
    "html-external-entity": (
        _file(
            "xxe.html",
            '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + ARTICLE_HTML.format(
                body="<p>Le secret est &x; et la phrase continue encore un peu.</p>"
                + PARA.format(n=4)
            ),
        ),
        OK,
    ),
    "html-huge-attribute": (
        _built(
            "attr.html",
            lambda: (
                f'<div title="{"x" * 12_000_000}"></div>'
                + ARTICLE_HTML.format(body=PARA.format(n=1) + PARA.format(n=2))
            ),
        ),
        OK,
    ),
    "html-inline-images": (
        _built(
            "img.html",
            lambda: (
                f'<img src="data:image/png;base64,{"QUJD" * 750_000}">'
                + ARTICLE_HTML.format(body=PARA.format(n=1) + PARA.format(n=2))
            ),
        ),
        OK,
    ),
    "html-unclosed-comment": (
        _built(
            "comment.html",
            lambda: (
                ARTICLE_HTML.format(body=PARA.format(n=1) + PARA.format(n=2))
                + "<!--"
                + "c" * 2_000_000
            ),
        ),
        OK,
    ),
    "html-refresh-to-file": (
        _file(
            "refresh.html",
            '<meta http-equiv="refresh" content="0;url=file:///etc/passwd">'
            + ARTICLE_HTML.format(body=PARA.format(n=1) + PARA.format(n=2)),
        ),
        OK,
    ),
    "svg-only": (
        _built("drawing.html", lambda: "<svg>" + '<path d="M0 0"/>' * 100_000 + "</svg>"),
        "no article text",
    ),
    "markdown-deep-quotes": (_built("quotes.md", lambda: ">" * 100_000 + " citation\n\n" + FR), OK),
    "unicode-line-separators": (_built("ls.txt", lambda: FR.replace("\n", "\u2028")), OK),
    "csv-as-article": (
        _built("table.txt", lambda: "\n".join(f"{i},{i * 2},nom{i}" for i in range(20_000))),
        OK,
    ),
    "json-duplicate-text-keys": (
        _file("dupkeys.json", '{"text": "Une phrase.", "text": 5}'),
        '"text"',
    ),
    "json-nan-id": (_file("nan.json", '{"text": "Une phrase assez longue.", "id": NaN}'), '"id"'),
    "markdown-pathological": (
        _built(
            "md.md",
            # Each part took the old patterns minutes ("**a " * 20_000 alone: 27 s).
            lambda: "# Titre\n\n" + "[" * 30_000 + " " + "**a " * 15_000 + "![" * 15_000 + "\n",
        ),
        OK,
    ),
    "many-short-lines": (_built("lines.txt", lambda: "Titre court\n" * 200_000), OK),
    "jsonl-line-not-json": (_file("bad.jsonl", "ceci n'est pas du JSON\n"), "invalid JSON"),
    "json-record-text-not-string": (_file("num.json", '{"text": 42, "id": "a"}'), '"text"'),
    "json-record-text-missing": (
        _file("missing.json", '{"title": "Sans texte", "id": "b"}'),
        '"text"',
    ),
    "json-record-not-object": (_file("list.json", '["un", "deux"]'), "JSON object"),
    "json-nested-100k": (_file("deep.json", "[" * 100_000 + "]" * 100_000), "invalid JSON"),
    "json-huge-integer": (
        _file("int.json", '{"text": "x", "id": ' + "9" * 50_000 + "}"),
        "invalid JSON",
    ),
    "json-id-path-traversal": (
        _file("trav.json", json.dumps({"id": "../../etc/passwd", "text": FR})),
        OK,
    ),
    "symlink-loop": (_symlink_loop, "symbolic link"),
    "fifo-without-writer": (_fifo, "no text"),
    "directory": (_directory, "directory"),
    "missing-file": (lambda folder: folder / "nowhere.txt", "no such file"),
    "unknown-language-esperanto": (_file("eo.txt", EO), OK),
    "unknown-language-toki-pona": (_file("tp.txt", TOKI_PONA), OK),
}
SLOW = {
    "text-50mb",
    "html-20mb",
    "html-20mb-of-script",
    "html-unclosed-scripts",
    "html-huge-attribute",
}


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _check_result(kind: str, code: int, stdout: str, stderr: str, expect: str | None) -> None:
    assert "Traceback" not in stdout + stderr, (kind, stderr)
    assert "unexpected" not in stderr, (kind, stderr)
    if expect is None:
        assert code == 0, (kind, stderr)
        data = json.loads(stdout)
        assert data["bullets"], kind
        for bullet in data["bullets"]:
            text = bullet["text"]
            assert text.strip() and len(text) <= sentences.MAX_SENTENCE_CHARS + 1, kind
            assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in text), kind
            assert not any(ch in text for ch in "\u200b\u202e\u2066\x00"), kind
        return
    assert code == 1, (kind, code, stdout, stderr)
    lines = [line for line in stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), (kind, stderr)
    assert re.search(expect, lines[0]), (kind, lines[0])


@pytest.mark.parametrize(
    "kind", [k for k in CORPUS if k not in SLOW and k != "fifo-without-writer"]
)
def test_corpus_through_the_cli(kind: str, tmp_path: Path) -> None:
    build, expect = CORPUS[kind]
    path = build(tmp_path)
    code, stdout, stderr = _cli("summarize", "-f", "json", str(path))
    _check_result(kind, code, stdout, stderr, expect)


@pytest.mark.parametrize(
    "kind", [k for k in CORPUS if k not in SLOW and k != "fifo-without-writer"]
)
def test_corpus_through_the_library(kind: str, tmp_path: Path) -> None:
    build, expect = CORPUS[kind]
    path = build(tmp_path)
    try:
        summary = summarizer.summarize_file(path)
    except SummarizerError as exc:
        assert expect is not None, (kind, exc)
        assert "\n" not in str(exc)
        return
    assert expect is None, kind
    assert summary.bullets


# Runs the CLI and reports the peak RSS of the process itself (VmHWM): the rusage of a child
# would include the pytest process it was forked from, which the exec does not reset.
_MEASURED_CLI = """
import atexit, sys

def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                sys.stderr.write(f"peak-rss-kib: {line.split()[1]}\\n")

atexit.register(peak)
sys.argv[0] = "summarizer"
from summarizer.cli import main
main()
"""


def _run_measured(path: Path, folder: Path, timeout: float = 120) -> tuple[int, str, str, int]:
    """Run ``summarizer summarize -f json PATH`` in a child; exit code, output, peak RSS (KiB)."""
    out, err = folder / "stdout", folder / "stderr"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, "-c", _MEASURED_CLI, "summarize", "-f", "json", str(path)],
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
        )
        try:
            child.wait(timeout=timeout)  # a hang fails the test instead of CI
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            pytest.fail(f"{path.name}: still running after {timeout} s")
    lines = err.read_text("utf-8").splitlines()
    peaks = [int(line.split()[1]) for line in lines if line.startswith("peak-rss-kib: ")]
    errors = "".join(line + "\n" for line in lines if not line.startswith("peak-rss-kib: "))
    return child.returncode, out.read_text("utf-8"), errors, peaks[0] if peaks else 0


@pytest.mark.parametrize("kind", sorted(SLOW | {"fifo-without-writer"}))
def test_big_inputs_in_a_subprocess_with_bounded_memory(kind: str, tmp_path: Path) -> None:
    """Run as a user would, in a child whose peak memory is measured and whose hang is caught."""
    build, expect = CORPUS[kind]
    path = build(tmp_path)
    code, stdout, stderr, peak_kib = _run_measured(path, tmp_path)
    _check_result(kind, code, stdout, stderr, expect)
    # 50 MB of text decoded into a str and copied by each stage would take over 400 MB;
    # 20 MB of HTML parsed whole took 725 MB. The caps keep every run far below.
    assert peak_kib < 400 * 1024, (kind, peak_kib)
    if kind in ("text-50mb", "html-20mb"):
        assert "truncated" in stderr and "truncated" in stdout, kind


def test_truncation_is_recorded_in_the_output(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_TEXT_CHARS", 5000)
    text = "Une phrase simple pour remplir la page. " * 200
    summary = summarizer.summarize(text)
    warnings = summary.to_dict()["warnings"]
    assert len(warnings) == 1 and "truncated" in warnings[0]
    assert summarizer.summarize(FR).to_dict().get("warnings") is None


def test_html_truncation_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_HTML_CHARS", 20_000)
    html = ARTICLE_HTML.format(body="".join(PARA.format(n=i) for i in range(300)))
    assert len(html) > load.MAX_HTML_CHARS
    article = load.from_text(html, format="html")
    assert any("HTML truncated" in w for w in article.warnings)


def test_bulk_markup_is_dropped_before_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_HTML_CHARS", 20_000)
    html = "<html><body><script>" + "x" * load.MAX_HTML_CHARS + "</script><style>p{}</style>"
    html += "<!-- " + "c" * 1000 + " -->" + ARTICLE_HTML.format(body=PARA.format(n=1))
    article = load.from_text(html, format="html")
    assert article.warnings == ()
    assert "processeur" in article.text


def test_xxe_and_entity_bomb_are_not_expanded(tmp_path: Path) -> None:
    for kind in ("html-entity-bomb", "html-external-entity"):
        article = load.load_path(CORPUS[kind][0](tmp_path))
        assert "root:" not in article.text and "aaaaaaaaaa" not in article.text
        assert len(article.text) < 2000


def test_decoding_finds_the_text(tmp_path: Path) -> None:
    expected = {
        "utf16-le-bom": "durabilité",
        "utf16-be-no-bom": "durabilité",
        "utf16-le-no-bom-cyrillic": RU.split()[1],
        "latin-1": "durabilité",
        "cp1252": "Œuvre » coûte 5 €",
        "invalid-utf8": "durabilité",
    }
    for kind, needle in expected.items():
        path = CORPUS[kind][0](tmp_path)
        assert needle in load.load_path(path).text, kind
        path.unlink()


def test_truncated_input_keeps_a_character_cut_in_two() -> None:
    data = ("é" * 10).encode("utf-8")[:-1]
    assert load.decode_bytes(data, partial=True) == "é" * 9
    data16 = b"\xff\xfe" + ("е" * 5).encode("utf-16-le")[:-1]
    assert load.decode_bytes(data16, partial=True) == "е" * 4


def test_input_over_the_byte_cap_is_cut_and_flagged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 1000)
    path = tmp_path / "a.txt"
    path.write_bytes(("Une phrase en français, avec des accents éàü. " * 100).encode())
    article = load.load_path(path)
    assert len(article.text.encode()) <= 1000
    assert any("truncated" in w for w in article.warnings)


def test_unreadable_file_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(FR, encoding="utf-8")
    path.chmod(0)
    if os.geteuid() != 0:  # root reads anything: simulate the refusal there
        with pytest.raises(InputError, match="permission denied"):
            load.load_path(path)

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(load.os, "open", refuse)
    code, _, stderr = _cli("summarize", str(path))
    assert code == 1 and stderr.strip() == f"error: {path}: permission denied"


def test_char_device_is_read_within_the_cap() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    code, _, stderr = _cli("summarize", "/dev/zero")
    assert code == 1 and "binary" in stderr


def test_stdin_is_read_within_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 4096)
    result = CliRunner().invoke(cli, ["summarize", "-"], input=("Une phrase. " * 2000).encode())
    assert result.exit_code == 0
    assert "warning: input truncated" in result.stderr


def test_centrality_matches_its_definition() -> None:
    """The linear-time centrality equals the direct (quadratic) computation."""
    import math

    tokens = [s.split() for s in _varied_text(3000).split(". ") if s]
    vectors = tfidf_vectors(tokens)
    total: dict[str, float] = {}
    for vec in vectors:
        for t, v in vec.items():
            total[t] = total.get(t, 0.0) + v
    for vec, score in zip(vectors, centrality(vectors), strict=True):
        rest = {t: total[t] - vec.get(t, 0.0) for t in total}
        norm = math.sqrt(sum(v * v for v in rest.values())) or 1.0
        assert score == pytest.approx(sum(v * rest.get(t, 0.0) for t, v in vec.items()) / norm)


def test_long_sentences_are_cut_at_spaces() -> None:
    text = "mot " * 5000
    pieces = list(sentences.segment(text, "fr"))
    assert all(end - start <= sentences.MAX_SENTENCE_CHARS for start, end in pieces)
    assert all(text[start:end] == text[start:end].strip() for start, end in pieces)
    assert all(not text[start:end].endswith("mo") for start, end in pieces)  # whole words
    assert sum(len(text[s:e].split()) for s, e in pieces) == 5000


def test_cutting_keeps_combining_marks_with_their_letter() -> None:
    text = ("e\u0301" * 800) + "."
    for start, end in sentences.segment(text, "fr"):
        assert text[start:end][:1] != "\u0301"


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("arabic", "ar"),
        ("hebrew", "he"),
        ("cjk-no-spaces-no-punctuation", "zh"),
        ("utf16-le-no-bom-cyrillic", "ru"),
        ("utf16-be-no-bom", "fr"),
        ("cp1252", "fr"),
    ],
)
def test_exotic_inputs_keep_their_language(kind: str, code: str, tmp_path: Path) -> None:
    summary = summarizer.summarize_file(CORPUS[kind][0](tmp_path))
    assert summary.language.code == code


def test_titles_and_sources_cannot_inject_lines_or_escapes(tmp_path: Path) -> None:
    record = {"title": "Titre\n## Faux titre\x1b]0;pwned\x07", "text": FR}
    path = tmp_path / "a\x1b[2Jb\nc.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    code, stdout, _ = _cli("summarize", "-f", "markdown", str(path))
    assert code == 0
    assert "\x1b" not in stdout and "\x07" not in stdout
    assert stdout.startswith("## Titre ## Faux titre]0;pwned\n")
    assert sum(line.startswith("## ") for line in stdout.splitlines()) == 1
    assert sum(line.startswith("*Source: ") for line in stdout.splitlines()) == 1


def write_corpus(folder: Path) -> list[Path]:
    """Write every kind to ``folder/<kind>/``; return the paths to summarize."""
    paths = []
    for kind, (build, _) in CORPUS.items():
        (folder / kind).mkdir(parents=True, exist_ok=True)
        paths.append(build(folder / kind))
    return paths


if __name__ == "__main__":  # python tests/test_hostile.py DIR: the corpus, to try by hand
    for written in write_corpus(Path(sys.argv[1])):
        print(written)


def test_full_disk_on_stdout_is_a_clean_error() -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", "summarize", str(DATA / "elflyg-sv.txt")],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stderr == "error: cannot write standard output: No space left on device\n"


def test_records_file_decoding_spoils_one_line_not_the_file() -> None:
    data = (
        b'{"id": 1, "text": "caf\xc3\xa9"}\n\x00\x01\x02\n'
        b'{"id": 3, "text": "d\xc3\xa9j\xc3\xa0 \xff vu"}\n{"id": 4, "text": "caf\xe9"}\n'
    )
    lines = load.decode_records(data, "feed.jsonl").splitlines()
    # A cut UTF-8 character spoils its own line only; a line with no UTF-8 at all is Latin-1.
    assert lines[0] == '{"id": 1, "text": "caf\u00e9"}'
    assert lines[2] == '{"id": 3, "text": "d\u00e9j\u00e0 \ufffd vu"}'
    assert lines[3] == '{"id": 4, "text": "caf\u00e9"}'
    assert load.decode_records(b"\xef\xbb\xbf{}", "x") == "{}"
    assert load.decode_records('{"a": "é"}'.encode("utf-16"), "x") == '{"a": "é"}'
    with pytest.raises(DecodeError, match="gzip"):
        load.decode_records(gzip.compress(b"{}"), "feed.jsonl")


@pytest.mark.parametrize(("flag", "expected"), [((), False), (("--trust-remote-code",), True)])
def test_models_never_run_remote_code_unless_asked(
    flag: tuple[str, ...], expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the CLI hands the transformers backend (no torch needed: the backend is stubbed)."""
    from summarizer import backends
    from summarizer.backends.lead import LeadBackend

    seen: list[dict[str, object]] = []

    def stub(name: str, **config: object) -> LeadBackend:
        seen.append({"name": name, **config})
        return LeadBackend()

    monkeypatch.setattr(backends, "get_backend", stub)
    args = [
        "summarize",
        "-b",
        "transformers",
        "--model",
        "some/model",
        *flag,
        str(DATA / "elflyg-sv.txt"),
    ]
    code, _, stderr = _cli(*args)
    assert code == 0, stderr
    assert seen and all(call["name"] == "transformers" for call in seen)
    assert all(call.get("trust_remote_code", False) is expected for call in seen)


def test_endless_device_is_never_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    monkeypatch.setattr(load, "MAX_INPUT_BYTES", 1 << 16)
    with pytest.raises(InputError, match="not a regular file"):
        load.read_bytes("/dev/zero")  # no limit asked: a device still gets one
    assert load.read_bytes("/dev/zero", limit=10) == b"\0" * 10
