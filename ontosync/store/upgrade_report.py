"""What `migrate` and `prepare_database` found and did, and the text `ontosync migrate` prints."""

from __future__ import annotations

from dataclasses import dataclass, field

from ontosync.console import printable
from ontosync.store.legacy import SHAPE_TITLES


@dataclass
class MigrateResult:
    """What was found and done (or, for a dry run, what would be done)."""

    db_path: str
    shape: str
    dry_run: bool = False
    backup_path: str | None = None
    applied: list[str] = field(default_factory=list)  # migration files, in the order applied
    archived: dict[str, str] = field(default_factory=dict)  # legacy table -> where its rows are now
    kept: list[str] = field(default_factory=list)  # legacy tables left as they were
    carried: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (legacy rows, rows written)
    generated_axioms: int = 0  # axioms made from legacy columns the new schema lacks
    rows: dict[str, int] = field(default_factory=dict)  # ontosync tables after the migration
    added_classes: list[tuple[str, str]] = field(default_factory=list)  # (ontology_id, class_iri)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when the database was (or, for a dry run, would be) written."""
        return bool(self.applied)

    def summary(self, max_listed: int = 20) -> str:
        """Human text for `ontosync migrate`: detected, applied, rows carried, classes added, backup;
        each line escaped as every message is (console.printable): a `--backup-dir` holding a newline
        split a line, an escape sequence in a path or a legacy IRI reached the terminal."""
        return "\n".join(printable(line) for line in self._lines(max_listed))

    def _lines(self, max_listed: int) -> list[str]:
        lines = [f"{self.db_path}: {SHAPE_TITLES.get(self.shape, self.shape)}"]
        if not self.changed:
            lines.append("up to date: nothing to do" + (" (dry run)" if self.dry_run else ""))
            return lines
        verb = "would apply" if self.dry_run else "applied"
        lines.append(f"{verb}: {', '.join(self.applied)}")
        if self.dry_run:
            lines.append("dry run: nothing was written and no backup was taken")
        elif self.backup_path:
            lines.append(f"backup (integrity_check ok): {self.backup_path}")
        if self.archived:
            moved = ", ".join(f"{a} -> {b}" for a, b in self.archived.items())
            lines.append(f"legacy tables moved aside with all their rows: {moved}")
        if self.kept:
            lines.append(f"legacy tables kept as they were: {', '.join(self.kept)}")
        lines += self._carried_lines() + self._added_lines(max_listed)
        lines += [f"note: {n}" for n in self.notes]
        return lines

    def _carried_lines(self) -> list[str]:
        if not self.carried:
            return []
        lines = ["carried over (legacy rows -> rows under the new schema):"]
        for kind, (before, after) in self.carried.items():
            extra = ""
            if kind == "hierarchy edges" and after < before:
                extra = " (the same edge given twice is stored once)"
            lines.append(f"  {kind:<16}{before:>8} -> {after}{extra}")
        if self.generated_axioms:
            lines.append(f"  {'':<16}{'':>8}  + {self.generated_axioms} axioms made from legacy columns "
                         "(property characteristics and inverses, property comments, deprecation, "
                         "disjointness)")
        return lines

    def _added_lines(self, max_listed: int) -> list[str]:
        lines = []
        if self.rows:
            lines.append("rows " + ("it would write: " if self.dry_run else "now: ")
                         + ", ".join(f"{t} {n}" for t, n in self.rows.items()))
        if self.added_classes:
            lines.append(f"classes {'it would add' if self.dry_run else 'added'} because hierarchy rows name "
                         f"them but nothing declares them ({len(self.added_classes)}; referenced-only rows):")
            lines += [f"  {o}  {iri}" for o, iri in self.added_classes[:max_listed]]
            if len(self.added_classes) > max_listed:
                lines.append(f"  ... and {len(self.added_classes) - max_listed} more")
        return lines


PrepareResult = MigrateResult  # what `prepare_database` returns; the same fields
