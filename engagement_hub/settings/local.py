"""A developer's machine: debug on, e-mails printed to the console."""
from .base import *  # noqa: F403

DEBUG = env_bool("HUB_DEBUG", True)  # noqa: F405
