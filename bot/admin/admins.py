"""Who may use the admin commands: a live list in the database, seeded by DRAAIBOT_ADMINS.

An admin adds or removes admins from the chat (/beheerder_toevoegen, /beheerder_verwijderen)
or the shell (`draaibot beheerders`); the change counts at once, in every process that reads
the database, and survives restarts. The last admin cannot be removed. An id in
DRAAIBOT_ADMINS is added at every start unless an admin removed it: a removal is kept (with who
and when) for as long as the admin log, so a restart does not undo it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bot.replies import Outcome
from bot.store import Store

_ID = re.compile(r"[0-9]{1,16}")  # Telegram user ids have at most 52 bits
SHELL = 0  # the user id logged for a change made with `draaibot beheerders`
ADMIN_COMMANDS = ("beheerders", "beheerder_toevoegen", "beheerder_verwijderen")

USAGE_ADD = "Gebruik: /beheerder_toevoegen 123456789 (het gebruikersnummer in Telegram)."
USAGE_REMOVE = "Gebruik: /beheerder_verwijderen 123456789 (het gebruikersnummer in Telegram)."
NOT_AN_ID = (
    "{text!r} is geen gebruikersnummer. Een gebruikersnummer bestaat alleen uit cijfers, "
    "bijvoorbeeld 123456789. De nieuwe beheerder ziet het eigen nummer door mij /beheerders "
    "te sturen."
)
YOUR_ID = (
    "Alleen beheerders kunnen beheerders bekijken en wijzigen. Uw gebruikersnummer is {id}: "
    "geef dat aan een beheerder als u beheerder moet worden."
)
ADDED = "{id} is nu beheerder; de beheercommando's werken meteen."
ALREADY = "{id} is al beheerder."
REMOVED = "{id} is geen beheerder meer."
NOT_ADMIN = "{id} is geen beheerder; er is niets veranderd."
LAST_ONE = "{id} is de laatste beheerder en blijft dat: voeg eerst een andere beheerder toe."


def parse_id(text: str) -> int | None:
    """A Telegram user id as typed: digits only, not zero; None otherwise."""
    text = text.strip()
    if _ID.fullmatch(text) is None or int(text) == 0:
        return None
    return int(text)


@dataclass(frozen=True)
class Change:
    """The result of an add or remove: whether the list changed, and what to tell the admin."""

    changed: bool
    message: str


class Admins:
    """The admins as stored now; `user_id in admins` reads the database every time, so a
    change made elsewhere (another admin, the shell) counts at once."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def seed(self, ids: Iterable[int]) -> None:
        """Add the ids of DRAAIBOT_ADMINS that are not there and were never removed."""
        now = self.store.clock()
        with self.store.db.conn:
            for user_id in ids:
                self.store.db.execute(
                    "insert or ignore into admins (user_id, added_by, added_at) values (?, 0, ?)",
                    [user_id, now],
                )

    def ids(self) -> list[int]:
        rows = self.store.db.execute(
            "select user_id from admins where removed_at is null order by added_at, user_id"
        ).fetchall()
        return [int(r[0]) for r in rows]

    def __contains__(self, user_id: object) -> bool:
        return (
            self.store.db.execute(
                "select 1 from admins where user_id = ? and removed_at is null", [user_id]
            ).fetchone()
            is not None
        )

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids())

    def __len__(self) -> int:
        return len(self.ids())

    def add(self, user_id: int, by: int) -> Change:
        with self.store.db.conn:
            if user_id in self:
                return Change(False, ALREADY.format(id=user_id))
            self.store.db.execute(
                "insert into admins (user_id, added_by, added_at) values (?, ?, ?) "
                "on conflict (user_id) do update set added_by = excluded.added_by, "
                "added_at = excluded.added_at, removed_by = null, removed_at = null",
                [user_id, by, self.store.clock()],
            )
        self.store.admin.log_admin(by, f"beheerder_toevoegen {user_id}", True)
        return Change(True, ADDED.format(id=user_id))

    def remove(self, user_id: int, by: int) -> Change:
        """Never the last admin: checked in the same statement that removes, so two removals
        at once (chat and shell) cannot leave nobody."""
        with self.store.db.conn:
            cursor = self.store.db.execute(
                "update admins set removed_by = ?, removed_at = ? "
                "where user_id = ? and removed_at is null "
                "and (select count(*) from admins where removed_at is null) > 1",
                [by, self.store.clock(), user_id],
            )
        if cursor.rowcount != 1:
            message = LAST_ONE if user_id in self else NOT_ADMIN
            return Change(False, message.format(id=user_id))
        self.store.admin.log_admin(by, f"beheerder_verwijderen {user_id}", True)
        return Change(True, REMOVED.format(id=user_id))

    def overview(self, me: int | None = None) -> str:
        ids = self.ids()
        lines = [f"Beheerders ({len(ids)}):"]
        lines += [f"- {i}" + (" (u)" if i == me else "") for i in ids] or ["- geen"]
        lines += [
            "",
            "Toevoegen: /beheerder_toevoegen 123456789",
            "Verwijderen: /beheerder_verwijderen 123456789",
            "Iemand ziet het eigen gebruikersnummer door mij /beheerders te sturen.",
        ]
        return "\n".join(lines)


def command(admins: Admins, user_id: int, name: str, argument: str) -> tuple[Outcome, Change]:
    """/beheerders, /beheerder_toevoegen <id>, /beheerder_verwijderen <id> for an admin who was
    allowed (Assistant.admin_allowed): the reply, and what changed."""
    nothing = Change(False, "")
    if name == "beheerders":
        return Outcome.say(admins.overview(user_id)), nothing
    usage = USAGE_ADD if name == "beheerder_toevoegen" else USAGE_REMOVE
    if not argument.strip():
        return Outcome.say(usage), nothing
    target = parse_id(argument)
    if target is None:
        return Outcome.say(NOT_AN_ID.format(text=argument.strip()[:40]) + "\n" + usage), nothing
    change = (
        admins.add(target, user_id)
        if name == "beheerder_toevoegen"
        else admins.remove(target, user_id)
    )
    return Outcome.say(change.message), change
