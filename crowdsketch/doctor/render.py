"""The doctor's report and repair as a person reads them: one line per check, the count
and the first few subjects."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from crowdsketch.doctor.report import DESCRIPTIONS, NOTICE_KINDS, Kind, Outcome, RepairResult, Report

FIRST_FEW = 3


def show_report(console: Console, report: Report) -> None:
    scanned = report.scanned
    console.print(
        f"checked {scanned.drawing_rows} drawings ({scanned.drawing_blobs} stroke blobs), "
        f"{scanned.model_rows} models ({scanned.model_blobs} files), {scanned.unfinished_jobs} unfinished jobs; "
        f"blobs and rows younger than {report.grace_s:g} s left out"
    )
    table = Table()
    table.add_column("check", no_wrap=True)
    table.add_column("found", justify="right")
    table.add_column("first ones", overflow="fold")
    for kind, count in report.counts().items():
        if count == 0:
            if kind != Kind.STORES_DISAGREE:
                table.add_row(DESCRIPTIONS[kind], "[green]ok[/]", "")
            continue
        colour = "yellow" if kind in NOTICE_KINDS else "red"
        table.add_row(DESCRIPTIONS[kind], f"[{colour}]{count}[/]", _first_few(report, kind))
    console.print(table)
    for finding in report.of_kind(Kind.ACTIVE_MODEL_WITHOUT_FILES):
        console.print(
            f"[bold red]The ACTIVE model {finding.subject} ({finding.detail}) cannot be loaded: an inference "
            "service that restarts will have no model. Restore its files or activate another model.[/]"
        )
    for finding in report.of_kind(Kind.STORES_DISAGREE):
        console.print(f"[bold red]{finding.detail}[/]")
    if report.healthy:
        console.print("[green]healthy[/]")
    else:
        console.print(f"[red]{_problems(len(report.problems))}[/] (--repair fixes those it can)")


def _first_few(report: Report, kind: Kind) -> str:
    findings = report.of_kind(kind)
    shown = [f.subject for f in findings[:FIRST_FEW]]
    if len(findings) > FIRST_FEW:
        shown.append(f"... and {len(findings) - FIRST_FEW} more")
    return "\n".join(shown)


def show_repair(console: Console, result: RepairResult) -> None:
    table = Table()
    table.add_column("repair", no_wrap=True)
    for outcome in Outcome:
        table.add_column(outcome.value, justify="right")
    for kind, outcomes in result.tally().items():
        table.add_row(DESCRIPTIONS[kind], *(str(outcomes[outcome] or "") for outcome in Outcome))
    if result.actions:
        console.print(table)
    for action in result.of_outcome(Outcome.UNREPAIRED)[:10]:
        console.print(f"[red]not repaired[/] {action.finding.kind.value} {action.finding.subject}: {action.action}")
    if result.succeeded:
        console.print("[green]repaired[/]")
    else:
        console.print(f"[red]{_problems(len(result.of_outcome(Outcome.UNREPAIRED)))} left[/]")


def _problems(count: int) -> str:
    return f"{count} problem{'' if count == 1 else 's'}"
