"""Uploading a file of concerns."""
from django import forms

from partners.imports import limits


class ConcernUploadForm(forms.Form):
    upload = forms.FileField(
        label="File of concerns",
        error_messages={"required": "Choose a CSV or Excel file to upload.", "empty": "The file is empty."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = (
            f"A CSV file (UTF-8) or an Excel workbook (.xlsx), no larger than {limits.megabytes(limits.max_bytes())}, "
            f"with at most {limits.max_rows():,} rows."
        )
