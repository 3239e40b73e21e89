#!/usr/bin/env python3
"""Engagement Hub, issue #12 point 1: a layout that shows the architecture. Moves only, behaviour unchanged.

    python3 /work/relayout/relayout.py /path/to/checkout [--no-commit] [--dry-run]

Run it on a clean checkout of `main` (after the other branches have merged). It moves files with `git mv`,
rewrites every import and dotted path that names a moved module (Python imports, strings in settings,
documentation, templates), drops in the new apps' small files from files/ beside this script, and commits
each step in its own commit ("Move … (moves only)"). It rewrites by module path across every tracked text
file, not a fixed list, so files added to main after this was written are rewritten too. Run twice, the
second run finds nothing left to move and changes nothing.

What moves (see MOVE_GROUPS below):
  access/        the access layer: the grant-set resolver (access/grants.py -> access/grants.py), visible_to and
                 editable_by (access/visibility.py), the owned-record base and child querysets (access/models.py
                 -> access/models.py), the view mixins (access/views.py -> access/views.py), the capped
                 paginator and the list-filter base (access/pagination.py, access/filtering.py)
  hub_ui/        shared interface pieces: template tags (hub_ui/templatetags/), the date widget (DateInput, from
                 crm/forms/__init__.py -> hub_ui/widgets.py), spreadsheet cells (hub_ui/cells.py)
  engagement_hub/navigation.py   the role navigation (engagement_hub/navigation.py): it links every app's pages,
                 so it sits with the project that assembles the apps, beside urls.py
  demo/          the project-wide demo commands (seed_demo, demo_logins)
  organisations/ Organisation, Membership, Role, User, AuditEvent (organisations/models.py ->
                 organisations/models.py), the audit writer (organisations/audit.py) and organisation services. The models
                 keep the `crm` app label (Meta.app_label), so tables, content types, permissions, guardian rows,
                 migrations and AUTH_USER_MODEL = "crm.User" are untouched: no migration is needed.
  tests/         the tests of moved modules follow them (tests mirror the code).
"""
from __future__ import annotations

import argparse
import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"

# Text files whose module paths are rewritten (tracked files only).
TEXT_SUFFIXES = {".py", ".html", ".txt", ".md", ".toml", ".cfg", ".ini", ".yml", ".yaml", ".sh", ".service", ".target",
                 ".conf", ".rst", ".json"}
TEXT_NAMES = {"scripts/hub", ".ci/run"}
SKIP_PREFIXES = ("node_modules/", "static/", "frontend/", ".venv/", "var/")
SKIP_NAMES = {"package-lock.json", "package.json"}

# Each group is one commit: (message, [(old path, new path), ...], [new files from files/], extra step name).
# A directory moves with every tracked file under it. Test files are matched by glob (later main may add more).
MOVE_GROUPS = [
    (
        "Move the access layer to access/ (moves only): the grant resolver, visible_to and editable_by, "
        "the owned-record base, the view mixins, the capped paginator and the list-filter base",
        [
            ("access/grants.py", "access/grants.py"),
            ("access/visibility.py", "access/visibility.py"),
            ("access/models.py", "access/models.py"),
            ("access/views.py", "access/views.py"),
            ("access/pagination.py", "access/pagination.py"),
            ("access/filtering.py", "access/filtering.py"),
            # the grant set handed to PostgreSQL per transaction (main, fa7d3e7); its migration stays in crm
            ("access/grant_settings.py", "access/grant_settings.py"),
            ("tests/access/test_grants.py", "tests/access/test_grants.py"),
            ("tests/crm/test_grant_settings*.py", "tests/access/"),
            ("tests/crm/test_access_*.py", "tests/access/"),
            ("tests/crm/test_visibility*.py", "tests/access/"),
            ("tests/crm/test_pagination*.py", "tests/access/"),
            ("tests/crm/test_list_filters*.py", "tests/access/"),
        ],
        ["access/__init__.py", "access/apps.py", "tests/access/__init__.py"],
        "install_access",
    ),
    (
        "Move shared interface pieces to hub_ui/, the navigation beside the URLs, the project-wide demo "
        "commands to demo/ (moves only)",
        [
            ("crm/templatetags", "hub_ui/templatetags"),
            ("hub_ui/cells.py", "hub_ui/cells.py"),
            ("engagement_hub/navigation.py", "engagement_hub/navigation.py"),
            ("demo/management/commands/seed_demo.py", "demo/management/commands/seed_demo.py"),
            ("demo/management/commands/demo_logins.py", "demo/management/commands/demo_logins.py"),
            ("tests/crm/test_navigation*.py", "tests/"),
            ("tests/crm/test_seed_demo*.py", "tests/demo/"),
        ],
        ["hub_ui/__init__.py", "hub_ui/apps.py", "demo/__init__.py", "demo/apps.py", "demo/management/__init__.py",
         "demo/management/commands/__init__.py", "tests/demo/__init__.py"],
        "install_ui_and_demo",
    ),
    (
        "Move organisations, memberships, roles, users and the audit trail to organisations/ (moves only; "
        "the models keep the crm app label, so tables, content types and migrations are unchanged)",
        [
            ("organisations/models.py", "organisations/models.py"),
            ("organisations/audit.py", "organisations/audit.py"),
            ("organisations/services.py", "organisations/services.py"),
            ("tests/crm/test_membership_rules*.py", "tests/organisations/"),
        ],
        ["organisations/__init__.py", "tests/organisations/__init__.py"],
        "keep_crm_label",
    ),
]

# Names that move out of a package's __init__ (or a re-exporting package) to a new module:
# (old module, new module, how to find the names). Filled in from the source before it moves.
SYMBOL_SOURCES = [
    # crm.models re-exports what organisations/models.py defines
    ("crm.models", "organisations.models", "organisations/models.py"),
    # crm.services re-exports the organisation services
    ("crm.services", "organisations.services", "organisations/services.py"),
]
# What crm/ held when this was written: anything else there now was added since, and may belong in access/.
CRM_AS_WRITTEN = {
    "__init__.py", "access.py", "admin.py", "advisory_diversity.py", "apps.py", "attention.py", "audit.py",
    "context_processors.py", "demo.py", "demo_records.py", "effectiveness.py", "filtering.py", "filtersets.py", "forms",
    "history.py", "management", "migrations", "models", "pagination.py", "services", "signals.py", "tasks.py",
    "templatetags", "transfer", "urls", "views", "visibility.py", "vocabulary_seed.py", "grant_settings.py",
}
FIXED_SYMBOLS = {("crm.forms", "DateInput"): "hub_ui.widgets"}
# Role leaves organisations/models.py for access/roles.py (extract_roles says why); applied after the
# crm.models names above, so `from crm.models import Role` goes straight to access.roles.
ROLE_SYMBOLS = {("crm.models", "Role"): "access.roles", ("organisations.models", "Role"): "access.roles",
                ("organisations.models", "Role"): "access.roles"}

LAYOUT_ROWS = {  # README "Layout" table: new rows, inserted before the crm row; the crm row is rewritten
    "`access/`": "the access layer: the roles (`roles.py`); each reader's grant set, resolved once per request (`grants.py`); the "
                 "`visible_to(user)` door for reads and `editable_by(user)` for writes (`visibility.py`); the "
                 "owned-record base (`models.py`); the view mixins, the capped paginator and the list-filter base",
    "`organisations/`": "organisations, the people who sign in, their memberships (each with a role), and the audit trail "
                        "(the models keep the `crm` app label, so their tables and migrations stay in `crm`)",
    "`hub_ui/`": "interface pieces every app uses: GOV.UK form and list template tags, the date widget, spreadsheet "
                 "cells made safe",
    "`demo/`": "the project-wide demo commands: `seed_demo` and `demo_logins`",
}
CRM_ROW = ("| `crm/` | contacts, groups, advisory groups, engagements, priorities, their imports and exports "
           "(`models/`, `services/`, `forms/`, `views/`, `urls/`, one module per area) |")


def git(root: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if check and result.returncode:
        sys.exit(f"git {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def module_of(path: str) -> str | None:
    if not path.endswith(".py"):
        return None
    module = path[:-3].replace("/", ".")
    return module.removesuffix(".__init__")


def tracked(root: Path) -> list[str]:
    return git(root, "ls-files").splitlines()


def expand(root: Path, moves: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every tracked file to move: directories and globs expanded; moves already done are skipped."""
    files = tracked(root)
    out = []
    for old, new in moves:
        if "*" in old:
            import fnmatch
            for path in sorted(f for f in files if fnmatch.fnmatch(f, old)):
                out.append((path, new + Path(path).name))
        elif old in files:
            out.append((old, new))
        else:
            under = [f for f in files if f.startswith(old.rstrip("/") + "/")]
            for path in under:
                out.append((path, new.rstrip("/") + path[len(old.rstrip("/")):]))
    return [(old, new) for old, new in out if (root / old).exists() and not (root / new).exists()]


def top_level_names(source: str) -> list[str]:
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


# -- rewriting -----------------------------------------------------------------------------------------------------

class Rewriter:
    def __init__(self, module_map: dict[str, str], path_map: dict[str, str], symbols: dict[tuple[str, str], str]):
        self.module_map = module_map
        self.path_map = path_map
        self.symbols = symbols
        keys = sorted(module_map, key=len, reverse=True)
        self.dotted = re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])") if keys else None
        pkeys = sorted(path_map, key=len, reverse=True)
        self.slashed = re.compile(r"(?<![\w./-])(" + "|".join(re.escape(k) for k in pkeys) + r")(?![\w])") if pkeys else None

    def new_module(self, module: str) -> str:
        for old in sorted(self.module_map, key=len, reverse=True):
            if module == old or module.startswith(old + "."):
                return self.module_map[old] + module[len(old):]
        return module

    def rewrite_imports(self, text: str) -> str:
        """`from P import a, b` where a is a moved submodule of P or a name that moved out of P."""
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return text
        lines = text.splitlines(keepends=True)
        edits = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or node.module is None:
                continue
            module = node.module
            groups: dict[str, list[str]] = {}
            changed = False
            for alias in node.names:
                target, name = module, alias.name
                full = f"{module}.{alias.name}"
                if full in self.module_map:  # from crm import audit -> from organisations import audit
                    new = self.module_map[full]
                    target, leaf = new.rpartition(".")[0], new.rpartition(".")[2]
                    name = leaf
                    changed = True
                elif (module, alias.name) in self.symbols:
                    target = self.symbols[(module, alias.name)]
                    changed = True
                else:
                    target = self.new_module(module)
                    changed |= target != module
                asname = alias.asname or (alias.name if name != alias.name else None)
                groups.setdefault(target, []).append(f"{name} as {asname}" if asname and asname != name else name)
            if not changed:
                continue
            if len(groups) == 1 and not any(f"{module}.{a.name}" in self.module_map or (module, a.name) in self.symbols
                                            for a in node.names):
                continue  # only the module path changes: rewrite_paths does it, keeping the statement's layout
            original = "".join(lines[node.lineno - 1: node.end_lineno])
            comment = re.search(r"#\s*noqa[^\n]*", original)
            indent = re.match(r"\s*", lines[node.lineno - 1]).group(0)
            prefix = lines[node.lineno - 1][: node.col_offset] if node.col_offset else indent
            out = []
            for target, names in groups.items():
                line = f"from {target} import {', '.join(names)}"
                if comment:
                    line += f"  {comment.group(0)}"
                if len(prefix) + len(line) > 120 and len(names) > 1:
                    rows, row = [], ""
                    for name in names:
                        if row and len(prefix) + 4 + len(row) + len(name) + 2 > 116:
                            rows.append(row.rstrip())
                            row = ""
                        row += f"{name}, "
                    rows.append(row.rstrip())
                    line = f"from {target} import (" + (f"  {comment.group(0)}" if comment else "") + "\n"
                    line += "".join(f"{prefix}    {r}\n" for r in rows) + f"{prefix})"
                out.append(line)
            start_col = node.col_offset
            end_line = lines[node.end_lineno - 1]
            tail = end_line[node.end_col_offset:]
            if comment and comment.group(0) in tail:
                tail = tail.replace(comment.group(0), "").rstrip() + ("\n" if tail.endswith("\n") else "")
                tail = "\n" if tail.strip() == "" else tail
            new_text = lines[node.lineno - 1][:start_col] + f"\n{prefix}".join(out) + tail
            edits.append((node.lineno - 1, node.end_lineno, new_text))
        for start, end, new_text in sorted(edits, reverse=True):
            lines[start:end] = [new_text]
        return "".join(lines)

    def rewrite_paths(self, text: str) -> str:
        if self.dotted:
            text = self.dotted.sub(lambda m: self.module_map[m.group(1)], text)
        if self.slashed:
            text = self.slashed.sub(lambda m: self.path_map[m.group(1)], text)
        return text

    def fix_attribute_imports(self, text: str) -> str:
        """`import crm.models` then `organisations.models.X` (a migration's manager): once the dotted path
        is rewritten to `organisations.models.X`, the file needs `import organisations.models`."""
        try:
            tree = ast.parse(text)
        except SyntaxError:
            return text
        imported = set()
        last_import = 0
        for node in tree.body:
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
                last_import = node.end_lineno
            elif isinstance(node, ast.ImportFrom):
                last_import = node.end_lineno
        needed = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                parts = []
                current = node
                while isinstance(current, ast.Attribute):
                    parts.append(current.attr)
                    current = current.value
                if isinstance(current, ast.Name):
                    dotted = ".".join([current.id, *reversed(parts)])
                    for new in self.module_map.values():
                        if dotted.startswith(new + ".") and not any(i == new or i.startswith(new + ".") for i in imported):
                            needed.add(new)
        if not needed:
            return text
        lines = text.splitlines(keepends=True)
        lines[last_import:last_import] = [f"import {m}\n" for m in sorted(needed)]
        return "".join(lines)


def text_files(root: Path) -> list[Path]:
    out = []
    for path in tracked(root):
        if path.startswith(SKIP_PREFIXES) or Path(path).name in SKIP_NAMES:
            continue
        if Path(path).suffix in TEXT_SUFFIXES or path in TEXT_NAMES:
            full = root / path
            if full.is_file():
                out.append(full)
    return out


def rewrite_tree(root: Path, rewriter: Rewriter) -> list[str]:
    changed = []
    for path in text_files(root):
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        new = text
        if path.suffix == ".py":
            new = rewriter.rewrite_imports(new)
        new = rewriter.rewrite_paths(new)
        if path.suffix == ".py" and new != text:
            new = rewriter.fix_attribute_imports(new)
        if new != text:
            path.write_text(new)
            changed.append(str(path.relative_to(root)))
    return changed


# -- the extra steps -----------------------------------------------------------------------------------------------

def add_installed_apps(root: Path, before: str, apps: list[str], *, after: str | None = None) -> None:
    settings = root / "engagement_hub/settings/base.py"
    text = settings.read_text()
    block = re.search(r"INSTALLED_APPS = \[\n(.*?)\n\]", text, re.S)
    if block is None:
        sys.exit("INSTALLED_APPS not found in engagement_hub/settings/base.py")
    body = block.group(1)
    missing = [app for app in apps if f'"{app}",' not in body]
    if not missing:
        return
    anchor = f'    "{after or before}",'
    if anchor not in body:
        sys.exit(f"{anchor.strip()} not found in INSTALLED_APPS")
    lines = "".join(f'    "{app}",\n' for app in missing)
    body = body.replace(anchor + "\n", anchor + "\n" + lines, 1) if after else body.replace(anchor, lines + anchor, 1)
    if after and not body.endswith("\n") and anchor == body.splitlines()[-1]:
        body = body + "\n" + lines.rstrip("\n")
    settings.write_text(text[: block.start(1)] + body + text[block.end(1):])


def install_access(root: Path) -> None:
    add_installed_apps(root, "crm", ["access"])


def split_date_widget(root: Path) -> None:
    """DateInput is the one thing crm/forms/__init__.py defines; it moves to hub_ui/widgets.py."""
    init = root / "crm/forms/__init__.py"
    target = root / "hub_ui/widgets.py"
    if target.exists() or not init.exists():
        return
    source = init.read_text()
    tree = ast.parse(source)
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "DateInput"), None)
    if node is None:
        sys.exit("crm/forms/__init__.py no longer defines DateInput: look before moving it by hand")
    lines = source.splitlines(keepends=True)
    start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
    class_text = "".join(lines[start: node.end_lineno])
    target.write_text('"""Widgets every app\'s forms use."""\nfrom django import forms\n\n\n' + class_text)
    rest = lines[:start] + lines[node.end_lineno:]
    remaining = "".join(rest)
    if "forms." not in remaining.split('"""', 2)[-1]:
        remaining = re.sub(r"^from django import forms[^\n]*\n", "", remaining, flags=re.M)
    init.write_text(re.sub(r"\n{3,}$", "\n", remaining.rstrip("\n") + "\n"))
    git(root, "add", "crm/forms/__init__.py", "hub_ui/widgets.py")


def install_ui_and_demo(root: Path) -> None:
    split_date_widget(root)
    add_installed_apps(root, "crm", ["hub_ui"])
    apps = re.search(r"INSTALLED_APPS = \[\n(.*?)\n\]", (root / "engagement_hub/settings/base.py").read_text(), re.S).group(1)
    last = re.findall(r'"([\w.]+)",', apps)[-1]
    add_installed_apps(root, last, ["demo"], after=last)
    # crm/management/ is left empty when both commands have moved
    commands = root / "crm/management/commands"
    if commands.exists() and all(p.name in ("__init__.py", "__pycache__") for p in commands.iterdir()):
        git(root, "rm", "-q", "-r", "crm/management")
        shutil.rmtree(root / "crm/management", ignore_errors=True)


def keep_crm_label(root: Path) -> None:
    """The organisation models keep the `crm` app label: their tables, content types, guardian permissions,
    pghistory references, migrations and AUTH_USER_MODEL ("crm.User") do not change."""
    path = root / "organisations/models.py"
    source = path.read_text()
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    inserts = []
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        base_names = {ast.unparse(b) for b in cls.bases}
        is_model = bool(base_names & {"models.Model", "AbstractUser", "AbstractBaseUser"})
        meta = next((n for n in cls.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
        if meta is None:
            if is_model:
                sys.exit(f"organisations/models.py: {cls.name} has no Meta; give it app_label = 'crm' by hand")
            continue
        if any(isinstance(s, ast.Assign) and any(getattr(t, "id", "") == "app_label" for t in s.targets) for s in meta.body):
            continue
        indent = " " * (meta.col_offset + 4)
        inserts.append((meta.lineno, f'{indent}app_label = "crm"\n'))
    for line, text in sorted(inserts, reverse=True):
        lines.insert(line, text)
    text = "".join(lines)
    if not text.lstrip().startswith('"""'):
        text = ('"""Organisations, the people who sign in, their memberships and roles, and the audit trail.\n\n'
                'The models keep the `crm` app label (Meta.app_label), so their tables, content types, permissions,\n'
                'migrations and AUTH_USER_MODEL = "crm.User" are those they had in crm/models/.\n"""\n') + text
    path.write_text(text)
    extract_roles(root)


def extract_roles(root: Path) -> None:
    """Role, the vocabulary of what a membership lets a person do, moves to access/roles.py: the access layer's
    view mixins are decided by it, and organisations' models are read through the access layer, so with Role in
    organisations the two apps would import each other as they load. organisations/models.py imports it back."""
    source_path, target = root / "organisations/models.py", root / "access/roles.py"
    if target.exists():
        return
    source = source_path.read_text()
    tree = ast.parse(source)
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Role"), None)
    if node is None:
        sys.exit("organisations/models.py defines no Role: move it by hand")
    lines = source.splitlines(keepends=True)
    start, end = node.lineno - 1, node.end_lineno
    while start > 0 and lines[start - 1].lstrip().startswith("#"):  # the comment that introduces it
        start -= 1
    target.write_text('"""The roles a membership gives: what each person may do is decided by them (the view mixins,\n'
                      'the navigation, the services\' checks)."""\nfrom django.db import models\n\n\n' + "".join(lines[start:end]))
    rest = lines[:start] + lines[end:]
    text = re.sub(r"\n{4,}", "\n\n\n", "".join(rest))
    last_import = max(n.end_lineno for n in ast.parse(text).body if isinstance(n, (ast.Import, ast.ImportFrom)))
    rest = text.splitlines(keepends=True)
    rest.insert(last_import, "from access.roles import Role\n")
    source_path.write_text("".join(rest))
    git(root, "add", "access/roles.py")


def update_readme(root: Path) -> None:
    readme = root / "README.md"
    if not readme.exists():
        return
    text = readme.read_text()
    lines = text.splitlines(keepends=True)
    index = next((i for i, line in enumerate(lines) if line.startswith("| `crm/` |")), None)
    if index is None:
        print("README.md: no `crm/` row in the layout table; update it by hand")
        return
    new_rows = [f"| {path} | {what} |\n" for path, what in LAYOUT_ROWS.items() if f"| {path} |" not in text]
    if lines[index].strip() != CRM_ROW:
        print(f"README.md: the crm row was\n  {lines[index].strip()}\nand is now\n  {CRM_ROW}")
    lines[index] = CRM_ROW + "\n"
    lines[index:index] = [row for row in new_rows if "`access/`" in row or "`organisations/`" in row]
    later = [row for row in new_rows if "`hub_ui/`" in row or "`demo/`" in row]
    tests_row = next((i for i, line in enumerate(lines) if line.startswith("| `templates/`")), None)
    if tests_row is not None:
        lines[tests_row:tests_row] = later
    text = "".join(lines)
    text = text.replace(
        "| `engagement_hub/` | settings (`base`, `local`, `test`, `production`), URLs, the Celery app |",
        "| `engagement_hub/` | settings (`base`, `local`, `test`, `production`), URLs, the role navigation "
        "(`navigation.py`), the Celery app |")
    text = text.replace(
        "| `sharing_protocols/` | the protocol register, one-off shares, why a record is visible and who can see it, "
        "the append-only disclosure log |",
        "| `sharing_protocols/` | the protocol register, one-off shares, why a record is visible and who can see it "
        "(`explain.py`: written in protocols and clauses, and it writes the disclosure log), the append-only "
        "disclosure log |")
    readme.write_text(text)
    git(root, "add", "README.md")


EXTRA_STEPS = {"install_access": install_access, "install_ui_and_demo": install_ui_and_demo,
               "keep_crm_label": keep_crm_label}


def drop_in(root: Path, files: list[str]) -> list[str]:
    added = []
    for rel in files:
        target = root / rel
        if target.exists():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FILES / rel, target)
        added.append(rel)
    return added


def check_task_names(root: Path, moves: list[tuple[str, str]]) -> None:
    """A Celery task's name is its module path unless given: a moved task would change name, and beat's schedule
    and queued messages would miss it. None of the moved modules defines one; refuse if one appears."""
    for old, _ in moves:
        if old.endswith(".py") and re.search(r"@(shared_task|app\.task|celery_app\.task)\b(?!\([^)]*name=)", (root / old).read_text()):
            sys.exit(f"{old} defines a Celery task without name=: give it its old name before moving it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkout", type=Path)
    parser.add_argument("--no-commit", action="store_true", help="leave the changes staged, uncommitted")
    parser.add_argument("--move", action="append", default=[], metavar="OLD=NEW",
                        help="one more move for the access layer's commit, e.g. crm/rls.py=access/rls.py (repeatable)")
    options = parser.parse_args()
    root = options.checkout.resolve()
    MOVE_GROUPS[0][1].extend(tuple(pair.split("=", 1)) for pair in options.move)
    added_since = sorted(p.name for p in (root / "crm").iterdir() if p.name not in CRM_AS_WRITTEN
                         and p.name != "__pycache__" and f"crm/{p.name}" not in {old for old, _ in MOVE_GROUPS[0][1]})
    if added_since:
        print("Added to crm/ since this was written (if one is part of the access layer, run again with "
              "--move crm/NAME=access/NAME before anything is committed, or move it later): " + ", ".join(added_since))
    if git(root, "status", "--porcelain", "--untracked-files=no").strip():
        sys.exit("The checkout has uncommitted changes: commit or stash them first.")
    symbols = dict(FIXED_SYMBOLS)
    for old_module, new_module, source in SYMBOL_SOURCES:
        if (root / source).exists():
            for name in top_level_names((root / source).read_text()):
                symbols[(old_module, name)] = new_module

    for message, moves, new_files, step in MOVE_GROUPS:
        moves = expand(root, moves)
        check_task_names(root, moves)
        for old, new in moves:
            (root / new).parent.mkdir(parents=True, exist_ok=True)
            git(root, "mv", old, new)
        added = drop_in(root, new_files)
        if added:
            git(root, "add", *added)
        EXTRA_STEPS[step](root)
        module_map = {module_of(o): module_of(n) for o, n in moves if module_of(o)}
        path_map = {o: n for o, n in moves}
        for old, new in list(path_map.items()):  # directories named in prose: hub_ui/templatetags/ -> hub_ui/templatetags/
            old_dir, new_dir = str(Path(old).parent), str(Path(new).parent)
            if Path(old).name == "__init__.py" and old_dir not in path_map:
                path_map[old_dir + "/"] = new_dir + "/"
        new_packages = {new.split("/")[0] for _, new in moves} | {rel.split("/")[0] for rel in new_files}
        group_symbols = {key: value for key, value in symbols.items() if value.split(".")[0] in new_packages}
        if step == "keep_crm_label":
            group_symbols.update(ROLE_SYMBOLS)
        changed = rewrite_tree(root, Rewriter(module_map, path_map, group_symbols))
        if step == "keep_crm_label":
            update_readme(root)
        git(root, "add", "-u")  # every tracked file the moves and steps changed (the checkout started clean)
        if not git(root, "diff", "--cached", "--name-only").strip():
            print(f"nothing to do: {message.split(':')[0]}")
            continue
        print(f"{message.split(' (')[0]}: {len(moves)} files moved, {len(changed)} files rewritten")
        if not options.no_commit:
            git(root, "commit", "-q", "-m", message)
    for rel in ["tests/test_layout.py"]:
        if drop_in(root, [rel]):
            git(root, "add", rel)
            if not options.no_commit:
                git(root, "commit", "-q", "-m", "Layout test: no import circle among crm, geo, sharing_protocols, "
                                               "organisations and access")
    leftovers = subprocess.run(["git", "-C", str(root), "grep", "-n", "-E",
                                r"crm[./](access|visibility|pagination|filtering|context_processors|audit|templatetags)\b|crm\.models\.(base|organisations)\b"],
                               capture_output=True, text=True).stdout
    if leftovers:
        print("Still naming an old path (look at these by hand):\n" + leftovers)


if __name__ == "__main__":
    main()
