"""Printed dates in de/en/es/ru/fr, read as ISO ``YYYY-MM-DD``.

The fetcher compares the dates of two language versions to tell whether they are the same statement;
each site prints them in its own language ("5 марта 2024 г.", "March 5, 2024", "05.03.2024").
"""

from __future__ import annotations

import re

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january januar jänner enero janvier января январь",
        "february februar febrero février февраля февраль",
        "march märz marzo mars марта март",
        "april abril avril апреля апрель",
        "may mai mayo мая май",
        "june juni junio juin июня июнь",
        "july juli julio juillet июля июль",
        "august agosto août августа август",
        "september septiembre setiembre septembre сентября сентябрь",
        "october oktober octubre octobre октября октябрь",
        "november noviembre novembre ноября ноябрь",
        "december dezember diciembre décembre декабря декабрь",
    ),
    start=1,
):
    _MONTHS.update(dict.fromkeys(_names.split(), _number))

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\.?\s+(?:de\s+)?([^\W\d_]{3,})\.?,?\s+(?:de\s+)?(\d{4})\b")
_MONTH_DAY_YEAR = re.compile(r"\b([^\W\d_]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})\b")


def parse_date(text: str) -> str:
    """A printed date in any of de/en/es/ru/fr as ``YYYY-MM-DD``, or ``""`` when none is found."""
    if found := _ISO_DATE.search(text):
        return "-".join(found.groups())
    if found := _NUMERIC_DATE.search(text):
        day, month, year = found.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    for pattern, order in ((_DAY_MONTH_YEAR, (0, 1, 2)), (_MONTH_DAY_YEAR, (1, 0, 2))):
        for found in pattern.finditer(text):
            day, word, year = (found.group(i + 1) for i in order)
            month = _month(word)
            if month:
                return f"{year}-{month:02d}-{int(day):02d}"
    return ""


def _month(word: str) -> int:
    """Month number of a full or abbreviated name, when the abbreviation is unambiguous."""
    word = word.casefold()
    if word in _MONTHS:
        return _MONTHS[word]
    numbers = {n for name, n in _MONTHS.items() if name.startswith(word)}
    return numbers.pop() if len(numbers) == 1 else 0
