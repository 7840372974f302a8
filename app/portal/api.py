"""The API of evidence requests and submissions (SPEC §11)."""

from fastapi import APIRouter

router = APIRouter(tags=["evidence requests"])
