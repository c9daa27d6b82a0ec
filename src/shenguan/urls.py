from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shenguan.api import api
from shenguan.core.accounts import ThrottledAdminAuthenticationForm, ThrottledAuthenticationForm
from shenguan.portal import views as portal_views

admin.site.site_header = "审管 Shenguan 管理后台"
admin.site.site_title = "审管 Shenguan"
admin.site.index_title = "系统管理"
admin.site.login_form = ThrottledAdminAuthenticationForm  # the same login throttle

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("healthz", portal_views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="portal/login.html", authentication_form=ThrottledAuthenticationForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("approvals/", include("shenguan.approvals.urls")),
    path("credit/", include("shenguan.credit.urls")),
    path("enforcement/", include("shenguan.enforcement.urls")),
    path("verification/", include("shenguan.verification.urls")),
    path("oversight/", include("shenguan.oversight.urls")),
    path("supervision/", include("shenguan.supervision.urls")),
    path("grid/", include("shenguan.grid.urls")),
    path("command/", include("shenguan.command.urls")),
    path("", include("shenguan.approvals.public_urls")),
    path("", include("shenguan.credit.public_urls")),
    path("", include("shenguan.enforcement.public_urls")),
    path("", include("shenguan.verification.public_urls")),
    path("", include("shenguan.portal.urls")),
]
