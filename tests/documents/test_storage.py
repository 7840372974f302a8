"""The content-addressed store: checked, counted, atomic, private."""

import hashlib

import pytest

from app import config
from app.config import ROOT
from app.documents.storage import (
    StagedPdf,
    TooLarge,
    UnsupportedMedia,
    path_for,
    store_pdf_bytes,
    stored_file,
    upload_root,
)

PDF = b"%PDF-1.7\n" + b"x" * 5000


def test_nothing_is_visible_under_the_final_name_until_promoted(upload_dir):
    sha = hashlib.sha256(PDF).hexdigest()
    with StagedPdf() as staged:
        staged.write(PDF[:100])
        staged.write(PDF[100:])
        staged.finish()
        assert not path_for(sha).exists()
        assert staged.path.parent == upload_dir / ".tmp"
        stored = staged.promote()
    assert stored.path == upload_dir / sha[:2] / sha
    assert stored.path.read_bytes() == PDF
    assert list((upload_dir / ".tmp").iterdir()) == []


def test_a_refused_upload_leaves_no_temporary_file(upload_dir):
    with pytest.raises(TooLarge), StagedPdf(max_bytes=1000) as staged:
        staged.write(PDF)
    assert list((upload_dir / ".tmp").iterdir()) == []


def test_the_magic_bytes_are_checked_on_the_first_chunk_even_when_split(upload_dir):
    with StagedPdf() as staged:
        staged.write(b"%P")
        staged.write(b"DF-1.4\n")
        staged.finish()
    with pytest.raises(UnsupportedMedia), StagedPdf() as staged:
        staged.write(b"%P")
        staged.write(b"NG")


def test_storing_the_same_bytes_twice_keeps_one_file(upload_dir):
    first, second = store_pdf_bytes(PDF), store_pdf_bytes(PDF)
    assert first == second
    assert [p for p in upload_dir.rglob("*") if p.is_file()] == [first.path]


@pytest.mark.parametrize("digest", ["../../etc/passwd", "A" * 64, "", "0" * 63 + "/"])
def test_only_real_digests_name_a_path(upload_dir, digest):
    with pytest.raises(ValueError):
        path_for(digest)
    assert stored_file(digest) is None


def test_the_store_may_not_sit_under_the_published_static_directory(monkeypatch):
    monkeypatch.setenv("VETTED_UPLOAD_DIR", str(ROOT / "app" / "static" / "uploads"))
    config.get_settings.cache_clear()
    with pytest.raises(RuntimeError, match="must not be under"):
        upload_root()
