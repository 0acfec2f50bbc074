"""A side-by-side HTML page of one aligned statement, for linguists checking an alignment.

    statement_report(sources, options, ...)    -> HTML for a statement (files or a URL) or a TMX file, as
                                                  ``aligner report`` makes it: one of the two below
    alignment_report(multi, encoder, options)  -> HTML (all languages side by side + similarity heatmap)
    tmx_report(units, options)                 -> HTML from a TMX alone (no heatmap: no sentence embeddings)
    similarity_matrix / plot_heatmap           -> the heatmap, also usable from a notebook

The page is one self-contained file: inline CSS, the heatmap as a PNG data URI, no script, no external
fonts, and a Content-Security-Policy forbidding anything else, so it opens offline and safely. The
texts come from the web, so every string is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from ._io import atomic_writer
from .align import AlignOptions
from .confidence import unit_confidence
from .embed import Encoder
from .errors import AlignmentError, OutputError
from .fetch import FetchOptions
from .multi import bitext, choose_pivot
from .pipeline import align_documents, gather_documents, load_encoder
from .tmx import TranslationUnit, read_tmx, translation_units
from .types import Bead, MultiAlignment, runs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ReportOptions",
    "alignment_report",
    "default_pair",
    "heatmap_size",
    "plot_heatmap",
    "png_size",
    "require_matplotlib",
    "similarity_matrix",
    "statement_report",
    "tmx_report",
    "write_report",
]

#: Units less likely than this to be exactly right are highlighted as doubtful (``aligner.confidence``).
DOUBTFUL_BELOW = 0.9

#: Resolution of the embedded heatmap; its size in pixels is the figure size in inches times this.
DPI = 100

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; margin: 1.5em; color: #1d1d1f; }
h1 { font-size: 1.35em; margin: 0 0 .3em; } h2 { font-size: 1.1em; margin: 1.2em 0 .4em; }
.meta, .note { color: #555; margin: .2em 0; } .note { font-style: italic; }
.legend span { display: inline-block; padding: 0 .5em; margin-right: .6em; border-radius: 3px; }
table.units { border-collapse: collapse; table-layout: fixed; width: 100%; }
table.units th, table.units td { border: 1px solid #d8d8d8; padding: .35em .5em; vertical-align: top; overflow-wrap: anywhere; }
table.units thead th { position: sticky; top: 0; background: #f4f4f6; text-align: left; }
th.n, td.n { width: 3em; text-align: right; color: #777; } th.score, td.score { width: 5.5em; text-align: right; }
th.kind, td.kind { width: 7em; color: #777; font-size: .85em; }
tr.low, .legend .low { background: #fff1c7; } tr.low td.score { color: #b3261e; font-weight: bold; }
tr.unpaired, .legend .unpaired { background: #eef1f7; }
tr.doubt td.confidence, .legend .doubt { background: #fde2e1; } th.confidence, td.confidence { width: 7em; }
td.confidence small { display: block; color: #b3261e; }
td.gap, .legend .gap { color: #999; background: repeating-linear-gradient(45deg, #fafafa, #fafafa 6px, #f0f0f0 6px, #f0f0f0 12px); text-align: center; }
figure { margin: 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
"""


@dataclass(frozen=True)
class ReportOptions:
    """What the page shows; built from CLI flags in ``aligner.cli._report``."""

    threshold: float = 0.5  # units scored below this are highlighted
    pair: tuple[str, str] | None = None  # heatmap languages; default: pivot and the first other language
    title: str = ""
    missing: tuple[tuple[str, str], ...] = ()  # (lang, reason) of language versions that could not be used


@dataclass(frozen=True)
class _Row:
    """One table row: each language's text (None: no counterpart), score when the unit links languages."""

    texts: tuple[str | None, ...]
    score: float | None
    kind: str
    linked: bool
    confidence: float | None = None  # x-confidence: below ``DOUBTFUL_BELOW`` the row is highlighted
    flags: tuple[str, ...] = ()


def require_matplotlib() -> None:
    """Fail with one line, before any work, when the optional plotting dependency is absent."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise OutputError("the report's heatmap needs matplotlib: pip install 'aligner[report]'") from None


def default_pair(langs: Sequence[str], pivot: str | None = None) -> tuple[str, str]:
    """The pivot (as ``align_multi`` chooses it) and the first other language."""
    if len(langs) < 2:
        raise AlignmentError(f"a heatmap needs two languages, got {', '.join(langs) or 'none'}")
    first = pivot if pivot is not None and pivot in langs else choose_pivot(langs)
    return first, next(lang for lang in langs if lang != first)


def similarity_matrix(multi: MultiAlignment, src: str, tgt: str, encoder: Encoder) -> NDArray[np.float32]:
    """Cosine similarity of every sentence pair, shape (sentences in ``src``, sentences in ``tgt``).

    With the ``EmbeddingCache`` used for aligning, the sentences are not embedded again.
    """
    _check_pair(multi, src, tgt)
    a = encoder.encode(list(multi.doc(src).sentences))
    b = encoder.encode(list(multi.doc(tgt).sentences))
    return a @ b.T


def plot_heatmap(
    similarity: NDArray[np.floating], beads: Sequence[Bead], src: str, tgt: str, ax: Axes | None = None
) -> Figure:
    """Draw the similarity matrix with the alignment path on it: a box per bead, a cross per unmatched sentence.

    Without ``ax`` a new Agg figure is made (no display or pyplot state needed); in a notebook, pass an
    ``ax`` from ``plt.subplots()``.
    """
    require_matplotlib()
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    n, m = similarity.shape
    if ax is None:
        fig = Figure(figsize=heatmap_size(n, m), dpi=DPI, layout="constrained")
        ax = fig.add_subplot()
    image = ax.imshow(similarity, cmap="viridis", vmin=0.0, vmax=1.0, aspect="auto", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="cosine similarity", shrink=0.85)
    centres_x, centres_y = [], []
    last_src, last_tgt = -0.5, -0.5
    for bead in beads:
        if bead.src and bead.tgt:
            for rows in runs(bead.src):  # a bead that gave up a sentence in its middle has gaps
                for cols in runs(bead.tgt):
                    box = (cols[0] - 0.5, rows[0] - 0.5), len(cols), len(rows)
                    ax.add_patch(Rectangle(*box, fill=False, edgecolor="#ff4f4f", lw=1.6))
            centres_x.append((bead.tgt[0] + bead.tgt[-1]) / 2)
            centres_y.append((bead.src[0] + bead.src[-1]) / 2)
            last_src, last_tgt = bead.src[-1] + 0.5, bead.tgt[-1] + 0.5
        elif bead.src:  # source sentences without a counterpart: crosses in their rows, where the path passes
            ax.plot([last_tgt] * len(bead.src), bead.src, "x", color="#ffffff", ms=7, mew=2)
        else:
            ax.plot(bead.tgt, [last_src] * len(bead.tgt), "x", color="#ffffff", ms=7, mew=2)
    ax.plot(centres_x, centres_y, "-", color="#ff4f4f", lw=0.8, alpha=0.8)
    ax.set_xlim(-0.5, m - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlabel(f"{tgt} sentence")
    ax.set_ylabel(f"{src} sentence")
    ax.set_title(f"{src}–{tgt}: similarity and alignment (boxes)")
    return ax.figure  # type: ignore[return-value]


def heatmap_size(n: int, m: int) -> tuple[float, float]:
    """Figure size in inches for an (n, m) matrix: about square cells, between 4 and 9 inches a side."""
    scale = 8.0 / max(n, m, 1)
    return (min(max(m * scale + 1.5, 4.0), 9.5), min(max(n * scale + 0.8, 4.0), 9.0))


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; ValueError when ``data`` is no PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


# --- pages ---------------------------------------------------------------------------------------


def statement_report(
    sources: Sequence[str],
    options: ReportOptions | None = None,
    *,
    langs: Sequence[str] | None = None,
    pivot: str | None = None,
    model: str = "use",
    cache_dir: Path | None = None,
    align_options: AlignOptions | None = None,
    fetch_options: FetchOptions | None = None,
) -> str:
    """The page ``aligner report`` writes for ``sources``: one TMX file, or a statement to align now.

    A statement is given as for ``gather_documents`` (a folder, ``LL=PATH`` files or one URL) and aligned
    with ``model``. ``options.pair`` and ``options.title`` are filled in when unset (pivot and first other
    language; the pivot's title), and language versions that could not be fetched are listed on the page.
    """
    options = options or ReportOptions()
    if len(sources) == 1 and sources[0].lower().endswith(".tmx") and Path(sources[0]).is_file():
        titled = replace(options, title=options.title or Path(sources[0]).name)
        return tmx_report(read_tmx(sources[0]), titled, source=sources[0])
    require_matplotlib()  # fail before fetching and aligning
    documents, missing = gather_documents(sources, langs=langs, fetch_options=fetch_options)
    encoder = load_encoder(model, cache_dir)
    multi = align_documents(documents, encoder, align_options, pivot=pivot)
    pair = options.pair or default_pair(multi.langs, pivot)
    title = options.title or next((d.title for d in documents if d.lang == pair[0] and d.title), "") or sources[0]
    return alignment_report(multi, encoder, replace(options, pair=pair, title=title, missing=tuple(missing.items())))


def alignment_report(multi: MultiAlignment, encoder: Encoder, options: ReportOptions | None = None) -> str:
    """The page for a fresh alignment: every unit side by side and the heatmap of ``options.pair``."""
    options = options or ReportOptions()
    src, tgt = options.pair or default_pair(multi.langs)
    fig = plot_heatmap(similarity_matrix(multi, src, tgt, encoder), bitext(multi, src, tgt).beads, src, tgt)
    png = _png(fig)
    width, height = png_size(png)
    heatmap = (
        f'<figure><img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" width="{width}" '
        f'height="{height}" alt="{_e(f"similarity of {src} and {tgt} sentences with the alignment path")}">'
        f"<figcaption class=note>Rows: {_e(src)} sentences; columns: {_e(tgt)} sentences. Red boxes are the "
        "aligned units, white crosses sentences without a counterpart.</figcaption></figure>"
    )
    rows = [
        _Row(_texts(tu, multi.langs), unit.score, unit.kind, unit.is_linked, tu.confidence, tu.flags)
        for unit, tu in translation_units(multi, unit_confidence(multi, encoder))
    ]
    counts = {d.lang: len(d.sentences) for d in multi.docs}
    sources = [f"{d.lang}: {d.source}" for d in multi.docs if d.source]
    return _page(multi.langs, rows, options, heatmap, counts, sources, f"model {multi.model}", (src, tgt))


def tmx_report(units: Iterable[TranslationUnit], options: ReportOptions | None = None, *, source: str = "") -> str:
    """The page for a translation memory read back from TMX: units side by side, no heatmap.

    Scores come from the ``x-score`` props aligner writes; other tools' units have none and are not highlighted.
    """
    options = options or ReportOptions()
    units = list(units)
    langs = tuple(dict.fromkeys(lang for tu in units for lang in tu.langs))
    rows = [
        _Row(_texts(tu, langs), tu.score, tu.prop("x-bead") or "", tu.is_linked, tu.confidence, tu.flags)
        for tu in units
    ]
    note = (
        "<p class=note>No similarity heatmap: a TMX file holds the aligned texts but not the sentence "
        "embeddings or the sentence-by-sentence split. Run <code>aligner report</code> on the statement's "
        "folder of per-language files to see it.</p>"
    )
    return _page(langs, rows, options, note, {}, [source] if source else [], "from a TMX file", None)


def write_report(page: str, path: str | Path) -> None:
    """Write the page atomically (UTF-8)."""
    with atomic_writer(path) as handle:
        handle.write(page)


def _texts(tu: TranslationUnit, langs: Sequence[str]) -> tuple[str | None, ...]:
    """The unit's text in each language; None where it has none (the TMX leaves that variant out)."""
    present = tu.langs
    return tuple(tu.text(lang) if lang in present else None for lang in langs)


def _check_pair(multi: MultiAlignment, src: str, tgt: str) -> None:
    unknown = [lang for lang in (src, tgt) if lang not in multi.langs]
    if unknown or src == tgt:
        raise AlignmentError(f"--pair {src}-{tgt}: expected two different languages among {', '.join(multi.langs)}")


def _page(
    langs: Sequence[str],
    rows: Sequence[_Row],
    options: ReportOptions,
    heatmap: str,
    counts: dict[str, int],
    sources: Sequence[str],
    origin: str,
    pair: tuple[str, str] | None,
) -> str:
    low = sum(1 for row in rows if row.linked and row.score is not None and row.score < options.threshold)
    unpaired = sum(1 for row in rows if not row.linked)
    doubtful = sum(1 for row in rows if row.confidence is not None and row.confidence < DOUBTFUL_BELOW)
    title = options.title or "Aligned statement"
    parts = [
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>",
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name=viewport content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{_e(title)}</h1>",
        (
            f"<p class=meta>{len(rows)} units in {_e(', '.join(langs))}; {_e(origin)}; "
            f"{low} below the threshold {options.threshold:g}; {doubtful} with confidence below "
            f"{DOUBTFUL_BELOW:g}; {unpaired} without a counterpart.</p>"
        ),
        *(f"<p class=meta>Source {_e(s)}</p>" for s in sources),
        *(f"<p class=note>{_e(lang)} not included: {_e(reason)}</p>" for lang, reason in options.missing),
        (
            '<p class="meta legend"><span class=low>score below threshold</span>'
            f"<span class=doubt>confidence below {DOUBTFUL_BELOW:g}</span>"
            "<span class=unpaired>sentence with no counterpart</span>"
            "<span class=gap>— no text in this language</span></p>"
        ),
        "</header>",
        f"<h2>Similarity heatmap{_e(f' {pair[0]}–{pair[1]}') if pair else ''}</h2>{heatmap}",
        "<h2>Units</h2><table class=units><thead><tr><th class=n>#</th>",
        *(
            f"<th lang={_e(lang)}>{_e(lang)}{f' ({counts[lang]} sentences)' if lang in counts else ''}</th>"
            for lang in langs
        ),
        "<th class=score>score</th><th class=confidence>confidence</th><th class=kind>type</th></tr></thead><tbody>",
    ]
    for index, row in enumerate(rows, start=1):
        parts.append(_row_html(index, row, langs, options.threshold))
    parts.append("</tbody></table></body></html>\n")
    return "\n".join(parts)


def _row_html(index: int, row: _Row, langs: Sequence[str], threshold: float) -> str:
    if not row.linked:
        css, score = "unit unpaired", "no counterpart"
    elif row.score is None:
        css, score = "unit", "–"
    else:
        css, score = ("unit low" if row.score < threshold else "unit"), f"{row.score:.3f}"
    if row.confidence is not None and row.confidence < DOUBTFUL_BELOW:
        css += " doubt"
    sure = f"{row.confidence:.3f}" if row.confidence is not None else "–"
    reasons = f"<small>{_e(', '.join(row.flags))}</small>" if row.flags else ""
    cells = "".join(
        f'<td lang="{_e(lang)}" dir=auto>{_e(text)}</td>'
        if text is not None
        else '<td class=gap title="no counterpart in this language">—</td>'
        for lang, text in zip(langs, row.texts, strict=True)
    )
    data = f' data-score="{row.score:.4f}"' if row.score is not None else ""
    return (
        f'<tr class="{css}" id="u{index}"{data}><td class=n>{index}</td>{cells}'
        f"<td class=score>{_e(score)}</td><td class=confidence>{_e(sure)}{reasons}</td>"
        f"<td class=kind>{_e(row.kind)}</td></tr>"
    )


def _e(text: str) -> str:
    return html.escape(text, quote=True)
