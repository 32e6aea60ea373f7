"""What the assistant says, as plain values: the adapters render them (Telegram HTML with inline
keyboards, the terminal as plain text with numbered options). No Telegram types here."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.actions import Action, encode


@dataclass(frozen=True)
class Button:
    """A button and the typed action it stands for; the adapters encode it (bot/actions.py)."""

    label: str
    action: Action

    def __post_init__(self) -> None:
        encode(self.action)  # fails here, where the button is made, not when it is sent


@dataclass(frozen=True)
class ShownPassage:
    number: int
    citation: str
    text: str
    marks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class ShownAnswer:
    """The line read first: the document's own words, its values marked, a short citation."""

    text: str
    values: tuple[tuple[int, int], ...]
    citation: str
    unsure: bool = False  # offered as a suggestion ("Bedoelt u misschien ...")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    caption: str = ""
    photo: bool = False  # an image shown in the chat (sendPhoto), not a file to open


class PromptKind(StrEnum):
    """What a reply to one of our messages answers; stored with the pending prompt."""

    MISSING = "missing"  # 'Wat miste u?' after a 👎: ref is the feedback
    REMINDER = "reminder"  # a reminder's own name: ref is the reminder
    REMARK = "remark"  # a remark on a checklist item: ref is the checklist
    FLOW = "flow"  # a typed answer to a flow's question (in a group): ref is the session
    LINK_WORDING = "link_wording"  # an admin's edit of a question wording: ref is the link
    LINK_SEARCH = "link_search"  # an admin's words to find a section for a link: ref is the link


@dataclass(frozen=True)
class Prompt:
    """After sending, remember that a reply to this message answers `kind` for `ref`."""

    kind: PromptKind
    ref: int


@dataclass(frozen=True)
class Reply:
    text: str = ""  # plain text, paragraphs separated by blank lines; escaped by the adapter
    answer: ShownAnswer | None = None  # shown first, before the text
    passages: tuple[ShownPassage, ...] = ()
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None
    prompt: Prompt | None = None  # ask for a reply (ForceReply in Telegram)
    preformatted: str = ""  # a whole source section, shown as it is (split by the adapter)
    checklist: int | None = None  # this message shows a checklist (edited on every tick)


@dataclass(frozen=True)
class Outcome:
    """The result of one user action: messages to send, and a short toast for a button press."""

    replies: list[Reply] = field(default_factory=list)
    notice: str = ""  # answerCallbackQuery text
    alert: bool = False
    refresh: tuple[int, int] | None = None  # (checklist, page): redraw the pressed message
    edit: bool = False  # the first reply replaces the pressed message (a tick in a flow)

    @classmethod
    def say(cls, text: str, **kwargs: object) -> Outcome:
        return cls([Reply(text=text, **kwargs)])  # type: ignore[arg-type]
