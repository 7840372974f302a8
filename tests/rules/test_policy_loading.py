"""seed/policy.toml is the SPEC default; a bad policy file is refused with the key named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rules.builders import case, iso, soc2

from app.rules.engine import evaluate
from app.rules.facts import SubserviceOrg
from app.rules.policy import TIERS, Policy, TierPolicy, load_policy

ROOT = Path(__file__).resolve().parents[2]
SEED_POLICY = ROOT / "seed" / "policy.toml"


def test_seed_policy_is_the_spec_default() -> None:
    assert load_policy(SEED_POLICY) == Policy.default()


def test_default_policy_values() -> None:
    policy = Policy.default()
    assert policy.tiers["critical"] == TierPolicy("soc2_type2", ("security", "availability"))
    assert policy.tiers["medium"] == TierPolicy(
        "soc2_or_iso27001", ("security",), review_every_months=24
    )
    assert policy.tiers["low"] == TierPolicy("none", (), review_every_months=36)
    assert policy.continuous_coverage_tiers == ("critical",)
    assert policy.iso_2013_sunset == date(2025, 10, 31)
    assert policy.accreditation.recognises("UKAS")
    assert hash(policy) == hash(Policy.default())
    # v2 (SPEC §3, §4)
    assert all(policy.tiers[t].substitute_severity == "block" for t in TIERS)
    assert policy.scope_confirmation_tiers == ("critical", "high")
    assert policy.scope_required_tiers == ("critical",)
    assert policy.subservice_report_tiers == ("critical",)
    every = {t: policy.tiers[t].review_every_months for t in TIERS}
    assert every == {"critical": 12, "high": 12, "medium": 24, "low": 36}
    assert policy.remediation_window_months == 24


def _load(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def test_keys_left_out_keep_their_default(tmp_path: Path) -> None:
    policy = _load(tmp_path, 'soc2_max_age_months = 9\n[tiers.low]\nrequirement = "soc2"\n')
    assert policy.soc2_max_age_months == 9
    assert policy.tiers["low"] == TierPolicy("soc2", (), review_every_months=36)
    assert policy.tiers["high"] == Policy.default().tiers["high"]
    assert policy.min_type2_months == 6
    policy = _load(tmp_path, '[tiers.critical]\nrequired_tsc = ["security"]\n')
    assert policy.tiers["critical"] == TierPolicy("soc2_type2", ("security",))
    policy = _load(tmp_path, '[tiers.medium]\nrequirement = "soc2"\n')
    assert policy.tiers["medium"] == TierPolicy("soc2", ("security",), review_every_months=24)
    policy = _load(tmp_path, '[tiers.medium]\nsubstitute_severity = "high"\n')
    assert policy.tiers["medium"] == TierPolicy("soc2_or_iso27001", ("security",), "high", 24)
    assert policy.tiers["high"].substitute_severity == "block"


def test_v2_keys_load(tmp_path: Path) -> None:
    policy = _load(
        tmp_path,
        """
scope_confirmation_tiers = ["critical", "high", "medium"]
scope_required_tiers = ["critical", "high"]
subservice_report_tiers = []
remediation_window_months = 36

[tiers.high]
substitute_severity = "medium"

[tiers.low]
substitute_severity = "high"
""",
    )
    assert policy.scope_confirmation_tiers == ("critical", "high", "medium")
    assert policy.scope_required_tiers == ("critical", "high")
    assert policy.subservice_report_tiers == ()
    assert policy.remediation_window_months == 36
    severities = {t: policy.tiers[t].substitute_severity for t in TIERS}
    assert severities == {"critical": "block", "high": "medium", "medium": "block", "low": "high"}
    assert policy.tiers["high"].requirement == "soc2_type2"  # the rest of the tier kept


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("soc2_max_age_monhts = 12", "soc2_max_age_monhts"),
        ("min_type2_months = -1", "min_type2_months"),
        ("min_type2_months = 6.5", "min_type2_months"),
        ("min_type2_months = true", "min_type2_months"),
        ('expiry_warning_days = "90"', "expiry_warning_days"),
        ("expiry_urgent_days = 100", "expiry_urgent_days"),
        ("min_type2_high_months = 7", "min_type2_high_months"),
        ('iso_2013_sunset = "2025-10-31"', "iso_2013_sunset"),
        ("iso_2013_sunset = 2025-10-31T00:00:00", "iso_2013_sunset"),
        ('continuous_coverage_tiers = ["critcal"]', "continuous_coverage_tiers"),
        ('continuous_coverage_tiers = "critical"', "continuous_coverage_tiers"),
        ('[tiers.gold]\nrequirement = "soc2"', "gold"),
        ('[tiers.high]\nrequirement = "soc2_type3"', "tiers.high.requirement"),
        ("[tiers.high]\nrequirement = 2", "tiers.high.requirement"),
        (
            '[tiers.high]\nrequirement = "soc2"\nrequired_tsc = ["secure"]',
            "tiers.high.required_tsc",
        ),
        ('[tiers.high]\nrequirement = "soc2"\ntsc = ["security"]', "tiers.high"),
        ('tiers = "all"', "tiers"),
        ("this is not toml", "not valid TOML"),
        # v2 keys
        ('[tiers.medium]\nsubstitute_severity = "info"', "tiers.medium.substitute_severity"),
        ('[tiers.medium]\nsubstitute_severity = "low"', "tiers.medium.substitute_severity"),
        ("[tiers.high]\nsubstitute_severity = 1", "tiers.high.substitute_severity"),
        ('substitute_severity = "high"', "substitute_severity"),  # per tier, not at the top
        ('scope_confirmation_tiers = ["gold"]', "scope_confirmation_tiers"),
        ('scope_confirmation_tiers = "high"', "scope_confirmation_tiers"),
        ('scope_required_tiers = ["critcal"]', "scope_required_tiers"),
        ("scope_required_tiers = [1]", "scope_required_tiers"),
        ('subservice_report_tiers = ["all"]', "subservice_report_tiers"),
        ("subservice_report_tiers = true", "subservice_report_tiers"),
        ("remediation_window_months = -1", "remediation_window_months"),
        ('remediation_window_months = "24"', "remediation_window_months"),
        ("remediation_window_months = 24.5", "remediation_window_months"),
    ],
)
def test_bad_values_are_refused_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ValueError) as error:
        _load(tmp_path, text)
    assert named in str(error.value)


# --- v2: a policy file edited in one key changes an evaluation's outcome ---------------------

D = date.fromisoformat


def _outcome(policy: Policy, tier: str, *evidence, code: str, as_of: str = "2026-05-04"):
    """The status and the severities of `code`'s flags."""
    result = evaluate(case(*evidence, tier=tier), policy, as_of=D(as_of))
    return result.status, [f.severity for f in result.flags if f.code == code]


def test_substitute_severity_changes_the_outcome(tmp_path: Path) -> None:
    edited = _load(tmp_path, '[tiers.high]\nsubstitute_severity = "high"\n')
    code = "ISO_IN_PLACE_OF_SOC2"
    assert _outcome(Policy.default(), "high", iso(), code=code) == ("blocked", ["block"])
    assert _outcome(edited, "high", iso(), code=code) == ("conditional", ["high"])


def test_scope_confirmation_tiers_changes_the_outcome(tmp_path: Path) -> None:
    edited = _load(tmp_path, 'scope_confirmation_tiers = ["critical", "high", "medium"]\n')
    unjudged = soc2(scope_covers_services=None)
    code = "SCOPE_UNCONFIRMED"
    assert _outcome(Policy.default(), "medium", unjudged, code=code) == ("approved", ["info"])
    assert _outcome(edited, "medium", unjudged, code=code) == ("approved", ["medium"])


def test_scope_required_tiers_changes_the_outcome(tmp_path: Path) -> None:
    edited = _load(tmp_path, 'scope_required_tiers = ["critical", "high"]\n')
    unjudged = soc2(scope_covers_services=None)
    code = "SCOPE_UNCONFIRMED"
    assert _outcome(Policy.default(), "high", unjudged, code=code) == ("approved", ["medium"])
    assert _outcome(edited, "high", unjudged, code=code) == ("conditional", ["high"])


def test_subservice_report_tiers_changes_the_outcome(tmp_path: Path) -> None:
    edited = _load(tmp_path, 'subservice_report_tiers = ["critical", "high"]\n')
    carved = soc2(subservice_orgs=(SubserviceOrg("AWS", "carve_out"),))
    code = "SOC2_SUBSERVICE_CARVED_OUT"
    assert _outcome(Policy.default(), "high", carved, code=code) == ("approved", ["info"])
    assert _outcome(edited, "high", carved, code=code) == ("approved", ["medium"])
    none = _load(tmp_path, "subservice_report_tiers = []\n")
    assert _outcome(Policy.default(), "critical", carved, code=code)[1] == ["medium"]
    assert _outcome(none, "critical", carved, code=code)[1] == ["info"]


def test_remediation_window_months_changes_the_outcome(tmp_path: Path) -> None:
    edited = _load(tmp_path, "remediation_window_months = 36\n")
    adverse = soc2(opinion="adverse")
    code = "SOC2_REMEDIATION_UNPROVEN"
    # 2028-04-01 is the day after add_months(2026-03-31, 24).
    assert _outcome(Policy.default(), "high", adverse, code=code, as_of="2028-04-01") == (
        "blocked",  # the report is long stale
        [],
    )
    assert _outcome(edited, "high", adverse, code=code, as_of="2028-04-01") == (
        "blocked",
        ["high"],
    )
    assert _outcome(edited, "high", adverse, code=code, as_of="2029-03-31")[1] == ["high"]
    assert _outcome(edited, "high", adverse, code=code, as_of="2029-04-01")[1] == []
