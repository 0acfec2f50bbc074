"""Finding which local file holds which language of a statement, and reading it into a Document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aligner.errors import InputError, LanguageError
from aligner.sources import document_to_json, load_statement, read_document
from aligner.types import Document

DE_TEXT = "Gespräche in Moskau\n\nDie Minister trafen sich am Dienstag.\nSie sprachen über Handel.\n\nEnde.\n"
EN_HTML = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Talks in Moscow</title></head>
<body><nav><a href="/">Home</a> <a href="/news/">News</a></nav>
<article><h1>Talks in Moscow</h1>
<p>The ministers met in Moscow on Tuesday and discussed trade and transport between the two countries.</p>
<p>They agreed to meet again in the spring and to open new air routes before the end of the year.</p>
</article><footer>Copyright 2025</footer></body></html>
"""
RU_DOC = Document(
    lang="ru",
    paragraphs=("Министры встретились во вторник.", "Они обсудили торговлю."),
    title="Переговоры в Москве",
    source="https://example.org/ru/1",
    date="12.03.2025",
    doc_id="1",
    meta=(("profile", "generic"), ("section", "news")),
)


@pytest.fixture
def statement(tmp_path: Path) -> Path:
    """A statement directory as ``aligner fetch`` leaves it, plus files that are not language versions."""
    folder = tmp_path / "statement"
    folder.mkdir()
    (folder / "de.txt").write_text(DE_TEXT, encoding="utf-8")
    (folder / "en.html").write_text(EN_HTML, encoding="utf-8")
    (folder / "ru.json").write_text(json.dumps(document_to_json(RU_DOC), ensure_ascii=False), encoding="utf-8")
    (folder / "notes.txt").write_text("not a language version", encoding="utf-8")
    (folder / "aligned.tmx").write_text("<tmx/>", encoding="utf-8")
    (folder / ".fr.txt").write_text("hidden", encoding="utf-8")
    return folder


def test_load_statement_from_a_directory(statement: Path) -> None:
    docs = {doc.lang: doc for doc in load_statement([str(statement)])}
    assert sorted(docs) == ["de", "en", "ru"]
    assert docs["de"].paragraphs == (
        "Gespräche in Moskau",
        "Die Minister trafen sich am Dienstag. Sie sprachen über Handel.",
        "Ende.",
    )
    assert docs["de"].source == str(statement / "de.txt")
    assert docs["en"].title == "Talks in Moscow"
    assert docs["en"].paragraphs[0].startswith("The ministers met in Moscow")
    assert docs["ru"] == RU_DOC


def test_langs_selects_and_orders(statement: Path) -> None:
    docs = load_statement([str(statement)], langs=["ru", "de"])
    assert [doc.lang for doc in docs] == ["ru", "de"]


def test_asking_for_an_absent_language_is_an_error(statement: Path) -> None:
    with pytest.raises(LanguageError, match=r"^no input for fr, es \(found de, en, ru\)$"):
        load_statement([str(statement)], langs=["de", "fr", "es"])


def test_a_json_version_is_preferred_to_a_text_version_of_the_same_language(statement: Path) -> None:
    (statement / "ru.txt").write_text("Другой текст.", encoding="utf-8")
    docs = {doc.lang: doc for doc in load_statement([str(statement)])}
    assert docs["ru"] == RU_DOC


def test_explicit_languages_and_language_suffixes(tmp_path: Path) -> None:
    files = {"original.txt": "Hola.", "statement.fr.txt": "Bonjour.", "statement_de-AT.txt": "Servus."}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    sources = [
        f"ES={tmp_path / 'original.txt'}",
        str(tmp_path / "statement.fr.txt"),
        str(tmp_path / "statement_de-AT.txt"),
    ]
    docs = load_statement(sources)
    assert [(doc.lang, doc.paragraphs) for doc in docs] == [("es", ("Hola.",)), ("fr", ("Bonjour.",)),
                                                            ("de", ("Servus.",))]  # fmt: skip


def test_a_file_with_no_language_in_its_name_needs_one(tmp_path: Path) -> None:
    path = tmp_path / "statement.txt"
    path.write_text("Hello.", encoding="utf-8")
    with pytest.raises(LanguageError, match=f"cannot tell its language; name it like de.txt or pass de={path}"):
        load_statement([str(path)])


def test_two_inputs_for_one_language(tmp_path: Path) -> None:
    a, b = tmp_path / "a.en.txt", tmp_path / "b.txt"
    a.write_text("Hello.", encoding="utf-8")
    b.write_text("Hi.", encoding="utf-8")
    with pytest.raises(InputError, match=f"^two inputs for language en: {a} and {b}$"):
        load_statement([str(a), f"en={b}"])


def test_missing_and_empty_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no input given"):
        load_statement([])
    with pytest.raises(InputError, match="missing: no such file or directory"):
        load_statement([f"de={tmp_path / 'missing'}"])
    with pytest.raises(InputError, match="no per-language files"):
        load_statement([str(tmp_path)])
    (tmp_path / "de.txt").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="de.txt: empty"):
        load_statement([str(tmp_path)])


def test_unknown_language_before_equals_sign(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("Text.", encoding="utf-8")
    with pytest.raises(LanguageError, match="unknown language code: 'zz'"):
        load_statement([f"zz={path}"])


@pytest.mark.parametrize(
    "content",
    ["{not json", '["a list"]', '{"lang": "ru"}', '{"lang": "ru", "paragraphs": 5}', "null"],
)
def test_bad_json_is_an_input_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "ru.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=f"^{path}: not a document JSON written by 'aligner fetch'") as caught:
        read_document(path)
    assert "\n" not in str(caught.value)


def test_a_bad_language_in_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text('{"lang": "english", "paragraphs": ["Hello."]}', encoding="utf-8")
    with pytest.raises(LanguageError, match=f"^{path}: "):
        read_document(path)


def test_json_without_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "ru.json"
    path.write_text('{"lang": "ru", "paragraphs": ["", "  "]}', encoding="utf-8")
    with pytest.raises(InputError, match="no paragraphs"):
        read_document(path)


def test_json_language_must_match_the_one_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(document_to_json(RU_DOC)), encoding="utf-8")
    assert read_document(path, "ru") == RU_DOC
    with pytest.raises(LanguageError, match="holds language ru, not de"):
        read_document(path, "de")


def test_document_json_round_trip(tmp_path: Path) -> None:
    data = document_to_json(RU_DOC)
    assert data["meta"] == {"profile": "generic", "section": "news"}
    path = tmp_path / "ru.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert read_document(path) == RU_DOC
    minimal = Document(lang="de", paragraphs=("Ein Absatz.",))
    path.write_text(json.dumps(document_to_json(minimal)), encoding="utf-8")
    assert read_document(path) == Document(lang="de", paragraphs=("Ein Absatz.",), source=str(path))


def test_a_file_given_as_the_wrong_language_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "statement.txt"
    path.write_text("The ministers met in Moscow on Tuesday and said that they will meet again in the spring.\n")
    with pytest.raises(LanguageError, match=r"statement\.txt: the text reads as 'en', expected 'de'"):
        read_document(path, "de")
    assert read_document(path, "en").lang == "en"


def test_a_swapped_pair_in_a_statement_folder_is_refused(statement: Path) -> None:
    (statement / "de.txt").rename(statement / "tmp.txt")
    (statement / "en.html").rename(statement / "de.html")
    (statement / "tmp.txt").rename(statement / "en.txt")
    with pytest.raises(LanguageError, match="reads as"):
        load_statement([str(statement)])


@pytest.mark.parametrize("name", ["x=1", "de=1"])
def test_a_folder_whose_name_holds_an_equals_sign_is_a_folder(
    tmp_path: Path, statement: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    statement.rename(tmp_path / name)
    monkeypatch.chdir(tmp_path)
    for source in (name, str(tmp_path / name)):
        assert sorted(doc.lang for doc in load_statement([source])) == ["de", "en", "ru"]


def test_lang_equals_path_needs_a_language_code_before_the_first_equals_sign(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a=b.txt").write_text(DE_TEXT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [doc.lang for doc in load_statement(["de=a=b.txt"])] == ["de"]
    with pytest.raises(InputError, match=r"^x=1: no such file or directory$"):
        load_statement(["x=1"])
