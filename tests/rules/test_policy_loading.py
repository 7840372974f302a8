"""seed/policy.toml is the SPEC default; a bad policy file is refused with the key named."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from app.rules.policy import Policy, TierPolicy, load_policy

ROOT = Path(__file__).resolve().parents[2]
SEED_POLICY = ROOT / "seed" / "policy.toml"


def test_seed_policy_is_the_spec_default() -> None:
    assert load_policy(SEED_POLICY) == Policy.default()


def test_default_policy_values() -> None:
    policy = Policy.default()
    assert policy.tiers["critical"] == TierPolicy("soc2_type2", ("security", "availability"))
    assert policy.tiers["medium"] == TierPolicy("soc2_or_iso27001", ("security",))
    assert policy.tiers["low"] == TierPolicy("none", ())
    assert policy.continuous_coverage_tiers == ("critical",)
    assert policy.iso_2013_sunset == date(2025, 10, 31)
    assert policy.accreditation.recognises("UKAS")
    assert hash(policy) == hash(Policy.default())


def _load(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return load_policy(path)


def test_keys_left_out_keep_their_default(tmp_path: Path) -> None:
    policy = _load(tmp_path, 'soc2_max_age_months = 9\n[tiers.low]\nrequirement = "soc2"\n')
    assert policy.soc2_max_age_months == 9
    assert policy.tiers["low"] == TierPolicy("soc2", ())
    assert policy.tiers["high"] == Policy.default().tiers["high"]
    assert policy.min_type2_months == 6
    policy = _load(tmp_path, '[tiers.critical]\nrequired_tsc = ["security"]\n')
    assert policy.tiers["critical"] == TierPolicy("soc2_type2", ("security",))
    policy = _load(tmp_path, '[tiers.medium]\nrequirement = "soc2"\n')
    assert policy.tiers["medium"] == TierPolicy("soc2", ("security",))


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
    ],
)
def test_bad_values_are_refused_naming_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ValueError) as error:
        _load(tmp_path, text)
    assert named in str(error.value)
