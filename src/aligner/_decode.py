"""Pass 1 of extraction: page bytes to text. Byte-order mark, HTTP charset, ``<meta charset>``,
then detection among the single-byte code pages still in use (windows-1251, koi8-r ...).

    decode_html(data, content_type) -> (text, codec)

``aligner.extract`` re-exports ``decode_html``.
"""

from __future__ import annotations

import codecs
import re

from .languages import WORD, script

__all__ = ["decode_html"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
#: Single-byte code pages tried, in this order, when nothing declared decodes the bytes.
_FALLBACK_CODECS = ("cp1251", "cp1252", "koi8_r", "iso8859_15")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes; return ``(text, codec)``.

    Trust order: byte-order mark, HTTP ``charset``, ``<meta charset>``/``http-equiv``, detection.
    A declared charset is skipped when the bytes do not decode in it (a wrong header is common), and
    valid non-ASCII UTF-8 beats any other declared charset: a code page decodes almost any bytes,
    while UTF-8 that validates by accident practically never occurs.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace"), codec
    declared = []
    if content_type and (header := _HEADER_CHARSET.search(content_type)):
        declared.append(header.group(1))
    if meta := _META_CHARSET.search(data[:8192]):
        declared.append(meta.group(1).decode("ascii"))
    utf8 = _try_decode(data, "utf-8")
    for name in declared:
        candidate = _codec_name(name)
        text = _try_decode(data, candidate) if candidate else None
        if candidate is None or text is None:
            continue
        if utf8 is not None and candidate != "utf-8" and not utf8.isascii():
            return utf8, "utf-8"
        return text, candidate
    if utf8 is not None:
        return utf8, "utf-8"
    return _detect_single_byte(data)


def _codec_name(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _try_decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect_single_byte(data: bytes) -> tuple[str, str]:
    """Pick the code page whose decoding reads most like words: one script per word, sane case."""
    best: tuple[float, str, str] | None = None
    for codec in _FALLBACK_CODECS:
        text = data.decode(codec, errors="replace")
        words = WORD.findall(text)
        if not words:
            continue
        good = sum(len(w) for w in words if _plausible_word(w))
        score = good / sum(len(w) for w in words) - text.count("\ufffd") / max(len(text), 1)
        if best is None or score > best[0]:
            best = (score, text, codecs.lookup(codec).name)
    if best is None:
        return data.decode("cp1252", errors="replace"), "cp1252"
    return best[1], best[2]


def _plausible_word(word: str) -> bool:
    """A real word is in one script and is lower, Title or UPPER case; mojibake rarely is."""
    scripts = {script(c) for c in word}
    if len(scripts) != 1:
        return False
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())
