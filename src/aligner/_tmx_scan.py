"""A tolerant streaming reader of TMX files, for ``lint``.

``lint`` must read the files ``tmx.read_tmx`` refuses, which is what it reports on: bytes that are not
text and characters XML forbids are removed before lxml sees them, and the parser recovers from the rest.
It still resolves no entities, loads no DTD and never touches the network, keeps line numbers for the
report, and holds one unit at a time, so that gigabyte memories stay in bounded memory.
"""

from __future__ import annotations

import codecs
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from lxml import etree

from .errors import TMXError
from .tmx import SAFE_PARSING

_CHUNK_CHARS = 1 << 20
# Undecodable bytes (as surrogateescape gives them), characters XML 1.0 forbids, and character references.
_SUSPECT = re.compile(
    "(?P<byte>[\udc80-\udcff])|(?P<char>[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff])"
    "|(?P<ref>&#(?:x[0-9a-fA-F]+|[0-9]+);)"
)
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class Tally(Protocol):
    """Where the reader reports what it removed or could not parse, by check code and first line."""

    def add(self, code: str, line: int | None, detail: str = "", count: int = 1) -> None: ...


def elements(path: Path, tally: Tally) -> Iterator[tuple[str, etree._Element]]:
    """("header", element), then ("tu", element) for each unit, each cleared once the caller moves on.

    The bytes are cleaned first (``_clean_chunks``); the parser then recovers from what is still wrong,
    and its errors are tallied as "malformed" at the end.
    """
    # tmx.py's safe settings, but recovering, and fed UTF-8 by _clean_chunks whatever the declaration says
    parser = etree.XMLPullParser(**SAFE_PARSING, encoding="utf-8", recover=True)
    root_seen = False
    for chunk in itertools.chain(_clean_chunks(path, tally), [None]):
        try:
            if chunk is None:
                parser.close()
            else:
                parser.feed(chunk)
        except etree.XMLSyntaxError:
            pass  # recover=True still raises when there is no root at all; the error log says why
        for event, element in parser.read_events():
            local = element.tag.rpartition("}")[2]
            if not root_seen:
                if event != "start" or local != "tmx" or element.getparent() is not None:
                    raise TMXError(f"{path}: not a TMX file (the root element is not <tmx>)")
                root_seen = True
            elif event == "end" and local in ("header", "tu"):
                yield local, element
                if local == "tu":
                    element.clear()
                    while element.getprevious() is not None and element.getprevious().tag != "header":
                        del element.getparent()[0]
    if not root_seen:
        raise TMXError(f"{path}: not a TMX file (the root element is not <tmx>)")
    for entry in parser.feed_error_log:
        if entry.level >= etree.ErrorLevels.ERROR:
            tally.add("malformed", entry.line, entry.message.strip())


def _clean_chunks(path: Path, tally: Tally) -> Iterator[bytes]:
    """The file as UTF-8, without a BOM, undecodable bytes or characters XML forbids (tallied by line).

    Chunks end at a line end when there is one, so that a character reference is never cut in two.
    """
    encoding = _encoding(path)
    scanner = _Scanner(tally)
    carry = ""
    try:
        with open(path, encoding=encoding, errors="surrogateescape", newline="") as handle:
            for block in itertools.chain(iter(lambda: handle.read(_CHUNK_CHARS), ""), [""]):
                text = carry + block
                cut = (text.rfind("\n") + 1 or max(len(text) - 16, 0)) if block else len(text)
                text, carry = text[:cut], text[cut:]
                if text:
                    yield scanner.clean(text).encode("utf-8")
    except OSError as error:
        raise TMXError(f"{path}: cannot read ({error.strerror or error})") from None


class _Scanner:
    """Removes what XML cannot carry from consecutive pieces of a file, tallying it by line."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.line = 1
        self.started = False
        self._text, self._pos = "", 0

    def clean(self, text: str) -> str:
        if not self.started and text.startswith("\ufeff"):
            self.tally.add("bom", 1)
            text = text[1:]
        self.started = True
        self._text, self._pos = text, 0
        cleaned = _SUSPECT.sub(self._replace, text)
        self.line += text.count("\n", self._pos)
        return cleaned

    def _replace(self, match: re.Match[str]) -> str:
        """Nothing for an undecodable byte, a forbidden character or a reference to one; else the match itself."""
        self.line += self._text.count("\n", self._pos, match.start())
        self._pos = match.start()
        if match.group("byte"):
            self.tally.add("bad-bytes", self.line)
        elif match.group("char"):
            self.tally.add("forbidden-char", self.line, f"U+{ord(match.group('char')):04X}")
        else:
            ref = match.group("ref")
            value = int(ref[3:-1], 16) if ref[2] == "x" else int(ref[2:-1])
            if _allowed(value):
                return ref
            self.tally.add("forbidden-char", self.line, f"U+{value:04X}" if value < 0x110000 else ref)
        return ""


def _allowed(value: int) -> bool:
    return (
        value in (0x9, 0xA, 0xD) or 0x20 <= value <= 0xD7FF or 0xE000 <= value <= 0xFFFD or 0x10000 <= value <= 0x10FFFF
    )


def _encoding(path: Path) -> str:
    """The file's encoding: from its byte order mark, its first bytes, its declaration, else UTF-8."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(200)
    except OSError as error:
        raise TMXError(f"{path}: cannot read ({error.strerror or error})") from None
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if start.startswith(b"<\x00"):
        return "utf-16-le"
    if start.startswith(b"\x00<"):
        return "utf-16-be"
    declared = _DECLARED_ENCODING.match(start.removeprefix(codecs.BOM_UTF8))
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            return "utf-8"
        return "utf-8" if name.startswith("utf-16") else name  # "UTF-16" declared over UTF-8 bytes
    return "utf-8"
