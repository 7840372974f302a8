"""Field extraction from generated report and certificate PDFs, one wording at a time."""

from datetime import date

import pytest
from documents.corpus import IsoSpec, SocSpec, iso_certificate, soc_report, unicode_font

from app.documents.extract import propose
from app.documents.pdftext import UnreadablePdf, page_texts
from app.documents.service import extract_proposals
from app.documents.textscan import parse_date


def _values(sample) -> dict:
    return extract_proposals(sample.pdf).values()


@pytest.mark.parametrize(
    "name",
    [
        "soc2_type2_unqualified_us_dates",
        pytest.param(
            "soc2_type_2_uk_dates_en_dash",
            marks=pytest.mark.skipif(unicode_font() is None, reason="needs DejaVu Sans for '–'"),
        ),
        "soc2_qualified_except_for",
        "soc2_adverse",
        "soc2_disclaimer",
        "soc1_type2",
        "soc3",
        "soc2_type1_as_of",
        "iso_2022_valid_until",
        "iso_2013_expiry_date",
        "iso_certificate_expires",
    ],
)
def test_every_stated_field_is_proposed_and_nothing_else(samples, name):
    sample = samples[name]
    values = _values(sample)
    if "tsc" in values:
        values["tsc"] = sorted(values["tsc"])
    assert values == sample.truth


def test_soc2_type2_us_wording_field_by_field(samples):
    fields = extract_proposals(samples["soc2_type2_unqualified_us_dates"].pdf).fields
    assert fields["kind"].value == "soc2_report"
    assert fields["report_type"].value == "type2"
    assert (fields["period_start"].value, fields["period_end"].value) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert fields["opinion"].value == "unqualified"
    assert fields["auditor"].value == "Hale & Moss LLP"
    assert fields["issued_on"].value == date(2026, 3, 14)
    assert sorted(fields["tsc"].value) == ["availability", "confidentiality", "security"]
    assert fields["exceptions_noted"].value == 1
    assert fields["subservice_orgs"].value == [
        {"name": "Amazon Web Services, Inc.", "method": "carve_out"}
    ]
    assert fields["cuecs"].value is True


def test_each_proposal_names_its_page_and_words(samples):
    fields = extract_proposals(samples["soc2_type2_unqualified_us_dates"].pdf).fields
    period = fields["period_end"]
    assert period.page == 1
    assert "for the period January 1, 2025 to December 31, 2025" in period.snippet
    assert fields["opinion"].page == 2
    assert "In our opinion, in all material respects" in fields["opinion"].snippet
    assert fields["auditor"].snippet == "Hale & Moss LLP"
    assert "Exception noted" in fields["exceptions_noted"].snippet
    assert fields["exceptions_noted"].page == 5


def test_confidence_is_high_for_exact_phrases_and_lower_for_counting(samples):
    fields = extract_proposals(samples["soc2_type2_unqualified_us_dates"].pdf).fields
    assert fields["period_end"].confidence >= 0.9
    assert fields["report_type"].confidence >= 0.9
    assert fields["exceptions_noted"].confidence < 0.7  # counted from test results
    assert all(0 < p.confidence <= 1 for p in fields.values())


@pytest.mark.parametrize(
    ("name", "opinion", "phrase"),
    [
        ("soc2_qualified_except_for", "qualified", "Qualified Opinion"),
        ("soc2_adverse", "adverse", "Adverse Opinion"),
        ("soc2_disclaimer", "disclaimer", "basis for an opinion"),
    ],
)
def test_opinions_are_read_from_their_wording(samples, name, opinion, phrase):
    proposal = extract_proposals(samples[name].pdf).fields["opinion"]
    assert proposal.value == opinion
    assert phrase.lower() in proposal.snippet.lower()


def test_other_information_disclaimer_does_not_make_a_clean_report_a_disclaimer(samples):
    # The clean report says "we do not express an opinion on it" about Section 5.
    text = "".join(page_texts(samples["soc2_type2_unqualified_us_dates"].pdf))
    assert "do not express an opinion on it" in " ".join(text.split())
    assert _values(samples["soc2_type2_unqualified_us_dates"])["opinion"] == "unqualified"


def test_the_aicpa_title_naming_all_five_criteria_is_not_the_scope(samples):
    assert sorted(_values(samples["soc3"])["tsc"]) == ["availability", "security"]


def test_iso_mention_inside_a_soc2_report_does_not_make_it_a_certificate(samples):
    assert _values(samples["soc2_type2_unqualified_us_dates"])["kind"] == "soc2_report"


def test_iso_certificate_field_by_field(samples):
    fields = extract_proposals(samples["iso_2022_valid_until"].pdf).fields
    assert fields["standard_version"].value == "2022"
    assert fields["certificate_number"].value == "IS 765432"
    assert fields["certification_body"].value == "BSI Assurance UK Ltd"
    assert fields["accreditation_body"].value == "UKAS"
    assert fields["issued_on"].value == date(2026, 1, 10)
    assert fields["expires_on"].value == date(2029, 1, 9)
    assert fields["expires_on"].snippet == "Valid until: 9 January 2029"
    assert fields["initial_certification_on"].value == date(2020, 1, 10)
    assert fields["scope"].value.startswith("The information security management system")


def test_an_unrecognised_accreditation_body_is_proposed_as_printed():
    sample = iso_certificate(
        IsoSpec(
            name="look-alike",
            accreditation="International Accreditation Council",
            accreditation_line="Accredited by: {acc}",
        )
    )
    assert _values(sample)["accreditation_body"] == "International Accreditation Council"


def test_a_certificate_without_an_accreditation_mark_proposes_none():
    sample = iso_certificate(IsoSpec(name="no-mark", accreditation=None))
    assert "accreditation_body" not in _values(sample)


def test_image_only_pdf_answers_no_text_found(samples):
    extraction = extract_proposals(samples["image_only"].pdf)
    assert extraction.text_found is False
    assert extraction.message == "no text found — enter the values by hand"
    assert extraction.fields == {}


def test_unrelated_text_is_not_recognised():
    extraction = propose(["Minutes of the quarterly steering committee. Attendees: A, B, C."])
    assert extraction.kind is None and extraction.text_found
    assert "enter the values by hand" in extraction.message


def test_a_damaged_pdf_is_unreadable_not_a_crash():
    with pytest.raises(UnreadablePdf):
        extract_proposals(b"%PDF-1.7\nthis is not really a PDF")


def test_no_value_is_invented_when_the_text_is_silent():
    extraction = propose(["SOC 2 Type II Report of Acme, Inc. on its platform."])
    assert set(extraction.fields) == {"kind", "report_type"}


@pytest.mark.parametrize(
    ("text", "expected", "sure"),
    [
        ("January 1, 2025", date(2025, 1, 1), 1.0),
        ("Jan. 1, 2025", date(2025, 1, 1), 1.0),
        ("1 January 2025", date(2025, 1, 1), 1.0),
        ("1st January 2025", date(2025, 1, 1), 1.0),
        ("31 Dec 2025", date(2025, 12, 31), 1.0),
        ("2025-12-31", date(2025, 12, 31), 1.0),
        ("31.12.2025", date(2025, 12, 31), 1.0),
        ("12/31/2025", date(2025, 12, 31), 1.0),
        ("03/04/2025", date(2025, 3, 4), 0.7),  # US reading, but it could be 3 April
    ],
)
def test_dates_in_words_and_digits(text, expected, sure):
    assert parse_date(text) == (expected, sure)


@pytest.mark.parametrize("text", ["February 30, 2025", "13/13/2025", "1 Smarch 2025"])
def test_impossible_dates_are_not_read(text):
    assert parse_date(text) is None


def test_type_1_report_reads_as_of_date_as_period_end():
    sample = soc_report(SocSpec(name="t1", type_label="Type 1", start=None, end=date(2026, 2, 28)))
    values = _values(sample)
    assert (values["report_type"], values["period_end"]) == ("type1", date(2026, 2, 28))
    assert "period_start" not in values and "exceptions_noted" not in values
