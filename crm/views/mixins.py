from django.contrib.auth.mixins import LoginRequiredMixin


class VisibleToUserMixin(LoginRequiredMixin):
    """The one door for views of sensitive records: the queryset starts from visible_to,
    so a record the user may not see answers 404, exactly like one that does not exist."""

    model = None

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


def owning_organisation(user):
    """The organisation a new record made by `user` belongs to: their neighbourhood team if
    they have one, else their first organisation (a partner user's agency)."""
    memberships = sorted(user.memberships.select_related("organisation"), key=lambda m: (m.organisation.kind != "neighbourhood_team", m.pk))
    return memberships[0].organisation if memberships else None
