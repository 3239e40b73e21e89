from django.apps import AppConfig


class SharingProtocolsConfig(AppConfig):
    name = "sharing_protocols"
    verbose_name = "Information-sharing protocols"

    def ready(self):
        # The access layer resolves grants and logs shared reads with what this app defines; it sits below this
        # app and never imports it, so this app hands them down once, at start-up (access/sources.py).
        from access import sources
        from sharing_protocols import explain, shares
        from sharing_protocols.models import DataCategory, ProtocolDataFlow, ProtocolVersion, SharingProtocol, live_flow_ids_sql

        sources.register_grant_sources(sources.GrantSources(
            share_model_for=shares.share_model_for,
            share_models=lambda: list(shares.share_models().values()),
            flow_tables=lambda: (ProtocolDataFlow._meta.db_table, ProtocolVersion._meta.db_table, SharingProtocol._meta.db_table),
            live_flow_ids_sql=live_flow_ids_sql,
            data_categories=lambda: list(DataCategory.values),
        ))
        sources.register_disclosure_hooks(sources.DisclosureHooks(
            log_shared_reads=explain.log_shared_reads, listing_purpose=explain.listing_purpose,
            why_visible=explain.why_visible, who_can_see_for=explain.who_can_see_for,
        ))
