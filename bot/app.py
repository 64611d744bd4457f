"""Builds the Telegram application: the one place that wires services and registers handlers."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC
from urllib.parse import urlsplit

from telegram import BotCommand
from telegram.ext import (
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
from bot.pipeline.budget import PACE_SHARE, SharedBudget
from bot.pipeline.capture import PipelineBot
from bot.pipeline.runtime import Pipeline, Webhook
from bot.scheduling.pacing import GROUP_INTERVAL_FACTOR, SendPacer
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


def _bot(settings: Settings, budget: SharedBudget) -> PipelineBot:
    """The application's bot, as ApplicationBuilder would make it, with signed button data,
    sends queued in the update's transaction, every message paced by the one budget, and every
    Bot API call counted for /metrics."""
    return PipelineBot(
        settings.bot_token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=ObservedRequest(connection_pool_size=REQUEST_POOL_SIZE),
        get_updates_request=ObservedRequest(),
        defaults=Defaults(tzinfo=UTC),
        rate_limiter=budget,
    )


def build_application(
    settings: Settings, library: Library, *, budget: SharedBudget | None = None
) -> HipApplication:
    """The application; `budget` is the one rate budget (a test harness passes an unpaced one)."""
    budget = budget or SharedBudget(
        SendPacer(
            settings.send_rate * PACE_SHARE,
            per_chat_interval=settings.send_chat_interval,
            per_group_interval=settings.send_chat_interval * GROUP_INTERVAL_FACTOR,
        )
    )
    application: HipApplication = (
        ApplicationBuilder()
        .application_class(ObservedApplication)
        .bot(_bot(settings, budget))
        .context_types(ContextTypes(context=HipContext, bot_data=BotData))
        .build()
    )
    application.bot_data.settings = settings
    application.bot_data.library = library
    application.bot_data.budget = budget
    # Checked at start-up (`bot.cli`), so this read does not fail on content that started.
    application.bot_data.education = load_education(settings.content_dir or default_content_dir())
    _register_handlers(application)
    return application


def _register_handlers(application: HipApplication) -> None:
    """Every handler, in the order PTB tries them; negative groups run before all others.

    All of them run in the update's one transaction (`bot/pipeline/handling.py`), so they are
    all blocking: concurrency comes from handling many chats at once, not from handlers.
    """
    application.add_handler(reminders.reachability_handler(), group=-2)
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
    application.add_error_handler(count_failed_update)


def pipeline_for(application: HipApplication) -> Pipeline:
    """The update pipeline for this application, in the mode the settings ask for."""
    settings = application.bot_data.settings
    webhook = None
    if settings.bot_mode == "webhook":
        assert settings.webhook_url is not None
        webhook = Webhook(
            url=settings.webhook_url,
            path=urlsplit(settings.webhook_url).path.lstrip("/"),
            port=settings.listen_port,
            secret=settings.webhook_secret,
        )
    return Pipeline(
        application,
        give_up=basics.tell_member_it_failed,
        concurrency=settings.concurrent_chats,
        webhook=webhook,
    )


async def start(application: HipApplication) -> Pipeline:
    """What PTB's `run_polling` does before it waits, with the pipeline in place of its
    Updater (which confirms updates before they are handled)."""
    await application.initialize()
    await _post_init(application)
    pipeline = pipeline_for(application)
    await pipeline.start()  # before application.start(): the jobs start paused
    await application.start()
    return pipeline


async def stop(application: HipApplication, pipeline: Pipeline | None) -> None:
    if pipeline is not None:
        await pipeline.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    await _post_shutdown(application)


async def _serve(application: HipApplication) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    pipeline = None
    try:
        pipeline = await start(application)
        await stopping.wait()
    finally:
        await stop(application, pipeline)


def run(settings: Settings, library: Library) -> None:
    """Run until SIGINT/SIGTERM: stop taking updates, finish handling, send, then shut down."""
    asyncio.run(_serve(build_application(settings, library)))
