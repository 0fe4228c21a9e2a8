# ADE20K whole-image test as PVT's and UniFormer's Semantic FPN (their AlignResize; mmseg's
# PoolFormer port): keep the ratio within 2048x512, then round both sides up to a multiple of
# 32. With its multi-scale + flip variant.
_base_ = ['./tta.py']

align32_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='ResizeToMultiple', size_divisor=32),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs'),
]
