"""Pages of the approvals app mounted at the site root: the public licence verification
(/verify/<number>) and the applicant portal (/apply/, namespace ``apply``)."""

from django.urls import include, path

from .views import applicant, registration, verify

apply_patterns = (
    [
        path("", applicant.home, name="home"),
        path("register/", registration.register, name="register"),
        path("catalogue/", applicant.catalogue, name="catalogue"),
        path("new/<str:code>/", applicant.new, name="new"),
        path("<int:pk>/", applicant.detail, name="detail"),
        path("<int:pk>/materials/<int:material_id>/", applicant.upload, name="upload"),
        path("<int:pk>/<slug:action>/", applicant.action, name="action"),
    ],
    "apply",
)

urlpatterns = [
    path("verify/<str:number>", verify, name="approvals-verify"),
    path("apply/", include(apply_patterns)),
]
