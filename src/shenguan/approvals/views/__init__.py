"""Pages of the approvals app, split by who uses them: ``public`` (licence verification),
``window`` (the clerk), ``review`` (the approval officer), ``head`` (the bureau head),
``applicant`` and ``registration`` (the applicant portal), ``documents`` (printable documents
and PDFs for staff and applicants alike)."""

from .public import mask_person_name, public_holder_name, public_view, verify

__all__ = ["mask_person_name", "public_holder_name", "public_view", "verify"]
