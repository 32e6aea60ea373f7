"""The composition root of the Telegram bot: build the python-telegram-bot Application,
register the handlers, and run it with long polling or a webhook."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram._utils.types import ODVInput
from telegram.error import InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.assistant import Assistant
from bot.config import Config
from bot.knowledge import KnowledgeBase
from bot.outbox import Outbox
from bot.redact import RedactingFormatter
from bot.store import Store
from handlers import chat as h
from handlers import knowledge_admin
from handlers.checklist_edits import EditCoalescer
from handlers.errors import on_error
from handlers.menus import set_menus
from handlers.outbox import OutboxSender, RetryPolicy, redraw_behind
from handlers.reload import Reloader
from handlers.send import send_reply

log = logging.getLogger(__name__)

# AIORateLimiter only paces; the outbox is the one place that retries (handlers/outbox.py).
RATE_LIMITER_RETRIES = 0
WATCH = "watch"
OUTBOX = "outbox"
# A slow Bot API is awaited, not retried: a retry after a timeout may send a message twice.
READ_TIMEOUT = 25.0
WRITE_TIMEOUT = 25.0
CONNECT_TIMEOUT = 10.0
# Stopping (SIGTERM) must take under 5 s with an unreachable Bot API: the last getUpdates that
# confirms the offset waits at most this long, and the outbox gets FLUSH seconds to send what
# is waiting (checklist redraws included); the rest stays in the outbox for the next start.
GET_UPDATES_READ_TIMEOUT = 1.0
FLUSH = 1.0
INVALID_TOKEN = (
    "Telegram weigert het token van de bot (TELEGRAM_BOT_TOKEN). Controleer het token bij "
    "@BotFather en start de bot opnieuw."
)
REMINDER_CHECK = dt.timedelta(minutes=1)
REMINDER_FIRST = dt.timedelta(seconds=2)
CONCURRENT_UPDATES = 64
# A small connection pool: httpcore scans the whole pool on every request, so 256 idle
# connections cost more than they give (measured: 190 -> 230 updates a second). Handlers wait
# for a free connection instead of failing.
CONNECTIONS = 16
POOL_TIMEOUT = 30


class HealthNotingRequest(HTTPXRequest):
    """PTB's HTTP client that notes every answer of the Bot API (status 200), getUpdates
    included, as `last_api_ok` in the health table (read by `draaibot status`)."""

    def __init__(self, on_ok: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_ok = on_ok

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if code == HTTPStatus.OK:
            try:
                self._on_ok()
            except Exception as exc:  # a busy or full database must not fail the call
                log.warning("last_api_ok not recorded: %r", exc)
        return code, payload


def build_application(
    config: Config,
    knowledge: KnowledgeBase,
    store: Store | None = None,
    assistant: Assistant | None = None,
    retry: RetryPolicy | None = None,
    read_timeout: float = READ_TIMEOUT,
    rate_limiter: AIORateLimiter | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot, ready to run; `store`, `assistant`, the outbox's retry policy, the read
    timeout and the rate limiter (when `config.rate_limiter` is on) may be given (tests,
    benchmarks)."""
    if not config.token:
        raise ValueError("TELEGRAM_BOT_TOKEN ontbreekt")
    store = store or Store(config.db)
    assistant = assistant or Assistant(knowledge, store, retention_days=config.retention_days)
    outbox = Outbox.of(store)
    builder = (
        ApplicationBuilder()
        .token(config.token)
        .base_url(config.api_base_url)
        .base_file_url(file_url(config.api_base_url))
        .concurrent_updates(CONCURRENT_UPDATES)
        .request(
            HealthNotingRequest(
                outbox.api_ok,
                connection_pool_size=CONNECTIONS,
                pool_timeout=POOL_TIMEOUT,
                read_timeout=read_timeout,
                write_timeout=max(read_timeout, WRITE_TIMEOUT),
                connect_timeout=CONNECT_TIMEOUT,
            )
        )
        .get_updates_request(
            HealthNotingRequest(
                outbox.api_ok,
                connection_pool_size=1,
                read_timeout=GET_UPDATES_READ_TIMEOUT,
                connect_timeout=CONNECT_TIMEOUT,
            )
        )
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    if config.rate_limiter:
        limiter = rate_limiter or AIORateLimiter(max_retries=RATE_LIMITER_RETRIES)
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    application = builder.build()
    application.bot_data[h.ASSISTANT] = assistant
    assistant.admins.seed(config.admins)  # the live list, seeded by DRAAIBOT_ADMINS
    application.bot_data[h.ADMINS] = assistant.admins
    application.bot_data[h.EDITS] = EditCoalescer(store)
    checklists = assistant.checklists
    application.bot_data[OUTBOX] = OutboxSender(
        application.bot, store, lambda c, p: checklists.render(c, p), assistant.delivered, retry
    )
    application.bot_data[h.RELOADER] = Reloader(
        assistant,
        assistant.admins,
        after_swap=lambda: set_menus(application.bot, assistant, assistant.admins),
        publisher=assistant.publisher,
    )
    try:
        assistant.publisher.catch_up()  # edits made on the server while the bot was stopped
    except OSError as exc:
        log.warning("knowledge history not brought up to date: %r", exc)
    application.bot_data[WATCH] = config.watch
    register(application)
    return application


def file_url(base_url: str) -> str:
    """The Bot API's file download URL for a base URL: PTB does not derive it, so a
    self-hosted Bot API server (or the tests' fake one) needs it set: `.../bot` becomes
    `.../file/bot`."""
    if "/bot{token}" in base_url:
        return base_url.replace("/bot{token}", "/file/bot{token}")
    if base_url.endswith("/bot"):
        return base_url[: -len("/bot")] + "/file/bot"
    return base_url.rstrip("/") + "/file/bot"


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, h.skip_repeated), group=-1)
    knowledge_admin.register(application)  # files, drafts being tried, knowledge buttons
    message = filters.UpdateType.MESSAGE
    application.add_handler(
        h.TableCommandHandler(h.command_names(application), h.on_command, filters=message)
    )
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
    sender: OutboxSender = application.bot_data[OUTBOX]
    behind = redraw_behind(sender.store, sender.draw)
    if behind:
        log.info("%d checklist messages are behind the database: redrawn", behind)
    sender.start()  # also resumes what an earlier run left unsent
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
    await set_menus(application.bot, assistant, application.bot_data.get(h.ADMINS, frozenset()))


async def _post_stop(application: Application) -> None:  # type: ignore[type-arg]
    """Before PTB shuts its HTTP client down: send what the outbox can send now."""
    sender: OutboxSender = application.bot_data[OUTBOX]
    await sender.flush(FLUSH)
    await sender.stop()


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    reloader: Reloader = application.bot_data[h.RELOADER]
    await reloader.stop_watching()
    assistant: Assistant = application.bot_data[h.ASSISTANT]
    assistant.close()


async def send_due_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Queue the reminders that are due (09:00 Amsterdam time); once in the outbox a reminder
    counts as sent: the outbox retries it, and drops it if the bot may no longer write there."""
    assistant: Assistant = context.application.bot_data[h.ASSISTANT]
    for reminder_id, chat_id, message in assistant.due_reminders():
        await send_reply(context.bot, assistant.outbox, chat_id, message)
        assistant.reminder_sent(reminder_id)


async def _purge_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    _purge(context.application.bot_data[h.ASSISTANT])


def _purge(assistant: Assistant) -> None:
    deleted = assistant.purge()
    if deleted:
        log.info("deleted %d log entries older than %g days", deleted, assistant.retention_days)


def configure_logging(token: str = "") -> None:
    """Log to stderr through a formatter that never writes a bot token (PTB's own loggers
    and traceback texts included)."""
    handler = logging.StreamHandler()
    handler.addFilter(_network_errors_in_one_line)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets=[token])
    )
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # httpx logs every request URL, and Bot API URLs contain the token: keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # AIORateLimiter only paces (max_retries=0) and logs every 429 as an error with traceback;
    # the outbox retries them and logs them itself.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)


UNREACHABLE = (
    "draaibot: de Bot API van Telegram is bij het starten niet bereikbaar ({error}). Controleer "
    "de verbinding (en TELEGRAM_API_BASE_URL); de service start draaibot vanzelf opnieuw."
)


def _network_errors_in_one_line(record: logging.LogRecord) -> bool:
    """A network error (Telegram unreachable, a timeout) is an expected event: one log line
    with its message, not a traceback (python-telegram-bot logs its own with exc_info)."""
    error = record.exc_info[1] if record.exc_info else None
    if isinstance(error, NetworkError):
        record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
        record.args = None
        record.exc_info = None
        record.exc_text = None
    return True


def run(config: Config, knowledge: KnowledgeBase) -> int:
    """Run until interrupted: long polling, or a webhook when DRAAIBOT_WEBHOOK_URL is set."""
    configure_logging(config.token or "")
    try:
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
    except InvalidToken:
        print(INVALID_TOKEN, file=sys.stderr)
        return 2
    except NetworkError as exc:  # Telegram unreachable at start-up: the service starts us again
        print(UNREACHABLE.format(error=type(exc).__name__), file=sys.stderr)
        return 1
    return 0
