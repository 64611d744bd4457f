"""The typed context handlers and jobs receive: services by attribute, not by string key."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, CallbackContext, ExtBot
from tornado.httpserver import HTTPServer

from bot.coaching.content import Library
from bot.coaching.education import Education
from bot.config import Settings
from bot.pipeline.budget import SharedBudget
from bot.pipeline.capture import unit_session


class BotData:
    """Long-lived services, created in post_init and closed in post_shutdown."""

    settings: Settings
    library: Library
    education: Education
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    budget: SharedBudget  # the one rate budget every message takes its turn from
    metrics_server: HTTPServer | None = None  # set in post_init when METRICS_PORT is given


class HipContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler and job gets."""

    @property
    def services(self) -> BotData:
        return self.bot_data

    @property
    def session(self) -> AsyncSession:
        """The update's one transaction: the handler's writes, its replies (queued, sent after
        the commit) and the inbox row's "handled" mark commit together (`bot/pipeline`)."""
        return unit_session()


HipApplication = Application[ExtBot[None], HipContext, dict[Any, Any], dict[Any, Any], BotData, Any]
