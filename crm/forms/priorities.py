from datetime import timedelta

from django import forms
from django.utils import timezone

from crm.forms import DateInput
from crm.models import Engagement, EngagementIssue, EngagementKind, IssueCategory, Priority, PriorityAction
from geo.models import Neighbourhood

AGREEING_MEETINGS = [EngagementKind.PACT_MEETING, EngagementKind.BEAT_MEETING, EngagementKind.PUBLIC_MEETING, EngagementKind.ONLINE_MEETING]


class PriorityForm(forms.ModelForm):
    raised_issues = forms.ModelMultipleChoiceField(
        queryset=EngagementIssue.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Issues raised that this answers",
    )

    class Meta:
        model = Priority
        fields = ["neighbourhood", "category", "issue", "issue_date", "agreed_at", "status"]
        widgets = {"issue_date": DateInput(), "issue": forms.Textarea}
        labels = {"issue": "The priority, in words fit to publish", "issue_date": "Date agreed", "agreed_at": "Agreed at"}

    def __init__(self, *args, user, neighbourhood=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.order_by("name")
        self.fields["category"].queryset = IssueCategory.objects.filter(is_active=True)
        meetings = Engagement.objects.visible_to(user).filter(kind__in=AGREEING_MEETINGS).order_by("-starts_at")
        issues = EngagementIssue.objects.visible_to(user).select_related("category", "engagement").order_by("-engagement__starts_at")
        if neighbourhood is not None:
            self.initial.setdefault("neighbourhood", neighbourhood.pk)
            meetings = meetings.filter(neighbourhood=neighbourhood)
            issues = issues.filter(engagement__neighbourhood=neighbourhood)
        self.fields["agreed_at"].queryset = meetings
        # Issues from the last six months: what a PACT meeting discusses.
        self.fields["raised_issues"].queryset = issues.filter(engagement__starts_at__gte=timezone.now() - timedelta(days=183))
        self.fields["raised_issues"].label_from_instance = lambda i: f"{i.category.name}: {i.description} ({i.engagement.starts_at:%d %b %Y})"


class PriorityActionForm(forms.ModelForm):
    class Meta:
        model = PriorityAction
        fields = ["action", "action_date", "status", "reported_back_on"]
        widgets = {
            "action": forms.Textarea,
            "action_date": DateInput(),
            "reported_back_on": DateInput(),
        }
        labels = {"action": "What was done, in words fit to publish", "reported_back_on": "Reported back to the community on"}
