"""The requirement policy of SPEC §3 and the thresholds of SPEC §4, loaded from TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from app.rules.accreditation import AccreditationRegistry, default_registry

TIERS = ("critical", "high", "medium", "low")
REQUIREMENTS = ("soc2_type2", "soc2", "iso27001", "soc2_or_iso27001", "none")
TSC = ("security", "availability", "processing_integrity", "confidentiality", "privacy")
SUBSTITUTE_SEVERITIES = ("block", "high", "medium")


@dataclass(frozen=True, slots=True)
class TierPolicy:
    requirement: str
    required_tsc: tuple[str, ...]
    # The severity of a current, acceptable substitute for the SOC 2 report (SPEC §3 v2).
    substitute_severity: str = "block"
    # How often a vendor of the tier is reviewed (SPEC §12).
    review_every_months: int = 12


DEFAULT_TIERS: Mapping[str, TierPolicy] = MappingProxyType(
    {
        "critical": TierPolicy("soc2_type2", ("security", "availability")),
        "high": TierPolicy("soc2_type2", ("security",)),
        "medium": TierPolicy("soc2_or_iso27001", ("security",), review_every_months=24),
        "low": TierPolicy("none", (), review_every_months=36),
    }
)


@dataclass(frozen=True, slots=True)
class Policy:
    soc2_max_age_months: int = 12
    min_type2_months: int = 6
    bridge_after_months: int = 3
    bridge_max_months: int = 3
    min_type2_high_months: int = 3
    expiry_warning_days: int = 90
    expiry_urgent_days: int = 30
    iso_max_validity_months: int = 36
    iso_surveillance_months: int = 12
    continuous_coverage_tiers: tuple[str, ...] = ("critical",)
    iso_2013_sunset: date = date(2025, 10, 31)
    scope_confirmation_tiers: tuple[str, ...] = ("critical", "high")
    scope_required_tiers: tuple[str, ...] = ("critical",)
    subservice_report_tiers: tuple[str, ...] = ("critical",)
    # A failed Type II counts against the vendor this long after its period (SPEC §4 v2).
    remediation_window_months: int = 24
    tiers: Mapping[str, TierPolicy] = field(default_factory=lambda: DEFAULT_TIERS, hash=False)
    accreditation: AccreditationRegistry = field(default_factory=default_registry)

    @classmethod
    def default(cls) -> Policy:
        """SPEC §3 and §4 defaults, with the shipped accreditation bodies."""
        return cls()


INT_KEYS = (
    "soc2_max_age_months",
    "min_type2_months",
    "bridge_after_months",
    "bridge_max_months",
    "min_type2_high_months",
    "expiry_warning_days",
    "expiry_urgent_days",
    "iso_max_validity_months",
    "iso_surveillance_months",
    "remediation_window_months",
)
TIER_LIST_KEYS = (
    "continuous_coverage_tiers",
    "scope_confirmation_tiers",
    "scope_required_tiers",
    "subservice_report_tiers",
)
_TOP_KEYS = frozenset(INT_KEYS) | frozenset(TIER_LIST_KEYS) | {"iso_2013_sunset", "tiers"}
_TIER_KEYS = frozenset(
    {"requirement", "required_tsc", "substitute_severity", "review_every_months"}
)


def _int_setting(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{key} must be a whole number ≥ 0, got {value!r}")
    return value


def _date_setting(key: str, value: Any) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{key} must be a date like 2025-10-31, got {value!r}")
    return value


def _names(key: str, value: Any, allowed: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of names, got {value!r}")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise ValueError(f"{key}: unknown value(s) {unknown}; allowed: {list(allowed)}")
    return tuple(value)


def _tier_setting(tier: str, table: Any) -> TierPolicy:
    key = f"tiers.{tier}"
    if not isinstance(table, dict):
        raise ValueError(f"{key} must be a table")
    unknown = sorted(set(table) - _TIER_KEYS)
    if unknown:
        raise ValueError(f"{key}: unknown key(s) {unknown}")
    default = DEFAULT_TIERS[tier]
    requirement = table.get("requirement", default.requirement)
    if requirement not in REQUIREMENTS:
        raise ValueError(
            f"{key}.requirement must be one of {list(REQUIREMENTS)}, got {requirement!r}"
        )
    tsc = table.get("required_tsc", list(default.required_tsc))
    severity = table.get("substitute_severity", default.substitute_severity)
    if severity not in SUBSTITUTE_SEVERITIES:
        raise ValueError(
            f"{key}.substitute_severity must be one of {list(SUBSTITUTE_SEVERITIES)}, "
            f"got {severity!r}"
        )
    every = table.get("review_every_months", default.review_every_months)
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= 120:
        raise ValueError(f"{key}.review_every_months must be a whole number 1–120, got {every!r}")
    return TierPolicy(requirement, _names(f"{key}.required_tsc", tsc, TSC), severity, every)


def _tiers_setting(value: Any) -> Mapping[str, TierPolicy]:
    if not isinstance(value, dict):
        raise ValueError("tiers must be a table of [tiers.<tier>] tables")
    unknown = sorted(set(value) - set(TIERS))
    if unknown:
        raise ValueError(f"tiers: unknown tier(s) {unknown}; allowed: {list(TIERS)}")
    merged = dict(DEFAULT_TIERS)
    merged.update({tier: _tier_setting(tier, table) for tier, table in value.items()})
    return MappingProxyType(merged)


def _check_consistency(policy: Policy) -> None:
    if policy.min_type2_high_months > policy.min_type2_months:
        raise ValueError("min_type2_high_months must not exceed min_type2_months")
    if policy.expiry_urgent_days > policy.expiry_warning_days:
        raise ValueError("expiry_urgent_days must not exceed expiry_warning_days")


def policy_from_mapping(
    data: Mapping[str, Any], *, registry: AccreditationRegistry | None = None
) -> Policy:
    """A Policy from parsed TOML; keys left out keep their SPEC default."""
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ValueError(f"unknown policy key(s) {unknown}")
    values: dict[str, Any] = {k: _int_setting(k, data[k]) for k in INT_KEYS if k in data}
    values.update({k: _names(k, data[k], TIERS) for k in TIER_LIST_KEYS if k in data})
    if "iso_2013_sunset" in data:
        values["iso_2013_sunset"] = _date_setting("iso_2013_sunset", data["iso_2013_sunset"])
    if "tiers" in data:
        values["tiers"] = _tiers_setting(data["tiers"])
    policy = Policy(accreditation=registry or default_registry(), **values)
    _check_consistency(policy)
    return policy


def load_policy(path: str | Path, *, registry: AccreditationRegistry | None = None) -> Policy:
    """Read `seed/policy.toml` (or an organisation's own copy); refuse unknown or bad values."""
    with open(path, "rb") as handle:
        try:
            data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
    return policy_from_mapping(data, registry=registry)
