from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("pushes/<int:pk>/acknowledge", views.acknowledge, name="acknowledge"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("draws/manage/", views.draw_manage, name="draws"),
    path("draws/new/", views.draw_new, name="draw_new"),
    path("draws/manage/<int:pk>/", views.draw_staff, name="draw"),
]
