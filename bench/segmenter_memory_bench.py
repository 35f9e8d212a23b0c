"""Memory the segmenter costs a process: peak RSS of a fresh process for each way a process uses it.

Run: .venv/bin/python bench/segmenter_memory_bench.py
Each case runs in its own new Python process (as a gunicorn worker or the task worker starts) and prints that
process's peak resident memory (VmHWM) and what the case added over a process that only started Django.
Budget (issue "Lean and large"): at most 250 MB peak for a gunicorn worker.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "startup": "Django set up and the segmenter imported",
    "one": "one project dictionary: a 60,000-character document cut and its words tagged",
    "six": "six project dictionaries in turn, each cutting a text with periodic runs (条条条) and tagging",
    "suggest": "one dictionary, plus an owner adding 20 words (jieba's frequency table loaded)",
}


def peak_kb() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def run_case(case: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ")
    import logging

    import django

    django.setup()
    logging.getLogger("jieba").setLevel(logging.WARNING)
    from policies.text import segment

    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "demo" / "documents").glob("*.txt")))
    text = (text * (60_000 // len(text) + 1))[:60_000]
    lexicon = segment.builtin_lexicon()
    if case in ("one", "suggest"):
        segmenter = segment.segmenter_for(lexicon)
        segmenter.tags_of(list(dict.fromkeys(segmenter.cut(text))))
    if case == "six":
        for i in range(6):
            segmenter = segment.segmenter_for((*lexicon, segment.Term(f"专用词{i}", 100, "n")))
            segmenter.tags_of(list(dict.fromkeys(segmenter.cut("条条条框框，层层层层落实。" + text[:5_000]))))
    if case == "suggest":
        for i in range(20):
            segment.suggest_frequency(f"数据专用词{i}", lexicon)
    print(peak_kb())


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        run_case(sys.argv[2])
        return
    peaks = {}
    for case, description in CASES.items():
        result = subprocess.run(
            [sys.executable, __file__, "--case", case], capture_output=True, text=True, check=True, cwd=ROOT
        )
        peaks[case] = int(result.stdout.split()[-1]) / 1024
        added = f"(+{peaks[case] - peaks['startup']:.0f} MB)" if case != "startup" else ""
        print(f"peak RSS {peaks[case]:6.0f} MB {added:>10}  {description}")


if __name__ == "__main__":
    main()
