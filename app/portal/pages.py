"""The vendor portal (SPEC §11): the pages a vendor's contact opens with the link alone."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
