"""One vocabulary of flags: every command's options, walked as ``--help`` shows them."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from aligner import __version__
from aligner.cli import app

runner = CliRunner()
GROUP = typer.main.get_command(app)
COMMANDS = GROUP.commands  # type: ignore[attr-defined]

#: Flags whose help names what each command writes (``--quiet``: batch still logs a line per statement;
#: ``--lang``: the language of segment's text, the language version discover lists); every other flag is
#: declared once in ``aligner/cli/_options.py``, so its help is the same everywhere.
PER_COMMAND = {"--output", "--format", "--quiet", "--lang"}
#: ``-l`` is the language option: ``--lang`` where a command takes one language, ``--langs`` where several.
SHORT_FAMILIES = {"-l": {"--lang", "--langs"}}


def visible_options(command: typer.core.TyperCommand) -> list[typer.core.TyperOption]:
    params = command.get_params(typer.Context(command))
    return [p for p in params if p.param_type_name == "option" and not p.hidden]  # type: ignore[attr-defined]


def test_a_flag_means_the_same_thing_in_every_command() -> None:
    helps: dict[str, set[str]] = defaultdict(set)
    shorts: dict[str, set[str]] = defaultdict(set)
    for command in COMMANDS.values():
        for option in visible_options(command):
            long = next(o for o in option.opts if o.startswith("--"))
            helps[long].add(option.help or "")
            for short in (o for o in option.opts if not o.startswith("--")):
                shorts[short].add(long)
    differing = {flag: texts for flag, texts in helps.items() if len(texts) > 1 and flag not in PER_COMMAND}
    assert differing == {}
    assert {s: longs for s, longs in shorts.items() if len(longs) > 1 and longs != SHORT_FAMILIES.get(s)} == {}


def test_caches_are_named_alike() -> None:
    for name in ("fetch", "run", "batch"):
        flags = {o for p in visible_options(COMMANDS[name]) for o in (*p.opts, *p.secondary_opts)}
        assert {"--http-cache", "--no-http-cache"} <= flags, name
        assert "--no-cache" not in flags and "--http-cache-dir" not in flags
    for command in COMMANDS.values():
        for option in visible_options(command):
            if "--cache-dir" in option.opts:
                assert "embeddings" in (option.help or ""), command.name


@pytest.mark.parametrize("name", ["fetch", "run", "batch", "report"])
def test_langs_has_a_short_flag(name: str) -> None:
    assert any(p.opts == ["--langs", "-l"] for p in visible_options(COMMANDS[name]))


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_has_an_example_and_shows_flags_without_a_value(name: str) -> None:
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.stdout
    assert "<bool>" not in result.stdout


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"aligner {__version__}\n")
    assert "--version" in runner.invoke(app, ["--help"]).stdout
    assert "<bool>" not in runner.invoke(app, ["--help"]).stdout


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["fetch", "--no-cache"], "--no-http-cache"),
        (["fetch", "--cache-dir", "c"], "--http-cache"),
        (["fetch", "--out", "o"], "--output"),
        (["run", "--no-cache"], "--no-http-cache"),
        (["run", "--http-cache-dir=c"], "--http-cache"),
    ],
)
def test_old_spellings_work_for_one_release_with_a_warning(old: list[str], new: str, tmp_path: Path) -> None:
    # A missing input stops each command right after parsing: enough to see the old flag accepted.
    command, *flags = old
    args = {"fetch": ["not-a-url", "-o", str(tmp_path)], "run": [str(tmp_path / "none")]}[command]
    result = runner.invoke(app, [command, *args, *flags])
    assert "No such option" not in result.output
    assert f"warning: {flags[0].split('=')[0]} is deprecated, use {new}" in result.stderr
    help_text = runner.invoke(app, [command, "--help"]).stdout
    assert f"{flags[0].split('=')[0]} " not in help_text.replace(new, "")
