"""The playground itself: the real bot, a local Bot API server and a chat page, in one process.

The bot is the application `hipcoach run` builds, polling the local server with a dummy token;
its SQLite database and clock live under `./playground/`, kept between runs unless `--fresh`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot import clock
from bot.app import build_application
from bot.app import start as start_application
from bot.app import stop as stop_application
from bot.coaching.content import Library
from bot.config import Settings
from bot.context import HipApplication
from bot.db.engine import create_engine, create_sessionmaker
from bot.db.migrate import upgrade_to_head
from bot.db.models import InboxUpdate, Member, Reminder
from bot.pipeline.runtime import Pipeline
from bot.playground import seed
from bot.playground.botapi import BotAPIServer, SentMessage
from bot.playground.web import GROUP_CHAT_ID, GROUP_TITLE, ROBIN, ChatPage, Controls
from bot.services.members import Flow
from bot.services.reminders.status import ReminderStatus

# Looks like a token to the bot; means nothing to Telegram, which is never contacted.
TOKEN = "123456789:PlaygroundOnly-NotATelegramToken_xyz"
JUMPS = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
# "To the next reminder" lands just after it is due, so the next tick claims it.
PAST_DUE = timedelta(seconds=1)

log = logging.getLogger(__name__)


class Playground:
    def __init__(
        self,
        folder: Path,
        library: Library,
        *,
        seed_demo: bool = False,
        server: BotAPIServer | None = None,
    ) -> None:
        """`server`: the Bot API server to use (tests pass one they can wait on)."""
        self.folder = folder
        self.library = library
        self.seed_demo = seed_demo
        self.server = server or BotAPIServer(TOKEN)
        self.page = ChatPage(self.server, Controls(self.jump, self.reset, self.next_reminder))
        self.application: HipApplication | None = None
        self.pipeline: Pipeline | None = None
        self.settings: Settings | None = None
        self._lock = asyncio.Lock()

    @property
    def database(self) -> Path:
        return self.folder / "hipcoach.db"

    @property
    def chats_file(self) -> Path:
        """What the page shows and the messages behind it, so the chats survive a restart."""
        return self.folder / "chats.json"

    @property
    def state_file(self) -> Path:
        """The clock's lead over real time and the next ids, kept between runs."""
        return self.folder / "state.json"

    async def serve(self, host: str, port: int, *, fresh: bool = False) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        url = await self.start(host, port, fresh=fresh)
        print(f"hipcoach playground: open {url}/ in a browser (Ctrl-C stops it)", flush=True)
        try:
            await stop.wait()
        finally:
            await self.close()

    async def start(self, host: str = "127.0.0.1", port: int = 0, *, fresh: bool = False) -> str:
        """Start the server, the database and the bot; returns the page's root URL."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if fresh:
            self._remove_state()
        self._restore_state()
        url = await self.server.start(host, port, add_routes=self.page.add_routes)
        self.settings = Settings.from_env(
            {
                "BOT_TOKEN": self.server.token,
                "TELEGRAM_API_URL": url,
                "DATABASE_URL": f"sqlite:///{self.database.resolve()}",
                "DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "UTC"),
                # The local Bot API has no per-chat limit, and one visitor clicks quickly.
                "SEND_CHAT_INTERVAL": "0",
            }
        )
        await self._prepare_database()
        await self._start_bot()
        return url

    async def close(self) -> None:
        await self._stop_bot()
        await self.server.close()
        self._save_state()

    # ---- the page's controls ----------------------------------------------------------------
    async def jump(self, kind: str, user_id: int | None = None) -> None:
        """Move the clock forward, then run every periodic job at once, as if its time came.

        "reminder" goes to `user_id`'s next reminder when they have one, else to anyone's.
        """
        async with self._lock:
            if kind in JUMPS:
                delta = JUMPS[kind]
            else:
                due = await self._next_due(user_id) or await self._next_due()
                if due is None:
                    return
                delta = max(due - clock.now() + PAST_DUE, timedelta(0))
            clock.advance(delta)
            self._save_state()
            await self._run_jobs()

    async def reset(self) -> None:
        """Start over: an empty (or freshly seeded) database, empty chats, the real time."""
        async with self._lock:
            await self._stop_bot()
            self._remove_state()
            clock.set_offset(timedelta(0))
            self.server.forget()
            self.page.forget()
            await self._prepare_database()
            await self._start_bot()

    async def next_reminder(self) -> str | None:
        due = await self._next_due()
        return None if due is None else due.isoformat(timespec="seconds")

    # ---- the parts --------------------------------------------------------------------------
    async def _prepare_database(self) -> None:
        assert self.settings is not None
        engine = create_engine(self.settings.database_url)
        try:
            await upgrade_to_head(engine)
            async with engine.connect() as connection:
                handled = await connection.scalar(select(func.max(InboxUpdate.update_id)))
            # Even after a crash that lost state.json, never reuse an update id the bot handled.
            self.server.carry_on((handled or 0) + 1, 1)
            if self.seed_demo:
                flow = Flow(self.library, self.settings.default_timezone)
                if await seed.seed_demo(
                    create_sessionmaker(engine),
                    flow,
                    chat_id=GROUP_CHAT_ID,
                    title=GROUP_TITLE,
                    coach_user_id=ROBIN.user_id,
                ):
                    log.info("seeded the coach group with %d members", len(seed.DEMO_MEMBERS))
        finally:
            await engine.dispose()

    async def _start_bot(self) -> None:
        """What `hipcoach run` does, minus owning the event loop (the page shares it)."""
        assert self.settings is not None
        application = build_application(self.settings, self.library)
        self.pipeline = await start_application(application)
        self.application = application

    async def _stop_bot(self) -> None:
        application, self.application = self.application, None
        pipeline, self.pipeline = self.pipeline, None
        if application is not None:
            await stop_application(application, pipeline)

    async def _run_jobs(self) -> None:
        """Every periodic job, now: the reminder tick (reminders, nudges, alerts), the close of
        sessions whose day has ended, retention; so a jump past midnight closes yesterday."""
        application = self.application
        if application is None or application.job_queue is None:
            return
        for job in application.job_queue.jobs():
            await job.run(application)

    async def _next_due(self, user_id: int | None = None) -> datetime | None:
        """The earliest reminder or nudge still to go out, to this member or to anyone."""
        if self.application is None:
            return None
        whose = [] if user_id is None else [Member.telegram_user_id == user_id]
        reminders = select(Reminder).join(Member, Member.id == Reminder.member_id).where(*whose)
        async with self.application.bot_data.sessionmaker() as session:
            candidates = [
                await session.scalar(select(func.min(Member.next_reminder_at)).where(*whose)),
                await session.scalar(
                    reminders.where(Reminder.status == ReminderStatus.PENDING).with_only_columns(
                        func.min(Reminder.due_at)
                    )
                ),
                await session.scalar(reminders.with_only_columns(func.min(Reminder.nudge_due_at))),
            ]
        found = [moment for moment in candidates if moment is not None]
        return min(found) if found else None

    def _restore_state(self) -> None:
        with contextlib.suppress(FileNotFoundError, ValueError, KeyError, TypeError):
            saved = json.loads(self.state_file.read_text())
            clock.set_offset(timedelta(seconds=float(saved["ahead_seconds"])))
            self.server.carry_on(int(saved["next_update_id"]), int(saved["next_message_id"]))
        with contextlib.suppress(FileNotFoundError, ValueError, KeyError, TypeError):
            chats = json.loads(self.chats_file.read_text())
            self.server.restore([SentMessage.from_json(saved) for saved in chats["messages"]])
            self.page.restore(chats["entries"])

    def _save_state(self) -> None:
        update_id, message_id = self.server.next_ids()
        saved = {
            "ahead_seconds": clock.offset().total_seconds(),
            "next_update_id": update_id,
            "next_message_id": message_id,
        }
        self.state_file.write_text(json.dumps(saved) + "\n")
        chats = {
            "messages": [message.to_json() for message in self.server.messages.values()],
            "entries": list(self.page.entries.values()),
        }
        self.chats_file.write_text(json.dumps(chats))

    def _remove_state(self) -> None:
        for path in (self.state_file, self.chats_file, *self.folder.glob("hipcoach.db*")):
            path.unlink(missing_ok=True)
        clock.set_offset(timedelta(0))
