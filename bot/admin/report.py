"""What /rapport shows besides its lists: questions per week as a chart (PNG), and the questions
staff should look at grouped by similarity. Pure functions over the question log; matplotlib is
imported only when a chart is drawn, so start-up stays fast."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from bot.clock import AMSTERDAM

WEEKS = 12
SIMILAR = 70  # rapidfuzz token_sort_ratio (0-100) from which two questions are one group
KINDS = ("geen antwoord", "onzeker", "👎")


@dataclass(frozen=True)
class Week:
    """One Amsterdam week (Monday to Sunday) of the question log."""

    monday: dt.date
    answered: int = 0  # answered without doubt
    unsure: int = 0  # offered as a suggestion
    unanswered: int = 0
    up: int = 0
    down: int = 0

    @property
    def label(self) -> str:
        return f"wk {self.monday.isocalendar().week}"


def _monday(moment: float) -> dt.date:
    day = dt.datetime.fromtimestamp(moment, AMSTERDAM).date()
    return day - dt.timedelta(days=day.weekday())


def first_moment(now: float, weeks: int = WEEKS) -> float:
    """The start (Monday 00:00 Amsterdam) of the oldest of the last `weeks` weeks."""
    monday = _monday(now) - dt.timedelta(weeks=weeks - 1)
    return dt.datetime.combine(monday, dt.time(), AMSTERDAM).timestamp()


def weekly_counts(
    questions: Iterable[tuple[float, bool, bool]],
    votes: Iterable[tuple[float, int]],
    now: float,
    weeks: int = WEEKS,
) -> list[Week]:
    """Questions ((time, answered, unsure)) and votes ((time, +1/-1)) counted per Amsterdam
    week, for the last `weeks` weeks up to and including the week of `now`, oldest first;
    weeks without questions are there with zeros, anything outside is left out."""
    last = _monday(now)
    mondays = [last - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    counts: dict[dt.date, Counter[str]] = {m: Counter() for m in mondays}
    for moment, answered, unsure in questions:
        week = counts.get(_monday(moment))
        if week is not None:
            week["unanswered" if not answered else "unsure" if unsure else "answered"] += 1
    for moment, vote in votes:
        week = counts.get(_monday(moment))
        if week is not None:
            week["up" if vote > 0 else "down"] += 1
    return [Week(m, **counts[m]) for m in mondays]


def chart_png(weeks: list[Week]) -> bytes:
    """A stacked bar chart (answered / unsure / no answer per week) with the 👍 and 👎 per
    week as lines, as PNG bytes (matplotlib's Agg canvas: no display, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(9, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    x = list(range(len(weeks)))
    answered = [w.answered for w in weeks]
    unsure = [w.unsure for w in weeks]
    unanswered = [w.unanswered for w in weeks]
    axes.bar(x, answered, color="#2e7d32", label="beantwoord")
    axes.bar(x, unsure, bottom=answered, color="#f9a825", label="onzeker")
    below = [a + u for a, u in zip(answered, unsure, strict=True)]
    axes.bar(x, unanswered, bottom=below, color="#c62828", label="geen antwoord")
    axes.plot(x, [w.up for w in weeks], "o-", color="#1565c0", label="duim omhoog")
    axes.plot(x, [w.down for w in weeks], "s--", color="#6a1b9a", label="duim omlaag")
    axes.set_xticks(x, [w.label for w in weeks], rotation=45, ha="right")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("aantal")
    first, last = weeks[0].monday, weeks[-1].monday + dt.timedelta(days=6)
    axes.set_title(f"Vragen per week, {first:%d-%m-%Y} t/m {last:%d-%m-%Y}")
    axes.legend(loc="upper left", fontsize="small")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


@dataclass
class QuestionGroup:
    """Questions that are alike: the most frequent wording first, with counts per kind."""

    question: str
    kinds: Counter[str] = field(default_factory=Counter)
    wordings: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.kinds.values())

    def text(self) -> str:
        kinds = ", ".join(f"{self.kinds[k]} {k}" for k in KINDS if self.kinds[k])
        others = [w for w, _ in self.wordings.most_common() if w != self.question]
        also = f"; ook: {'; '.join(others[:3])}" if others else ""
        more = f" (+{len(others) - 3})" if len(others) > 3 else ""
        return f"{self.question} ({self.count}x: {kinds}){also}{more}"


def plain(question: str) -> str:
    """The form questions are grouped and matched on: lower case, one space, no end marks."""
    return " ".join(question.lower().split()).strip(" ?!.")


def group_questions(
    flagged: Iterable[tuple[str, str]],
    key: Callable[[str], str] = plain,
    similar: float = SIMILAR,
) -> list[QuestionGroup]:
    """(question, kind) rows grouped by similarity: two questions are alike when their keys
    (by default the question in lower case; the assistant passes its analysed terms) score at
    least `similar` on rapidfuzz's token_sort_ratio. The most frequent wording leads a group
    and the others join the first group whose leader they resemble; groups largest first."""
    by_wording: dict[str, Counter[str]] = {}
    for question, kind in flagged:
        wording = plain(question)
        if wording:
            by_wording.setdefault(wording, Counter())[kind] += 1
    order = sorted(by_wording, key=lambda w: (-sum(by_wording[w].values()), w))
    groups: list[tuple[str, QuestionGroup]] = []
    for wording in order:
        own = key(wording) or wording
        home = next(
            (g for k, g in groups if fuzz.token_sort_ratio(own, k) >= similar),
            None,
        )
        if home is None:
            home = QuestionGroup(wording)
            groups.append((own, home))
        home.kinds.update(by_wording[wording])
        home.wordings[wording] += sum(by_wording[wording].values())
    return sorted((g for _, g in groups), key=lambda g: -g.count)
