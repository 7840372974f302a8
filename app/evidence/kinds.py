"""The kinds of evidence, one entry each: what the API accepts, the words for it, its form,
its CSV columns, how its PDF is read, how it lapses, whether its scope is judged and what the
rules read of it. A new kind is its schema (schemas.py: the Create class, a member of the
union, its fields in EvidenceRead), its columns (models.py and a migration), an entry here and a
form template; tests/evidence/test_kinds.py fails on any of these left out.

This module imports only what describes a kind (schemas, the table, the rules' facts, the
pure PDF readers), so that the services, the pages, the import and the status bridge can all
read it.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, get_origin

from pydantic import BaseModel

from app.documents.extract_iso import read_certificate
from app.documents.extract_soc import read_report
from app.documents.proposals import Proposal
from app.documents.textscan import Page
from app.evidence.schemas import (
    BridgeLetterCreate,
    IsoCertificateCreate,
    Soc1ReportCreate,
    Soc2ReportCreate,
    Soc3ReportCreate,
)
from app.models import Evidence
from app.rules import facts

Reader = Callable[[Sequence[Page], str], dict[str, Proposal]]
ToFacts = Callable[[Evidence], facts.Evidence]
# A schema field the forms ask for as several inputs: one row per subservice organisation.
FORM_INPUTS = {"subservice_orgs": ("subservice_name", "subservice_method")}


@dataclass(frozen=True)
class Expiry:
    """How a document stops counting: the date it runs from, and what it is afterwards."""

    runs_from: str  # period_end: stale `soc2_max_age_months` after it; expires_on: the day
    lapsed: str  # the standing it then has: stale | expired


@dataclass(frozen=True)
class Scope:
    """The document's own words on what it covers, judged against the vendor's services."""

    field: str  # the column holding them: the report's system, the certificate's scope
    words: str  # what the judging page calls them


@dataclass(frozen=True)
class EvidenceKind:
    """Everything Vetted knows about one kind of evidence.

    `schema` is its member of the API's discriminated union `EvidenceCreate`; its fields are
    the kind's columns of the `evidence` table, its form's fields and its CSV columns."""

    name: str  # the `kind` stored and sent
    schema: type[BaseModel]
    label: str  # pages, record titles, the CSV import's plan: "SOC 2 report"
    words: str  # in a sentence: "a SOC 2 report"
    template: str  # its form, under templates/
    form_defaults: Mapping[str, Any] = field(default_factory=dict)  # a new form's values
    expiry: Expiry | None = None  # None: it stands or lapses with another document
    scope: Scope | None = None  # None: nothing to judge against the vendor's services
    read_pdf: Reader | None = None  # what "Prefill from PDF" reads it with; None: by hand
    facts: ToFacts | None = None  # the rules' fact of a row; None: the rules do not read it
    # Dates that cannot be after the document was received, and why (SPEC §2 v2).
    not_after_receipt: tuple[tuple[str, str], ...] = ()
    # The CSV import: the fields that make two rows the same document (none: not importable,
    # e.g. a bridge letter, which names its report by id), and how the plan names a row.
    same_document: tuple[str, ...] = ()
    summary: str = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """The kind's own fields (the schema's, but `kind`): columns of the evidence table."""
        return tuple(name for name in self.schema.model_fields if name != "kind")

    @property
    def form_fields(self) -> tuple[str, ...]:
        """The inputs of its form."""
        return tuple(i for name in self.fields for i in FORM_INPUTS.get(name, (name,)))

    @property
    def form_lists(self) -> tuple[str, ...]:
        """The inputs that post several values (checkboxes, repeated rows)."""
        lists = [n for n, f in self.schema.model_fields.items() if get_origin(f.annotation) is list]
        return tuple(i for name in lists for i in FORM_INPUTS.get(name, (name,)))

    @property
    def csv_columns(self) -> tuple[str, ...]:
        """Its columns in the evidence CSV (beside `vendor` and `kind`); none: not importable."""
        return self.fields if self.same_document else ()


# --- the rules' facts of a row (SPEC §4: what each rule reads) -------------------------------


def soc_report_facts(row: Evidence) -> facts.SocReport:
    """A SOC 1, 2 or 3 report row as the rules read it."""
    orgs = row.subservice_orgs and tuple(
        facts.SubserviceOrg(name=o["name"], method=o["method"]) for o in row.subservice_orgs
    )
    return facts.SocReport(
        id=row.id,
        kind=row.kind,
        received_on=row.received_on,
        period_end=row.period_end,
        opinion=row.opinion,
        report_type=row.report_type,
        period_start=row.period_start,
        auditor=row.auditor or "",
        issued_on=row.issued_on,
        tsc=frozenset(row.tsc or ("security",)),
        exceptions_noted=row.exceptions_noted or 0,
        subservice_orgs=orgs or (),
        cuecs=bool(row.cuecs),
        scope_covers_services=row.scope_covers_services,
        retracted=row.retracted_at is not None,
    )


def iso_certificate_facts(row: Evidence) -> facts.IsoCertificate:
    """An ISO/IEC 27001 certificate row as the rules read it."""
    return facts.IsoCertificate(
        id=row.id,
        received_on=row.received_on,
        standard_version=row.standard_version,
        certificate_number=row.certificate_number or "",
        certification_body=row.certification_body or "",
        accreditation_body=row.accreditation_body,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        last_surveillance_on=row.last_surveillance_on,
        initial_certification_on=row.initial_certification_on,
        certificate_status=row.certificate_status or "active",
        scope_covers_services=row.scope_covers_services,
        retracted=row.retracted_at is not None,
    )


def bridge_letter_facts(row: Evidence) -> facts.BridgeLetter:
    """A bridge letter row as the rules read it."""
    return facts.BridgeLetter(
        id=row.id,
        received_on=row.received_on,
        soc2_report_id=row.soc2_report_id,
        covers_until=row.covers_until,
        signed_on=row.signed_on,
        retracted=row.retracted_at is not None,
    )


# --- the kinds ---------------------------------------------------------------------------------


def _soc_report(name: str, schema: type[BaseModel], number: str, **own: Any) -> EvidenceKind:
    """A SOC report: one form for the three, read by the SOC reader, stale after its period."""
    label = f"SOC {number} report"
    shared = {
        "template": "evidence/soc_report.html",
        "form_defaults": {"exceptions_noted": "0", "report_type": "type2", "tsc": ["security"]},
        "expiry": Expiry("period_end", "stale"),
        "read_pdf": read_report,
        "facts": soc_report_facts,
        "not_after_receipt": (
            ("period_end", "a report is issued only after its period ends"),
            ("issued_on", "a report cannot be received before it is issued"),
        ),
        "same_document": ("report_type", "period_end", "auditor"),
        "summary": "to {period_end}",
    }
    return EvidenceKind(name=name, schema=schema, label=label, words=f"a {label}", **shared | own)


# In the order the vendor page offers them (the most asked for first).
KINDS: dict[str, EvidenceKind] = {
    kind.name: kind
    for kind in (
        _soc_report(
            "soc2_report", Soc2ReportCreate, "2", scope=Scope("system", "The report's system")
        ),
        EvidenceKind(
            name="iso27001_certificate",
            schema=IsoCertificateCreate,
            label="ISO 27001 certificate",
            words="an ISO/IEC 27001 certificate",
            template="evidence/iso_certificate.html",
            form_defaults={"standard_version": "2022", "certificate_status": "active"},
            expiry=Expiry("expires_on", "expired"),
            scope=Scope("scope", "The certificate's scope"),
            read_pdf=read_certificate,
            facts=iso_certificate_facts,
            not_after_receipt=(
                ("issued_on", "a certificate cannot be received before it is issued"),
                (
                    "last_surveillance_on",
                    "a certificate cannot show a surveillance audit that had not happened when "
                    "it arrived",
                ),
            ),
            same_document=("certificate_number", "issued_on"),
            summary="{certificate_number}",
        ),
        EvidenceKind(
            name="bridge_letter",
            schema=BridgeLetterCreate,
            label="Bridge letter",
            words="a bridge letter",
            template="evidence/bridge_letter.html",
            facts=bridge_letter_facts,  # it stands or lapses with its report: no expiry
            not_after_receipt=(("signed_on", "a letter cannot be received before it is signed"),),
        ),
        _soc_report(
            "soc1_report",
            Soc1ReportCreate,
            "1",
            form_defaults={"exceptions_noted": "0", "report_type": "type2"},  # it has no tsc
        ),
        _soc_report(
            "soc3_report",
            Soc3ReportCreate,
            "3",
            form_defaults={"exceptions_noted": "0", "tsc": ["security"]},  # it has no type
            same_document=("period_end", "auditor"),
        ),
    )
}
SCOPE_KINDS = tuple(name for name, kind in KINDS.items() if kind.scope)
IMPORTABLE_KINDS = tuple(name for name, kind in KINDS.items() if kind.csv_columns)


def evidence_facts(row: Evidence) -> facts.Evidence | None:
    """One evidence row as the frozen fact of its kind; None for a kind the rules do not read."""
    to_facts = KINDS[row.kind].facts
    return to_facts(row) if to_facts else None
