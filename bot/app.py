"""Builds the Telegram application: the one place that wires services and registers handlers."""

from __future__ import annotations

import logging
from datetime import UTC
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
)

from bot.coaching.content import Library
from bot.coaching.loader import default_content_dir, load_education
from bot.config import Settings
from bot.context import BotData, HipApplication, HipContext
from bot.db.engine import create_engine, create_sessionmaker
from bot.observability.requests import ObservedRequest
from bot.observability.server import start_server, stop_server
from bot.observability.updates import ObservedApplication, count_failed_update
from bot.signed_bot import SigningBot
from handlers import (
    basics,
    coach,
    coach_audience,
    conversation,
    flare,
    member_settings,
    my_data,
    onboarding,
    outcomes,
    progress,
    reminders,
    session,
)
from handlers.texts import COMMAND_MENU

log = logging.getLogger(__name__)

# PTB retries a 429 only when max_retries is set; a flood answer is then waited out, not dropped.
RATE_LIMITER_RETRIES = 3
# PTB's own default for the application's bot (getUpdates has its own single connection).
REQUEST_POOL_SIZE = 256


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in COMMAND_MENU]


async def _post_init(application: HipApplication) -> None:
    data = application.bot_data
    data.engine = create_engine(data.settings.database_url)
    data.sessionmaker = create_sessionmaker(data.engine)
    await coach.register_group_commands(application.bot)
    await application.bot.set_my_commands(bot_commands())
    if data.settings.metrics_port is not None:
        data.metrics_server = start_server(
            data.engine,
            host=data.settings.metrics_host,
            port=data.settings.metrics_port,
            polling=data.settings.bot_mode == "polling",
        )
    log.info("hipcoach started (%r)", data.settings)


async def _post_shutdown(application: HipApplication) -> None:
    # post_shutdown also runs when start-up failed before post_init made the engine.
    if application.bot_data.metrics_server is not None:
        await stop_server(application.bot_data.metrics_server)
    engine = getattr(application.bot_data, "engine", None)
    if engine is not None:
        await engine.dispose()
    log.info("hipcoach stopped")


def _bot(settings: Settings) -> SigningBot:
    """The application's bot, as ApplicationBuilder would make it, with signed button data
    and every Bot API call counted for /metrics."""
    return SigningBot(
        settings.bot_token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=ObservedRequest(connection_pool_size=REQUEST_POOL_SIZE),
        get_updates_request=ObservedRequest(),
        defaults=Defaults(tzinfo=UTC),
        rate_limiter=AIORateLimiter(max_retries=RATE_LIMITER_RETRIES),
    )


def build_application(settings: Settings, library: Library) -> HipApplication:
    application: HipApplication = (
        ApplicationBuilder()
        .application_class(ObservedApplication)
        .bot(_bot(settings))
        .context_types(ContextTypes(context=HipContext, bot_data=BotData))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data.settings = settings
    application.bot_data.library = library
    # Checked at start-up (`bot.cli`), so this read does not fail on content that started.
    application.bot_data.education = load_education(settings.content_dir or default_content_dir())
    _register_handlers(application)
    return application


def _register_handlers(application: HipApplication) -> None:
    """Every handler, in the order PTB tries them; negative groups run before all others."""
    application.add_handler(reminders.reachability_handler(), group=-3)
    application.add_handler(basics.dedupe_updates_handler(), group=-2)
    application.add_handler(basics.command_notes_handler(), group=-1)
    application.add_handlers(basics.command_handlers())
    application.add_handler(coach.start_handler())  # `/start coach` before onboarding's /start
    application.add_handlers(onboarding.handlers())
    application.add_handlers(session.handlers())
    application.add_handlers(member_settings.handlers())
    application.add_handlers(reminders.handlers())
    reminders.schedule_reminder_jobs(application)
    application.add_handlers(progress.handlers())
    application.add_handlers(flare.handlers())
    application.add_handlers(outcomes.handlers())
    application.add_handlers(my_data.handlers())
    application.add_handlers(coach.handlers())
    coach.schedule_jobs(application.job_queue)
    application.add_handlers(coach_audience.handlers(), group=1)
    # Typed answers take any private message left, so they go after every other handler.
    application.add_handlers(conversation.handlers())
    application.add_handler(basics.unknown_button_handler())
    application.add_error_handler(basics.on_error)
    application.add_error_handler(count_failed_update)


def run(settings: Settings, library: Library) -> None:
    """Run until SIGINT/SIGTERM; PTB stops polling, finishes handlers, then runs post_shutdown."""
    application = build_application(settings, library)
    if settings.bot_mode == "webhook":
        assert settings.webhook_url is not None
        application.run_webhook(
            listen="0.0.0.0",  # a webhook must accept Telegram's connections
            port=settings.listen_port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
