"""Staff pages of the approvals app under /approvals/ (the window, the review queue, the bureau
head) and the documents, which applicants open too (scoped to their own)."""

from django.urls import path

from .views import documents, head, review, window

app_name = "approvals"
urlpatterns = [
    # window clerk
    path("window/", window.queue, name="window"),
    path("window/new/", window.new_application, name="window-new"),
    path("window/<int:pk>/", window.intake, name="intake"),
    path("window/<int:pk>/<slug:action>/", window.intake_action, name="intake-action"),
    path(
        "window/<int:pk>/materials/<int:material_id>/<slug:op>/",
        window.material_action,
        name="intake-material",
    ),
    # approval officer
    path("review/", review.queue, name="review"),
    path("review/<int:pk>/", review.detail, name="review-detail"),
    path("review/<int:pk>/<slug:action>/", review.action, name="review-action"),
    # bureau head
    path("head/", head.dashboard, name="head"),
    path("head/<int:pk>/extend/", head.extend, name="head-extend"),
    path("head/licences/<int:licence_id>/revoke/", head.revoke, name="head-revoke"),
    # documents (printable page and PDF)
    path("documents/<int:pk>/notice/", documents.notice_page, name="notice"),
    path("documents/<int:pk>/notice.pdf", documents.notice_pdf, name="notice-pdf"),
    path("documents/receipts/<int:receipt_id>/", documents.receipt_page, name="receipt"),
    path("documents/receipts/<int:receipt_id>.pdf", documents.receipt_pdf, name="receipt-pdf"),
    path(
        "documents/<int:pk>/commitments/<slug:kind>/",
        documents.commitment_page,
        name="commitment",
    ),
    path(
        "documents/<int:pk>/commitments/<slug:kind>.pdf",
        documents.commitment_pdf,
        name="commitment-pdf",
    ),
    path("documents/licences/<int:licence_id>.pdf", documents.licence_pdf, name="licence-pdf"),
    path(
        "documents/<int:pk>/materials/<int:material_id>/",
        documents.material_file,
        name="material-file",
    ),
]
