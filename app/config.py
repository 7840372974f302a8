"""Settings, read once from `VETTED_` environment variables."""

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-insecure-change-me"


class Settings(BaseSettings):
    """Every setting of Vetted; see the README for what each one does."""

    model_config = SettingsConfigDict(env_prefix="VETTED_", extra="ignore")

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite:///./vetted.db"
    secret_key: str = DEFAULT_SECRET
    policy_path: Path = ROOT / "seed" / "policy.toml"
    timezone: str = "UTC"
    base_url: str = "http://127.0.0.1:8000"
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
    smtp_password: str | None = None
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
    def _refuse_default_secret_in_production(self) -> "Settings":
        if self.env == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("VETTED_SECRET_KEY must be set to a random value in production")
        return self


@lru_cache
def get_settings() -> Settings:
    """The one settings object, read from the environment on first use."""
    return Settings()
