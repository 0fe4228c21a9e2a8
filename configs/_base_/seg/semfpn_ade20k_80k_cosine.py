# Semantic FPN on ADE20K, 512x512 crops, 80k iterations, 8 GPUs x 4 images, with the
# UniFormer/TransXNet recipe: as semfpn_ade20k_80k.py (AdamW 2e-4, wd 1e-4; whole-image test at
# 2048x512 rounded up to a multiple of 32, the official AlignResize; multi-scale + flip with the
# same rounding for tools/test.py --tta), but 1000 warm-up iterations from 0.1x, then cosine.
_base_ = ['./semfpn_ade20k_80k.py']

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=1000),
    dict(type='CosineAnnealingLR', eta_min=2e-4 * 1e-8, by_epoch=False, begin=1000, end=80000),
]
