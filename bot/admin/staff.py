"""What staff read in the chat: /status, /rapport (lists, a chart and a CSV) and the
message after a reload of the knowledge."""

from __future__ import annotations

import io
from collections import Counter

from bot import csvsafe
from bot.admin import report
from bot.admin.linking import Linking
from bot.clock import local
from bot.knowledge import KnowledgeBase
from bot.knowledge_diff import KnowledgeDiff
from bot.replies import Attachment, Outcome, Reply
from bot.store import DAY, Store
from bot.store.db import Clock
from index.documents import SectionCount
from index.problems import Problem


class Staff:
    def __init__(
        self,
        knowledge: KnowledgeBase,
        store: Store,
        clock: Clock,
        started: float,
        linking: Linking,
    ) -> None:
        self.knowledge = knowledge
        self.store = store
        self.clock = clock
        self.started = started
        self.linking = linking  # 'Koppel aan sectie' under the report's groups

    def reload_done(self, changes: KnowledgeDiff, reason: str) -> Outcome:
        index = self.knowledge.index
        lines = [
            f"De kennis is opnieuw geladen ({reason}): {len(index.documents)} documenten, "
            f"{SectionCount.of(index.documents).text()}, {len(self.knowledge.flows)} vragenrondes, "
            f"{len(self.knowledge.templates)} checklists.",
            changes.text(),
        ]
        warnings = self.knowledge.snapshot.warnings
        if warnings:
            lines.append("Waarschuwingen:\n" + "\n".join(str(w) for w in warnings[:20]))
        return Outcome.say("\n\n".join(lines))

    def reload_failed(self, problems: list[Problem]) -> Outcome:
        shown = "\n".join(str(p) for p in problems[:30])
        more = f"\n… en nog {len(problems) - 30}" if len(problems) > 30 else ""
        return Outcome.say(
            "De kennis is NIET opnieuw geladen: de wijziging bevat fouten. De vorige versie blijft "
            f"in gebruik. Los deze op en sla opnieuw op:\n{shown}{more}"
        )

    def status(self) -> Outcome:
        index = self.knowledge.index
        now = self.clock()
        today, today_open = self.store.answers.question_counts(now - DAY)
        week, week_open = self.store.answers.question_counts(now - 7 * DAY)
        share = f"{100 * week_open / week:.0f}%" if week else "-"
        versions = ", ".join(f"{d.short} {d.version}".strip() for d in index.documents)
        lines = [
            "Status van draaibot",
            f"Kennis: {len(index.documents)} documenten, {SectionCount.of(index.documents).text()}"
            f"; {versions}; geladen {_when(index.built_at)}",
            f"Actief sinds: {_duration(now - self.started)}",
            f"Vragen vandaag: {today} (zonder antwoord: {today_open})",
            f"Vragen 7 dagen: {week} (zonder antwoord: {week_open}, {share})",
        ]
        return Outcome.say("\n".join(lines))

    def report(self, days: int = 30) -> Outcome:
        now = self.clock()
        since = now - days * DAY
        unanswered = self.store.answers.unanswered(since)
        down = self.store.answers.thumbs_down(since)
        analyzer = self.knowledge.index.analyzer
        flagged = self.store.answers.flagged_questions(since)
        groups = report.group_questions(
            flagged,
            key=lambda q: " ".join(sorted(set(analyzer.terms(q)))),
        )
        lines = [
            f"Rapport over de laatste {days} dagen",
            "",
            "Vragen zonder antwoord, onzeker beantwoord of met 👎, gegroepeerd op gelijkenis:",
        ]
        lines += [f"- {g.text()}" for g in groups[:10]] or ["- geen"]
        if len(groups) > 10:
            more = len(groups) - 10
            lines.append(f"… en nog {more} {'groep' if more == 1 else 'groepen'} (zie de CSV)")
        linked, link_buttons = self.linking.report(groups[:10], since)
        lines += ["", *linked] if linked else []
        lines += ["", "Antwoorden met 👎:"]
        lines += [
            f"- {d.question}" + (f" — miste: {d.missing}" if d.missing else "") for d in down[:10]
        ] or ["- geen"]
        buffer = io.StringIO()
        writer = csvsafe.writer(buffer)
        writer.writerow(["soort", "vraag", "aantal", "bronnen", "wat miste", "datum"])
        for q, n in unanswered:
            writer.writerow(["geen antwoord", q, n, "", "", ""])
        unsure = Counter(q for q, kind in flagged if kind == "onzeker")
        for q, n in unsure.most_common():
            writer.writerow(["onzeker", q, n, "", "", ""])
        for d in down:
            day = _day(d.created_at)
            writer.writerow(["duim omlaag", d.question, 1, " | ".join(d.citations), d.missing, day])
        attachment = Attachment(
            filename=f"draaibot-rapport-{_day(now)}.csv",
            content=buffer.getvalue().encode("utf-8-sig"),
            caption="Rapport als CSV (opent in Excel)",
        )
        return Outcome(
            [
                Reply(text="\n".join(lines), buttons=tuple((b,) for b in link_buttons)),
                Reply(attachment=self._chart(now)),
                Reply(attachment=attachment),
            ]
        )

    def _chart(self, now: float) -> Attachment:
        """Questions per week for the last 12 weeks, as a PNG image."""
        since = report.first_moment(now)
        weeks = report.weekly_counts(
            self.store.answers.question_log(since), self.store.answers.votes(since), now
        )
        up, down = sum(w.up for w in weeks), sum(w.down for w in weeks)
        total = sum(w.answered + w.unsure + w.unanswered for w in weeks)
        return Attachment(
            filename=f"draaibot-vragen-per-week-{_day(now)}.png",
            content=report.chart_png(weeks),
            caption=f"Vragen per week, {report.WEEKS} weken: {total} vragen; 👍 {up}, 👎 {down}",
            photo=True,
        )


def _when(moment: float) -> str:
    return local(moment).strftime("%d-%m-%Y %H:%M")


def _day(moment: float) -> str:
    return local(moment).strftime("%Y-%m-%d")


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} dagen, {hours} uur"
    if hours:
        return f"{hours} uur, {minutes} minuten"
    return f"{minutes} minuten"
