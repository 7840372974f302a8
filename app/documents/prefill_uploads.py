"""PDFs kept for a form: stored by "Prefill from PDF" (or sent with a form that was refused)
and attached when the record is saved, without being sent again.

The form carries a handle, not the digest: the upload's id, digest and owner, signed with the
secret key and stamped with the time it was signed. A handle is honoured only for the user it
was issued to, for a day; a bare digest, a forged or altered handle, another user's or an old
one names nothing. The daily pass deletes the uploads older than a day (and a few minutes, so
that a form resolved just in time can finish) and their files, unless a record holds them.
"""

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, col, delete, select

from app.config import get_settings
from app.db import session_scope
from app.documents.storage import StoredFile, path_for, stored_file
from app.models import Evidence, EvidenceSubmission, PrefillUpload

log = logging.getLogger("vetted.prefill")
HOLD = timedelta(hours=24)  # how long a handle is honoured
SLACK = timedelta(minutes=5)  # the sweep waits this much longer
SALT = "vetted.prefill-upload"
BATCH = 500


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret_key.get_secret_value(), salt=SALT)


def remember(*, session: Session, stored: StoredFile, owner: str, now: datetime) -> str:
    """Record a stored PDF as kept for `owner`'s form; the handle the form carries (flushes)."""
    upload = PrefillUpload(sha256=stored.sha256, size=stored.size, owner=owner, created_at=now)
    session.add(upload)
    session.flush()
    return _serializer().dumps({"id": upload.id, "sha256": upload.sha256, "owner": owner})


def resolve(*, session: Session, handle: str, owner: str, now: datetime) -> StoredFile | None:
    """The stored PDF `handle` names, if it is genuine, `owner`'s, less than a day old and
    still in the store; None otherwise."""
    try:
        data, signed_at = _serializer().loads(handle, return_timestamp=True)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("owner") != owner or now - signed_at >= HOLD:
        return None
    upload_id = data.get("id")
    upload = session.get(PrefillUpload, upload_id) if isinstance(upload_id, int) else None
    if upload is None or (upload.sha256, upload.owner) != (data.get("sha256"), owner):
        return None
    if now - upload.created_at >= HOLD:
        return None
    return stored_file(upload.sha256)


def sweep(*, now: datetime, root: Path | None = None) -> int:
    """Delete the prefill uploads older than HOLD + SLACK, and each one's file unless a record
    (or a younger upload) holds it; how many files were deleted. One batch per transaction."""
    cutoff, removed = now - HOLD - SLACK, 0
    while True:
        with session_scope() as session:
            old = session.exec(
                select(PrefillUpload).where(PrefillUpload.created_at <= cutoff).limit(BATCH)
            ).all()
            if not old:
                break
            orphans = _unheld(session, {u.sha256 for u in old}, cutoff)
            session.exec(
                delete(PrefillUpload).where(col(PrefillUpload.id).in_([u.id for u in old]))
            )
        removed += sum(_remove(sha, cutoff, root) for sha in orphans)
    if removed:
        log.info("deleted %d prefill PDFs not attached within %s", removed, HOLD)
    return removed


def _unheld(session: Session, digests: set[str], cutoff: datetime) -> set[str]:
    """The digests no record holds and no upload younger than `cutoff` names."""
    held = session.exec(
        select(Evidence.document_sha256).where(col(Evidence.document_sha256).in_(digests))
    ).all()
    handed_in = session.exec(  # a vendor's submission through the portal
        select(EvidenceSubmission.document_sha256).where(
            col(EvidenceSubmission.document_sha256).in_(digests)
        )
    ).all()
    young = session.exec(
        select(PrefillUpload.sha256).where(
            col(PrefillUpload.sha256).in_(digests), PrefillUpload.created_at > cutoff
        )
    ).all()
    return digests - set(held) - set(handed_in) - set(young)


def _remove(sha256: str, cutoff: datetime, root: Path | None) -> bool:
    """Delete the stored file, unless it was stored again (touched) after `cutoff`.

    It is moved aside first: an upload of the same bytes arriving meanwhile either touched it
    before the move (then it is put back) or finds no file and stores its own copy."""
    path = path_for(sha256, root)
    aside = path.with_name(f"{path.name}.sweep")
    try:
        os.replace(path, aside)
    except FileNotFoundError:
        return False
    if aside.stat().st_mtime > cutoff.timestamp():
        os.replace(aside, path)
        return False
    aside.unlink()
    return True
