from django.contrib import admin

from access.roles import Role
from sharing_protocols.models import DisclosureEntry


@admin.register(DisclosureEntry)
class DisclosureEntryAdmin(admin.ModelAdmin):
    """Read-only, for information governance: the database refuses changes anyway."""

    list_display = ["pk", "at", "user_label", "organisation_label", "action", "record_type", "record_id", "protocol_reference"]
    list_filter = ["action", "record_type"]
    search_fields = ["user_label", "organisation_label", "record_id", "purpose", "protocol_reference"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        from access.visibility import visible_organisation_ids

        return queryset.filter(organisation__in=visible_organisation_ids(request.user))

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_role(Role.INFORMATION_GOVERNANCE)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from sharing_protocols.models import ProtocolDataFlow, ProtocolParty, ProtocolVersion  # noqa: E402


class InformationGovernanceReadOnly:
    """Read-only for information governance (versions are immutable; changes go through the services)."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_role(Role.INFORMATION_GOVERNANCE)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PartyInline(InformationGovernanceReadOnly, admin.TabularInline):
    model = ProtocolParty
    fields = ["organisation", "contact_name", "contact_email"]
    readonly_fields = fields


class FlowInline(InformationGovernanceReadOnly, admin.TabularInline):
    model = ProtocolDataFlow
    fields = ["category", "provider", "recipient", "clause"]
    readonly_fields = fields


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(InformationGovernanceReadOnly, admin.ModelAdmin):
    list_display = ["protocol", "number", "status", "starts_on", "review_on", "ends_on", "highest_classification", "includes_personal_data"]
    list_filter = ["status", "highest_classification", "includes_personal_data"]
    search_fields = ["protocol__title", "protocol__reference", "purpose"]
    inlines = [PartyInline, FlowInline]
    list_select_related = ["protocol"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        from access.visibility import visible_organisation_ids

        # Protocols the user's organisation is party to (in any version).
        return queryset.filter(protocol__versions__parties__organisation__in=visible_organisation_ids(request.user)).distinct()
