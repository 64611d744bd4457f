"""The few periodic JobQueue jobs: the reminder tick, closing ended days, and retention.

Not one job per member: APScheduler's memory store inserts in O(n), keeps ~3.7 KiB per job, runs
due jobs while blocking the event loop, and with its default one-second misfire grace a burst of
thousands of jobs due at once can be skipped entirely. One tick that claims due work from an
indexed column costs the same for ten members as for 100,000.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.context import HipApplication, HipContext
from bot.db.models import utcnow
from bot.scheduling.dispatcher import ReminderDispatcher, Render, fanout_bot
from bot.services import content_migration, day_close, retention
from bot.services.members import Flow

log = logging.getLogger(__name__)

REMINDER_TICK_INTERVAL = timedelta(seconds=30)
RETENTION_INTERVAL = timedelta(days=1)
HOUSEKEEPING_FIRST = timedelta(minutes=1)
# A session open at midnight closes within this; the first run is at start-up (after downtime).
DAY_CLOSE_INTERVAL = timedelta(minutes=10)


def _job_options(interval: timedelta) -> dict[str, Any]:
    # The jobs return within milliseconds, so these only matter when the event loop was blocked
    # or the machine slept: run late rather than skip (APScheduler's default grace is 1 s), and
    # run once for any number of missed runs.
    return {
        "misfire_grace_time": int(interval.total_seconds()),
        "coalesce": True,
        "max_instances": 1,
    }


class _LazyDispatcher:
    """The dispatcher needs the database, which exists only after the application's post_init."""

    def __init__(self, render: Render) -> None:
        self._render = render
        self._dispatcher: ReminderDispatcher | None = None

    def get(self, context: HipContext) -> ReminderDispatcher:
        if self._dispatcher is None:
            application = context.application
            settings = context.services.settings
            self._dispatcher = ReminderDispatcher(
                fanout_bot(settings.bot_token, settings.telegram_api_url),
                context.services.sessionmaker,
                self._render,
                grace=timedelta(hours=settings.reminder_grace_hours),
                pacer=context.services.budget.pacer,  # one budget: replies go first
                keep_going=lambda: application.running,
            )
        return self._dispatcher


async def _reminder_tick(context: HipContext) -> None:
    """Start sending what is due, unless this process is still busy with an earlier fan-out.

    The fan-out runs as its own task (PTB awaits it when stopping; it stops claiming at once), so
    the job itself takes no time however many reminders are due.
    """
    assert context.job is not None
    dispatcher: ReminderDispatcher = context.job.data.get(context)
    if not dispatcher.busy:
        context.application.create_task(dispatcher.tick(), name="reminder fan-out")


async def _prune(context: HipContext) -> None:
    """Delete what retention says is no longer needed, a short transaction per batch."""
    rules = retention.Retention.from_settings(context.services.settings)
    for kind in retention.KINDS:
        deleted = 0
        while True:
            async with context.services.sessionmaker.begin() as session:
                batch = await retention.delete_batch(session, kind, rules, utcnow())
            deleted += batch
            if batch < retention.BATCH_ROWS:
                break
        if deleted:
            log.info("retention: deleted %d old %s", deleted, kind)


async def _close_ended_days(context: HipContext) -> None:
    """Each member in their own short transaction, so no lock is held across the whole run."""
    services = context.services
    flow = Flow(services.library, services.settings.default_timezone)
    async with services.sessionmaker.begin() as session:
        due = await day_close.members_with_ended_days(session, utcnow(), flow.default_zone)
    for user_id in due:
        async with services.sessionmaker.begin() as session:
            await day_close.close_ended_day(session, flow, user_id, utcnow())
    if due:
        log.info("closed the open sessions of %d members whose day had ended", len(due))


async def _reconcile_content(context: HipContext) -> None:
    """Once at start-up: stored programmes follow renamed and removed content (a member each)."""
    services = context.services
    async with services.sessionmaker.begin() as session:
        due = await content_migration.members_to_reconcile(session, services.library)
    for member_id in due:
        async with services.sessionmaker.begin() as session:
            await content_migration.reconcile_member(
                session, services.library, member_id, utcnow(), services.settings.default_timezone
            )
    if due:
        log.info("brought %d members' programmes in line with changed content", len(due))


def schedule_jobs(application: HipApplication, render: Render) -> None:
    """Register the jobs; the first reminder tick runs at start-up, to catch up after downtime."""
    job_queue = application.job_queue
    assert job_queue is not None, "install python-telegram-bot[job-queue]"
    # APScheduler logs two INFO lines per run; with a tick every 30 s that drowns the log.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    job_queue.run_repeating(
        _reminder_tick,
        interval=REMINDER_TICK_INTERVAL,
        name="reminder-tick",
        data=_LazyDispatcher(render),
        # Due at once (as `first=0` would be, except that APScheduler moves a first run that
        # passed before the scheduler started, i.e. during post_init, to one interval later).
        # APScheduler runs on real time, not on the application's (movable) clock.
        job_kwargs=_job_options(REMINDER_TICK_INTERVAL) | {"next_run_time": datetime.now(UTC)},
    )
    job_queue.run_once(_reconcile_content, when=timedelta(seconds=1), name="reconcile-content")
    job_queue.run_repeating(
        _close_ended_days,
        interval=DAY_CLOSE_INTERVAL,
        name="close-ended-days",
        job_kwargs=_job_options(DAY_CLOSE_INTERVAL) | {"next_run_time": datetime.now(UTC)},
    )
    job_queue.run_repeating(
        _prune,
        interval=RETENTION_INTERVAL,
        first=HOUSEKEEPING_FIRST,
        name="retention",
        job_kwargs=_job_options(RETENTION_INTERVAL),
    )
