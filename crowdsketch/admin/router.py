"""Every admin router, mounted once under `require_admin`: a route added here is protected
(and its mutations CSRF-checked) without saying so. Only log-in stands outside."""

from fastapi import APIRouter, Depends

from crowdsketch.admin.audit_router import router as audit_router
from crowdsketch.admin.auth_router import login_router, session_router
from crowdsketch.admin.curation import CURATION_ROUTERS
from crowdsketch.admin.deps import require_admin
from crowdsketch.admin.quality_router import router as quality_router
from crowdsketch.admin.training_router import TRAINING_ROUTERS
from crowdsketch.admin.transfer_router import router as transfer_router
from crowdsketch.datasets.snapshots_router import router as datasets_router
from crowdsketch.evaluation.router import router as evaluation_router
from crowdsketch.experiments.router import router as experiments_router
from crowdsketch.implementors.router import router as api_keys_router

protected_router = APIRouter(prefix="/api/admin", dependencies=[Depends(require_admin)])
for router in (session_router, audit_router, *CURATION_ROUTERS, transfer_router, *TRAINING_ROUTERS, evaluation_router,
               quality_router, datasets_router, experiments_router, api_keys_router):
    protected_router.include_router(router)

ADMIN_ROUTERS = [login_router, protected_router]
