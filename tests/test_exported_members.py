"""What ``import aligner`` promises: the names in ``__all__``, sorted, all present, nothing private."""

from __future__ import annotations

import inspect
import re
import sys

import aligner
from aligner import errors, types


def test_every_exported_name_exists() -> None:
    missing = [name for name in aligner.__all__ if not hasattr(aligner, name)]
    assert missing == []


def test_all_is_sorted_without_duplicates() -> None:
    assert aligner.__all__ == sorted(set(aligner.__all__))


def test_no_private_names_are_exported() -> None:
    assert [name for name in aligner.__all__ if name.startswith("_")] == ["__version__"]


def test_every_public_class_or_function_of_the_package_is_exported() -> None:
    public = [
        name
        for name in dir(aligner)
        if not name.startswith("_")
        and (inspect.isclass(getattr(aligner, name)) or inspect.isfunction(getattr(aligner, name)))
    ]
    assert sorted(public) == [name for name in aligner.__all__ if name != "__version__"]


def test_exports_are_aligners_own_objects_under_their_own_names() -> None:
    for name in aligner.__all__:
        if name == "__version__":
            continue
        value = getattr(aligner, name)
        assert value.__name__ == name
        # Defined in one of aligner's modules (``__init__`` does not rewrite ``__module__`` to "aligner").
        assert value.__module__.startswith("aligner."), name
        assert getattr(sys.modules[value.__module__], name) is value


def test_core_types_and_errors_are_exported() -> None:
    for module in (errors, types):
        defined = [
            name
            for name, value in vars(module).items()
            if inspect.isclass(value) and value.__module__ == module.__name__ and not name.startswith("_")
        ]
        assert set(defined) <= set(aligner.__all__), module.__name__


def test_every_exported_error_is_an_aligner_error_with_an_exit_code() -> None:
    exported_errors = [getattr(aligner, name) for name in aligner.__all__ if name.endswith("Error")]
    assert aligner.AlignerError in exported_errors
    for error in exported_errors:
        assert issubclass(error, aligner.AlignerError)
        assert isinstance(error.exit_code, int) and error.exit_code > 0


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, object] = {}
    exec("from aligner import *", namespace)  # noqa: S102 - the star import is what is tested
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(aligner.__all__)


def test_version_is_a_release_number() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?(?:\.dev\d+)?", aligner.__version__)


def test_aligning_does_not_load_the_web_table_or_tmx_stages() -> None:
    """A library user who only aligns does not pay for httpx, tldextract, polars or lxml at import."""
    import subprocess

    code = "import sys, aligner.align; print(sorted(m for m in ('httpx', 'tldextract', 'polars', 'lxml') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"
    assert aligner.write_tmx.__module__ == "aligner.tmx"  # and they load on first use
