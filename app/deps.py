"""Request-wide dependencies that are not about who is calling."""

from datetime import date
from typing import Annotated

from fastapi import Depends

from app import clock
from app.config import get_settings


async def get_today() -> date:
    """Today in the organisation's time zone; tests override this dependency.

    `async` only so that FastAPI calls it on the event loop instead of in a worker thread.
    """
    return clock.today(get_settings().timezone)


Today = Annotated[date, Depends(get_today)]
