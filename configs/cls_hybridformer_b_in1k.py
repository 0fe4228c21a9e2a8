# HybridFormer-B on ImageNet-1k (unofficial reconstruction; no recipe was published): the
# DeiT/UniFormer recipe with lr 0.001 at 1024 images and drop path 0.2 (our choice).
_base_ = ['./_base_/hybridformer/hybridformer_in1k.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.2))
optim_wrapper = dict(optimizer=dict(lr=0.001))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6 / 0.001, by_epoch=True, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=5),
]
