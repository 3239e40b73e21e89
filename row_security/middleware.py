"""Each request reads protected tables as its signed-in user (or as no one, signed out): the database's
own check, beside visible_to. After GrantScopeMiddleware, so the grant set is resolved once per request."""
from django.http import FileResponse

from row_security.context import Context, _current, current, entered

# The public side (no sign-in) reads only through publication/selectors.py, which picks what is published
# (screened wording, announced meetings, counts): in the named system context "public pages", without an
# audit event per request (each is a read of what the public may read anyway).
PUBLIC_PAGES = frozenset({
    "publication:area-list", "publication:area", "publication:area-calendar", "publication:open-data",
    "publication:latest-release", "publication:release", "publication:release-file", "digital-public:meeting-question",
})
PUBLIC_PREFIXES = ("publication:api-",)


class RowSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with entered(Context("viewer", who=request.user)):
            response = self.get_response(request)
            if response.streaming and not isinstance(response, FileResponse):
                # A streamed body is read after this returns: it reads under the request's grant set, fixed now.
                response.streaming_content = _read_under(current().frozen(), response.streaming_content)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in PUBLIC_PAGES or name.startswith(PUBLIC_PREFIXES):
            _current.set(Context("system", name="public pages"))  # until the request ends (reset in __call__)
        return None


def _read_under(context, chunks):
    iterator = iter(chunks)
    while True:
        with entered(context):
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk
