"""The demo data holds one open request with a submission waiting for review, and its link."""

from conftest import TEST_TODAY
from sqlmodel import select

from app import db
from app.documents.storage import stored_file
from app.models import EvidenceRequest, EvidenceSubmission
from app.portal import service
from app.seed import demo_portal_links, load_demo


def test_the_demo_has_a_request_with_a_pending_submission(database_url) -> None:
    with db.session_scope() as s:
        load_demo(session=s, today=TEST_TODAY)
    with db.session_scope(writes=False) as s:
        (request,) = s.exec(select(EvidenceRequest)).all()
        (submission,) = s.exec(select(EvidenceSubmission)).all()
        assert service.status_of(s, request, TEST_TODAY) == "submitted"
        assert submission.status == "pending"
        assert stored_file(submission.document_sha256) is not None
        ((vendor, url),) = demo_portal_links(session=s, today=TEST_TODAY)
    assert vendor == "Pinecrest Data Centers"
    token = url.rsplit("/portal/", 1)[1]
    with db.session_scope(writes=False) as s:
        assert service.open_link(session=s, token=token, today=TEST_TODAY).id == request.id
