from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError

from access.roles import Role
from access.pagination import CappedPaginator, KeysetPagesMixin
from access.sources import disclosure_hooks, share_model_for
from access.visibility import owning_organisation  # noqa: F401 (views import it from here)

POLICE_ROLES = (Role.OFFICER, Role.MANAGER, Role.ADMINISTRATOR)


class VisibleToUserMixin(KeysetPagesMixin, LoginRequiredMixin):
    """The one door for views of sensitive records: the queryset starts from visible_to,
    so a record the user may not see answers 404, exactly like one that does not exist."""

    model = None
    paginator_class = CappedPaginator  # a list never counts more than 10,000 visible rows

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class DisclosedDetailMixin(VisibleToUserMixin):
    """A detail page that says why a shared record is visible, and logs the read in the disclosure log."""

    def get_object(self, queryset=None):
        record = super().get_object(queryset)
        disclosure_hooks().log_shared_reads(user=self.request.user, records=[record], purpose=f"Viewed on {self.request.path}")
        return record

    def get_context_data(self, **kwargs):
        reasons = [r for r in disclosure_hooks().why_visible(self.request.user, self.object) if r.is_shared] if getattr(self.object, "is_shared", False) else []
        user = self.request.user
        return super().get_context_data(
            visibility_reasons=reasons, record_label=self.object._meta.label_lower,
            may_share_once=not getattr(self.object, "is_shared", False) and share_model_for(type(self.object)) is not None,
            may_ask_who_can_see=user.has_role(Role.INFORMATION_GOVERNANCE) and may_ask_who_can_see(user, self.object), **kwargs,
        )


def may_ask_who_can_see(user, record) -> bool:
    """Whether "Who can see this" would answer this IG user (it answers 404 otherwise, so no link)."""
    return disclosure_hooks().who_can_see_for(user, record) is not None


class DisclosedListMixin(VisibleToUserMixin):
    """A list page that logs the shared records it shows (one disclosure entry per page, none if all are own)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hooks = disclosure_hooks()
        hooks.log_shared_reads(user=self.request.user, records=list(context["object_list"]), purpose=hooks.listing_purpose(self.request))
        return context


class EditableByUserMixin(VisibleToUserMixin):
    """Pages that change a record: only the owning organisation's records. A record shared with the
    user (by protocol or one-off) is read-only, so its edit page answers 404 like any other."""

    def get_queryset(self):
        return self.model.objects.editable_by(self.request.user)


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
