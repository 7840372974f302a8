"""The evidence-kinds registry holds every kind the API accepts, and each entry is whole: a
kind left out of it, or half described, fails here rather than somewhere quietly."""

import string
from typing import get_args

import pytest

from app.bulk.importing_evidence import EVIDENCE_COLUMNS
from app.config import ROOT
from app.documents.extract_kind import PATTERNS
from app.evidence.kinds import KINDS, EvidenceKind
from app.evidence.schemas import EvidenceCreate, EvidenceRead
from app.models import Evidence
from app.web import labels

UNION = get_args(get_args(EvidenceCreate)[0])
ENTRIES = list(KINDS.values())


def _kind_of(schema) -> str:
    (name,) = get_args(schema.model_fields["kind"].annotation)
    return name


def test_the_registry_and_the_api_union_name_the_same_kinds() -> None:
    assert {_kind_of(schema): schema for schema in UNION} == {
        name: kind.schema for name, kind in KINDS.items()
    }


@pytest.mark.parametrize("kind", ENTRIES, ids=lambda k: k.name)
def test_each_kind_is_whole(kind: EvidenceKind) -> None:
    assert _kind_of(kind.schema) == kind.name
    assert kind.label and kind.words and labels.KIND[kind.name] == kind.label
    assert (ROOT / "templates" / kind.template).is_file()
    columns = set(Evidence.model_fields)
    assert set(kind.fields) <= columns, "every field of the schema is a column of the table"
    assert set(kind.fields) <= set(EvidenceRead.model_fields), "and the API returns it"
    assert set(kind.form_defaults) <= set(kind.form_fields)
    assert {name for name, _ in kind.not_after_receipt} <= set(kind.fields)
    assert kind.facts is not None or kind.expiry is None, "what the rules do not read lapses not"


@pytest.mark.parametrize("kind", ENTRIES, ids=lambda k: k.name)
def test_each_kinds_csv_columns_are_its_schema_fields(kind: EvidenceKind) -> None:
    fields = set(kind.schema.model_fields) - {"kind"}
    if not kind.same_document:
        assert kind.csv_columns == (), "a kind without a document key is not imported"
        return
    assert set(kind.csv_columns) == fields
    assert set(kind.csv_columns) <= set(EVIDENCE_COLUMNS)
    assert set(kind.same_document) <= fields
    named = {name for _, name, _, _ in string.Formatter().parse(kind.summary) if name}
    assert named <= fields


@pytest.mark.parametrize("kind", ENTRIES, ids=lambda k: k.name)
def test_each_kinds_scope_and_pdf_reading_are_where_they_are_used(kind: EvidenceKind) -> None:
    has_judgement = "scope_covers_services" in kind.fields
    assert (kind.scope is not None) == has_judgement
    if kind.scope is not None:
        assert kind.scope.field in kind.fields and kind.scope.words
    assert (kind.read_pdf is not None) == (kind.name in PATTERNS), "recognised ⇔ read"
    if kind.expiry is not None:
        assert kind.expiry.runs_from in kind.fields
        assert kind.expiry.lapsed in labels.STANDING
