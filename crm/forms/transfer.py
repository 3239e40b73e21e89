"""Choosing what to export, and uploading a file to import."""
from django import forms

from crm.transfer.files import MAX_UPLOAD_BYTES, FileFormat, FileProblem, file_format_for, read_table, too_large_message
from crm.transfer.services import WHAT

WHAT_CHOICES = [(what, label) for what, label in WHAT.items()]


class ExportForm(forms.Form):
    what = forms.ChoiceField(label="What to export", choices=WHAT_CHOICES, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what to export."})
    file_format = forms.ChoiceField(label="Format", choices=FileFormat.choices, widget=forms.RadioSelect,
                                    initial=FileFormat.XLSX, error_messages={"required": "Choose a format."})


class ImportForm(forms.Form):
    what = forms.ChoiceField(label="What the file holds", choices=WHAT_CHOICES, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what the file holds."})
    upload = forms.FileField(
        label="File to import",
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx), smaller than 2 MB, with at most 5,000 rows. "
                  "Use the column headings of an export.",
        error_messages={"required": "Choose a file to import.", "empty": "The file is empty."},
    )

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        file_format = file_format_for(upload.name)
        if file_format is None:
            raise forms.ValidationError("The file must be a CSV file (.csv) or an Excel workbook (.xlsx).")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(too_large_message())
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            self.table = read_table(content, file_format)
        except FileProblem as problem:
            raise forms.ValidationError(problem.message) from None
        self.content, self.file_format = content, file_format
        return upload


class ConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
