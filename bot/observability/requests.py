"""Every Bot API call counted by method and result, through one subclass of PTB's HTTPXRequest.

Used by the application's bot (replies, getUpdates) and by the reminder fan-out's own bot, so a
429 or a 403 is seen whichever sent it. A successful getUpdates is also the polling heartbeat.
"""

from __future__ import annotations

from typing import Any

from telegram.error import NetworkError
from telegram.request import HTTPXRequest

from bot.observability.metrics import HEARTBEAT, TELEGRAM_REQUESTS


def result_label(status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    if status in (403, 429):
        return str(status)
    return "5xx" if status >= 500 else "4xx"


class ObservedRequest(HTTPXRequest):
    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        try:
            status, body = await super().do_request(url, method, *args, **kwargs)
        except NetworkError:  # includes timeouts; the URL (with the token) is never a label
            TELEGRAM_REQUESTS.labels(api_method, "network").inc()
            raise
        TELEGRAM_REQUESTS.labels(api_method, result_label(status)).inc()
        if api_method == "getUpdates" and status == 200:
            HEARTBEAT.polled()
        return status, body
