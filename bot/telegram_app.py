"""The composition root of the Telegram bot: build the python-telegram-bot Application,
register the handlers, and run it with long polling or a webhook."""

from __future__ import annotations

import datetime as dt
import logging

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.assistant import Assistant
from bot.commands import for_scope
from bot.config import Config
from bot.knowledge import KnowledgeBase
from bot.storage import Store
from handlers import chat as h
from handlers.checklist_edits import EditCoalescer
from handlers.errors import on_error
from handlers.reload import Reloader
from handlers.send import send_reply

log = logging.getLogger(__name__)

RATE_LIMITER_RETRIES = 3
WATCH = "watch"
FLOW_COMMANDS = ("pandcheck", "deadline", "woonvorm", "termijnen")
REMINDER_CHECK = dt.timedelta(minutes=1)
REMINDER_FIRST = dt.timedelta(seconds=2)
CONCURRENT_UPDATES = 64
# A small connection pool: httpcore scans the whole pool on every request, so 256 idle
# connections cost more than they give (measured: 190 -> 230 updates a second). Handlers wait
# for a free connection instead of failing.
CONNECTIONS = 16
POOL_TIMEOUT = 30


def build_application(
    config: Config,
    knowledge: KnowledgeBase,
    store: Store | None = None,
    assistant: Assistant | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot, ready to run; `store` and `assistant` may be given (tests, benchmarks)."""
    if not config.token:
        raise ValueError("TELEGRAM_BOT_TOKEN ontbreekt")
    store = store or Store(config.db)
    assistant = assistant or Assistant(knowledge, store, retention_days=config.retention_days)
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.api_base_url)
        .concurrent_updates(CONCURRENT_UPDATES)
        .connection_pool_size(CONNECTIONS)
        .pool_timeout(POOL_TIMEOUT)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if config.rate_limiter:
        limiter: AIORateLimiter = AIORateLimiter(max_retries=RATE_LIMITER_RETRIES)
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    application = builder.build()
    application.bot_data[h.ASSISTANT] = assistant
    application.bot_data[h.ADMINS] = config.admins
    application.bot_data[h.EDITS] = EditCoalescer()
    application.bot_data[h.RELOADER] = Reloader(assistant, config.admins)
    application.bot_data[WATCH] = config.watch
    register(application)
    return application


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, h.skip_repeated), group=-1)
    message = filters.UpdateType.MESSAGE
    commands = {
        "start": h.on_start,
        "help": h.on_help,
        "vraag": h.on_vraag,
        "bronnen": h.on_bronnen,
        "privacy": h.on_privacy,
        "vergeet": h.on_vergeet,
        "status": h.on_status,
        "rapport": h.on_rapport,
        "vorige": h.on_vorige,
        "stop": h.on_stop,
        "herinneringen": h.on_herinneringen,
        "checklist": h.on_checklist,
        "checklists": h.on_checklists,
        "herlaad": h.on_herlaad,
        **{flow: h.on_flow for flow in FLOW_COMMANDS},
    }
    for name, callback in commands.items():
        application.add_handler(CommandHandler(name, callback, filters=message))
    application.add_handler(MessageHandler(message & filters.COMMAND, h.on_unknown_command))
    application.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, h.on_text))
    application.add_handler(
        MessageHandler(message & ~filters.TEXT & ~filters.StatusUpdate.ALL, h.on_other)
    )
    application.add_handler(CallbackQueryHandler(h.on_button))
    application.add_error_handler(on_error)


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    """Start-up: load the index once, purge old log entries, set the Dutch command menus."""
    assistant: Assistant = application.bot_data[h.ASSISTANT]
    index = assistant.knowledge.index
    log.info(
        "knowledge loaded: %d documents, %d sections", len(index.documents), len(index.sections)
    )
    _purge(assistant)
    reloader: Reloader = application.bot_data[h.RELOADER]
    await reloader.report_startup(application.bot)
    if application.bot_data.get(WATCH):
        reloader.start_watching(application.bot, assistant.knowledge.folder)
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _purge_job, interval=dt.timedelta(days=1), first=dt.timedelta(hours=1)
        )
        # Reminders live in SQLite; this check re-arms them after every restart.
        application.job_queue.run_repeating(
            send_due_reminders, interval=REMINDER_CHECK, first=REMINDER_FIRST
        )
    bot = application.bot

    def menu(scope: str) -> list[BotCommand]:
        return [BotCommand(c.name, c.description) for c in for_scope(scope)]

    await bot.set_my_commands(menu("private"), scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(menu("group"), scope=BotCommandScopeAllGroupChats())
    for admin in application.bot_data.get(h.ADMINS, ()):
        try:
            await bot.set_my_commands(menu("admin"), scope=BotCommandScopeChat(admin))
        except Exception as exc:
            log.warning("could not set the admin menu for %s: %r", admin, exc)


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    edits: EditCoalescer = application.bot_data[h.EDITS]
    await edits.flush()
    reloader: Reloader = application.bot_data[h.RELOADER]
    await reloader.stop_watching()
    assistant: Assistant = application.bot_data[h.ASSISTANT]
    assistant.store.close()


async def send_due_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the reminders that are due (09:00 Amsterdam time); drop those for chats the bot
    can no longer write to; keep the rest for the next check when Telegram fails."""
    assistant: Assistant = context.application.bot_data[h.ASSISTANT]
    for reminder_id, chat_id, message in assistant.flows.due_reminders():
        try:
            await send_reply(context.bot, assistant.store, chat_id, message)
        except Forbidden:
            log.info("reminder %s dropped: the bot cannot write to chat %s", reminder_id, chat_id)
            assistant.store.delete_reminder(reminder_id)
            continue
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                assistant.store.delete_reminder(reminder_id)
            else:
                log.warning("reminder %s not sent: %s", reminder_id, exc)
            continue
        except NetworkError as exc:
            log.warning("reminder %s not sent now, will retry: %s", reminder_id, exc)
            continue
        assistant.store.mark_reminder_sent(reminder_id)


async def _purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    _purge(context.application.bot_data[h.ASSISTANT])


def _purge(assistant: Assistant) -> None:
    deleted = assistant.store.purge_older_than(assistant.retention_days)
    if deleted:
        log.info("deleted %d log entries older than %g days", deleted, assistant.retention_days)


def configure_logging() -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    # httpx logs every request URL, and Bot API URLs contain the token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run(config: Config, knowledge: KnowledgeBase) -> int:
    """Run until interrupted: long polling, or a webhook when DRAAIBOT_WEBHOOK_URL is set."""
    configure_logging()
    application = build_application(config, knowledge)
    if config.webhook_url:
        application.run_webhook(
            listen=config.webhook_listen,
            port=config.webhook_port,
            webhook_url=config.webhook_url,
            secret_token=config.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
