"""Public pages of the approvals app mounted at the site root (e.g. /verify/<number>)."""

from django.urls import path

from . import views

urlpatterns = [
    path("verify/<str:number>", views.verify, name="approvals-verify"),
]
