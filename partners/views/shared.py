"""A partner organisation's "Shared with your organisation" page: the records other organisations shared with it
one-off, and the protocols under which data flows to it. Reached from the navigation and from the home page's
"shares granted to us" item (whose link carries `since`, when the user last looked, to mark what is new)."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from access.roles import Role
from partners.shared_with_us import protocol_flows, read_since, shared_records
from sharing_protocols.register import governance_organisation_ids


class SharedWithUsView(LoginRequiredMixin, TemplateView):
    template_name = "partners/shared_with_us.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(Role.PARTNER_USER):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        since = read_since(self.request.GET.get("since"))
        return super().get_context_data(
            since=since, shared=shared_records(user, since), protocols=protocol_flows(user, since),
            # The protocol register is information governance's: a partner user who is also their IG may open it.
            reads_register=bool(governance_organisation_ids(user)), **kwargs)
