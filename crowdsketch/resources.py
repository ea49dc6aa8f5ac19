"""Everything a running app holds: built in the lifespan from the settings, closed on
shutdown. The URL of each setting picks the adapter; nothing else knows which was picked."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from crowdsketch.admin.auth import AuthService
from crowdsketch.collection.catalog import ShapeCatalog
from crowdsketch.collection.idempotency import IdempotencyStore
from crowdsketch.collection.limits import SubmissionLimits
from crowdsketch.collection.service import CollectionService
from crowdsketch.collection.writes import drawing_writer
from crowdsketch.common.rate_limits import WindowLimits
from crowdsketch.db.engine import TRANSIENT_DB_ERRORS, Database, create_engine, is_lost_connection
from crowdsketch.implementors.service import ApiKeyService
from crowdsketch.inference.manager import ModelManager
from crowdsketch.ports.blob import BlobStore, blob_store_from_url
from crowdsketch.collection.activity import DrawingActivity
from crowdsketch.events.bus import EventBus
from crowdsketch.experiments.service import ExperimentService
from crowdsketch.experiments.shadow import ExperimentShadow
from crowdsketch.ports.kv import KeyValueStore, key_value_store_from_url
from crowdsketch.ports.queue import JobQueue
from crowdsketch.ports.queue_adapters import job_queue_from_settings
from crowdsketch.quality.agreement import ModelAgreement
from crowdsketch.quality.service import VerificationService
from crowdsketch.resilience import DependencyGuard, GuardPolicy, Guards
from crowdsketch.settings import Settings
from crowdsketch.together.room import RoomLimits
from crowdsketch.together.service import TogetherService


@dataclass
class Resources:
    settings: Settings
    guards: Guards
    db: Database
    blobs: BlobStore
    blob_guard: DependencyGuard
    kv: KeyValueStore
    kv_guard: DependencyGuard
    collection: CollectionService
    submission_limits: SubmissionLimits
    auth: AuthService
    jobs: JobQueue
    jobs_guard: DependencyGuard
    models: ModelManager
    verification: VerificationService
    vote_limits: WindowLimits
    events: EventBus
    shadow: ExperimentShadow
    together: TogetherService
    api_keys: ApiKeyService

    @classmethod
    def build(cls, settings: Settings) -> Resources:
        guards = Guards(
            GuardPolicy(
                timeout_s=settings.dependency_timeout_s,
                attempts=settings.retry_attempts,
                backoff_s=settings.retry_backoff_s,
                threshold=settings.breaker_threshold,
                reset_s=settings.breaker_reset_s,
            )
        )
        db = Database(
            create_engine(settings.database_url, timeout_s=settings.dependency_timeout_s, pool_size=settings.database_pool_size),
            guards.guard("database", TRANSIENT_DB_ERRORS, is_lost_connection),
        )
        blobs = blob_store_from_url(
            settings.blob_url,
            endpoint=settings.aws_endpoint_url,
            region=settings.aws_region,
            access_key_id=settings.aws_access_key_id,
            secret_access_key=settings.aws_secret_access_key,
            timeout_s=settings.dependency_timeout_s,
        )
        blob_guard = guards.guard("blob store", blobs.transient_errors)
        kv = key_value_store_from_url(settings.redis_url, settings.dependency_timeout_s)
        kv_guard = guards.guard("key-value store", kv.transient_errors)
        events = EventBus(settings, kv)
        catalog = ShapeCatalog(db, settings.shape_cache_ttl_s)
        idempotency = IdempotencyStore(kv, kv_guard, settings.idempotency_ttl_s, settings.idempotency_lock_ttl_s)
        models = ModelManager(db, blobs, blob_guard, kv, settings.model_poll_interval_s)
        verification = VerificationService(db, blobs, blob_guard, votes_per_drawing=settings.verification_votes_per_drawing)
        collection = CollectionService(
            db, blobs, blob_guard, kv, kv_guard, catalog, idempotency,
            agreement=ModelAgreement(models, settings.agreement_timeout_s), verification=verification,
            activity=DrawingActivity(events),
            writer=drawing_writer(db, settings.database_url, pool_size=settings.database_pool_size,
                                  timeout_s=settings.dependency_timeout_s,
                                  terms=settings),
        )
        submission_limits = SubmissionLimits(
            kv, kv_guard, window_s=settings.drawing_rate_window_s,
            per_session=settings.drawing_rate_per_session, per_address=settings.drawing_rate_per_address,
        )
        auth = AuthService(settings, kv, kv_guard)
        jobs = job_queue_from_settings(settings, db)
        jobs_guard = guards.guard("job queue", jobs.transient_errors)
        vote_limits = WindowLimits(
            kv, kv_guard, what="votes", window_s=settings.drawing_rate_window_s,
            per_session=settings.vote_rate_per_session, per_address=settings.vote_rate_per_address,
        )
        # While an A/B experiment runs, each game drawing is scored by both arms, off its path.
        shadow = ExperimentShadow(ExperimentService(db, kv, kv_guard, events), models.score_both,
                                  lambda: models.experimenting)
        collection.on_stored = shadow.observe
        together = TogetherService(
            db, collection, idle_s=settings.together_idle_s, licence=settings.licence,
            limits=RoomLimits(people=settings.together_room_limit, max_message_bytes=settings.together_max_message_bytes,
                              max_doc_bytes=settings.together_max_doc_bytes, updates_per_s=settings.together_updates_per_s),
        )
        return cls(settings, guards, db, blobs, blob_guard, kv, kv_guard, collection, submission_limits, auth,
                   models=models, jobs=jobs, jobs_guard=jobs_guard, verification=verification, vote_limits=vote_limits,
                   events=events, shadow=shadow, together=together,
                   api_keys=ApiKeyService(db, kv, kv_guard, secret=settings.secret_key, mode=settings.inference_auth))

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state, checked now, within the dependency timeout."""
        checks = {"database": self.db.ping, "blob store": self.blobs.ping, "key-value store": self.kv.ping}

        async def check(ping) -> str:  # type: ignore[no-untyped-def]
            try:
                async with asyncio.timeout(self.settings.dependency_timeout_s):
                    await ping()
                return "ok"
            except Exception as exc:  # noqa: BLE001 - a readiness probe reports, never raises
                return f"down: {type(exc).__name__}"

        results = await asyncio.gather(*(check(ping) for ping in checks.values()))
        return dict(zip(checks, results, strict=True))

    async def close(self) -> None:
        await self.api_keys.close()
        await self.together.close()
        await self.shadow.close()
        if self.collection.activity is not None:
            await self.collection.activity.close()
        self.events.close()
        await self.jobs.close()
        await self.models.stop()
        await self.kv.close()
        await self.blobs.close()
        await self.collection.close()
        await self.db.close()
