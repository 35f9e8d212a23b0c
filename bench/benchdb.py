"""Shared bench setup: a fresh database (PostgreSQL with --postgres, else a temporary SQLite file)."""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each script its own database, since setup drops it: two benches at once must not drop each other's.
DEFAULT_PG = f"postgres://postgres@127.0.0.1:5432/policycoder_bench_{Path(sys.argv[0]).stem}"


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_PG,
        help=f"run on PostgreSQL, in a database it drops first ({DEFAULT_PG})",
    )
    parser.add_argument("--sqlite", action="store_true", help="run on a temporary SQLite file (the default)")
    return parser.parse_args()


def setup(args: argparse.Namespace, *, keep: bool = False) -> str:
    """Point Django at a fresh, migrated database and return a label for it (keep: PostgreSQL's database as a
    previous run left it, migrated to this checkout)."""
    sys.path.insert(0, str(ROOT))
    # Only an explicit --postgres: DATABASE_URL may name a database someone depends on, and setup drops it.
    url = None if args.sqlite else args.postgres
    if url and url.startswith("postgres"):
        if not keep:
            _recreate_postgres(url)
        label = "PostgreSQL"
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='pc-bench-')}/bench.sqlite3"
        label = "SQLite"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production refuses to start without a key; a bench needs none of its own (coding_bench sets one it shares).
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="pc-bench-media-"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    import config.wsgi  # noqa: F401 - the process setup gunicorn gets (garbage-collector tuning)

    return label


def _recreate_postgres(url: str) -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
        password=config["PASSWORD"] or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()


def timed(function, repeat: int = 1) -> list[float]:
    """Wall-clock milliseconds of each of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms (n={len(ordered)})"


def corpus_text() -> str:
    """Real policy text to build benchmark documents from: the demo corpus shipped in the project."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "demo" / "documents").glob("*.txt")))


def document(project, number: int, text: str, **attributes):
    """An unsaved Document of the bench corpus (for bulk_create), with its text, length and hash filled in."""
    from policies.models import Document
    from policies.services.documents import text_hash

    attributes.setdefault("title", f"关于推进数据要素市场化配置改革的实施意见（第{number}号）")
    return Document(
        project=project,
        original_name=f"{number}.txt",
        original=f"bench/{number}.txt",
        file_format="txt",
        text=text,
        char_count=len(text),
        text_hash=text_hash(text),
        **attributes,
    )
