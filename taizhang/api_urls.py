"""The REST API under /api/: one router for every domain, the OpenAPI schema beside it."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from taizhang.accounts.views import TokenView
from taizhang.enterprises.api import views as enterprises
from taizhang.indicators.api import views as indicators
from taizhang.parks.api import views as parks
from taizhang.projects.api import views as projects
from taizhang.regions.api import views as regions
from taizhang.reporting.api import views as reporting

router = DefaultRouter()
router.register("regions", regions.RegionViewSet, basename="region")
router.register("units", regions.UnitViewSet, basename="unit")
router.register("chains", regions.IndustryChainViewSet, basename="chain")
router.register("projects", projects.ProjectViewSet, basename="project")
router.register("stage-changes", projects.StageChangeViewSet, basename="stagechange")
router.register("plans", projects.AnnualPlanViewSet, basename="plan")
router.register("progress", reporting.MonthlyProgressViewSet, basename="progress")
router.register("problems", projects.ProblemViewSet, basename="problem")
router.register("enterprises", enterprises.EnterpriseViewSet, basename="enterprise")
router.register("recognitions", enterprises.RecognitionViewSet, basename="recognition")
router.register("demands", enterprises.DemandViewSet, basename="demand")
router.register("annual-figures", enterprises.AnnualFigureViewSet, basename="annualfigure")
router.register("strategies", enterprises.StrategyViewSet, basename="strategy")
router.register("measures", enterprises.MeasureViewSet, basename="measure")
router.register("indicators", indicators.IndicatorViewSet, basename="indicator")
router.register("indicator-values", indicators.IndicatorValueViewSet, basename="indicatorvalue")
router.register("key-tasks", indicators.KeyTaskViewSet, basename="keytask")
router.register("buildings", parks.BuildingViewSet, basename="building")
router.register("space-units", parks.SpaceUnitViewSet, basename="spaceunit")
router.register("tenancies", parks.TenancyViewSet, basename="tenancy")
router.register("mujun-evaluations", parks.EvaluationViewSet, basename="mujun-evaluation")
router.register("mujun-results", parks.ResultViewSet, basename="mujun-result")

urlpatterns = [
    path("", include(router.urls)),
    path("token/", TokenView.as_view(), name="api_token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="schema"), name="api_docs"),
]
