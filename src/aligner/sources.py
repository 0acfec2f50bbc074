"""Local inputs of a statement: which file holds which language, read into Documents.

A statement is given as a directory of per-language files (``de.txt``, ``en.html``, ``ru.json``
as written by ``aligner fetch``), or as files with explicit languages (``de=path``), or as files
whose names end in a language code (``statement.fr.txt``). An input that is a URL is fetched
instead (``is_url``); ``save_document`` writes what was fetched in the form read back here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._io import MAX_INPUT_CHARS, atomic_writer, check_chars, read_text, split_paragraphs
from .errors import InputError, LanguageError
from .extract import read_html_file
from .languages import language_mismatch, looks_like_lang, normalize_lang
from .types import Document

#: Suffixes read from a statement directory, and which one wins when a language has several files.
_PREFERENCE = {".json": 0, ".html": 1, ".htm": 1, ".txt": 2}
_LANG_IN_NAME = re.compile(r"(?:^|[._-])([A-Za-z]{2}(?:[-_][A-Za-z]{2})?)$")


def is_url(source: str) -> bool:
    """Whether an input names a web page (fetched) rather than a local file."""
    return source.lower().startswith(("http://", "https://"))


def document_to_json(doc: Document) -> dict[str, Any]:
    """The saved form of a document (``DIR/LL.json``), read back by ``read_document``."""
    return {
        "lang": doc.lang,
        "title": doc.title,
        "date": doc.date,
        "doc_id": doc.doc_id,
        "source": doc.source,
        "paragraphs": list(doc.paragraphs),
        "meta": dict(doc.meta),
    }


def save_document(doc: Document, path: str | Path) -> None:
    """Write ``doc`` atomically as indented UTF-8 JSON ending in a newline (``DIR/LL.json``)."""
    with atomic_writer(path) as handle:
        json.dump(document_to_json(doc), handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def read_document(path: str | Path, lang: str | None = None, *, max_chars: int = MAX_INPUT_CHARS) -> Document:
    """Read one language version from a text, HTML or JSON file of at most ``max_chars`` characters of text."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        doc = read_html_file(path, lang)
    elif suffix == ".json":
        doc = _document_from_json(path, lang, max_chars)
    else:
        lang = lang or _lang_from_name(path)
        if lang is None:
            raise LanguageError(f"{path}: cannot tell its language; name it like de.txt or pass de={path}")
        doc = Document(lang=lang, paragraphs=split_paragraphs(read_text(path, max_chars=max_chars)), source=str(path))
    check_chars(path, sum(map(len, doc.paragraphs)), max_chars)
    check_language(" ".join(doc.paragraphs), doc.lang, path)
    return doc


def check_language(text: str, lang: str, path: str | Path) -> None:
    """Refuse a file that clearly reads as another language than it is given as: swapped or mislabelled
    inputs would otherwise align into a confident-looking but wrong memory."""
    if mismatch := language_mismatch(text, lang):
        raise LanguageError(f"{path}: {mismatch} (is it the right file for {lang}?)")


#: Fields of a document JSON other than "paragraphs", all optional, and the type each must have.
_JSON_FIELDS = {"lang": str, "title": str, "date": str, "doc_id": str, "source": str, "meta": dict}
_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_TYPE_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}


def _document_from_json(path: Path, lang: str | None, max_chars: int) -> Document:
    """A document JSON (as ``aligner fetch`` writes it), its shape checked field by field."""
    data = _load_json(path, max_chars)
    if not isinstance(data, dict):
        raise _not_a_document(path, f'expected an object with "paragraphs", got {_type_name(data)}')
    if "paragraphs" not in data:
        raise _not_a_document(path, 'no "paragraphs"')
    _check_shape(path, data)
    try:
        doc_lang = normalize_lang(data.get("lang") or lang or "")
    except LanguageError as error:
        raise LanguageError(f"{path}: {error}") from None
    if lang is not None and lang != doc_lang:
        raise LanguageError(f"{path}: holds language {doc_lang}, not {lang}")
    paragraphs = tuple(p for p in data["paragraphs"] if p.strip())
    if not paragraphs:
        raise InputError(f"{path}: no paragraphs")
    meta = data.get("meta") or {}
    return Document(
        lang=doc_lang,
        paragraphs=paragraphs,
        title=data.get("title") or "",
        source=data.get("source") or str(path),
        date=data.get("date") or "",
        doc_id=data.get("doc_id") or "",
        meta=tuple(sorted((str(k), str(v)) for k, v in meta.items())),
    )


def _load_json(path: Path, max_chars: int) -> Any:
    text = read_text(path, max_chars=2 * max_chars)  # escapes and keys: JSON is longer than its text
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _not_a_document(path, f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from None
    except RecursionError:
        raise _not_a_document(path, "nested too deeply") from None


def _check_shape(path: Path, data: dict[str, Any]) -> None:
    """Every field of the type ``document_to_json`` writes, and every string valid Unicode."""
    paragraphs = data["paragraphs"]
    if not isinstance(paragraphs, list):
        raise _not_a_document(path, f'"paragraphs" must be a list of strings, got {_type_name(paragraphs)}')
    for index, paragraph in enumerate(paragraphs):
        _check_string(path, f'"paragraphs"[{index}]', paragraph)
    for name, kind in _JSON_FIELDS.items():
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, kind):
            raise _not_a_document(path, f'"{name}" must be {_JSON_TYPE_NAMES[kind]}, got {_type_name(value)}')
        for text in value.values() if isinstance(value, dict) else [value]:
            if isinstance(text, str):
                _check_string(path, f'"{name}"', text)


def _check_string(path: Path, where: str, value: Any) -> None:
    if not isinstance(value, str):
        raise _not_a_document(path, f"{where} must be a string, got {_type_name(value)}")
    if match := _SURROGATE.search(value):
        raise InputError(
            f"{path}: a lone surrogate U+{ord(match.group()):04X} in {where} at character {match.start() + 1}"
            " (not valid Unicode text)"
        )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _not_a_document(path: Path, problem: str) -> InputError:
    return InputError(f"{path}: not a document JSON written by 'aligner fetch' ({problem})")


def _type_name(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "a number"
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _lang_from_name(path: Path) -> str | None:
    match = _LANG_IN_NAME.search(path.stem)
    if not match:
        return None
    try:
        return normalize_lang(match.group(1))
    except LanguageError:
        return None


def load_statement(
    sources: Sequence[str], langs: Sequence[str] | None = None, *, max_chars: int = MAX_INPUT_CHARS
) -> list[Document]:
    """Documents of one statement from a directory or from ``[LL=]path`` arguments.

    ``langs`` keeps only those languages (in that order); asking for one that is absent is an error.
    A file with more than ``max_chars`` characters of text is refused.
    """
    if not sources:
        raise InputError("no input given: pass a directory or files like de=de.txt en=en.txt")
    named: list[tuple[str | None, Path]] = []
    for source in sources:
        lang, path = _split_source(source)
        if path.is_dir() and not lang:
            named.extend(_directory_files(path))
        elif not path.exists():
            raise InputError(f"{path}: no such file or directory")
        else:
            named.append((lang, path))
    documents: dict[str, Document] = {}
    for declared, path in named:
        doc = read_document(path, declared, max_chars=max_chars)
        if doc.lang in documents:
            raise InputError(f"two inputs for language {doc.lang}: {documents[doc.lang].source} and {path}")
        documents[doc.lang] = doc
    if langs:
        missing = [lang for lang in langs if lang not in documents]
        if missing:
            raise LanguageError(f"no input for {', '.join(missing)} (found {', '.join(documents) or 'none'})")
        return [documents[lang] for lang in langs]
    return list(documents.values())


def _split_source(source: str) -> tuple[str | None, Path]:
    """``de=path`` -> (``"de"``, path), but a path that exists, or whose part before ``=`` is not a
    language code (``x=1``, ``/data/a=b``), is taken whole."""
    lang, sep, file = source.partition("=")
    if not sep or Path(source).exists() or not looks_like_lang(lang):
        return None, Path(source)
    return normalize_lang(lang), Path(file)


def _directory_files(directory: Path) -> list[tuple[str, Path]]:
    """Per-language files of a statement directory; a language with several files prefers JSON/HTML."""
    chosen: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() not in _PREFERENCE or path.name.startswith("."):
            continue
        lang = _lang_from_name(path)
        if lang is None:
            continue
        if lang not in chosen or _PREFERENCE[path.suffix.lower()] < _PREFERENCE[chosen[lang].suffix.lower()]:
            chosen[lang] = path
    if not chosen:
        raise InputError(f"{directory}: no per-language files (expected names like de.txt, en.html, ru.json)")
    return list(chosen.items())
