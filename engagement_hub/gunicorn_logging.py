"""Gunicorn's logger with secrets taken out: the access log records `GET /open311/v2/requests.json?api_key=[redacted]`,
and gunicorn's own error lines (which quote the request URI) are redacted the same way."""
from gunicorn.glogging import Logger

from engagement_hub.security import RedactSecretsFilter, redact_secrets


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(existing, RedactSecretsFilter) for existing in self.error_log.filters):
            self.error_log.addFilter(RedactSecretsFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact_secrets(value) if isinstance(value, str) else value for key, value in atoms.items()}
