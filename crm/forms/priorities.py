from datetime import timedelta

from django import forms
from django.utils import timezone

from hub_ui.widgets import DateInput
from crm.models import PRIORITY_MOVES, Engagement, EngagementIssue, EngagementKind, IssueCategory, Priority, PriorityAction, PriorityStatus
from geo.models import Neighbourhood

AGREEING_MEETINGS = [EngagementKind.PACT_MEETING, EngagementKind.BEAT_MEETING, EngagementKind.PUBLIC_MEETING, EngagementKind.ONLINE_MEETING]


class PriorityForm(forms.ModelForm):
    raised_issues = forms.ModelMultipleChoiceField(
        queryset=EngagementIssue.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        label="Issues raised that this answers",
    )

    class Meta:
        model = Priority
        # The status moves only through its own page (crm.services.priority_move): a new priority is agreed.
        fields = ["neighbourhood", "category", "issue", "issue_date", "agreed_at"]
        widgets = {"issue_date": DateInput(), "issue": forms.Textarea, "neighbourhood": forms.HiddenInput}
        labels = {"issue": "The priority, in words fit to publish", "issue_date": "Date agreed", "agreed_at": "Agreed at"}

    def __init__(self, *args, user, neighbourhood, from_issue=None, **kwargs):
        """One neighbourhood's meetings and issues only (chosen on the page before). `from_issue` (an issue
        raised, read through visible_to) prefills the priority: its category, its words, itself linked."""
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.filter(pk=neighbourhood.pk)
        self.fields["category"].queryset = IssueCategory.objects.filter(is_active=True)
        self.initial.setdefault("neighbourhood", neighbourhood.pk)
        self.initial.setdefault("issue_date", timezone.localdate())
        meetings = Engagement.objects.visible_to(user).filter(kind__in=AGREEING_MEETINGS, neighbourhood=neighbourhood).order_by("-starts_at")
        issues = (EngagementIssue.objects.visible_to(user).filter(engagement__neighbourhood=neighbourhood)
                  .select_related("category", "engagement").order_by("-engagement__starts_at"))
        if from_issue is not None:
            self.initial.update(category=from_issue.category_id, issue=from_issue.description, raised_issues=[from_issue.pk])
            if from_issue.engagement.kind in AGREEING_MEETINGS:
                self.initial["agreed_at"] = from_issue.engagement_id
        self.fields["agreed_at"].queryset = meetings
        # Issues from the last six months: what a PACT meeting discusses (and the one it starts from).
        recent = issues.filter(engagement__starts_at__gte=timezone.now() - timedelta(days=183))
        self.fields["raised_issues"].queryset = (recent | issues.filter(pk=from_issue.pk)).distinct() if from_issue else recent
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


class NeighbourhoodChoiceForm(forms.Form):
    """The first step of agreeing a priority: where. The form that follows offers only that neighbourhood's issues."""

    neighbourhood = forms.ModelChoiceField(queryset=Neighbourhood.objects.none(), label="Neighbourhood",
                                           empty_label="Choose a neighbourhood",
                                           error_messages={"required": "Choose the neighbourhood the priority is for."})

    def __init__(self, *args, neighbourhoods, **kwargs):
        """`neighbourhoods`: those the user may agree priorities for (crm.selectors.priority_neighbourhoods_for)."""
        super().__init__(*args, **kwargs)
        self.fields["neighbourhood"].queryset = neighbourhoods.order_by("name")


class PriorityMoveForm(forms.Form):
    status = forms.ChoiceField(label="New status", widget=forms.RadioSelect,
                               error_messages={"required": "Choose the priority's new status."})
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000,
                              label="What came of it, in words fit to publish",
                              help_text="Needed to resolve or close it. It is checked for names and markings before it goes on the public page.")

    def __init__(self, *args, priority: Priority, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(PriorityStatus.choices)
        self.fields["status"].choices = [(status, labels[status]) for status in PRIORITY_MOVES[priority.status]]
        # Any other value (a status the life does not allow from here, or bytes a client made up) is refused by name.
        offered = ", ".join(f"“{labels[status]}”" for status in PRIORITY_MOVES[priority.status])
        self.fields["status"].error_messages["invalid_choice"] = f"Choose a new status this priority can move to: {offered}."
        self.initial.setdefault("outcome", priority.outcome)


class ActionWithdrawForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why is this action withdrawn?",
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why the action is withdrawn."})
