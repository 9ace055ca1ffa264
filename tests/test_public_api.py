"""The package's public surface."""

from __future__ import annotations

import arazzo_runner


def test_all_lists_public_names() -> None:
    public = {name for name in vars(arazzo_runner) if not name.startswith("_")}
    modules = {
        name
        for name in public
        if type(getattr(arazzo_runner, name)).__name__ == "module"
    }
    assert set(arazzo_runner.__all__) == public - modules


def test_all_is_sorted() -> None:
    assert list(arazzo_runner.__all__) == sorted(arazzo_runner.__all__)
