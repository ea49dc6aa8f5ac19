"""How well the active model recognises a labelled JSON Lines file of drawings.

Each line is read with the import's rules (either format; canvas, duration and device are
derived when missing). Drawings whose label the model does not know are reported, not
counted; lines that fail validation are reported with their field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from crowdsketch.common.line_formats import LineError, parse_line
from crowdsketch.common.shapes import CatalogShape
from crowdsketch.strokes import StrokeData

MAX_LINE_BYTES = 1024 * 1024


class AnyLabel(Mapping[str, CatalogShape]):
    """Every label is accepted here; whether the model knows it is decided afterwards."""

    def __getitem__(self, label: str) -> CatalogShape:
        return CatalogShape(label, label, False, 0)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@dataclass
class EvaluationReport:
    classes: list[str]
    lines: int = 0
    counted: int = 0
    correct: int = 0
    confusion: dict[tuple[str, str], int] = field(default_factory=Counter)
    outside: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.counted if self.counted else 0.0

    def recall(self, label: str) -> tuple[int, int]:
        total = sum(n for (true, _), n in self.confusion.items() if true == label)
        return self.confusion.get((label, label), 0), total

    def render(self) -> str:
        out = [f"accuracy {self.accuracy:.4f} ({self.correct}/{self.counted} drawings of the model's classes)"]
        out.append("per-class recall:")
        for label in self.classes:
            hit, total = self.recall(label)
            if total:
                out.append(f"  {label:<12} {hit / total:.3f} ({hit}/{total})")
        present = [c for c in self.classes if self.recall(c)[1]]
        out.append("confusion matrix (rows: true label, columns: predicted):")
        width = max([len(c) for c in self.classes] + [5])
        out.append(" " * (width + 2) + " ".join(f"{c[:6]:>6}" for c in self.classes))
        for true in present:
            cells = " ".join(f"{self.confusion.get((true, pred), 0):>6}" for pred in self.classes)
            out.append(f"  {true:<{width}}{cells}")
        if self.outside:
            out.append("not counted, labels the model does not know: "
                       + ", ".join(f"{label} ({n})" for label, n in sorted(self.outside.items())))
        if self.errors:
            out.append(f"{len(self.errors)} lines refused, e.g. " + "; ".join(
                f"line {n}: {fld}: {msg}" for n, fld, msg in self.errors[:5]))
        return "\n".join(out)


def evaluate(lines: Iterable[bytes], classes: list[str], classify: Callable[[StrokeData], str]) -> EvaluationReport:
    report = EvaluationReport(classes=list(classes))
    known = set(classes)
    shapes = AnyLabel()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        report.lines += 1
        try:
            parsed = parse_line(raw, shapes, MAX_LINE_BYTES)
        except LineError as error:
            report.errors.append((number, error.field, error.message))
            continue
        label = parsed.shape.id
        if label not in known:
            report.outside[label] += 1
            continue
        predicted = classify(parsed.data)
        report.counted += 1
        report.correct += predicted == label
        report.confusion[(label, predicted)] += 1
    return report
