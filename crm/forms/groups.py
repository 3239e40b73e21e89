"""Forms for community groups. Key contacts are offered from the contacts the user may see."""
from django import forms
from django.core.exceptions import ValidationError

from crm.forms.contacts import ServiceErrorsMixin, community_choices, neighbourhood_choices
from crm.models import CommunityGroup, CommunityGroupKind, Contact

GROUP_NAME_TAKEN = "A group with this name already exists."


class CommunityGroupForm(ServiceErrorsMixin, forms.ModelForm):
    # The only error about the group as a whole is a name already taken in the organisation.
    whole_record_errors_on = "name"

    class Meta:
        model = CommunityGroup
        fields = [
            "name", "kind", "is_registered", "charity_number", "neighbourhoods", "communities", "key_contacts",
            "meeting_place", "police_support", "oversight_notes", "is_active",
        ]
        labels = {
            "kind": "Kind of group",
            "is_registered": "The group is on a register (such as the Charity Commission's)",
            "charity_number": "Charity number (optional)",
            "neighbourhoods": "Neighbourhoods served",
            "communities": "Communities of interest",
            "key_contacts": "Key contacts",
            "police_support": "Support or oversight the police give",
            "is_active": "The group is active",
        }
        help_texts = {
            "charity_number": "Such as 1123456 in England and Wales, or SC012345 in Scotland.",
            "key_contacts": "Only contacts you can see are listed.",
        }
        error_messages = {
            "name": {"required": "Enter the group's name."},
            "kind": {"required": "Choose the kind of group."},
        }
        widgets = {
            "kind": forms.RadioSelect,
            "police_support": forms.RadioSelect,
            "neighbourhoods": forms.CheckboxSelectMultiple,
            "communities": forms.CheckboxSelectMultiple,
            "key_contacts": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = CommunityGroupKind.choices  # radios: no blank choice
        self.fields["neighbourhoods"].queryset = neighbourhood_choices()
        self.fields["communities"].queryset = community_choices()
        self.fields["key_contacts"].queryset = (
            Contact.objects.visible_to(user).only("first_name", "last_name").order_by("last_name", "first_name")
        )

    def add_error(self, field, error):
        # Django's own words for the name constraint ("…with this Organisation and Name…") name a field the form does not show.
        def reworded(errors):
            return [GROUP_NAME_TAKEN if e.code in ("unique", "unique_together") else e for e in errors]

        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = ValidationError({key: reworded(errors) for key, errors in error.error_dict.items()})
        elif isinstance(error, ValidationError):
            error = ValidationError(reworded(error.error_list))
        return super().add_error(field, error)
