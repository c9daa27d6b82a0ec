from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.feed_page, name="feed"),
    path("poll/", views.feed_poll, name="poll"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/object/", views.raise_objection, name="raise"),
    path("objections/", views.objections, name="objections"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("objections/<int:pk>/<slug:action>/", views.objection_action, name="objection-action"),
]
