"""What the bot says about drafts, publishing and versions, as plain replies (no Telegram)."""

from __future__ import annotations

from bot.actions import DraftOp, DraftPublish, KnowledgeAction, RestoreCancel, RestoreConfirm
from bot.admin.publishing import (
    DRAFT_GONE,
    DRAFT_HAS_ERRORS,
    STALE,
    Published,
    Publisher,
    PublishError,
    Review,
    StaleDraft,
    Version,
    lines,
    problem_lines,
)
from bot.clock import local
from bot.render_text import answer_text
from bot.replies import Attachment, Button, Outcome, Reply

MAX_TEXT = 3500  # characters of one summary: below Telegram's 4096, room for the escaping

UPLOAD_NOT_ADMIN = (
    "Alleen beheerders van draaibot (medewerkers van Nidos) kunnen bestanden voor de kennis "
    "sturen. Heeft u een vraag? Typ die gewoon in een bericht."
)
UPLOAD_NOT_PRIVATE = "Stuur bestanden voor de kennis in een privéchat met mij, niet in een groep."
UPLOAD_TOO_BIG = (
    "{name} is te groot ({size}). Telegram laat mij bestanden tot 20 MB ophalen; splits het "
    "document of stuur het als .docx zonder afbeeldingen."
)
UPLOAD_FAILED = "Het bestand {name} kon ik niet ophalen bij Telegram. Stuur het nog eens."
NO_DRAFTS = "Er staan geen concepten klaar. Stuur een bestand (.docx, .pdf, .txt, .md of .yaml)."
NO_VERSIONS = "Er zijn nog geen versies van de kennis vastgelegd."
RESTORE_USAGE = (
    "Gebruik: /terugzetten N, met N het nummer uit /versies (bijvoorbeeld /terugzetten 3)."
)
RESTORE_CANCELLED = "Niet teruggezet; de kennis blijft zoals ze is."
TRY_STOPPED = "Gestopt met proberen: uw vragen worden weer uit de gepubliceerde kennis beantwoord."
TRY_MARK = "[CONCEPT {name}, nog niet gepubliceerd]"
NOT_ADMIN_BUTTON = "Deze knop is alleen voor beheerders van draaibot."


def _cut(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 30] + "\n… (ingekort)"


def review_outcome(review: Review, stale: bool = False, why: str | None = None) -> Outcome:
    """The check of a draft: title, sections, problems as `regel N`, what would change, and the
    buttons (Publiceren only when it can be published; it publishes exactly what this review
    shows). `why`: why it is shown again instead of published (a StaleDraft's message)."""
    draft = review.draft
    parts = []
    if why:
        parts.append(why)
    elif stale:
        parts.append(STALE)
    if draft.notice:
        parts.append(draft.notice)
    parts.append(
        f"Concept {draft.name} (uit {draft.source or draft.target}, van {draft.who or 'onbekend'})"
        f"\nWordt: {draft.target}\nTitel: {review.title}"
    )
    if review.problems:
        parts.append("Problemen in dit bestand:\n" + problem_lines(review.problems))
    if review.elsewhere:
        parts.append(
            "Fouten die dit concept elders veroorzaakt:\n"
            + problem_lines(review.elsewhere, own=False)
        )
    if review.errors:
        parts.append(
            DRAFT_HAS_ERRORS + " Herstel de fouten en stuur het bestand opnieuw; de kennis die nu "
            "in gebruik is, blijft ongewijzigd."
        )
    elif not review.changed_files:
        parts.append("Dit concept is gelijk aan wat nu in gebruik is: er is niets te publiceren.")
    elif review.diff is not None:
        parts.append("Wat er verandert ten opzichte van de huidige kennis:\n" + review.diff.text())
    if draft.checks:
        parts.append("Nog na te kijken:\n" + lines(list(draft.checks), 8))
    if review.sections:  # last: a long document's outline must not push the rest out
        parts.append(f"Secties ({len(review.sections)}):\n" + lines(review.sections, 15))
    buttons: list[Button] = []
    if review.can_publish:
        buttons.append(Button("Publiceren", DraftPublish(draft.name, review.seen)))
    buttons.append(Button("Bekijk concept", DraftOp(draft.name, "view")))
    second: list[Button] = []
    if not review.errors:
        second.append(Button("Probeer", DraftOp(draft.name, "try")))
    second.append(Button("Verwerpen", DraftOp(draft.name, "discard")))
    return Outcome([Reply(text=_cut("\n\n".join(parts)), buttons=(tuple(buttons), tuple(second)))])


def draft_file(name: str, target: str, text: str) -> Outcome:
    filename = target.rsplit("/", 1)[-1]
    return Outcome(
        [
            Reply(
                attachment=Attachment(
                    filename, text.encode("utf-8"), f"Concept {name}: wordt {target}"
                )
            )
        ]
    )


def published_outcome(done: Published) -> Outcome:
    version = done.version
    head = (
        f"Gepubliceerd en geladen als versie {version.number}."
        if version is not None
        else "Gepubliceerd en geladen."
    )
    if done.committed:
        head += " Ook vastgelegd in de git-geschiedenis van de kennismap."
    return Outcome.say(_cut(head + "\n\n" + done.diff.text() + "\n\nTerugdraaien: /versies"))


def error_outcome(exc: PublishError) -> Outcome:
    text = str(exc)
    if text and text.split()[0].isalpha():  # a sentence, not a file name
        text = text[0].upper() + text[1:]
    if exc.problems:
        text += "\n" + problem_lines(exc.problems, own=False)
    return Outcome.say(_cut(text))


def versions_outcome(versions: list[Version]) -> Outcome:
    if not versions:
        return Outcome.say(NO_VERSIONS)
    shown = versions[:15]
    text = "Versies van de kennis (nieuwste eerst, Nederlandse tijd):\n" + "\n".join(
        v.line() for v in shown
    )
    if len(versions) > len(shown):
        text += f"\n… en nog {len(versions) - len(shown)} oudere (de laatste 50 worden bewaard)"
    text += "\n\nTerugzetten: /terugzetten N (de kennis wordt wat ze was direct na versie N)."
    return Outcome.say(_cut(text))


def restore_confirm_outcome(version: Version, changes: dict[str, str | None]) -> Outcome:
    when = local(version.created_at).strftime("%d-%m-%Y %H:%M")
    files = [
        f"{path} ({'wordt verwijderd' if text is None else 'krijgt de inhoud van toen'})"
        for path, text in sorted(changes.items())
    ]
    text = (
        f"De kennis terugzetten naar versie {version.number} ({when}, {version.who})?\n"
        f"Dit verandert:\n{lines(files)}\n\nHet terugzetten wordt zelf een nieuwe versie."
    )
    buttons = (
        Button("Ja, zet terug", RestoreConfirm(version.number)),
        Button("Nee", RestoreCancel()),
    )
    return Outcome([Reply(text=_cut(text), buttons=(buttons,))])


# -- the commands and buttons, for every face (Telegram, terminal) -----------------------------


def drafts_outcome(publisher: Publisher, limit: int = 10) -> Outcome:
    """/concepten: every draft waiting, each with its check and buttons."""
    drafts = publisher.drafts()
    if not drafts:
        return Outcome.say(NO_DRAFTS)
    replies: list[Reply] = []
    for draft in drafts[:limit]:
        review = publisher.review(draft)
        replies += review_outcome(review, stale=review.stale).replies
    return Outcome(replies)


def restore_question(publisher: Publisher, args: list[str]) -> Outcome:
    """/terugzetten N: what would change, and a confirmation button."""
    if len(args) != 1 or not args[0].isascii() or not args[0].isdigit() or len(args[0]) > 9:
        return Outcome.say(RESTORE_USAGE)
    number = int(args[0])
    try:
        changes = publisher.restore_changes(number)
    except PublishError as exc:
        return error_outcome(exc)
    if not changes:
        return Outcome.say(f"De kennis is nu al wat ze was direct na versie {number}.")
    version = next(v for v in publisher.versions() if v.number == number)
    return restore_confirm_outcome(version, changes)


def press(publisher: Publisher, action: KnowledgeAction, who: str, user: int) -> Outcome:
    """A knowledge button of an admin. Publishing and rollback write the live folder: the
    caller holds the reload lock (Telegram) or is the only one (terminal)."""
    match action:
        case RestoreCancel():
            return Outcome.say(RESTORE_CANCELLED)
        case RestoreConfirm(number):
            try:
                return published_outcome(publisher.restore(number, who))
            except PublishError as exc:
                return error_outcome(exc)
        case DraftPublish(name, seen):
            try:
                return published_outcome(publisher.publish(name, who, seen))
            except StaleDraft as exc:  # the draft or the live file changed since the review
                return review_outcome(exc.review, stale=True, why=str(exc))
            except PublishError as exc:
                if str(exc) == DRAFT_GONE:
                    return Outcome(notice=DRAFT_GONE, alert=True)
                return error_outcome(exc)
        case DraftOp(name, "stop"):
            return stop_trying(publisher, user)
        case DraftOp(name, op):
            draft = publisher.get(name)
            if draft is None:
                return Outcome(notice=DRAFT_GONE, alert=True)
            if op == "view":
                return draft_file(name, draft.target, publisher.text(draft))
            if op == "discard":
                publisher.discard(name)
                return Outcome.say(f"Concept {name} is verworpen; de kennis is niet veranderd.")
            try:
                publisher.trial(name)
            except PublishError as exc:
                return error_outcome(exc)
            publisher.trying[user] = name
            return Outcome.say(
                f"U probeert nu concept {name}: uw volgende vragen beantwoord ik uit het concept, "
                "gemarkeerd als CONCEPT. Stop met de knop 'Stop proberen' of /stop.",
                buttons=((Button("Stop proberen", DraftOp(name, "stop")),),),
            )


def try_answer(publisher: Publisher, user: int, question: str) -> Outcome | None:
    """A question of an admin trying a draft, answered from it and marked; None when the
    admin is not trying one."""
    name = publisher.trying.get(user)
    if name is None:
        return None
    try:
        kb = publisher.trial(name)
    except PublishError:
        # the draft was published or discarded meanwhile: trying it ends, and the question is
        # answered from the published knowledge like any other (the caller does that)
        publisher.trying.pop(user, None)
        return None
    result = kb.ask(question)
    text = TRY_MARK.format(name=name) + "\n\n" + answer_text(result)
    stop = ((Button("Stop proberen", DraftOp(name, "stop")),),)
    return Outcome([Reply(text=text, buttons=stop)])


def stop_trying(publisher: Publisher, user: int) -> Outcome:
    publisher.trying.pop(user, None)
    return Outcome.say(TRY_STOPPED)


def command(publisher: Publisher, name: str, args: list[str]) -> Outcome:
    """/concepten, /versies, /terugzetten N (after the admin check)."""
    if name == "concepten":
        return drafts_outcome(publisher)
    if name == "versies":
        return versions_outcome(publisher.versions())
    return restore_question(publisher, args)
