"""Helpers shared by the test modules (fixtures live in conftest.py).

Also the hostile-input corpus of test_hostile and test_hostile_batch: generated on the fly so
that nothing large is committed (``python tests/helpers.py DIR`` writes it, to try by hand).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from summarizer.backends import BaseBackend, Request, Result
from summarizer.models import Bullet


class QuietServer(ThreadingHTTPServer):
    """A test HTTP server on 127.0.0.1 that does not print client disconnects."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that stop reading (size cap, timeout) are expected in these tests


def fresh_python(code: str) -> None:
    """Run ``code`` in a new interpreter (nothing imported yet) and fail with its stderr."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def wait_for_lines(
    path: Path, count: int, process: subprocess.Popen[bytes], timeout: float
) -> None:
    """Wait until ``path`` holds ``count`` lines; fail if ``process`` ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        if process.poll() is not None:
            pytest.fail(f"the batch ended before {count} records: {process.returncode}")
        time.sleep(0.01)
    pytest.fail("no progress")


def group_gone(process: subprocess.Popen[bytes], timeout: float) -> bool:
    """Whether every process of ``process``'s group (its session) has exited within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@contextlib.contextmanager
def local_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port; yields the base URL."""
    httpd = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class FakeBackend(BaseBackend):
    """A test double registered through ``backends.register``: the article's last sentences,
    each behind ``prefix``, and one fact about the run."""

    name = "fake"

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    def summarize(self, request: Request) -> Result:
        """The last ``bullets`` sentences, in document order."""
        picked = request.sentences[-request.options.bullets :]
        bullets = tuple(Bullet(self.prefix + s.text, s.index, s.start, s.end) for s in picked)
        return Result(bullets, {"sentences_seen": len(request.sentences)})


# --- the hostile-input corpus ------------------------------------------------------------

# A backend for fault tests, written as a module that worker processes import: it raises on an
# article that says RAISE and kills its process on one that says CRASH (what the OOM killer does).
FAULTY_BACKEND = """
import os
from summarizer import backends
from summarizer.backends import BaseBackend, Result


class FaultyBackend(BaseBackend):
    name = "faulty"

    def summarize(self, request):
        if "CRASH" in request.document.text:
            os._exit(1)
        if "RAISE" in request.document.text:
            raise RuntimeError("boom")
        return Result(bullets=())


def register():
    backends.register("faulty", "faulty_backend:FaultyBackend")
"""


def write_faulty_backend(folder: Path) -> None:
    """Write the module ``faulty_backend`` (see FAULTY_BACKEND) into ``folder``."""
    (folder / "faulty_backend.py").write_text(FAULTY_BACKEND, encoding="utf-8")


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


def varied_text(n_chars: int) -> str:
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
    "text-50mb": (_built("big.txt", lambda: varied_text(50 * 2**20)), OK),
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


def write_corpus(folder: Path) -> list[Path]:
    """Write every kind to ``folder/<kind>/``; return the paths to summarize."""
    paths = []
    for kind, (build, _) in CORPUS.items():
        (folder / kind).mkdir(parents=True, exist_ok=True)
        paths.append(build(folder / kind))
    return paths


if __name__ == "__main__":  # python tests/helpers.py DIR: the corpus, to try by hand
    for written in write_corpus(Path(sys.argv[1])):
        print(written)


# A sentence of 125 words with no clause boundary (issue 15's run-on bullet, written anew).
RUN_ON_125_WORDS = (
    " ".join(f"the board in city {n} said the plant would hire more staff and" for n in range(8))
    + " the union said the plan came far too late for the workers who had already left in the"
    " early spring months."
).capitalize()
