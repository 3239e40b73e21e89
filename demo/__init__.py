"""The project-wide demo commands: `manage.py seed_demo` seeds every app's demo data; `demo_logins` prints them."""
