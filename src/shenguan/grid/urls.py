from django.urls import path

from . import views

app_name = "grid"
urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report, name="report"),
    path("events/<int:pk>/", views.event, name="event"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("proxy/", views.proxy, name="proxy"),
]
