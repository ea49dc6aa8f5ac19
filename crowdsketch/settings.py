"""The one place settings are read: `CROWDSKETCH_*` environment variables (and the standard
`AWS_*` ones for the S3 endpoint). Embedded defaults; a URL switches a port to its
distributed adapter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEVELOPMENT_SECRET = "crowdsketch-development-secret"

Role = Literal["all", "collection", "admin", "inference"]


# What signed upload URLs and keyed API-key hashes will need of the secret.
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CROWDSKETCH_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("./data")
    database_url: str = ""
    blob_url: str = ""
    redis_url: str | None = None
    amqp_url: str | None = None
    secret_key: str = DEVELOPMENT_SECRET

    # S3 endpoint and credentials come from the standard AWS variables.
    aws_endpoint_url: str | None = Field(default=None, validation_alias=AliasChoices("AWS_ENDPOINT_URL", "CROWDSKETCH_AWS_ENDPOINT_URL"))
    aws_access_key_id: str | None = Field(default=None, validation_alias=AliasChoices("AWS_ACCESS_KEY_ID", "CROWDSKETCH_AWS_ACCESS_KEY_ID"))
    aws_secret_access_key: str | None = Field(default=None, validation_alias=AliasChoices("AWS_SECRET_ACCESS_KEY", "CROWDSKETCH_AWS_SECRET_ACCESS_KEY"))
    aws_region: str = Field(default="us-east-1", validation_alias=AliasChoices("AWS_REGION", "CROWDSKETCH_AWS_REGION"))

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    log_json: bool = True

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # How long one call to a dependency may take, how often it is retried, and how long the
    # breaker stays open once `breaker_threshold` calls in a row have failed.
    dependency_timeout_s: float = Field(default=1.0, gt=0)
    retry_attempts: int = Field(default=2, ge=1, le=10)
    retry_backoff_s: float = Field(default=0.05, ge=0)
    breaker_threshold: int = Field(default=3, ge=1)
    # Recovery at the worst moment is this plus one probe: the 5 s promise needs headroom.
    breaker_reset_s: float = Field(default=3.0, gt=0)
    database_pool_size: int = Field(default=20, ge=1)

    # Admin sessions and log-in. bcrypt's cost is at least 12 outside tests.
    admin_password: str | None = None
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    session_ttl_s: int = Field(default=24 * 3600, ge=1)
    cookie_secure: bool = False
    login_max_failures: int = Field(default=5, ge=1)
    login_window_s: int = Field(default=15 * 60, ge=1)
    max_import_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)

    # How often inference re-checks which model is active (it also listens for changes).
    model_poll_interval_s: float = Field(default=30.0, gt=0)

    idempotency_ttl_s: int = Field(default=24 * 3600, ge=1)
    idempotency_lock_ttl_s: int = Field(default=30, ge=1)
    shape_cache_ttl_s: float = Field(default=5.0, ge=0)
    # The database-fed job queue: how often an idle worker looks for a job, and how long a
    # claimed job stays its worker's without a heartbeat before another may take it.
    job_poll_interval_s: float = Field(default=0.5, gt=0)
    job_lease_s: float = Field(default=60.0, gt=0)
    # A trained model is made active on its own (the first one, or a job that asks) only if
    # its validation accuracy reaches this, and it does no worse than the active model on
    # the evaluation sets both were scored on; an admin can still activate it by hand.
    activation_floor: float = Field(default=0.5, ge=0, le=1)
    # Sites besides the serving host's own that may open the admin event stream (`Origin`
    # values, e.g. "https://admin.example.org"), comma-separated.
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The game guesses aloud while people draw, with the active model run in the browser.
    live_guess: bool = True
    # Direct uploads (`POST /api/drawings/uploads`): the game sends a drawing whose stroke
    # JSON is at least `direct_upload_bytes` long straight to the blob store (0: never) and
    # smaller ones inline. An upload URL lives `upload_expiry_s` (S3 caps a signed PUT we
    # hand out at 10 min); an upload holds at most `max_upload_bytes`. The S3 URL's host is
    # `upload_endpoint_url` when browsers reach the store at another address than the servers.
    direct_upload_bytes: int = Field(default=32 * 1024, ge=0)
    upload_expiry_s: int = Field(default=600, ge=1, le=600)
    max_upload_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    upload_endpoint_url: str | None = None
    # What contributors agree to before their first drawing (`GET /api/terms`): the licence
    # their drawings are published under, and the terms' version; a new version asks again.
    # An operator who collects under other arrangements turns the check off.
    consent_required: bool = True
    licence: str = Field(default="CC BY 4.0", min_length=1, max_length=80)
    licence_url: str | None = "https://creativecommons.org/licenses/by/4.0/"
    terms_version: str = Field(default="1", min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    amqp_training_queue: str = Field(default="crowdsketch.training", min_length=1, max_length=200)

    # Abuse limits; 0 turns a limit off. Drawing submissions are counted in the key-value
    # store, so every process of a deployment shares the counts, in fixed windows of
    # `drawing_rate_window_s` that start with the first submission counted. In-flight
    # requests are counted per server process. A request body must arrive within
    # `body_read_timeout_s` plus one second for each `body_min_rate_bytes_s` bytes received.
    drawing_rate_window_s: int = Field(default=60, ge=1)
    drawing_rate_per_session: int = Field(default=60, ge=0)
    drawing_rate_per_address: int = Field(default=6000, ge=0)
    max_in_flight_per_address: int = Field(default=128, ge=0)
    body_read_timeout_s: float = Field(default=20.0, ge=0)
    body_min_rate_bytes_s: int = Field(default=500, ge=1)

    # Model agreement at submission: how long a submission waits for the active model's
    # opinion of it before it is stored without one (agreement null).
    agreement_timeout_s: float = Field(default=0.2, gt=0)
    # Peer verification: one game turn in `verification_every` shows someone else's drawing
    # (0: never); a drawing stops being shown once it has `verification_votes_per_drawing`
    # answers. Answers are limited like drawings, in the same windows.
    verification_every: int = Field(default=5, ge=0)
    verification_votes_per_drawing: int = Field(default=5, ge=1)
    vote_rate_per_session: int = Field(default=120, ge=0)
    vote_rate_per_address: int = Field(default=6000, ge=0)
    # How often a worker looks for votes newer than the last aggregation and, if there are
    # any, starts one (the crowd's verdicts and trust, quality/consensus.py). 0: never.
    consensus_interval_s: float = Field(default=60.0, ge=0)
    # How often a worker folds the kept counts' rows (PostgreSQL appends one per change; the
    # Overview sums them: common/tallies.py). 0: never (the counts stay exact, reads slow down).
    count_fold_interval_s: float = Field(default=10.0, ge=0)
    # The drawing list counts a filter's matches exactly up to this many (an index finds them);
    # past it, a filter the kept counts cannot answer gets an estimate (`totalIsEstimate`).
    exact_count_limit: int = Field(default=10_000, ge=0)

    # Whether inference calls need an implementor's API key (`Authorization: Bearer`):
    # `required` for a public deployment, `optional` (a key, when sent, is checked, limited
    # and counted), or `off` (keys ignored).
    inference_auth: Literal["required", "optional", "off"] = "optional"

    # Drawing together (`/together/<room>`): people in a room at once; a room with no stroke
    # for `together_idle_s` closes. A socket is closed (not the room) past
    # `together_updates_per_s` updates a second (each point drawn is one; a burst of twice
    # that is allowed), on a message over `together_max_message_bytes`, or when the room's
    # document would pass `together_max_doc_bytes`.
    together_room_limit: int = Field(default=8, ge=2, le=64)
    together_idle_s: float = Field(default=1800.0, gt=0)
    together_updates_per_s: float = Field(default=120.0, gt=0)
    together_max_message_bytes: int = Field(default=64 * 1024, ge=1024)
    together_max_doc_bytes: int = Field(default=1024 * 1024, ge=16 * 1024)

    # The front end's build (`npm run build` in web/), served beside the API.
    web_dist_dir: Path = Field(default_factory=lambda: Path(__file__).resolve().parent.parent / "web" / "dist")

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("data_dir", "web_dist_dir")
    @classmethod
    def _absolute_paths(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @model_validator(mode="after")
    def _fill_embedded_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'crowdsketch.db'}"
        if not self.blob_url:
            self.blob_url = f"file://{self.data_dir / 'blobs'}"
        if not self.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("database_url must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        if not self.blob_url.startswith(("file://", "s3://")):
            raise ValueError("blob_url must start with file:// or s3://")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("redis_url must start with redis://, rediss:// or unix://")
        if self.amqp_url and not self.amqp_url.startswith(("amqp://", "amqps://")):
            raise ValueError("amqp_url must start with amqp:// or amqps://")
        if self.bcrypt_rounds < 12 and self.environment != "test":
            raise ValueError("bcrypt_rounds below 12 is for tests only")
        if self.environment == "production" and self.secret_key == DEVELOPMENT_SECRET:
            raise ValueError("set CROWDSKETCH_SECRET_KEY: the development secret is refused in production")
        if self.environment == "production" and len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"CROWDSKETCH_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes in production "
                             "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
