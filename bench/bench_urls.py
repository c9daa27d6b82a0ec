"""URLs for the HTTP benchmark only: the production site plus one minimal JSON view that
inserts one row (the framework's ceiling on this machine), served by the same server and
middleware. Used by bench/suite.py through ``DJANGO_SETTINGS_MODULE=bench_settings`` with
``bench/`` on the Python path; never deployed."""

from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def ceiling(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_ceiling (at) VALUES (now()) RETURNING id")
        (pk,) = cursor.fetchone()
    return JsonResponse({"id": pk})


urlpatterns = [
    path("bench/ceiling", ceiling),
    path("", include("shenguan.urls")),
]
