"""``aligner align``, ``aligner eval`` and ``aligner models``: pairwise alignment and its scoring."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .._io import read_text, split_paragraphs
from ..align import align
from ..embed import available_models
from ..evaluate import format_ladder, ladder_pairs, score
from ..languages import normalize_lang
from ..pipeline import load_encoder
from ..segment import segment
from ..sources import check_language
from ..types import Alignment, Document, SegmentedDocument
from ._app import command, configure_logging, emit
from ._options import (
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_TOTAL,
    AsJson,
    CacheDir,
    MaxChars,
    MaxTotal,
    Model,
    Quiet,
    Verbose,
    align_options_from_flags,
)


class LadderFormat(str, Enum):
    ladder = "ladder"
    tsv = "tsv"


@command("align")
def align_command(
    src: Annotated[Path, typer.Argument(help="Source text file ('-' for standard input).", show_default=False)],
    tgt: Annotated[Path, typer.Argument(help="Target text file.", show_default=False)],
    src_lang: Annotated[str, typer.Option("--src-lang", "-s", help="Source language, e.g. de.", show_default=False)],
    tgt_lang: Annotated[str, typer.Option("--tgt-lang", "-t", help="Target language, e.g. fr.", show_default=False)],
    presegmented: Annotated[
        bool, typer.Option("--presegmented", help="Each input line is one sentence; do not segment.")
    ] = False,
    model: Model = "use",
    format: Annotated[
        LadderFormat, typer.Option("--format", "-f", help="ladder: '[3]:[3, 4]' lines; tsv: texts, score, bead.")
    ] = LadderFormat.ladder,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write instead of standard output.", show_default=False),
    ] = None,
    max_total: MaxTotal = DEFAULT_MAX_TOTAL,
    max_chars: MaxChars = DEFAULT_MAX_CHARS,
    cache_dir: CacheDir = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Align two texts sentence by sentence (1-1, 1-n, n-1, n-m, 1-0 and 0-1 beads).

    Example: aligner align de.txt fr.txt --src-lang de --tgt-lang fr --format tsv -o de-fr.tsv
    """
    configure_logging(quiet, verbose)
    options = align_options_from_flags(max_total)
    src_doc = _read_side(src, normalize_lang(src_lang), presegmented, max_chars)
    tgt_doc = _read_side(tgt, normalize_lang(tgt_lang), presegmented, max_chars)
    alignment = align(src_doc, tgt_doc, load_encoder(model, cache_dir), options)
    text = format_ladder(alignment.beads) if format is LadderFormat.ladder else _tsv(alignment)
    shape = "a ladder" if format is LadderFormat.ladder else "a table"
    emit(text, output, f"{len(alignment.beads)} beads as {shape}", quiet)  # -o's suffix does not choose


def _read_side(path: Path, lang: str, presegmented: bool, max_chars: int) -> SegmentedDocument:
    text = read_text(path, max_chars=max_chars)
    check_language(text, lang, path)
    if presegmented:
        # Line k is sentence k, blank lines included, so that ladder indices match the file's lines.
        return SegmentedDocument(
            lang=lang, paragraphs=(tuple(line.strip() for line in text.splitlines()),), source=str(path)
        )
    return segment(Document(lang=lang, paragraphs=split_paragraphs(text), source=str(path)))


def _tsv(alignment: Alignment) -> str:
    src, tgt = alignment.src.sentences, alignment.tgt.sentences
    lines = ["source\ttarget\tscore\tbead"]  # "bead" as in the tables of ``aligner run``
    for bead in alignment.beads:
        lines.append(
            "\t".join(
                (
                    _cell(" ".join(src[i] for i in bead.src if src[i])),
                    _cell(" ".join(tgt[j] for j in bead.tgt if tgt[j])),
                    f"{bead.score:.4f}",
                    bead.kind,
                )
            )
        )
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ")


@command("eval")
def eval_command(
    predicted: Annotated[Path, typer.Argument(help="Ladder file or directory of ladder files.", show_default=False)],
    gold: Annotated[
        Path, typer.Argument(help="Gold ladder file or directory (files matched by name).", show_default=False)
    ],
    as_json: AsJson = False,
) -> None:
    """Score predicted alignments against gold: strict and lax precision, recall and F1, pooled over files.

    Example: aligner eval predicted/ ../shared/data/textberg-de-fr/gold/
    """
    scores = score(ladder_pairs(predicted, gold))
    if as_json:
        typer.echo(json.dumps(scores.as_dict()))
        return
    typer.echo(f"strict  P {scores.strict_precision:.4f}  R {scores.strict_recall:.4f}  F1 {scores.strict_f1:.4f}")
    typer.echo(f"lax     P {scores.lax_precision:.4f}  R {scores.lax_recall:.4f}  F1 {scores.lax_f1:.4f}")


@command("models")
def models_command(
    as_json: AsJson = False,
) -> None:
    """List the sentence encoders that --model accepts, and whether each is installed.

    Example: aligner models --json
    """
    models = available_models()
    if as_json:
        fields = ("id", "aliases", "dim", "description", "installed", "install_hint")
        typer.echo(json.dumps([{key: getattr(m, key) for key in fields} for m in models]))
        return
    for m in models:
        status = "installed" if m.installed else f"not installed: {m.install_hint}"
        aliases = f" (aliases: {', '.join(m.aliases)})" if m.aliases else ""
        dim = f"{m.dim}-d" if m.dim else "any dim"
        typer.echo(f"{m.id:18s} {dim:8s} {m.description}{aliases} [{status}]")
