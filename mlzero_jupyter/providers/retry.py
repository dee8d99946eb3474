"""Retries for every provider: exponential backoff with jitter, Retry-After honoured, no retry on bad credentials."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from mlzero_jupyter.errors import CredentialsError, ProviderError

T = TypeVar("T")


class TransientError(ProviderError):
    """Throttling, a timeout, a dropped connection or a 5xx: trying again may help."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, retryable=True)
        self.retry_after = retry_after


@dataclass
class RetryPolicy:
    attempts: int = 5  # calls in all, the first included
    base_delay: float = 1.0  # seconds before the first retry (before jitter)
    max_delay: float = 30.0  # cap of the computed backoff
    max_retry_after: float = 120.0  # a server asking for a longer pause is refused (the error is raised)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        if retry_after is not None:
            return retry_after
        backoff = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return backoff * random.uniform(0.5, 1.0)


def with_retries(call: Callable[[], T], policy: RetryPolicy) -> T:
    """Run ``call``; on a retryable ProviderError wait and try again, up to ``policy.attempts`` calls."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return call()
        except CredentialsError:
            raise
        except ProviderError as error:
            retry_after = getattr(error, "retry_after", None)
            if not error.retryable or attempt == policy.attempts:
                if error.retryable:
                    raise ProviderError(f"{error} (gave up after {attempt} attempts)") from error
                raise
            if retry_after is not None and retry_after > policy.max_retry_after:
                raise ProviderError(f"{error} (the server asks to wait {retry_after:.0f} s; try later)") from error
            policy.sleep(policy.delay(attempt, retry_after))
    raise AssertionError("unreachable: the loop returns or raises")


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number of seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
