"""GET /rules: the catalogue explained with the thresholds of the policy in force."""

from pathlib import Path

import pytest

from app import config


@pytest.fixture
def use_policy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Point the settings at a policy file with the given TOML."""

    def use(text: str) -> None:
        path = tmp_path / "policy.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("VETTED_POLICY_PATH", str(path))
        config.get_settings.cache_clear()

    yield use
    config.get_settings.cache_clear()  # the next test reads its own environment


def _explanations(client) -> dict[str, str]:
    return {r["code"]: r["explanation"] for r in client.get("/api/v1/rules").json()}


def test_explanations_name_the_thresholds_of_the_policy_in_force(reader, use_policy):
    default = _explanations(reader)
    assert "current for 12 months" in default["SOC2_STALE"]
    use_policy(
        "soc2_max_age_months = 9\nbridge_max_months = 2\niso_surveillance_months = 6\n"
        'scope_required_tiers = ["critical", "high"]\n'
    )
    edited = _explanations(reader)
    assert "current for 9 months" in edited["SOC2_STALE"]
    assert "more than 11 months" in edited["SOC2_STALE"]
    assert "6 months back" in edited["ISO_SURVEILLANCE_OVERDUE"]
    assert "high for critical and high vendors" in edited["SCOPE_UNCONFIRMED"]
    assert "12 months" not in edited["SOC2_STALE"]
