"""What a step did (Tally), and how it shows its progress (Bar)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Callable, ContextManager, Iterable


# bar(iterable, length, label) -> context manager yielding the iterable (click.progressbar fits)
Bar = Callable[[Iterable, "int | None", str], ContextManager[Iterable]]


def no_bar(iterable: Iterable, length: int | None, label: str) -> ContextManager[Iterable]:
    return contextlib.nullcontext(iterable)


@dataclass
class Tally:
    """What a step did, for the closing summary."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def merge(self, other: "Tally") -> None:
        for key, n in other.counts.items():
            self.add(key, n)

