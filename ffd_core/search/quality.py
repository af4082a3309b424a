"""Linkage quality against ground truth: pairwise precision, recall and F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Ref = tuple[str, str]


@dataclass(frozen=True)
class Quality:
    true_pairs: int  # pairs of records that are the same child
    linked_pairs: int  # pairs of records the linkage put in one person
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.linked_pairs if self.linked_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_quality(people: Sequence[Sequence[Ref]], truth: Mapping[Ref, str]) -> Quality:
    """Counts pairs through group sizes, so a million records need no pair enumeration."""
    true_sizes = Counter(truth[ref] for refs in people for ref in refs)
    linked = sum(_pairs(len(refs)) for refs in people)
    correct = sum(_pairs(n) for refs in people for n in Counter(truth[r] for r in refs).values())
    return Quality(sum(_pairs(n) for n in true_sizes.values()), linked, correct)
