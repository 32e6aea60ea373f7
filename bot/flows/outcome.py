"""A finished flow's outcome: the verdict first, then what fails, what is still to check and
what complies, the dates that matter; as text and as a Word document."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import docx

from bot.flows import engine
from bot.flows.definitions import UNKNOWN, WOONVORMEN, Flow
from bot.parsing import format_date

ICONS = {engine.PASS: "✅", engine.FAIL: "❌", engine.OPEN: "❔"}
NAMED_FAILS = 3  # failing requirements named in the first line of a verdict


def _verdict_line(outcome: engine.Result) -> str:
    """'Voldoet niet op 1 punt' / 'Voldoet op alle getoetste punten, 3 nog na te gaan'."""
    if not outcome.verdicts:
        return ""
    fails = [v for v in outcome.verdicts if v.status == engine.FAIL]
    open_ = sum(v.status == engine.OPEN for v in outcome.verdicts)
    still = f" ({open_} nog na te gaan)" if open_ else ""
    if fails:
        named = "; ".join(
            v.label + (f" ({v.detail})" if v.detail else "") for v in fails[:NAMED_FAILS]
        )
        more = f"; en nog {len(fails) - NAMED_FAILS}" if len(fails) > NAMED_FAILS else ""
        points = "punt" if len(fails) == 1 else "punten"
        return f"Voldoet niet op {len(fails)} {points}{still}: {named}{more}."
    if open_ == len(outcome.verdicts):  # every answer 'weet ik niet': nothing was checked
        return f"Nog niets getoetst: alle {open_} punten zijn nog na te gaan."
    return (
        f"Voldoet op alle getoetste punten{', ' + str(open_) + ' nog na te gaan' if open_ else ''}."
    )


def _next_date_line(flow: Flow, outcome: engine.Result, today: dt.date) -> str:
    """The next date that matters first, and which dates have passed. The terms counted from
    the flow's first date come first (the request date: the housing deadline), then the rest
    (from a date of birth: the choice before 17,5, then 18)."""
    if not outcome.dates:
        return ""
    primary = flow.dates[min(d.index for d in outcome.dates)].start

    def order(d: engine.DateLine) -> tuple[bool, dt.date]:
        return flow.dates[d.index].start != primary, d.day

    coming = sorted((d for d in outcome.dates if d.day >= today), key=order)
    passed = [d for d in outcome.dates if d.day < today]
    lines = []
    if coming:
        first = coming[0]
        # the housing deadline leads even when a date of the young person comes sooner: then it
        # is not called the next date
        soonest = first.day <= min(d.day for d in coming)
        name = "Eerstvolgende datum" if soonest else "Uw deadline"
        lines.append(f"{name}: {format_date(first.day)} ({first.relative}): {first.label}")
    else:
        lines.append("Alle data liggen al achter ons.")
    if passed:
        lines.append(
            "Al verstreken: " + "; ".join(f"{d.label} ({format_date(d.day)})" for d in passed)
        )
    return "\n".join(lines)


def _woonvorm_assumption(answers: dict[str, Any], values: dict[str, Any]) -> str:
    """Which woonvorm the pandcheck assumed when the user did not know it."""
    if "woonvorm" not in answers or not engine._same(answers["woonvorm"], UNKNOWN):
        return ""
    if values.get("woonvorm") in WOONVORMEN:
        return (
            f"U wist de woonvorm niet. Ik ben uitgegaan van een {values['woonvorm']}, afgeleid "
            f"uit het aantal jongeren ({values.get('aantal_jongeren')})."
        )
    return (
        "De woonvorm is onbekend. Ik heb daarom getoetst aan de eisen van alle woonvormen "
        "(KWG, KWE en KWE+); bij een eis die niet voor elke woonvorm geldt, staat erbij voor welke."
    )


def result_text(
    flow: Flow,
    answers: dict[str, Any],
    outcome: engine.Result,
    today: dt.date,
    cite: Callable[[str], str],
) -> str:
    """The outcome, verdict first: what fails and what is still to check, then what
    complies; for dates, the next one that matters and what has passed."""
    values = engine.effective(flow, answers)
    heading = f"Uitkomst: {flow.title}"
    if "woonvorm" in values and values["woonvorm"] != UNKNOWN:
        heading += f" ({values['woonvorm']}"
        if values.get("aantal_jongeren") not in (None, UNKNOWN):
            heading += f", {values['aantal_jongeren']} jongeren"
        heading += ")"
    next_date = _next_date_line(flow, outcome, today)
    parts = [p for p in (_verdict_line(outcome), next_date) if p]
    parts.append(heading)
    assumption = _woonvorm_assumption(answers, values)
    if assumption:
        parts.append(assumption)
    for status in (engine.FAIL, engine.OPEN, engine.PASS):
        group = [v for v in outcome.verdicts if v.status == status]
        if group:
            lines = [f"{status.capitalize()} ({len(group)}):"]
            for v in group:
                detail = f" ({v.detail})" if v.detail and status != engine.PASS else ""
                cited = "; ".join(cite(s) for s in (v.source, *v.also))
                lines.append(f"{ICONS[status]} {v.label}{detail}\n   Bron: {cited}")
            parts.append("\n".join(lines))
    if outcome.dates:
        lines = ["Data:"]
        for d in outcome.dates:
            lines.append(
                f"📅 {format_date(d.day)} ({d.relative}): {d.label}\n   Bron: {cite(d.source)}"
            )
        parts.append("\n".join(lines))
    elif flow.dates:
        parts.append(
            f"Zonder datum kan ik geen termijnen uitrekenen. Start opnieuw met /{flow.id}."
        )
    if outcome.lines:
        parts.append(
            "\n".join(f"- {text}\n   Bron: {cite(source)}" for text, source in outcome.lines)
        )
    if outcome.next_steps:
        parts.append(
            "Hoe verder:\n"
            + "\n".join(f"- {text}\n   Bron: {cite(source)}" for text, source in outcome.next_steps)
        )
    return "\n\n".join(parts)


def word_document(title: str, subtitle: str, body: str) -> bytes:
    """The outcome as a Word document (python-docx): the title, then each block of the
    outcome as paragraphs, its first line (the verdict) in bold."""
    document = docx.Document()
    document.add_heading(title, level=1)
    document.add_paragraph(subtitle)
    for n, block in enumerate(body.split("\n\n")):
        paragraph = document.add_paragraph()
        for i, line in enumerate(block.splitlines()):
            if i:
                paragraph.add_run().add_break()
            run = paragraph.add_run(line.strip() if line.lstrip().startswith("Bron:") else line)
            run.bold = n == 0
            run.italic = line.lstrip().startswith("Bron:")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
