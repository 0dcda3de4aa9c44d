"""Script-file parsers: pure bytes -> lines, table-driven (valid files and the malformed corpus)."""
import codecs

import pytest

from app.services.script_files import ScriptFileError, detect_language, parse, summary
from tests.uploads import corpus

VALID = [
    ("txt", b"Hello world.\n\n  Second line.  \r\nThird", ["Hello world.", "Second line.", "Third"], None),
    ("txt", codecs.BOM_UTF8 + "Grüße aus Köln.\n".encode(), ["Grüße aus Köln."], None),
    ("txt", codecs.BOM_UTF16_LE + "Hi\nthere".encode("utf-16-le"), ["Hi", "there"], None),
    ("txt", codecs.BOM_UTF16_BE + "Hi\nthere".encode("utf-16-be"), ["Hi", "there"], None),
    ("srt", b"1\n00:00:01,000 --> 00:00:02,500\nHello <i>there</i>\nfriend\n\n2\n00:00:03.5 --> 00:01:04,000\nBye\n",
     ["Hello there friend", "Bye"], [{"index": 1, "start_ms": 1000, "end_ms": 2500},
                                     {"index": 2, "start_ms": 3500, "end_ms": 64000}]),
    ("csv", b'line_id,text,de-de,target:fr-FR,notes\na1,Hello,Hallo,Bonjour,x\na2,"Two, parts",Zwei,,\n\n',
     ["Hello", "Two, parts"], [{"line_id": "a1", "translations": {"de-de": "Hallo", "fr-fr": "Bonjour"}},
                               {"line_id": "a2", "translations": {"de-de": "Zwei"}}]),
    ("csv", b"source;es\nHola?;Hola\n", ["Hola?"], [{"translations": {"es": "Hola"}}]),
    ("json", b'["One", " ", "Two"]', ["One", "Two"], [{}, {}]),
    ("json", b'{"lines": [{"text": "A", "line_id": 7, "translations": {"de_DE": "A-de"}}, "B"]}', ["A", "B"],
     [{"line_id": "7", "translations": {"de-de": "A-de"}}, {}]),
    ("xliff", corpus.XLIFF12, ["Hello world.", "Untranslated line."],
     [{"line_id": "l1", "translations": {"de-de": "Hallo Welt."}}, {"line_id": "l2"}]),
    ("xliff", corpus.XLIFF20, ["Good morning.", "One.", "Two."],
     [{"line_id": "u1", "translations": {"fr-fr": "Bonjour."}}, {"line_id": "u2.s1"}, {"line_id": "u2.s2"}]),
    ("docx", corpus.docx(["First paragraph.", "", "Second &amp; last."]), ["First paragraph.", "Second & last."], None),
    ("docx", corpus.docx_raw('<w:p><w:r><w:t>Outer</w:t></w:r><w:r><w:pict><w:txbxContent><w:p><w:r><w:t>Box'
                             '</w:t></w:r></w:p></w:txbxContent></w:pict><w:t> tail</w:t><w:br/><w:t>Next</w:t></w:r>'
                             '</w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'),
     ["Box", "Outer tail", "Next", "Cell"], None),
    ("xliff", b'<xliff version="1.2"><file target-language="ja"><body><trans-unit id="1"><source>Click '
              b'<ph id="1">&lt;b&gt;</ph>here</source><target>\xe3\x81\x93\xe3\x81\x93</target></trans-unit></body></file></xliff>',
     ["Click here"], [{"line_id": "1", "translations": {"ja": "\u3053\u3053"}}]),
    ("pdf", corpus.pdf(["Hello from a PDF.", "Second (line)."]), ["Hello from a PDF.", "Second (line)."], None),
]


@pytest.mark.parametrize("fmt,data,texts,metas", VALID, ids=[f"{v[0]}-{i}" for i, v in enumerate(VALID)])
def test_valid_files(fmt, data, texts, metas):
    lines = parse(fmt, data)
    assert [ln["text"] for ln in lines] == texts
    if metas is not None:
        assert [ln["meta"] for ln in lines] == metas


MALFORMED = [
    ("txt", b"", "empty"),
    ("txt", b" \n\t\n\r\n", "no text"),
    ("txt", b"fine\nstill fine\nbad \xff\xfe byte\n", "Invalid UTF-8 at line 3"),
    ("txt", corpus.PNG, "PNG image"),
    ("txt", b"text\x00with nul", "Binary content at line 1"),
    ("txt", b"ok\nbell\x07here", "control character U+0007"),
    ("srt", b"1\n00:00:01,000 --> 00:00:02,500\nOk\n\n2\n00:00:03 -> 00:00:04\nBad\n", "Line 6: malformed timing"),
    ("srt", b"1\n00:00:05,000 --> 00:00:02,500\nBackwards\n", "Line 2: the cue ends before it starts"),
    ("srt", b"one\n00:00:01,000 --> 00:00:02,500\nx\n", "Line 1: expected a cue number"),
    ("csv", b"text,de-de\nHello,Hallo\nToo,many,fields\n", "CSV line 3: 3 fields"),
    ("csv", b"speaker,words\nA,Hello\n", "no text column"),
    ("csv", b'text\n"unterminated\n', "CSV line"),
    ("json", b'["a", "b",', "Invalid JSON at line 1"),
    ("json", b'{"rows": []}', '"lines"'),
    ("json", b'[{"txt": "x"}]', 'JSON line 1: "text"'),
    ("json", b'[{"text": "x", "translations": ["de"]}]', "translations"),
    ("xliff", corpus.XLIFF_BROKEN, "Broken XML in the XLIFF file at line 4"),
    ("xliff", corpus.XLIFF_XXE, "DTD or entities"),
    ("xliff", corpus.XLIFF_BILLION, "DTD or entities"),
    ("xliff", b"<html><body>x</body></html>", "Not an XLIFF document"),
    ("xliff", corpus.PNG, "PNG image"),
    ("docx", b"This is plain text, not a zip", "not a ZIP archive"),
    ("docx", corpus.PNG, "not a ZIP archive (it looks like a PNG image)"),
    ("docx", b"PK\x03\x04" + b"\x00" * 40, "broken ZIP"),
    ("docx", corpus.zip_bomb(), "zip bomb"),
    ("docx", corpus.docx(["x"], extra_entries=1001), "zip bomb"),
    ("docx", corpus.docx_xxe(), "DTD or entities"),
    ("docx", corpus.docx(["", "  "]), "no text"),
    ("pdf", b"Hello, I am not a PDF", "does not start with %PDF-"),
    ("pdf", b"%PDF-1.4\nnot really a pdf", "could not be read"),
    ("pdf", corpus.encrypted_pdf(), "encrypted"),
]


@pytest.mark.parametrize("fmt,data,message", MALFORMED, ids=[f"{m[0]}-{i}" for i, m in enumerate(MALFORMED)])
def test_malformed_files_are_rejected_with_a_reason(fmt, data, message):
    with pytest.raises(ScriptFileError) as info:
        parse(fmt, data)
    assert message in info.value.message


@pytest.mark.parametrize("text,lang", [
    ("This is the story of the man and the sea.", "en"),
    ("Der Hund ist nicht mit der Katze im Garten.", "de"),
    ("El perro está en la casa con los niños.", "es"),
    ("Le chat est dans la maison avec les enfants.", "fr"),
    ("안녕하세요, 만나서 반갑습니다.", "ko"),
    ("今日はいい天気ですね。", "ja"),
    ("今天天气很好。", "zh"),
    ("Xyzzy plugh 12345.", None),
    ("", None),
])
def test_detect_language(text, lang):
    assert detect_language([text]) == lang


def test_summary_counts_code_points_of_stripped_lines():
    lines = parse("txt", "  Grüße  \n\n日本語\n".encode())
    assert summary(lines)["char_count"] == 5 + 3 and summary(lines)["line_count"] == 2
