"""A problem found in a knowledge file, reported as `file:line: severity: message`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ERROR = "fout"
WARNING = "waarschuwing"


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"
