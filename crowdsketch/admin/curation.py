"""The curation routers, mounted together by `admin/router.py`."""

from crowdsketch.admin.drawings_router import router as drawings_router
from crowdsketch.admin.shapes_router import router as shapes_router
from crowdsketch.admin.stats_router import router as stats_router

CURATION_ROUTERS = (drawings_router, stats_router, shapes_router)
