"""Text analytics over the corpus: segmentation and the dictionary, word frequency, text search. Above policies (it
reads documents), below framework; pure of codings: a node or coder scope reaches codings through policies.hooks."""
