"""Public pages of the enforcement app, mounted at the site root."""

urlpatterns: list = []
