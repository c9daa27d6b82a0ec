"""Public pages of the enforcement app, mounted at the site root."""

from django.urls import path

from .publication import views as publication

urlpatterns = [
    path("publicity/", publication.publicity, name="enforcement_publicity"),
]
