"""Vendors: create, read, update with optimistic concurrency, list and look up."""

import base64
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app import clock
from app.audit.service import change, record, snapshot
from app.errors import Conflict, NotFound
from app.fields import INVISIBLE
from app.models import Evidence, Vendor
from app.records import get_vendor
from app.status.service import materialise
from app.vendors.schemas import VendorCreate, VendorUpdate

MAX_PAGE = 500


def name_key(name: str) -> str:
    """The identity of a vendor name: compatibility forms (NFKC: full-width letters,
    ligatures), case, runs of spaces and invisible characters (zero widths, bidi controls)
    make no difference."""
    visible = "".join(char for char in name if char not in INVISIBLE)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", visible).casefold())
    return " ".join(folded.split())


def _check_unique(
    *, session: Session, name: str | None, domain: str | None, exclude_id: int | None = None
) -> None:
    if name is not None:
        query = select(Vendor.id).where(Vendor.name_key == name_key(name))
        if session.exec(query).first() not in (None, exclude_id):
            raise Conflict(f"a vendor named {name!r} exists already")
    if domain is not None:
        query = select(Vendor.id).where(Vendor.domain == domain)
        if session.exec(query).first() not in (None, exclude_id):
            raise Conflict(f"a vendor with domain {domain!r} exists already")


# What `lifecycle` may be set to by hand (POST/PATCH, the form, CSV): archiving takes a reason
# and the offboarding checks (POST /archive), leaving it takes POST /reactivate.
SETTABLE_LIFECYCLES = frozenset({"onboarding", "active", "offboarding"})
LIFECYCLE_CONFLICT = (
    "lifecycle {wanted!r} cannot be set here: a new vendor starts onboarding, active or "
    "offboarding, a vendor moves by hand to active or offboarding, and is archived or "
    "reactivated through "
    "/vendors/{{id}}/archive and /reactivate"
)


def check_lifecycle(current: str | None, wanted: str | None) -> None:
    """Refuse (409) a lifecycle that is not set by hand: see SETTABLE_LIFECYCLES.

    A value equal to the current one is no change (a CSV export imported back); a new vendor
    (current None) starts in any but archived (a register brought over from elsewhere has
    vendors long active); an existing one moves to active or offboarding unless archived."""
    if wanted is None or wanted == current:
        return
    allowed = SETTABLE_LIFECYCLES if current is None else {"active", "offboarding"}
    if current == "archived" or wanted not in allowed:
        raise Conflict(LIFECYCLE_CONFLICT.format(wanted=wanted))


def create_vendor(*, session: Session, data: VendorCreate, actor: str, today: date) -> Vendor:
    """Create a vendor and evaluate it at once; its first review is due on its first day."""
    _check_unique(session=session, name=data.name, domain=data.domain)
    check_lifecycle(None, data.lifecycle)
    now = clock.utc_now()
    values = data.model_dump() | {"lifecycle": data.lifecycle or "onboarding"}
    vendor = Vendor(
        **values,
        name_key=name_key(data.name),
        created_at=now,
        updated_at=now,
        first_review_due_on=today,
    )
    session.add(vendor)
    session.flush()
    materialise(session=session, vendor=vendor, today=today)
    record(session=session, actor=actor, action="create", row=vendor)
    return vendor


def update_vendor(
    *,
    session: Session,
    vendor_id: int,
    data: VendorUpdate,
    expected_version: int | None,
    actor: str,
    today: date,
) -> Vendor:
    """Apply a partial update; a stale version is a Conflict."""
    # The row is locked before its version is compared (PostgreSQL; SQLite writers hold the
    # database lock already): two updates sent with the same version cannot both win.
    vendor = get_vendor(session=session, vendor_id=vendor_id, for_update=True)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    expected = expected_version if expected_version is not None else data.version
    if expected is not None and expected != vendor.version:
        raise Conflict(
            f"vendor {vendor_id} is at version {vendor.version}, not {expected}: "
            "reload it and apply your change again"
        )
    _check_unique(
        session=session,
        name=changes.get("name"),
        domain=changes.get("domain"),
        exclude_id=vendor.id,
    )
    check_lifecycle(vendor.lifecycle, changes.get("lifecycle"))
    before = snapshot(vendor)
    _apply(vendor, changes)
    if vendor.services != before["services"]:
        reset_scope_judgements(session=session, vendor_ids=[vendor.id], actor=actor)
    materialise(session=session, vendor=vendor, today=today)
    record(session=session, actor=actor, action="update", row=vendor, before=before)
    return vendor


def reset_scope_judgements(*, session: Session, vendor_ids: Sequence[int], actor: str) -> int:
    """Clear every scope judgement of these vendors' documents, each audited; how many.

    Called when a vendor's services change: what was judged against the old services says
    nothing about the new ones (SPEC §2 v2). The caller re-evaluates the vendors."""
    query = select(Evidence).where(
        col(Evidence.vendor_id).in_(vendor_ids), col(Evidence.scope_covers_services).is_not(None)
    )
    judged = list(session.exec(query.order_by(col(Evidence.id))))
    for evidence in judged:
        change(
            session=session,
            row=evidence,
            changes={"scope_covers_services": None},
            actor=actor,
            action="scope_reset",
        )
    return len(judged)


def _apply(vendor: Vendor, changes: dict) -> None:
    for field in ("name", "tier", "lifecycle", "notice_days", "auto_renews", "renewal_term_months"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    for field, value in changes.items():
        setattr(vendor, field, value)
    vendor.name_key = name_key(vendor.name)
    vendor.updated_at = clock.utc_now()
    vendor.version += 1


@dataclass(frozen=True)
class VendorFilter:
    """The filters of the vendor list."""

    status: str | None = None
    tier: str | None = None
    q: str | None = None
    expiring_within_days: int | None = None
    # SPEC §12. Without `lifecycle`, archived vendors are left out; with it, only that one.
    lifecycle: str | None = None
    review_due_within_days: int | None = None  # overdue reviews included
    decision_within_days: int | None = None  # decisions whose notice has passed included


# A 31-bit id in 4 bytes, base64url without padding: the first character carries the top bit
# (0), the last two data bits and four zero bits. Every string of this pattern is a cursor.
CURSOR_PATTERN = r"^[A-Za-f][A-Za-z0-9_-]{4}[AQgw]$"


def encode_cursor(last_id: int) -> str:
    """An opaque cursor for the page after `last_id`."""
    return base64.urlsafe_b64encode(last_id.to_bytes(4, "big")).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The last id of the previous page, from a cursor that matches CURSOR_PATTERN."""
    return int.from_bytes(base64.urlsafe_b64decode(cursor + "=="), "big")


def narrowed(query, *, status=None, tier=None, pattern=None):
    """`query` narrowed to vendors with `status` and `tier` whose name or domain is LIKE
    `pattern` (see `like_pattern`); each a value or a bound parameter, None for any."""
    if status is not None:
        query = query.where(Vendor.status == status)
    if tier is not None:
        query = query.where(Vendor.tier == tier)
    if pattern is not None:
        query = query.where(
            or_(
                col(Vendor.name_key).like(pattern, escape="\\"),
                col(Vendor.domain).like(pattern, escape="\\"),
            )
        )
    return query


def like_pattern(q: str) -> str:
    """The LIKE pattern that finds `q` anywhere in a name or domain, any case."""
    return f"%{escape_like(name_key(q))}%"


def _filtered(query, flt: VendorFilter, today: date):
    pattern = like_pattern(flt.q) if flt.q else None
    query = narrowed(query, status=flt.status or None, tier=flt.tier or None, pattern=pattern)
    if flt.expiring_within_days is not None:
        horizon = today + timedelta(days=flt.expiring_within_days)
        query = query.where(col(Vendor.evidence_expires_on).between(today, horizon))
    return _calendar_filtered(query, flt, today)


def _calendar_filtered(query, flt: VendorFilter, today: date):
    """The lifecycle, review and renewal filters, on the materialised columns (indexed)."""
    if flt.lifecycle:
        query = query.where(Vendor.lifecycle == flt.lifecycle)
    else:
        query = query.where(col(Vendor.lifecycle) != "archived")
    if flt.review_due_within_days is not None:
        horizon = today + timedelta(days=flt.review_due_within_days)
        query = query.where(col(Vendor.review_due_on) <= horizon)
    if flt.decision_within_days is not None:
        horizon = today + timedelta(days=flt.decision_within_days)
        query = query.where(col(Vendor.decision_on) <= horizon)
    return query


def filtered_query(query, flt: VendorFilter, today: date):
    """`query` narrowed by the list filters (the API list and the web list share them)."""
    return _filtered(query, flt, today)


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with `\\` as the escape: its % and _ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_vendors(
    *, session: Session, flt: VendorFilter, limit: int, after_id: int | None, today: date
) -> tuple[list[Vendor], int]:
    """One page of vendors (by id) and the total matching the filters."""
    query = _filtered(select(Vendor), flt, today)
    total = session.exec(_filtered(select(func.count()).select_from(Vendor), flt, today)).one()
    if after_id is not None:
        query = query.where(col(Vendor.id) > after_id)
    page = session.exec(query.order_by(col(Vendor.id)).limit(limit)).all()
    return list(page), total


def lookup_vendor(*, session: Session, domain: str | None, name: str | None) -> Vendor:
    """Exact lookup by domain or by name (case-insensitive), for procurement systems."""
    if domain:
        vendor = session.exec(select(Vendor).where(Vendor.domain == domain.strip().lower())).first()
    else:
        vendor = session.exec(select(Vendor).where(Vendor.name_key == name_key(name or ""))).first()
    if vendor is None:
        raise NotFound(f"no vendor with {'domain' if domain else 'name'} {domain or name!r}")
    return vendor
