"""The callback codec: every button action is a typed value, encoded into Telegram's
callback_data (at most 64 bytes, checked on encode) and decoded strictly.

`decode` accepts exactly what `encode` writes, so `encode(decode(data)) == data` for every
string that decodes: ASCII digits without leading zeros, base-36 ids in ASCII [0-9a-z] (no
leading zeros either), known kinds and exact arity. Anything else is a stale or forged button
(None). The formats are the ones the bot has always written, so buttons on old messages keep
working (but for a knowledge version, now written in decimal, as /versies shows it):

    b:<answer>:<n>            show source n            m:<answer>:<first>    more passages
    f:<answer>:+|-            thumbs up/down           v:ja | v:nee          forget (confirm)
    q:<session>:<q>:<i|b|x|n|k|v> flow answer or move  d:<session>[:w]        outcome file
    q:<session>:<q>:t<i>      tick item i of a question (vink aan)
    r:[<session>:]<yyyymmdd>:<m|d>:<i>  reminder       h:<reminder>          delete reminder
    n:<template>              new checklist            c:<checklist>:s|d|r|e|x|o
    c:<checklist>:p:<page>    checklist page           c:<checklist>:t:<n>:<0|g|j|n>:<page>
    s:vraag|bronnen|privacy|help                       s:flow:<flow>         start a flow
    k:p:<draft>:<seen>        publish a draft          k:<b|x|t|s>:<draft>   view, discard,
    k:z:<version>             roll back (confirm)      k:n                   try, stop trying
    l:a:<answer>              link a question          l:k:<link>:<n>        pick section n
    l:<z|j|x>:<link>          search, confirm, drop    l:p                   publish the links

Each action type declares the role its presser needs (`role`): the Telegram adapter checks it
before the assistant acts, and the assistant checks it again.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, Literal

# telegram.constants.InlineKeyboardButtonLimit.MAX_CALLBACK_DATA; bot/ does not import telegram
# (tests/test_actions.py keeps the two equal).
MAX_BYTES = 64
MAX_ID = 2**63 - 1  # SQLite's INTEGER: a larger id cannot even be looked up
MAX_NUMBER = 999_999  # question, item, passage and page numbers
MAX_VERSION = 999_999_999  # knowledge versions (/terugzetten takes at most 9 digits)
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")  # flow and checklist template ids
_ID = re.compile(r"0|[1-9a-z][0-9a-z]{0,12}")
_NUMBER = re.compile(r"0|[1-9][0-9]{0,5}")
_VERSION = re.compile(r"0|[1-9][0-9]{0,8}")
_DAY = re.compile(r"[0-9]{8}")
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


class Role(Enum):
    MEMBER = "member"  # anybody who can see and press the button
    GROUP_ADMIN = "group_admin"  # in a group: its administrators and creator; elsewhere anybody


@dataclass(frozen=True)
class ShowSource:
    answer: int
    number: int  # 1-based passage number
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class MorePassages:
    answer: int
    first: int  # 1-based number of the first passage to show
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class Feedback:
    answer: int
    up: bool
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class ForgetConfirm:
    """'Ja, wis alles': wipes everything of the chat; in a group its checklists too."""

    role: ClassVar[Role] = Role.GROUP_ADMIN


@dataclass(frozen=True)
class ForgetCancel:
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class FlowChoice:
    session: int
    question: int  # 1-based: a press on an earlier question is ignored
    option: int  # 0-based index into the question's options
    role: ClassVar[Role] = Role.MEMBER


FlowMoveKind = Literal["back", "stop", "restart", "done", "resume"]


@dataclass(frozen=True)
class FlowMove:
    session: int
    question: int
    move: FlowMoveKind
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class FlowTick:
    """Tick or untick item `item` (0-based) of a question that asks what is present."""

    session: int
    question: int
    item: int
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class FlowDocument:
    session: int
    word: bool = False  # a Word document (.docx) instead of Markdown
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class Remind:
    """A reminder for a date of a finished flow. Buttons from before the session was carried
    (session None) are checked against the chat's latest finished session."""

    due: dt.date
    month_before: bool
    index: int  # which date term of the flow
    session: int | None = None
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class DeleteReminder:
    reminder: int
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class NewChecklist:
    template: str
    role: ClassVar[Role] = Role.MEMBER


ChecklistOpKind = Literal["show", "details", "remark", "export", "close", "reopen"]


@dataclass(frozen=True)
class ChecklistOp:
    checklist: int
    op: ChecklistOpKind
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class ChecklistPage:
    checklist: int
    page: int  # 0-based
    role: ClassVar[Role] = Role.MEMBER


TickState = Literal["open", "done", "present", "absent"]


@dataclass(frozen=True)
class ChecklistTick:
    """Set item `item` (1-based) to `state`: the state is in the button, so that members who
    press at the same moment agree."""

    checklist: int
    item: int
    state: TickState
    page: int
    role: ClassVar[Role] = Role.MEMBER


StartKind = Literal["vraag", "bronnen", "privacy", "help"]


@dataclass(frozen=True)
class Start:
    what: StartKind
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class StartFlow:
    flow: str
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class DraftPublish:
    """Publish a knowledge draft (admins); `seen` is what the admin reviewed: 8 hex digits of
    the fingerprint of the draft's content together with the live file it was checked against
    (bot/publishing.py Review.seen). Buttons from before it was carried hold the live file's
    fingerprint ('0' for a new file): they never match, so the admin gets the review again."""

    draft: str
    seen: str
    role: ClassVar[Role] = Role.MEMBER  # admins only: checked by handlers/knowledge_admin.py


DraftOpKind = Literal["view", "discard", "try", "stop"]


@dataclass(frozen=True)
class DraftOp:
    draft: str
    op: DraftOpKind
    role: ClassVar[Role] = Role.MEMBER  # admins only: checked by handlers/knowledge_admin.py


@dataclass(frozen=True)
class RestoreConfirm:
    version: int  # as /versies shows it: decimal in the button too
    role: ClassVar[Role] = Role.MEMBER  # admins only: checked by handlers/knowledge_admin.py


@dataclass(frozen=True)
class RestoreCancel:
    role: ClassVar[Role] = Role.MEMBER


KnowledgeAction = DraftPublish | DraftOp | RestoreConfirm | RestoreCancel
KNOWLEDGE_ACTIONS = (DraftPublish, DraftOp, RestoreConfirm, RestoreCancel)


# Linking a question from /rapport to a section (bot/admin/linking.py); admins only, checked by
# handlers/knowledge_admin.py (Telegram) and by the assistant.


@dataclass(frozen=True)
class LinkStart:
    """'Koppel aan sectie' under a /rapport group: `answer` is a question log id."""

    answer: int
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class LinkPick:
    """Choose proposed section `number` (1-based) for link `link`."""

    link: int
    number: int
    role: ClassVar[Role] = Role.MEMBER


LinkOpKind = Literal["search", "confirm", "drop"]


@dataclass(frozen=True)
class LinkOp:
    link: int
    op: LinkOpKind
    role: ClassVar[Role] = Role.MEMBER


@dataclass(frozen=True)
class LinkPublish:
    """'Publiceer koppelingen (N)': every confirmed link as one version."""

    role: ClassVar[Role] = Role.MEMBER


LinkAction = LinkStart | LinkPick | LinkOp | LinkPublish
LINK_ACTIONS = (LinkStart, LinkPick, LinkOp, LinkPublish)

Action = (
    ShowSource
    | MorePassages
    | Feedback
    | ForgetConfirm
    | ForgetCancel
    | FlowChoice
    | FlowMove
    | FlowTick
    | FlowDocument
    | Remind
    | DeleteReminder
    | NewChecklist
    | ChecklistOp
    | ChecklistPage
    | ChecklistTick
    | Start
    | StartFlow
    | DraftPublish
    | DraftOp
    | RestoreConfirm
    | RestoreCancel
    | LinkStart
    | LinkPick
    | LinkOp
    | LinkPublish
)

DRAFT = re.compile(r"[a-z0-9][a-z0-9-]{0,47}")  # bot/admin/publishing.py DRAFT_NAME
_BASE = re.compile(r"0|[0-9a-f]{8}")
_DRAFT_OPS: dict[str, DraftOpKind] = {"b": "view", "x": "discard", "t": "try", "s": "stop"}

_MOVES: dict[str, FlowMoveKind] = {
    "b": "back",
    "x": "stop",
    "n": "restart",
    "k": "done",
    "v": "resume",
}
_OPS: dict[str, ChecklistOpKind] = {
    "s": "show",
    "d": "details",
    "r": "remark",
    "e": "export",
    "x": "close",
    "o": "reopen",
}
_TICKS: dict[str, TickState] = {"0": "open", "g": "done", "j": "present", "n": "absent"}
_STARTS: dict[str, StartKind] = {
    "vraag": "vraag",
    "bronnen": "bronnen",
    "privacy": "privacy",
    "help": "help",
}
_LINK_OPS: dict[str, LinkOpKind] = {"z": "search", "j": "confirm", "x": "drop"}
_LINK_CODES = {v: k for k, v in _LINK_OPS.items()}
_CODES: dict[str, str] = {v: k for k, v in (*_MOVES.items(), *_OPS.items())}
_DRAFT_CODES = {v: k for k, v in _DRAFT_OPS.items()}
_TICK_CODES = {v: k for k, v in _TICKS.items()}


def allowed(action: Action, in_group: bool, group_admin: bool) -> bool:
    """May a presser with these rights do this? Outside groups every role is the presser's."""
    return action.role is Role.MEMBER or not in_group or group_admin


# -- encoding ---------------------------------------------------------------------------------


def encode(action: Action) -> str:
    """The callback_data of an action; ValueError when a field cannot be encoded or the result
    exceeds Telegram's 64 bytes."""
    data = _encode(action)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(
            f"callback_data '{data}' is {len(data.encode())} bytes; Telegram allows {MAX_BYTES}"
        )
    return data


def _encode(action: Action) -> str:
    match action:
        case ShowSource(answer, number):
            return f"b:{encode_id(answer)}:{_number(number)}"
        case MorePassages(answer, first):
            return f"m:{encode_id(answer)}:{_number(first)}"
        case Feedback(answer, up):
            return f"f:{encode_id(answer)}:{'+' if up else '-'}"
        case ForgetConfirm():
            return "v:ja"
        case ForgetCancel():
            return "v:nee"
        case FlowChoice(session, question, option):
            return f"q:{encode_id(session)}:{_number(question)}:{_number(option)}"
        case FlowMove(session, question, move):
            return f"q:{encode_id(session)}:{_number(question)}:{_CODES[move]}"
        case FlowTick(session, question, item):
            return f"q:{encode_id(session)}:{_number(question)}:t{_number(item)}"
        case FlowDocument(session, word):
            return f"d:{encode_id(session)}" + (":w" if word else "")
        case Remind(due, month_before, index, session):
            carried = f"{encode_id(session)}:" if session is not None else ""
            day = f"{due.year:04d}{due.month:02d}{due.day:02d}"
            return f"r:{carried}{day}:{'m' if month_before else 'd'}:{_number(index)}"
        case DeleteReminder(reminder):
            return f"h:{encode_id(reminder)}"
        case NewChecklist(template):
            return f"n:{_name(template)}"
        case ChecklistOp(checklist, op):
            return f"c:{encode_id(checklist)}:{_CODES[op]}"
        case ChecklistPage(checklist, page):
            return f"c:{encode_id(checklist)}:p:{_number(page)}"
        case ChecklistTick(checklist, item, state, page):
            cid = encode_id(checklist)
            return f"c:{cid}:t:{_number(item)}:{_TICK_CODES[state]}:{_number(page)}"
        case Start(what):
            return f"s:{what}"
        case StartFlow(flow):
            return f"s:flow:{_name(flow)}"
        case DraftPublish(draft, seen):
            if _BASE.fullmatch(seen) is None:
                raise ValueError(f"'{seen}' is not a fingerprint")
            return f"k:p:{_draft(draft)}:{seen}"
        case DraftOp(draft, op):
            return f"k:{_DRAFT_CODES[op]}:{_draft(draft)}"
        case RestoreConfirm(version):
            if not 0 <= version <= MAX_VERSION:
                raise ValueError(f"version {version} is outside 0..{MAX_VERSION}")
            return f"k:z:{version}"
        case RestoreCancel():
            return "k:n"
        case LinkStart(answer):
            return f"l:a:{encode_id(answer)}"
        case LinkPick(link, number):
            return f"l:k:{encode_id(link)}:{_number(number)}"
        case LinkOp(link, op):
            return f"l:{_LINK_CODES[op]}:{encode_id(link)}"
        case LinkPublish():
            return "l:p"
    raise ValueError(f"not a button action: {action!r}")


def encode_id(number: int) -> str:
    """A database id in base 36 (short ids for callback_data)."""
    if not 0 <= number <= MAX_ID:
        raise ValueError(f"id {number} is outside 0..{MAX_ID}")
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = _BASE36[rest] + out
        if number == 0:
            return out


def _number(number: int) -> str:
    if not 0 <= number <= MAX_NUMBER:
        raise ValueError(f"number {number} is outside 0..{MAX_NUMBER}")
    return str(number)


def _draft(name: str) -> str:
    if DRAFT.fullmatch(name) is None:
        raise ValueError(f"draft name '{name}' cannot be put in a button")
    return name


def _name(name: str) -> str:
    if NAME.fullmatch(name) is None:
        raise ValueError(
            f"id '{name}' cannot be put in a button: use lowercase letters, digits, - and _ "
            "(at most 40)"
        )
    return name


# -- decoding ---------------------------------------------------------------------------------


class _Invalid(Exception):
    pass


def decode(data: str) -> Action | None:
    """The action of a button's callback_data; None for anything `encode` does not write."""
    if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    try:
        return _decode(data.split(":"))
    except _Invalid:
        return None


def _decode(parts: list[str]) -> Action:
    kind, args = parts[0], parts[1:]
    n = len(args)
    if kind == "b" and n == 2:
        return ShowSource(_id(args[0]), _num(args[1]))
    if kind == "m" and n == 2:
        return MorePassages(_id(args[0]), _num(args[1]))
    if kind == "f" and n == 2 and args[1] in ("+", "-"):
        return Feedback(_id(args[0]), args[1] == "+")
    if kind == "v" and args == ["ja"]:
        return ForgetConfirm()
    if kind == "v" and args == ["nee"]:
        return ForgetCancel()
    if kind == "q" and n == 3:
        session, question = _id(args[0]), _num(args[1])
        if args[2] in _MOVES:
            return FlowMove(session, question, _MOVES[args[2]])
        if args[2].startswith("t"):
            return FlowTick(session, question, _num(args[2][1:]))
        return FlowChoice(session, question, _num(args[2]))
    if kind == "d" and n == 1:
        return FlowDocument(_id(args[0]))
    if kind == "d" and n == 2 and args[1] == "w":
        return FlowDocument(_id(args[0]), word=True)
    if kind == "r" and n in (3, 4) and args[-2] in ("m", "d"):
        carried = _id(args[0]) if n == 4 else None
        return Remind(_day(args[-3]), args[-2] == "m", _num(args[-1]), carried)
    if kind == "h" and n == 1:
        return DeleteReminder(_id(args[0]))
    if kind == "n" and n == 1 and NAME.fullmatch(args[0]):
        return NewChecklist(args[0])
    if kind == "c" and n == 2 and args[1] in _OPS:
        return ChecklistOp(_id(args[0]), _OPS[args[1]])
    if kind == "c" and n == 3 and args[1] == "p":
        return ChecklistPage(_id(args[0]), _num(args[2]))
    if kind == "c" and n == 5 and args[1] == "t" and args[3] in _TICKS:
        return ChecklistTick(_id(args[0]), _num(args[2]), _TICKS[args[3]], _num(args[4]))
    if kind == "s" and n == 1 and args[0] in _STARTS:
        return Start(_STARTS[args[0]])
    if kind == "s" and n == 2 and args[0] == "flow" and NAME.fullmatch(args[1]):
        return StartFlow(args[1])
    if (
        kind == "k"
        and n == 3
        and args[0] == "p"
        and DRAFT.fullmatch(args[1])
        and _BASE.fullmatch(args[2])
    ):
        return DraftPublish(args[1], args[2])
    if kind == "k" and n == 2 and args[0] in _DRAFT_OPS and DRAFT.fullmatch(args[1]):
        return DraftOp(args[1], _DRAFT_OPS[args[0]])
    if kind == "k" and n == 2 and args[0] == "z" and _VERSION.fullmatch(args[1]):
        return RestoreConfirm(int(args[1]))
    if kind == "k" and args == ["n"]:
        return RestoreCancel()
    if kind == "l" and n == 2 and args[0] == "a":
        return LinkStart(_id(args[1]))
    if kind == "l" and n == 3 and args[0] == "k":
        return LinkPick(_id(args[1]), _num(args[2]))
    if kind == "l" and n == 2 and args[0] in _LINK_OPS:
        return LinkOp(_id(args[1]), _LINK_OPS[args[0]])
    if kind == "l" and args == ["p"]:
        return LinkPublish()
    raise _Invalid


def _id(text: str) -> int:
    if _ID.fullmatch(text) is None:
        raise _Invalid
    number = int(text, 36)
    if number > MAX_ID:
        raise _Invalid
    return number


def _num(text: str) -> int:
    if _NUMBER.fullmatch(text) is None:
        raise _Invalid
    return int(text)


def _day(text: str) -> dt.date:
    if _DAY.fullmatch(text) is None:
        raise _Invalid
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _Invalid from None
