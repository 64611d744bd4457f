"""Benchmark: the 10,000-reminder fan-out while 200 members write to the bot (issue 14).

    python -m bench.fanout_with_members                                  # 30/s, about 6 minutes
    python -m bench.fanout_with_members --rate 300 --reminders 2000      # quick
    python -m bench.fanout_with_members --database-url postgresql+asyncpg://…/empty_db

The run of `bench/fanout.py` (same members, zones, fake Bot API in its own process answering 429
beyond `--rate` in a sliding second, the application started as `hipcoach run` starts it: its
pipeline, its one budget; the dispatcher built as `bot/scheduling/jobs.py` builds it, taking its
turns from that budget's pacer as background sends), with `--members` other members writing at a
human pace meanwhile: from the first reminder on, each sends /help every `--member-interval`
seconds (default: members × 3 / rate, so that together they ask for a third of the limit, 10
messages/s at 30/s), their first messages spread evenly over one interval. Their updates go the
whole way: getUpdates, the inbox, a handler's transaction, the outbox, the sender; their replies
take REPLY turns from the same pacer, ahead of the reminders.

Printed: the fan-out's and the replies' messages/s over the fan-out (first claim to last
reminder), the budget the replies leave (the pace, 96% of `--rate`, minus their rate) and the
fan-out's share of it (target ≥ 0.95), reply latency p50/p95/max (update queued at the Bot API to
the reply arriving there; target p95 < 1 s), 429s, reminder duplicates/losses, and the most
messages (reminders and replies together) the Bot API accepted in any one second (never above
`--rate`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench.fanout import duplicates_and_losses, machine, percentile, run_bench
from bot.pipeline.budget import PACE_SHARE

MEMBERS_SHARE = 1 / 3  # of the limit, what the members ask for by default


def most_in_any_second(times: list[float]) -> int:
    """The most of `times` inside any one-second window (as Telegram and the fake count)."""
    ordered = sorted(times)
    most = first = 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def summarise(run: dict[str, Any], options: argparse.Namespace) -> dict[str, Any]:
    stats = run["stats"]
    arrivals = stats["arrivals"]
    last_reminder = max(at for _, at in arrivals)
    elapsed = last_reminder - run["started"]
    fanout_rate = len(arrivals) / elapsed
    during = [r for r in stats["replies"] if run["started"] <= r[1] <= last_reminder]
    reply_rate = len(during) / elapsed
    pace = options.rate * PACE_SHARE
    remaining = pace - reply_rate
    latencies = [latency for *_, latency in stats["replies"]]
    duplicated, lost = duplicates_and_losses(arrivals, options.reminders)
    combined = [at for at in stats["sent_at"] if run["started"] <= at <= last_reminder]
    lags_ms = [lag * 1000 for lag in run["lags"]]
    result = {
        "rate": options.rate,
        "reminders": options.reminders,
        "members": options.members,
        "member_interval": options.member_interval,
        "database": run["database"],
        "elapsed": round(elapsed, 1),
        "fanout_per_s": round(fanout_rate, 2),
        "replies_per_s": round(reply_rate, 2),
        "remaining_budget_per_s": round(remaining, 2),
        "fanout_fraction_of_remaining": round(fanout_rate / remaining, 3),
        "reply_latency_p50_p95_max_ms": [
            round(percentile(latencies, q) * 1000) for q in (0.5, 0.95)
        ]
        + [round(max(latencies, default=0) * 1000)],
        "replies": len(latencies),
        "asked": stats["asked"],
        "skipped": stats["skipped"],
        "unanswered": stats["unanswered"],
        "too_many_requests": stats["too_many_requests"],
        "duplicates": duplicated,
        "losses": lost,
        "statuses": run["statuses"],
        "most_in_any_second": most_in_any_second(combined),
        "load_average": os.getloadavg(),
    }
    lines = {
        "reminders at the Bot API": f"{len(arrivals)} in {elapsed:.1f} s (first claim to last)",
        "fan-out": f"{fanout_rate:.2f} messages/s",
        "member replies during the fan-out": f"{reply_rate:.2f} messages/s ({len(during)})",
        "remaining budget": f"{pace:.1f} (pace, {PACE_SHARE:g} of {options.rate:g}) "
        f"- {reply_rate:.2f} = {remaining:.2f}/s",
        "fan-out / remaining budget": f"{fanout_rate / remaining:.3f} (target ≥ 0.95)",
        "reply latency p50 / p95 / max": (
            "{} / {} / {} ms (target p95 < 1000)".format(*result["reply_latency_p50_p95_max_ms"])
        ),
        "replies / asked / skipped / unanswered": (
            f"{len(latencies)} / {stats['asked']} / {stats['skipped']} / {stats['unanswered']}"
        ),
        "429 answers provoked": stats["too_many_requests"],
        "429s at (s after the start)": [
            round(at - run["started"], 1) for at in stats["too_many_at"]
        ],
        "reminder duplicates / losses": f"{duplicated} / {lost}",
        "reminder rows by status": run["statuses"],
        "most messages in any 1 s (all)": (
            f"{result['most_in_any_second']} (limit {options.rate:g})"
        ),
        "event-loop lag p50 / p99 / max": (
            f"{statistics.median(lags_ms):.1f} / {percentile(lags_ms, 0.99):.1f} / "
            f"{max(lags_ms):.1f} ms"
        ),
        "tick report": run["report"],
        "load average (1, 5, 15 min)": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    for name, value in lines.items():
        print(f"{name:40} {value}")
    return result


async def main(options: argparse.Namespace) -> None:
    print(machine(), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    began = time.time()
    run = await run_bench(
        options.rate,
        options.reminders,
        options.database_url,
        members=options.members,
        every=options.member_interval,
    )
    result = summarise(run, options)
    result["wall_seconds"] = round(time.time() - began)
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=30, help="Bot API messages per second")
    parser.add_argument("--reminders", type=int, default=10_000, help="members due at once")
    parser.add_argument("--members", type=int, default=200, help="members writing meanwhile")
    parser.add_argument(
        "--member-interval",
        type=float,
        help="seconds between one member's messages (default: a third of the limit in all)",
    )
    parser.add_argument("--database-url", help="an empty database (default: SQLite in a temp dir)")
    arguments = parser.parse_args()
    if arguments.member_interval is None:
        arguments.member_interval = arguments.members / (arguments.rate * MEMBERS_SHARE)
    asyncio.run(main(arguments))
