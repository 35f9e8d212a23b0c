"""A web worker stays lean: what gunicorn loads (config.wsgi) does not import scikit-learn, which only the process
that trains suggestion models needs (about 70 MB a process)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import sys\n"
    "import config.wsgi  # noqa: F401\n"
    "heavy = sorted({name.split('.')[0] for name in sys.modules} & {'sklearn', 'jieba'})\n"
    "print(','.join(heavy) or 'lean')\n"
)


def test_a_web_worker_does_not_load_scikit_learn():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 60}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "lean"


def test_training_still_finds_scikit_learn():
    from coding.suggest import engine

    assert engine.folds(__import__("numpy").array([1, 1, 2, 2, 3, 3]), 3)
