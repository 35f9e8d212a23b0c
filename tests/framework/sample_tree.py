"""A small codebook as tree rows: two roots out of order, a name shared by two branches, three levels deep."""

from framework.tree import Row

ROWS = [
    Row(1, None, "数据共享", order=1),
    Row(2, None, "数据开放", order=0),
    Row(3, 1, "分级分类"),
    Row(4, 2, "分级分类", order=1),
    Row(5, 2, "数据编目", order=0),
    Row(6, 5, "目录更新"),
]
