"""Follow-up questions: 'en bij een KWE?' right after 'hoeveel m2 moet de keuken van een KWG
zijn?' means 'hoeveel m2 moet de keuken van een KWE zijn?'.

A short message that starts with 'en' (or 'maar', 'ook') is read with the previous question of
the same user in the same chat, if that was asked a few minutes ago: a woonvorm replaces the
woonvorm of the previous question; another word replaces the word of the previous question
that the previous answer was about (its heading: 'keuken' for 'Keukenruimte 11,5 m2').
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

FOLLOW_UP_SECONDS = 5 * 60
MAX_FOLLOW_UP_WORDS = 6
MAX_REMEMBERED = 10_000  # users whose last question is kept in memory

_OPENING = re.compile(r"^\s*(?:en|maar|ook|en dan|en wat)\b[\s,]*", re.IGNORECASE)
_FILLER = re.compile(
    r"\b(?:bij|voor|van|in|met|de|het|een|die|dat|dan|als|wat|hoe|zit|ook|geldt)\b",
    re.IGNORECASE,
)
_WOONVORM = re.compile(
    r"\b(?:kwe\s*\+|kwe[ -]?plus|kwe\(\+\)|kwe|kwg|kinderwoongroep|"
    r"kleinschalige wooneenheid(?:\s*\+)?)(?=[\s?.!,]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Asked:
    question: str
    topic_words: tuple[str, ...]  # words of the question the answer's heading was about
    at: float


def rest_of(text: str) -> str | None:
    """The words a follow-up adds ('de badkamer' of 'en de badkamer?'), or None when the
    message is no follow-up."""
    match = _OPENING.match(text)
    if match is None or len(text.split()) > MAX_FOLLOW_UP_WORDS:
        return None
    rest = text[match.end() :].strip(" ?!.")
    return rest or None


def combine(text: str, previous: Asked) -> str | None:
    """The previous question with the follow-up's word in place, or None."""
    rest = rest_of(text)
    if rest is None:
        return None
    woonvorm = _WOONVORM.search(rest)
    if woonvorm is not None:
        if _WOONVORM.search(previous.question) is None:
            return f"{previous.question.rstrip(' ?')} bij een {woonvorm.group()}?"
        return _WOONVORM.sub(woonvorm.group(), previous.question, count=1)
    new = " ".join(_FILLER.sub(" ", rest).split())
    if not new:
        return None
    for word in previous.topic_words:
        pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
        if pattern.search(previous.question):
            return pattern.sub(new, previous.question, count=1)
    return None


class FollowUps:
    """The last question of each user in each chat, to read a follow-up with."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._last: dict[tuple[int, int], Asked] = {}

    def remember(self, chat: int, user: int, question: str, topic: Collection[str]) -> None:
        if len(self._last) >= MAX_REMEMBERED:
            self._last.pop(next(iter(self._last)))
        self._last.pop((chat, user), None)
        self._last[(chat, user)] = Asked(question, tuple(topic), self.clock())

    def read(self, chat: int, user: int, text: str) -> str | None:
        """The full question a follow-up stands for, or None."""
        previous = self._last.get((chat, user))
        if previous is None or self.clock() - previous.at > FOLLOW_UP_SECONDS:
            return None
        return combine(text, previous)

    def forget(self, chat: int) -> None:
        for key in [k for k in self._last if k[0] == chat]:
            del self._last[key]
