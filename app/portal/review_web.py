"""The analysts' pages for evidence requests: ask, follow, review what came in."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
