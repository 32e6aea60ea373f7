"""One checklist item: as a template gives it, and as a started checklist keeps it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Item:
    text: str
    source: str = ""  # the section id it comes from
    amount: str = ""
    section: str = ""  # the heading it stands under in the list

    @property
    def label(self) -> str:
        return f"{self.text} ({self.amount})" if self.amount else self.text
