"""Matching an ISO certificate's accreditation body against the recognised list (SPEC §4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.rules.accreditation import (
    AccreditationBody,
    AccreditationRegistry,
    default_registry,
    fold,
    load_registry,
)

SPEC_ACRONYMS = [
    "ANAB",
    "IAS",
    "SCC",
    "EMA",
    "Cgcre",
    "UKAS",
    "DAkkS",
    "COFRAC",
    "ACCREDIA",
    "ENAC",
    "RvA",
    "SAS",
    "DANAK",
    "SWEDAC",
    "BELAC",
    "INAB",
    "IPAC",
    "FINAS",
    "CAI",
    "PCA",
    "SNAS",
    "ESYD",
    "NAH",
    "RENAR",
    "TURKAK",
    "JAB",
    "ISMS-AC",
    "NABCB",
    "TAF",
    "JAS-ANZ",
    "CNAS",
    "KAB",
    "SAC",
    "HKAS",
    "SANAS",
    "EGAC",
    "EIAC",
]


@pytest.mark.parametrize(
    ("value", "recognised"),
    [
        ("JAS-ANZ", True),
        ("jasanz", True),
        ("Comité français d'accréditation", True),
        ("COMITE FRANCAIS D ACCREDITATION", True),
        ("UKAS (UK)", True),
        ("United Kingdom Accreditation Service", True),
        ("Entidad Nacional de Acreditación (ENAC)", True),
        ("ENAC (Entidad Nacional de Acreditación)", True),
        ("Deutsche Akkreditierungsstelle", True),
        ("German Accreditation Body (DAkkS)", True),
        ("Norsk akkreditering", True),
        ("Akkreditierung Austria", True),
        ("Türk Akreditasyon Kurumu", True),
        ("  ukas  ", True),
        ("International Accreditation Council", False),
        ("UKIAF", False),
        ("Global Accreditation Board", False),
        ("N/A", False),
        ("NA", False),
        ("n.a.", False),
        ("-", False),
        ("none", False),
        ("None (self-declared)", False),
        ("unaccredited", False),
        ("", False),
        (None, False),
    ],
)
def test_recognises(value: str | None, recognised: bool) -> None:
    assert default_registry().recognises(value) is recognised


@pytest.mark.parametrize(
    ("value", "recognised"),
    [
        # v2: several marks: the whole value first, then its parts at / , ; & + or "and".
        ("ANAB / UKAS", True),
        ("RvA and UKAS", True),
        ("UKAS, DAkkS", True),
        ("UKIAF; DAkkS", True),
        ("ANAB & UKAS", True),
        ("ANAB + UKAS", True),
        ("UKAS AND ANAB", True),
        ("Joint Accreditation System of Australia and New Zealand", True),  # whole first
        ("Swedish Board for Accreditation and Conformity Assessment", True),
        ("UKIAF / International Accreditation Council", False),  # no part is recognised
        ("Global Accreditation Board and Council", False),
        ("Australia and New Zealand", False),
        ("UKASand", False),  # "and" is a word, not any three letters
        # v2: a trailing accreditation number is ignored.
        ("UKAS 0012", True),
        ("UKAS No. 0012", True),
        ("UKAS Nr. 0012", True),
        ("UKAS n° 0012", True),
        ("UKAS # 0012", True),
        ("UKAS number 0012", True),
        ("DAkkS D-ZM-12345-01-00", True),
        ("United Kingdom Accreditation Service 0012", True),
        ("ANAB No. 123 / UKAS No. 0012", True),
        ("UKIAF 0012", False),
        ("0012", False),
        # Placeholders still mean no accreditation body, split or numbered.
        ("-", False),
        ("N/A", False),
        ("N/A / -", False),
        ("none 0012", False),
        ("unaccredited, -", False),
    ],
)
def test_recognises_several_marks_and_numbers(value: str, recognised: bool) -> None:
    assert default_registry().recognises(value) is recognised


@pytest.mark.parametrize(
    ("value", "accreditor"),
    [
        ("UKAS", True),
        ("ukas", True),
        ("United Kingdom Accreditation Service", True),
        ("Deutsche Akkreditierungsstelle", True),
        ("JAS-ANZ", True),
        ("Norsk akkreditering", True),
        # Compared whole: no parentheses, separators or numbers taken apart.
        ("BSI (UKAS)", False),
        ("UKAS (UK)", False),
        ("BSI / UKAS", False),
        ("LRQA and UKAS", False),
        ("UKAS 0012", False),
        ("BSI", False),
        ("LRQA", False),
        ("UKIAF", False),
        ("N/A", False),
        ("-", False),
        ("", False),
        (None, False),
    ],
)
def test_is_accreditor_compares_the_whole_value(value: str | None, accreditor: bool) -> None:
    assert default_registry().is_accreditor(value) is accreditor


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert fold("Comité français d'accréditation") == "comitefrancaisdaccreditation"
    assert fold("JAS-ANZ") == fold("jas anz") == "jasanz"
    assert fold("Straße") == "strasse"


@pytest.mark.parametrize("acronym", SPEC_ACRONYMS)
def test_every_body_spec_lists_is_shipped(acronym: str) -> None:
    assert default_registry().recognises(acronym)


def test_every_shipped_body_has_a_full_name_and_a_country() -> None:
    bodies = default_registry().bodies
    assert len(bodies) >= len(SPEC_ACRONYMS) + 2  # plus Austria and Norway, by name only
    assert all(b.name and b.country for b in bodies)
    nameless = {b.name for b in bodies if b.acronym is None}
    assert {"Akkreditierung Austria", "Norsk akkreditering"} <= nameless


def test_a_spelling_that_folds_to_a_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="placeholder"):
        AccreditationRegistry.of(
            [AccreditationBody(name="Norsk akkreditering", country="NO", acronym="NA")]
        )


def test_unknown_keys_in_the_bodies_file_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bodies.toml"
    path.write_text('[[body]]\nacronym = "X"\nname = "X Body"\ncountry = "XX"\nweb = "x"\n')
    with pytest.raises(ValueError, match="web"):
        load_registry(path)
