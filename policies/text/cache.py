"""Cache: the texts of the documents a process is saving codings in, so that a save takes its passage from memory.

A coder saves passage after passage in one document. Reading each passage with SUBSTR made the database decompress
the text up to the passage every time: in a 60,000-character text, 0.3 to 1 ms of its CPU for each save, the largest
part of a save's database time under load. An entry is used only when the document's text_hash (the sha256 of its
text, read in the same statement as the rest of the request) equals the one it was stored with, so a replaced text is
never sliced: a document's text changes only by replacing it before its first coding, which changes the hash.

A text is admitted the second time its document is asked for, so that a batch touching many documents once each reads
its passages and holds nothing; the least recently used texts leave once the characters held pass the limit.
"""

import threading
from collections import OrderedDict

LIMIT_CHARS = 4_000_000  # a process holds at most this many characters (8 MB of Chinese text, 16 MB at worst)
LONGEST_CHARS = 500_000  # a longer text is never held: it would push out too many others
SEEN_IDS = 10_000  # how many documents asked for once are remembered


class TextCache:
    def __init__(self, limit_chars: int = LIMIT_CHARS, longest_chars: int = LONGEST_CHARS, seen_ids: int = SEEN_IDS):
        self.limit_chars, self.longest_chars, self.seen_ids = limit_chars, longest_chars, seen_ids
        self._texts: OrderedDict[int, tuple[str, str]] = OrderedDict()  # document id -> (text_hash, text)
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()  # gthread workers and the development server share a process between threads

    def get(self, document_id: int) -> tuple[str, str] | None:
        """The (text_hash, text) held for the document, or None."""
        with self._lock:
            entry = self._texts.get(document_id)
            if entry is not None:
                self._texts.move_to_end(document_id)
            return entry

    def admit(self, document_id: int, char_count: int) -> bool:
        """Whether the document's text should be read and held now: asked for before, and not too long."""
        if char_count > self.longest_chars:
            return False
        with self._lock:
            if document_id in self._seen:
                del self._seen[document_id]
                return True
            self._seen[document_id] = None
            if len(self._seen) > self.seen_ids:
                self._seen.popitem(last=False)
            return False

    def put(self, document_id: int, text_hash: str, text: str) -> None:
        if len(text) > self.longest_chars:
            return
        with self._lock:
            self._drop(document_id)
            self._texts[document_id] = (text_hash, text)
            self._held += len(text)
            while self._held > self.limit_chars:
                _id, (_hash, oldest) = self._texts.popitem(last=False)
                self._held -= len(oldest)

    def drop(self, document_id: int) -> None:
        with self._lock:
            self._drop(document_id)

    def _drop(self, document_id: int) -> None:
        entry = self._texts.pop(document_id, None)
        if entry is not None:
            self._held -= len(entry[1])

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()
            self._seen.clear()
            self._held = 0

    @property
    def held_chars(self) -> int:
        return self._held


TEXTS = TextCache()
