"""The codebook app: nodes, their tree, codebook files and templates (a layer above policies and policies.text)."""
