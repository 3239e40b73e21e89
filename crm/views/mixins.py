from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError

from crm.models import Role
from crm.visibility import owning_organisation  # noqa: F401 (views import it from here)

POLICE_ROLES = (Role.OFFICER, Role.MANAGER, Role.ADMINISTRATOR)


class VisibleToUserMixin(LoginRequiredMixin):
    """The one door for views of sensitive records: the queryset starts from visible_to,
    so a record the user may not see answers 404, exactly like one that does not exist."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class PoliceRoleRequiredMixin(LoginRequiredMixin):
    """Pages that only the police use (logging engagements, agreeing priorities): others get 403,
    whatever record they name, so the answer says nothing about what exists."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(*POLICE_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def add_service_errors(form, error: ValidationError, *, field_names: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on the field it names, else above the form."""
    for field, problems in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        field = (field_names or {}).get(field, field)
        form.add_error(field if field in form.fields else None, problems)


def keeping_hidden(instance, field: str, chosen, visible) -> list:
    """The rows to link through `field`: those chosen on the form, plus those already linked
    that the editor cannot see (and so could not have chosen), which an edit must not drop."""
    if instance.pk is None:
        return list(chosen)
    hidden = getattr(instance, field).exclude(pk__in=visible.values("pk"))
    return [*chosen, *hidden]
