"""The statuses a day's reminder row moves through: the one vocabulary every reminder module shares.

Apart from the modules that change a status, so that claiming, recording, answering and the
readers elsewhere (retention, `hipcoach check`, the playground) name the same states:

    claimed → sent                    the usual path; `claimed_at` starts a lease
    claimed → pending → claimed       handed back (Telegram unavailable, bot stopping) or snoozed
    claimed, lease expired → claimed  the process died between claim and send: claimed again
    sent → skipped                    the member chose "Skip today"
    missed                            due while the bot was down for longer than the grace period
    not_needed                        the member had already started today's session
    cancelled                         the member paused or became unreachable before it went out
    undeliverable / failed            Telegram refused it (blocked; or a bad request)

The one nudge three hours after a sent reminder uses `nudge_due_at` (indexed) and `nudged_at`,
which holds the claim time until the nudge is sent and the send time afterwards.
"""

from __future__ import annotations

from enum import StrEnum


class ReminderStatus(StrEnum):
    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"
    MISSED = "missed"
    NOT_NEEDED = "not_needed"
    CANCELLED = "cancelled"
    UNDELIVERABLE = "undeliverable"
    FAILED = "failed"
