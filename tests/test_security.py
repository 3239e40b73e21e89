"""Secrets are kept out of every log line, by the filter the logging settings put on the console handler."""
import logging
import logging.config

from engagement_hub.security import RedactSecretsFilter, redact_secrets


def test_every_api_key_in_a_line_is_redacted_however_its_name_is_written():
    line = "GET /open311/v2/requests.json?status=open&api_key=k1&api%5Fkey=k2&API_KEY=k3&password=p HTTP/1.1"
    assert redact_secrets(line) == ("GET /open311/v2/requests.json?status=open&api_key=[redacted]&api%5Fkey=[redacted]"
                                    "&API_KEY=[redacted]&password=[redacted] HTTP/1.1")


def test_other_parameters_are_left_as_they_are():
    assert redact_secrets("/your-area/?q=api_key&page=2") == "/your-area/?q=api_key&page=2"


def test_the_configured_console_handler_redacts_a_django_request_log_line(settings):
    # Configured afresh from the settings: a Celery worker started by an earlier test replaces the root handlers.
    logging.config.dictConfig(settings.LOGGING)
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactSecretsFilter) for f in h.filters)]
    assert handlers, "the logging settings put no secret filter on the console handler"
    record = logging.getLogger("django.request").makeRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/open311/v2/requests.json?api_key=SECRET",), None)
    assert handlers[0].filter(record)
    assert record.getMessage() == "Forbidden: /open311/v2/requests.json?api_key=[redacted]"
