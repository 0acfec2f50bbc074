"""Extraction from saved pages: every fixture in tests/pages/ against its expected JSON, exactly."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from aligner._dates import parse_date
from aligner.errors import ExtractionError, InputError, LanguageError
from aligner.extract import decode_html, extract_html, read_html_file
from aligner.languages import detect_language, language_mismatch

PAGES = Path(__file__).parent / "pages"
EXPECTED = sorted(p.stem for p in (PAGES / "expected").glob("*.json"))


def expected(name: str) -> dict:
    return json.loads((PAGES / "expected" / f"{name}.json").read_text("utf-8"))


@pytest.mark.parametrize("name", EXPECTED)
def test_fixture_extracts_exactly_the_published_text(name: str) -> None:
    doc = read_html_file(PAGES / f"{name}.html")
    want = expected(name)
    assert doc.title == want["title"]
    assert doc.date == want["date"]
    assert dict(doc.meta).get("doc_number", "") == want["doc_number"]
    assert list(doc.paragraphs) == want["paragraphs"]


def test_every_language_and_both_site_structures_have_fixtures() -> None:
    for structure in ("new", "old"):
        for lang in ("de", "en", "es", "ru", "fr"):
            assert f"{structure}_{lang}" in EXPECTED
            assert read_html_file(PAGES / f"{structure}_{lang}.html").lang == lang


@pytest.mark.parametrize(
    ("name", "profile"),
    [("new_en", "mid.ru"), ("old_ru", "mid.ru (old)"), ("old_es", "mid.ru (old)"), ("generic_en", "generic")],
)
def test_profile_is_recognised_by_page_structure(name: str, profile: str) -> None:
    assert dict(read_html_file(PAGES / f"{name}.html").meta)["profile"] == profile


def test_navigation_toc_lines_and_additional_materials_are_dropped() -> None:
    text = " ".join(read_html_file(PAGES / "new_de.html").paragraphs)
    for furniture in ("Zurück zum Inhalt", "Zusätzliche Materialien", "Startseite", "de-DE", "Suchen", "dataset"):
        assert furniture not in text
    assert "Advanced settings" not in " ".join(read_html_file(PAGES / "generic_en.html").paragraphs)


def test_french_non_breaking_space_is_kept_as_published() -> None:
    assert "frontières\u00a0: la coopération" in read_html_file(PAGES / "new_fr.html").paragraphs[3]


def test_page_wrapped_in_one_form_keeps_its_text() -> None:
    page = """<html lang="en"><body><form id="aspnetForm" action="/default.aspx">
      <input type="hidden" name="__VIEWSTATE" value="x"><div class="menu"><a href="/">Home</a></div>
      <div id="article"><p>The talks will continue in Geneva next month.</p>
      <p>Both delegations described the meeting as useful.</p></div></form></body></html>"""
    assert extract_html(page).paragraphs == (
        "The talks will continue in Geneva next month.",
        "Both delegations described the meeting as useful.",
    )


def test_text_is_nfc_normalised() -> None:
    page = "<html lang='fr'><body><p>La coope\u0301ration entre les deux pays est une priorite\u0301.</p></body></html>"
    assert extract_html(page).paragraphs == ("La coopération entre les deux pays est une priorité.",)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("interstitial", "anti-bot or interstitial page"),
        ("login", "a login page"),
        ("no_text", "no statement text found"),
    ],
)
def test_pages_without_a_statement_fail_with_one_line(name: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message) as error:
        read_html_file(PAGES / f"{name}.html")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("data", [b"", b"   \n ", b"\xef\xbb\xbf"])
def test_empty_page_is_an_extraction_error(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="empty page"):
        extract_html(data, source="empty.html")


def test_read_html_file_reports_missing_files_and_honours_lang(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_html_file(tmp_path / "absent.html")
    assert read_html_file(PAGES / "generic_de.html", lang="de-AT").lang == "de"


def test_language_unknown_and_undetectable_is_a_language_error() -> None:
    with pytest.raises(LanguageError, match="cannot tell"):
        extract_html("<html><body><p>Kazan 2024.</p></body></html>")


# --- charsets ------------------------------------------------------------------------------------

RU = "Консультации прошли в конструктивной атмосфере. Стороны договорились провести следующий раунд."


def test_windows_1251_page_is_decoded_from_its_meta_even_under_a_wrong_header() -> None:
    data = (PAGES / "old_ru_cp1251.html").read_bytes()
    text, codec = decode_html(data, "text/html; charset=utf-8")
    assert codec == "cp1251"
    assert "Пресс-релиз о консультациях" in text


def test_windows_1251_without_any_declaration_is_detected() -> None:
    text, codec = decode_html(f"<p>{RU}</p>".encode("cp1251"))
    assert (codec, text) == ("cp1251", f"<p>{RU}</p>")


def test_koi8_r_without_any_declaration_is_detected() -> None:
    assert decode_html(f"<p>{RU}</p>".encode("koi8_r"))[1] == "koi8-r"


def test_latin_page_in_windows_1252_is_detected() -> None:
    page = "<p>Die Konsultationen verliefen in einer konstruktiven Atmosphäre über die Straße.</p>"
    assert decode_html(page.encode("cp1252")) == (page, "cp1252")


def test_utf8_body_wins_over_a_declared_single_byte_charset() -> None:
    assert decode_html(f"<p>{RU}</p>".encode(), "text/html; charset=windows-1251")[1] == "utf-8"


def test_unknown_declared_charset_is_ignored() -> None:
    assert decode_html("<p>Grüße</p>".encode(), "text/html; charset=x-no-such")[1] == "utf-8"


# --- language and date checks ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["de", "en", "es", "ru", "fr"])
@pytest.mark.parametrize("structure", ["new", "old"])
def test_detect_language_on_every_fixture(structure: str, lang: str) -> None:
    assert detect_language(" ".join(expected(f"{structure}_{lang}")["paragraphs"])) == lang


def test_detect_language_abstains_on_too_little_text() -> None:
    assert detect_language("Kazan, 2024") is None


@pytest.mark.parametrize(
    ("printed", "iso"),
    [
        ("15. November 2024 14:30", "2024-11-15"),
        ("15 November 2024 14:30", "2024-11-15"),
        ("November 15, 2024", "2024-11-15"),
        ("15 de noviembre de 2024 14:30", "2024-11-15"),
        ("15 ноября 2024 14:30", "2024-11-15"),
        ("15 novembre 2024", "2024-11-15"),
        ("1er juil. 2024", ""),  # "1er" is no day number this parser reads
        ("3 juil. 2019", "2019-07-03"),
        ("03.07.2019", "2019-07-03"),
        ("2024-11-16T09:00:00+03:00", "2024-11-16"),
        ("no date here", ""),
    ],
)
def test_parse_date_in_five_languages(printed: str, iso: str) -> None:
    assert parse_date(printed) == iso


def test_language_mismatch_names_the_language_a_text_reads_as() -> None:
    german = "Der Minister sagte, dass die Regierung mit den Partnern nicht auf eine Lösung warten wird."
    assert language_mismatch(german, "fr") == "the text reads as 'de', expected 'fr'"
    assert language_mismatch(german, "de") is None
    assert language_mismatch("Kazan, 2024", "fr") is None  # too little text to tell
    assert language_mismatch(german, "sv") is None  # a language the detector cannot vouch for


@pytest.mark.parametrize(
    ("lang", "profile", "entry"),
    [
        ("ru", "mid.ru", "Коренные народы Севера"),
        ("de", "mid.ru", "Inhalt"),
        ("es", "mid.ru (old)", "Índice"),
        ("fr", "generic", "Peuples autochtones du Nord"),
        ("en", "generic", "3. Indigenous peoples of the North"),
    ],
)
def test_a_table_of_contents_in_the_body_is_dropped(lang: str, profile: str, entry: str) -> None:
    doc = read_html_file(PAGES / f"toc_{lang}.html")
    assert dict(doc.meta)["profile"] == profile
    assert not doc.paragraphs[0].startswith(entry)
    assert list(doc.paragraphs) == expected(f"toc_{lang}")["paragraphs"]


def test_in_page_links_without_a_contents_heading_stay() -> None:
    page = """<html lang="en"><body><div><p>The ministers met on Tuesday, see <a href="#annex">the annex</a>.</p>
      <p><a href="#annex">Annex: the joint declaration</a></p><p>They agreed to meet again in spring.</p></div></body></html>"""
    assert extract_html(page).paragraphs == (
        "The ministers met on Tuesday, see the annex.",
        "Annex: the joint declaration",
        "They agreed to meet again in spring.",
    )


STATEMENT = (
    "<p>The talks will continue in Geneva next month.</p><p>Both delegations described the meeting as useful.</p>"
)


@pytest.mark.parametrize("depth", [300, 1500])
def test_text_nested_deeper_than_256_elements_is_kept(depth: int) -> None:
    page = "<html lang='en'><body>" + "<div>" * depth + STATEMENT + "</body></html>"
    assert extract_html(page).paragraphs == (
        "The talks will continue in Geneva next month.",
        "Both delegations described the meeting as useful.",
    )


def test_text_nested_beyond_what_the_parser_keeps_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    page = "<html lang='en'><body>" + STATEMENT + "<div>" * 5000 + "<p>This sentence is nested far too deeply.</p>"
    with caplog.at_level(logging.WARNING, logger="aligner.extract"):
        doc = extract_html(page, source="deep.html")
    assert "This sentence is nested far too deeply." not in doc.paragraphs
    assert any("deep.html" in r.getMessage() and "nested" in r.getMessage() for r in caplog.records)
