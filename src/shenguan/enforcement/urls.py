"""Staff pages of the enforcement bureau, mounted at /enforcement/."""

from django.urls import path
from django.views.generic import RedirectView

from .cases import views as cases
from .field import views as field
from .legal import views as legal
from .procedures import views as procedures

app_name = "enforcement"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="enforcement:cases"), name="index"),
    path("procedures/", procedures.procedures, name="procedures"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("documents/<int:pk>.pdf", cases.document_pdf, name="document"),
    path("evidence/<int:pk>", cases.evidence_file, name="evidence"),
    path("legal/", legal.queue, name="legal_queue"),
    path("legal/cases/<int:pk>/", legal.review, name="legal_review"),
    path("legal/live/", legal.live, name="legal_live"),
    path("legal/alerts/", legal.alerts, name="legal_alerts"),
    path("legal/guidance/", legal.guidance, name="legal_guidance"),
    path("field/", field.tasks, name="field_tasks"),
    path("field/inspections/<int:pk>/", field.inspection, name="field_inspection"),
    path("field/sw.js", field.service_worker, name="field_sw"),
    path("field/offline/", field.offline, name="field_offline"),
]
