"""The build's clock: read once at the command line, passed in everywhere else."""

from __future__ import annotations

import os
from datetime import datetime, timezone


class ClockError(ValueError):
    pass


def build_clock(now_option: str | None, environ=os.environ) -> datetime:
    """--now wins, then SOURCE_DATE_EPOCH, then the real time; always aware (UTC if naive)."""
    if now_option:
        try:
            moment = datetime.fromisoformat(now_option.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ClockError(f"--now '{now_option}' is not an ISO date-time "
                             "(for example 2018-01-31T19:00+00:00)") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ClockError(f"SOURCE_DATE_EPOCH '{epoch}' is not a number of seconds") from None
    return datetime.now(timezone.utc)
