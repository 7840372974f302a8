"""Settings, read once from `VETTED_` environment variables."""

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-insecure-change-me"
MIN_SECRET_BYTES = 32
# Exact values seen in sample configs, and words no random key contains by chance.
PLACEHOLDER_SECRETS = frozenset(
    {DEFAULT_SECRET, "", "changeme", "change-me", "change_me", "secret", "secret-key",
     "secret_key", "secretkey", "password", "default", "development", "test", "dev"}
)  # fmt: skip
PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "insecure", "placeholder")
MAKE_A_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


class Settings(BaseSettings):
    """Every setting of Vetted; see the README for what each one does."""

    # Errors name the setting, never echo what was given: the input holds every secret.
    model_config = SettingsConfigDict(
        env_prefix="VETTED_", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["development", "production"] = "development"
    database_url: SecretStr = SecretStr("sqlite:///./vetted.db")  # may hold a password
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    public_api_docs: bool = False  # production shows /docs to anyone, not only to users
    policy_path: Path = ROOT / "seed" / "policy.toml"
    timezone: str = "UTC"
    base_url: str = "http://127.0.0.1:8000"
    organisation_name: str = Field(default="Vetted", min_length=1, max_length=200)
    upload_dir: Path = Path("./uploads")
    max_upload_mb: int = Field(default=25, ge=1)
    db_pool_size: int = Field(default=10, ge=1)
    daily_refresh: bool = True  # `vetted serve` re-evaluates lapsed statuses once a day
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks).
    trusted_proxies: Annotated[list[IPv4Network | IPv6Network], NoDecode] = Field(
        default_factory=list
    )

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "vetted@localhost"
    smtp_timeout_seconds: float = 30.0
    digest_to: Annotated[list[str], NoDecode] = Field(default_factory=list)
    digest_owners: bool = False
    digest_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    digest_time: str = Field(default="07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    @field_validator("digest_to", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        networks = []
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                networks.append(ip_network(part, strict=False))
            except ValueError:
                raise ValueError(
                    f"VETTED_TRUSTED_PROXIES: {part!r} is not an IP address or network "
                    "(write e.g. 10.0.0.5, 10.0.0.0/24, ::1)"
                ) from None
        return networks

    @model_validator(mode="after")
    def _refuse_a_weak_secret_in_production(self) -> "Settings":
        problem = secret_key_problem(self.secret_key.get_secret_value())
        if self.env == "production" and problem:
            raise ValueError(
                f"VETTED_SECRET_KEY {problem}. In production it must be at least "
                f"{MIN_SECRET_BYTES} bytes of random text (it signs the login sessions); "
                f"make one with: {MAKE_A_SECRET}"
            )
        return self


def secret_key_problem(key: str) -> str | None:
    """Why `key` cannot sign sessions in production (anyone could forge them), or None."""
    if key == DEFAULT_SECRET:
        return "is not set (it holds the shipped placeholder)"
    if not key.strip():
        return "is empty"
    normalised = key.strip().lower()
    if normalised in PLACEHOLDER_SECRETS or any(w in normalised for w in PLACEHOLDER_WORDS):
        return "is a placeholder"
    if len(key.encode()) < MIN_SECRET_BYTES:
        return f"is only {len(key.encode())} bytes long"
    return None


@lru_cache
def get_settings() -> Settings:
    """The one settings object, read from the environment on first use."""
    return Settings()
