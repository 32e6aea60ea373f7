"""The assistant: one engine behind every face (Telegram, terminal). It turns what a user
types or presses into `Outcome`s of plain `Reply` values; it never touches Telegram."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace

from bot import actions, commands, texts
from bot.actions import (
    Action,
    ChecklistOp,
    ChecklistPage,
    ChecklistTick,
    DeleteReminder,
    DraftOp,
    DraftPublish,
    Feedback,
    FlowChoice,
    FlowDocument,
    FlowMove,
    FlowTick,
    ForgetCancel,
    ForgetConfirm,
    LinkAction,
    LinkOp,
    LinkPick,
    LinkPublish,
    LinkStart,
    MorePassages,
    NewChecklist,
    Remind,
    RestoreCancel,
    RestoreConfirm,
    ShowSource,
    Start,
    StartFlow,
)
from bot.admin import publishing_replies
from bot.admin.admins import ADMIN_COMMANDS, SHELL, YOUR_ID, Admins
from bot.admin.admins import command as admin_command
from bot.admin.linking import NOT_ADMIN as LINK_NOT_ADMIN
from bot.admin.linking import Linking
from bot.admin.publishing import Publisher
from bot.admin.staff import Staff
from bot.checklists.service import ChecklistChat
from bot.commands import Command
from bot.flows import engine as flow_engine
from bot.flows.definitions import Flow
from bot.flows.session import FlowChat
from bot.followup import FollowUps
from bot.knowledge import KnowledgeBase
from bot.outbox import Outbox
from bot.ratelimit import SlidingWindowLimit
from bot.replies import (
    Button,
    Outcome,
    Prompt,
    PromptKind,
    Reply,
    ShownAnswer,
    ShownPassage,
)
from bot.store import Store
from index.documents import CITATION_SEPARATOR
from index.search import MAX_QUESTION_CHARS, InvalidKnowledge, Passage, SearchResult

log = logging.getLogger(__name__)

SHOWN = 3  # passages in the first answer message
MORE = 3  # passages per "Meer"


@dataclass(frozen=True)
class Chat:
    id: int
    type: str  # "private", "group", "supergroup", "channel" or "terminal"
    user_id: int
    is_admin: bool = False
    user_name: str = ""  # shown in checklist details (who ticked what)
    group_admin: bool = False  # an administrator of this group (checked only when it matters)

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")


class Assistant:
    def __init__(
        self,
        knowledge: KnowledgeBase,
        store: Store,
        retention_days: float = 180,
        question_limit: SlidingWindowLimit | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.knowledge = knowledge
        self.store = store
        self.retention_days = retention_days
        self.limit = question_limit or SlidingWindowLimit()
        self.clock = clock
        self.started = clock()
        self.followups = FollowUps(clock)
        self.flows = FlowChat(_LiveFlows(knowledge), store, knowledge.cite, self.now)
        self.checklists = ChecklistChat(
            lambda: knowledge.templates, store, knowledge.cite, self.now
        )
        self.publisher = Publisher(knowledge, clock)  # drafts, versions, rollback
        self.admins = Admins(store)  # the live list, seeded by DRAAIBOT_ADMINS
        self.linking = Linking(knowledge, store, self.publisher)  # /rapport: Koppel aan sectie
        self.staff: Staff = Staff(knowledge, store, clock, self.started, self.linking)

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.clock(), tz=dt.UTC)

    # -- questions -----------------------------------------------------------------------

    def message(self, chat: Chat, text: str) -> Outcome:
        """A typed message: the answer to a flow question that waits for one, else a question."""
        text = storable(text)
        if chat.is_group:  # in a group a flow answer is a reply to the bot's question
            return self.ask(chat, text)
        attempt = self.flows.attempt(chat.id, text)
        if attempt is None or isinstance(attempt, Outcome):
            return attempt or self.ask(chat, text)
        return self._not_an_answer(chat, text, attempt)

    def _not_an_answer(self, chat: Chat, text: str, correction: str) -> Outcome:
        """A typed text that does not answer the open flow question. A user back after a
        while (a restart, 30 minutes) gets an answer to what was typed and is asked whether to
        go on with the flow. Otherwise a question of its own gets its answer, and the flow's
        question follows so the user keeps the thread; anything else is asked again with
        what is expected (`correction`)."""
        paused = None if chat.is_group else self.flows.paused(chat.id)
        if paused is not None:
            return Outcome(self.ask(chat, text).replies + paused.replies)
        if _looks_like_a_question(text) and self.knowledge.ask(text).answered:
            question = self.flows.again(chat.id, texts.FLOW_CONTINUES, chat.is_group)
            answer = self.ask(chat, text)
            return Outcome(answer.replies + (question.replies if question else []))
        return self.flows.again(chat.id, correction, chat.is_group) or self.ask(chat, text)

    def ask(self, chat: Chat, question: str) -> Outcome:
        question = " ".join(storable(question).split())
        if not question:
            return Outcome.say(texts.EMPTY_QUESTION)
        small_talk = _small_talk(question)
        if small_talk is not None:  # 'hallo', 'ok bedankt': no search, a short word back
            return Outcome.say(small_talk)
        if flow_engine.means_unknown(question):  # 'weet ik niet' with no flow question open
            return Outcome.say(self.flows.no_flow())
        if chat.type != "terminal" and not self.limit.allow(chat.user_id):  # one local user
            return Outcome.say(texts.SLOW_DOWN)
        note = ""
        if len(question) > MAX_QUESTION_CHARS:
            question, note = question[:MAX_QUESTION_CHARS], texts.TOO_LONG_CUT
        full = self.followups.read(chat.id, chat.user_id, question)
        if full is not None:  # 'en bij een KWE?' after a question about the KWG
            question, note = full, texts.READ_AS.format(question=full)
        result = self.knowledge.ask(question, top=SHOWN + MORE * 2)
        if result.answered:
            self.followups.remember(chat.id, chat.user_id, question, self._topic(result))
        relevant = result.passages + result.more if result.answered else []
        answer_id = self.store.answers.save_answer(
            chat_id=chat.id,
            chat_type=chat.type,
            question=question,
            answered=result.answered,
            section_ids=[p.section.id for p in relevant],
            citations=[p.citation for p in relevant[:SHOWN]],
            shown=min(SHOWN, len(relevant)),
            unsure=result.answered and result.unsure,
        )
        reply = self._answer_reply(answer_id, result, note)
        offers = self._flow_offers(result)
        if offers and not result.answered:  # no passage answers it, but a flow does
            text = "\n\n".join(filter(None, [note, texts.FLOW_INSTEAD]))
            reply = replace(reply, text=text)
        if offers:
            reply = replace(reply, buttons=(*reply.buttons, offers))
        return Outcome([reply])

    def _topic(self, result: SearchResult) -> list[str]:
        """The question's words, as typed, that its answer is about: those in the answer's
        heading ('keuken', or a misspelt 'keukn', of a question answered by 'Keukenruimte')."""
        index = self.knowledge.index
        heading = set(index.analyzer.terms(result.passages[0].section.heading))
        topic = []
        for typed in re.findall(r"[^\W\d_]+", result.question):
            word = typed.lower()
            meant = index.speller.correct(word) or word
            if heading & set(index.analyzer.terms_of_word(meant)):
                topic.append(typed)
        return topic

    def _flow_offers(self, result: SearchResult) -> tuple[Button, ...]:
        """Buttons for flows that fit the question ('is dit pand geschikt?' -> the pandcheck),
        read from the question as the search analysed it: a flow's `offer_when` group fits
        when each of its words is among the question's terms (as such, as a compound part or
        through a synonym)."""
        stem = self.knowledge.index.analyzer.stem
        return tuple(
            Button(f"Start: {flow.title}", StartFlow(flow.id))
            for flow in self.knowledge.flows.values()
            if any(all(stem(w) in result.terms for w in group) for group in flow.offer_when)
        )

    def _answer_reply(self, answer_id: int, result: SearchResult, note: str) -> Reply:
        """The answer line first, with a short citation; the passages one tap away ('Meer',
        'Toon bron'). Without a reliable answer: why not, and what the documents do cover."""
        if not result.answered:
            return Reply(
                text="\n\n".join(filter(None, [note, texts.no_answer(result.not_understood)]))
            )
        if result.answer is None:  # a section without sentences: show the passages themselves
            shown = result.passages[:SHOWN]
            n_relevant = len(result.passages) + len(result.more)
            return Reply(
                text=note,
                passages=tuple(_shown(i, p) for i, p in enumerate(shown, start=1)),
                buttons=self._answer_buttons(answer_id, len(shown), more=n_relevant > len(shown)),
            )
        top = result.passages[0]
        answer = ShownAnswer(
            result.answer.text,
            result.answer.values,
            _short_citation(top),
            unsure=result.unsure,
        )
        after = texts.UNSURE_AFTER if result.unsure else ""
        return Reply(
            text="\n\n".join(filter(None, [after, note])),
            answer=answer,
            buttons=(
                (
                    Button("Toon bron", ShowSource(answer_id, 1)),
                    Button("Meer", MorePassages(answer_id, 1)),
                ),
                (Button("👍", Feedback(answer_id, True)), Button("👎", Feedback(answer_id, False))),
            ),
        )

    @staticmethod
    def _answer_buttons(
        answer_id: int, n_passages: int, more: bool, first: int = 1
    ) -> tuple[tuple[Button, ...], ...]:
        sources = tuple(
            Button(
                f"Toon bron {n}" if n_passages > 1 or first > 1 else "Toon bron",
                ShowSource(answer_id, n),
            )
            for n in range(first, first + n_passages)
        )
        last = [Button("Meer", MorePassages(answer_id, first + n_passages))] if more else []
        last += [Button("👍", Feedback(answer_id, True)), Button("👎", Feedback(answer_id, False))]
        return (sources, tuple(last))

    # -- buttons -------------------------------------------------------------------------

    def press(self, chat: Chat, action: Action) -> Outcome:
        """A decoded button (bot/actions.py). Stale buttons, and buttons that need a role the
        presser lacks, get a clear answer and change nothing."""
        if not actions.allowed(action, chat.is_group, chat.group_admin):
            return Outcome(notice=texts.FORGET_GROUP_ADMINS, alert=True)
        match action:
            case ForgetConfirm():
                return self.forget(chat)
            case ForgetCancel():
                return Outcome.say(texts.NOT_FORGOTTEN)
            case ShowSource() | MorePassages() | Feedback():
                return self._answer_button(chat, action)
            case FlowChoice() | FlowMove() | FlowTick():
                return self.flows.press(chat.id, chat.is_group, action)
            case FlowDocument():
                return self.flows.document(chat.id, action)
            case Remind():
                return self.flows.reminders.remind(chat.id, action)
            case DeleteReminder():
                return self.flows.reminders.delete(chat.id, action)
            case NewChecklist():
                return self.checklists.create(chat.id, action)
            case ChecklistOp() | ChecklistPage() | ChecklistTick():
                outcome, page = self.checklists.press(
                    chat.id, (chat.user_id, chat.user_name), action
                )
                if page is None:
                    return outcome
                refresh = (action.checklist, page)
                return Outcome(outcome.replies, outcome.notice, outcome.alert, refresh=refresh)
            case Start() | StartFlow():
                return self.start_action(chat, action)
            case DraftPublish() | DraftOp() | RestoreConfirm() | RestoreCancel():
                # the faces hand knowledge buttons to bot/admin/publishing_replies.py before this
                return Outcome(notice=texts.UNKNOWN_BUTTON, alert=True)
            case LinkStart() | LinkPick() | LinkOp() | LinkPublish():
                # the faces hand these to link_press, holding the reload lock
                return Outcome(notice=texts.UNKNOWN_BUTTON, alert=True)

    def link_press(self, chat: Chat, action: LinkAction, who: str) -> Outcome:
        """'Koppel aan sectie' and what follows (bot/admin/linking.py): admins in a private chat
        only; the caller holds the reload lock (publishing writes the live folder)."""
        return self.link_refusal(chat, action) or self.linking.press(chat.id, action, who)

    def link_refusal(self, chat: Chat, action: LinkAction) -> Outcome | None:
        """None when this chat may press a link button; logged in the admin log."""
        allowed = chat.is_admin and chat.type in ("private", "terminal")
        self.store.admin.log_admin(chat.user_id, f"knop {type(action).__name__}", allowed)
        return None if allowed else Outcome(notice=LINK_NOT_ADMIN, alert=True)

    def _answer_button(self, chat: Chat, action: ShowSource | MorePassages | Feedback) -> Outcome:
        stored = self.store.answers.answer(action.answer)
        if stored is None or stored.chat_id != chat.id:
            return Outcome(notice=texts.STALE_BUTTON, alert=True)
        match action:
            case ShowSource(number=number):
                return self._source(stored.section_ids, number)
            case MorePassages(first=first):
                return self._more(stored.id, stored.question, stored.section_ids, first)
            case Feedback(up=up):
                return self._feedback(chat, stored.id, +1 if up else -1)

    def _source(self, section_ids: list[str], number: int) -> Outcome:
        if not 1 <= number <= len(section_ids):
            return Outcome(notice=texts.STALE_BUTTON, alert=True)
        source = self.knowledge.index.source(section_ids[number - 1])
        if source is None:
            return Outcome(
                notice="Deze bron is gewijzigd of verwijderd. Stel uw vraag opnieuw.", alert=True
            )
        return Outcome(
            [Reply(text=source.citation, preformatted=source.text)], notice="Bron wordt getoond"
        )

    def _more(self, answer_id: int, question: str, section_ids: list[str], first: int) -> Outcome:
        ids = section_ids[first - 1 : first - 1 + MORE]
        passages = [self.knowledge.index.passage_for(sid, question) for sid in ids]
        found = [p for p in passages if p is not None]
        if not found:
            return Outcome(notice="Er zijn geen andere passages die bij uw vraag passen.")
        shown = tuple(_shown(first + i, p) for i, p in enumerate(found))
        more = first - 1 + MORE < len(section_ids)
        buttons = self._answer_buttons(answer_id, len(found), more=more, first=first)
        return Outcome([Reply(passages=shown, buttons=buttons)])

    def _feedback(self, chat: Chat, answer_id: int, vote: int) -> Outcome:
        feedback_id = self.store.answers.add_feedback(answer_id, chat.id, vote)
        if vote > 0:
            return Outcome(notice="Dank u wel voor uw 👍")
        return Outcome(
            [Reply(text=texts.ASK_MISSING, prompt=Prompt(PromptKind.MISSING, feedback_id))],
            notice="Dank u wel voor uw feedback",
        )

    def reply_to_prompt(self, chat: Chat, message_id: int, text: str) -> Outcome | None:
        """A reply to one of our prompts or to a checklist (a remark: '3: besteld'); None when
        the message answers neither."""
        text = storable(text)
        checklist_id = self.store.checklists.checklist_of_message(chat.id, message_id)
        if checklist_id is not None:
            return self.checklists.remark(checklist_id, (chat.user_id, chat.user_name), text)
        waiting = self.store.prompts.pending(chat.id, message_id)
        if waiting is None:
            return None
        if waiting.kind != PromptKind.FLOW and waiting.user_id not in (0, chat.user_id):
            return Outcome.say(texts.PROMPT_FOR_OTHER)  # a group's flow is everybody's
        pending = self.store.prompts.take_pending(chat.id, message_id)
        if pending is None:
            return None
        if pending.kind == PromptKind.MISSING:
            self.store.answers.add_missing(pending.ref, " ".join(text.split())[:MAX_QUESTION_CHARS])
            return Outcome.say(texts.THANKS_MISSING)
        if pending.kind == PromptKind.REMINDER:
            if _is_a_question(text):  # not a name: the question gets its answer, the name stays
                return self.ask(chat, text)
            return self.flows.reminders.rename(pending.ref, text)
        if pending.kind in (PromptKind.LINK_WORDING, PromptKind.LINK_SEARCH):
            if not chat.is_admin or chat.is_group:
                return Outcome.say(LINK_NOT_ADMIN)
            return self.linking.reply(PromptKind(pending.kind), pending.ref, text)
        if pending.kind == PromptKind.REMARK:
            return self.checklists.remark(pending.ref, (chat.user_id, chat.user_name), text)
        if pending.kind == PromptKind.FLOW:
            session = self.store.flows.active_session(chat.id)
            if session is None or session.id != pending.ref:
                return Outcome.say(texts.STALE_FLOW)
            attempt = self.flows.attempt(chat.id, text, chat.is_group)
            if attempt is None:
                return Outcome.say(texts.STALE_FLOW)
            if isinstance(attempt, Outcome):
                return attempt
            return self._not_an_answer(chat, text, attempt)
        return None

    # -- flows -----------------------------------------------------------------------------

    def start_flow(self, chat: Chat, flow_id: str) -> Outcome:
        """A flow started by a user ends what that user was asked to reply to (a reminder's
        name): the flow's answers must not be taken for it."""
        self.store.prompts.drop_pending(chat.id, chat.user_id, private=not chat.is_group)
        return self.flows.start(chat.id, chat.is_group, flow_id)

    def back(self, chat: Chat) -> Outcome:
        return self.flows.back(chat.id, chat.is_group)

    def stop(self, chat: Chat) -> Outcome:
        return self.flows.stop(chat.id)

    def reminders(self, chat: Chat) -> Outcome:
        return self.flows.reminders.listing(chat.id)

    # -- checklists ------------------------------------------------------------------------

    def checklist(self, chat: Chat) -> Outcome:
        return self.checklists.offer(chat.id)

    def checklist_overview(self, chat: Chat) -> Outcome:
        return self.checklists.overview(chat.id)

    # -- commands ------------------------------------------------------------------------

    def commands(self) -> list[Command]:
        """The command table as it is now: the built-in commands and the current flows."""
        return commands.table(self.knowledge.flows)

    def find_command(self, name: str) -> Command | None:
        return commands.find(self.knowledge.flows, name.lower())

    def refusal(self, chat: Chat, command: Command) -> Outcome | None:
        """Why this chat may not run the command (admin only, private chats only), or None."""
        if command.admin:
            refused = self.admin_allowed(chat, command.name)
            wants_in = command.name in ADMIN_COMMANDS and not chat.is_admin and not chat.is_group
            if refused and wants_in:
                # who wants to become an admin learns the number to give an admin
                return Outcome.say(YOUR_ID.format(id=chat.user_id))
            return refused
        if not command.group and chat.is_group:
            return Outcome.say(texts.PRIVATE_ONLY)
        return None

    def command(self, chat: Chat, name: str, args: str = "") -> Outcome:
        """A typed command (without its slash), dispatched from the table as it is now."""
        args = storable(args)
        command = self.find_command(name)
        if command is None:
            return Outcome.say(texts.UNKNOWN_COMMAND.format(name=f"/{name}"))
        return self.refusal(chat, command) or command.run(self, chat, args)

    def help(self, chat: Chat) -> Outcome:
        text = commands.help_text(self.commands(), chat.is_admin)
        if chat.type == "terminal":
            text += texts.TERMINAL_HELP
        return Outcome.say(text)

    def ask_command(self, chat: Chat, question: str) -> Outcome:
        """/vraag <vraag>: a question, the way to ask in a group; without one, how to ask."""
        if not question.strip():
            return Outcome.say(texts.ASK_IN_GROUP if chat.is_group else texts.ASK_IN_PRIVATE)
        return self.ask(chat, question)

    def reload(self, reason: str) -> Outcome:
        """Reload the knowledge now (the terminal; the bot reloads in a worker thread), and
        record the change as a version."""
        try:
            changes = self.knowledge.reload()
        except InvalidKnowledge as exc:
            return self.staff.reload_failed(exc.problems)
        try:
            self.publisher.record(changes, "/herlaad", reason)
        except OSError as exc:
            log.warning("version not recorded: %r", exc)
        return self.staff.reload_done(changes, reason)

    def log_admin(self, user_id: int, what: str, allowed: bool) -> None:
        """Note in the admin log what an admin (or someone trying) did outside the table."""
        self.store.admin.log_admin(user_id, what, allowed)

    def admins_command(self, chat: Chat, name: str, args: str) -> Outcome:
        """/beheerders, /beheerder_toevoegen N, /beheerder_verwijderen N (after the admin
        check of the table); in the terminal the change is logged as made from the shell."""
        by = SHELL if chat.type == "terminal" else chat.user_id
        outcome = admin_command(self.admins, by, name, args)[0]
        if chat.type == "terminal" and name == "beheerders":  # who has the shell is admin here
            return Outcome.say(outcome.replies[0].text + "\n\n" + texts.TERMINAL_ADMIN)
        return outcome

    def knowledge_command(self, name: str, args: str) -> Outcome:
        """/concepten, /versies, /terugzetten N (after the admin check of the table)."""
        return publishing_replies.command(self.publisher, name, args.split())

    def flow_running(self, chat: Chat) -> bool:
        return self.store.flows.active_session(chat.id) is not None

    # -- what the faces need besides commands and buttons -----------------------------------

    @property
    def outbox(self) -> Outbox:
        """Where the Telegram face queues what it sends (handlers/outbox.py sends it)."""
        return Outbox.of(self.store)

    def first_time(self, update_id: int) -> bool:
        """False when this update was handled before (Telegram repeats updates)."""
        return self.store.first_time(update_id)

    def delivered(
        self,
        chat_id: int,
        message_id: int,
        prompt: Prompt | None = None,
        asked: int = 0,
        checklist: int | None = None,
        page: int = 0,
        shown: str = "",
    ) -> None:
        """A message of ours reached the chat as `message_id` (the terminal has a stand-in
        id): a reply to it answers its `prompt` (asked of user `asked`, 0: anybody), and a
        `checklist` message is what a tick edits (it shows `page`, `shown` its digest)."""
        if checklist is not None and self.store.checklists.checklist(checklist) is not None:
            self.store.checklists.checklist_shown(chat_id, message_id, checklist, page, shown)
        if prompt is not None:
            self.store.prompts.add_pending(chat_id, message_id, asked, prompt.kind, prompt.ref)

    def due_reminders(self) -> list[tuple[int, int, Reply]]:
        return self.flows.reminders.due()

    def reminder_sent(self, reminder_id: int) -> None:
        self.store.flows.mark_reminder_sent(reminder_id)

    def purge(self) -> int:
        """Delete what is older than the retention; returns how many rows."""
        return self.store.purge_older_than(self.retention_days)

    def close(self) -> None:
        self.store.close()

    def start(self, chat: Chat | None = None) -> Outcome:
        """The welcome; with a flow open in the chat, first whether to go on with it."""
        buttons = (
            (Button("Een vraag stellen", Start("vraag")), Button("Bronnen", Start("bronnen"))),
            (Button("Privacy", Start("privacy")), Button("Hulp", Start("help"))),
        )
        welcome = Reply(text=texts.WELCOME + "\n\n" + texts.START_HINT, buttons=buttons)
        paused = self.flows.paused(chat.id, always=True) if chat is not None else None
        return Outcome([welcome, *(paused.replies if paused else [])])

    def start_action(self, chat: Chat, action: Start | StartFlow) -> Outcome:
        """A button under /start, or one that offers a flow: its command, as if typed."""
        if isinstance(action, StartFlow):
            return self.start_flow(chat, action.flow)
        return self.command(chat, action.what)

    def sources(self) -> Outcome:
        lines = ["Ik antwoord uit deze documenten:"]
        for doc in self.knowledge.index.documents:
            version = f" (versie {doc.version})" if doc.version else ""
            publisher = doc.meta.get("publisher")
            lines.append(f"- {doc.title}{version}" + (f", {publisher}" if publisher else ""))
        return Outcome.say("\n".join(lines))

    def privacy(self) -> Outcome:
        return Outcome.say(texts.PRIVACY.format(days=_days(self.retention_days)))

    def forget_confirm(self) -> Outcome:
        buttons = ((Button("Ja, wis alles", ForgetConfirm()), Button("Nee", ForgetCancel())),)
        return Outcome([Reply(text=texts.FORGET_CONFIRM, buttons=buttons)])

    def forget(self, chat: Chat) -> Outcome:
        self.flows.forget_chat(chat.id)
        self.followups.forget(chat.id)
        return Outcome.say(texts.FORGOTTEN.format(n=self.store.forget_chat(chat.id)))

    # -- admin ---------------------------------------------------------------------------

    def admin_allowed(self, chat: Chat, command: str) -> Outcome | None:
        """None when allowed; otherwise the polite refusal. Every attempt is logged."""
        allowed = chat.is_admin and chat.type in ("private", "terminal")
        self.store.admin.log_admin(chat.user_id, command, allowed)
        if not chat.is_admin:
            return Outcome.say(texts.ADMIN_ONLY)
        if not allowed:
            return Outcome.say(texts.ADMIN_PRIVATE_ONLY)
        return None


class _LiveFlows(Mapping[str, Flow]):
    """The flows of the knowledge base as they are now (they change on reload)."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.knowledge = knowledge

    def __getitem__(self, key: str) -> Flow:
        return self.knowledge.flows[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.knowledge.flows)

    def __len__(self) -> int:
        return len(self.knowledge.flows)


_GREETING = re.compile(
    r"^(?:hallo|hoi|hey|hee|dag|goedemorgen|goedemiddag|goedenavond|goedendag)\b[\s!.,]*"
    r"(?:draaibot)?[\s!.]*$",
    re.IGNORECASE,
)
_THANKS = re.compile(
    r"^(?:(?:ok|oké|okee|oke|prima|top|super|fijn|duidelijk)[\s!.,]*)?"
    r"(?:(?:heel|hartelijk) )?(?:bedankt|dank ?je(?: wel)?|dank ?u(?: wel)?|dankjewel|dankuwel|"
    r"thanks|merci|ok|oké|okee|oke|prima|top|duidelijk)?[\s!.,]*$",
    re.IGNORECASE,
)


def _looks_like_a_question(text: str) -> bool:
    """A question of its own rather than a try at an answer ('1-1-2027', 'banaan'): a question
    mark, or at least three words."""
    return text.rstrip().endswith("?") or len(re.findall(r"[^\W\d_]{2,}", text)) >= 3


_QUESTION_WORD = re.compile(
    r"^\s*(?:hoe|hoeveel|hoelang|wat|wanneer|waar|waarom|wie|welke|welk|mag|mogen|moet|moeten|"
    r"kan|kunnen|is|zijn|heeft|hebben|geldt|krijgt|krijgen)\b",
    re.IGNORECASE,
)


def storable(text: str) -> str:
    """Text as the database and files can hold it: a lone surrogate (which no real client
    sends, but a forged update can) becomes U+FFFD instead of failing every write."""
    if text.isascii():
        return text
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


def _is_a_question(text: str) -> bool:
    """A question rather than a name ('dossier 12'): a question mark or a question word first."""
    return text.rstrip().endswith("?") or bool(_QUESTION_WORD.match(text))


def _small_talk(text: str) -> str | None:
    """A greeting or thanks on its own gets a short reply, not a search."""
    if _GREETING.match(text):
        return texts.HELLO
    if _THANKS.match(text) and text.strip(" !.,"):
        return texts.YOU_ARE_WELCOME
    return None


def _short_citation(passage: Passage) -> str:
    """'PvE Huisvesting › 8.1 KWG › Keukenruimte 11,5 m2': the document and the last two
    headings, with where else the same text stands ('ook 8.2 KWE(+) › Tuin')."""
    section = passage.section
    path = section.path[-2:]
    short = CITATION_SEPARATOR.join((section.doc_short, *path))
    also = passage.citation.removeprefix(section.citation)
    return f"{short}{also}"


def _shown(number: int, passage: Passage) -> ShownPassage:
    return ShownPassage(number, passage.citation, passage.extract.text, passage.extract.marks)


def _days(days: float) -> str:
    return f"{days:g}"
