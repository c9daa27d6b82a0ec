"""Public pages of the verification app, mounted at the site root: the published results of
double-random draws (双随机、一公开)."""

from django.urls import path

from . import views

urlpatterns = [
    path("verification/draws/", views.public_list, name="verification_public_draws"),
    path("verification/draws/<int:pk>/", views.public_detail, name="verification_public_draw"),
]
