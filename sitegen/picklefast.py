"""Quicker pickling for the small frozen dataclasses sent between processes (a result
per item) and kept in the build cache (their warnings).

``dataclass(slots=True)`` pickles through ``__getstate__``/``__setstate__`` helpers
that call :func:`dataclasses.fields` on every object; this pickles an object as its
class called with its field values, read by one C-level ``attrgetter``.
"""

from __future__ import annotations

import dataclasses
from operator import attrgetter
from typing import Any, TypeVar

C = TypeVar("C")


def fast_pickle(cls: type[C]) -> type[C]:
    """Class decorator for a dataclass whose fields are all ``__init__`` arguments."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    assert all(f.init for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    getter = attrgetter(*names)
    single = len(names) == 1

    def __reduce__(self: Any) -> tuple[Any, tuple[Any, ...]]:  # noqa: N807
        values = getter(self)
        return cls, (values,) if single else values

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls
