"""Runs the real bot in a child process, through the same entry point as `hipcoach run`."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.signed_bot import callback_key, sign
from tests.fakebotapi import FakeBotAPI

FAKE_TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"


def signed(data: str) -> str:
    """Button data as the bot under test signs it: a forger who knew the key (to test parsers)."""
    return sign(callback_key(FAKE_TOKEN), data)


START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


class BotProcess:
    def __init__(
        self,
        api: FakeBotAPI,
        database_url: str,
        folder: Path,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.api = api
        self.database_url = database_url
        self.folder = folder
        self.log_path = folder / "bot.log"
        self.extra_env = extra_env or {}
        self._process: asyncio.subprocess.Process | None = None

    @property
    def webhook_mode(self) -> bool:
        return self.extra_env.get("BOT_MODE") == "webhook"

    def environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(
                ("BOT_", "WEBHOOK_", "TELEGRAM_", "DATABASE_", "LISTEN_", "SEND_")
            )
        }
        env.update(
            BOT_TOKEN=FAKE_TOKEN,
            TELEGRAM_API_URL=self.api.url,
            DATABASE_URL=self.database_url,
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            # The fake Bot API enforces no per-chat limit, and a test types far faster than a
            # member; the pacing itself is tested on virtual time (tests/unit).
            SEND_CHAT_INTERVAL="0",
        )
        env.update(self.extra_env)
        return env

    async def start(self, *, may_die: bool = False) -> None:
        """Start and wait until the bot polls for updates or sets its webhook (then it answers).

        `may_die`: a crash test's bot may kill itself (HIPCOACH_CRASH_AT) before it is ready."""
        ready_event = self.api.webhook_set if self.webhook_mode else self.api.polling
        ready_event.clear()
        log = self.log_path.open("ab")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=self.folder,
            env=self.environment(),
            stdout=log,
            stderr=log,
        )
        log.close()
        polling = asyncio.ensure_future(ready_event.wait())
        exited = asyncio.ensure_future(self._process.wait())
        done, _ = await asyncio.wait(
            {polling, exited}, timeout=START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        polling.cancel()
        exited.cancel()
        if may_die and exited in done:
            return
        if polling not in done:
            await self.kill()
            raise AssertionError(f"the bot did not become ready:\n{self.log_tail()}")

    async def stop(self) -> int | None:
        """SIGTERM, as a service manager would send it; PTB shuts down gracefully."""
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return None if process is None else process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"the bot ignored SIGTERM:\n{self.log_tail()}") from None

    async def kill(self) -> None:
        """SIGKILL: the process dies mid-work, as in a crash or power cut."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()

    async def exited(self, timeout: float) -> int:
        """Wait for the process to end by itself (a crash point): its return code."""
        process, self._process = self._process, None
        assert process is not None, "the bot is not running"
        try:
            return await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"the bot did not die within {timeout}s") from None

    async def restart(self, *, crash: bool = False) -> None:
        await (self.kill() if crash else self.stop())
        await self.start()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
