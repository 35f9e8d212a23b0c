"""Static files in production (STATIC_MANIFEST=1): whitenoise's compressed, hashed copies, with the import
specifiers inside ES modules rewritten to the hashed names as well. Otherwise the hashed entry module of the coding
page would import unhashed modules (cached for only a minute), so a browser could run a new entry with an old import
after a release."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True  # Django's rewriting of `import … from "./x.js"` (off by default)
    # A module's hash covers the hashed names it imports, so each level of the import graph (the coding page's is
    # ten modules deep) may take a pass of its own, depending on the order the files are found in; Django allows 5.
    max_post_process_passes = 20
