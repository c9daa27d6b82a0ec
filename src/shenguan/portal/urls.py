from django.urls import path

from . import catalog_views, directory_views, journal_views

app_name = "portal"
urlpatterns = [
    path("catalog/", catalog_views.catalog_list, name="catalog"),
    path("catalog/<str:code>/", catalog_views.catalog_detail, name="power"),
    path("org/", directory_views.org_directory, name="org"),
    path("parties/", directory_views.party_list, name="parties"),
    path("parties/<int:pk>/", directory_views.party_detail, name="party"),
    path("journal/", journal_views.journal_list, name="journal"),
]
