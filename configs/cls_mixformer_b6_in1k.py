# MixFormer-B6 on ImageNet-1k, the PaddleClas recipe (ppcls/configs/ImageNet/MixFormer/
# mixformer_b6.yaml): lr 0.001 at 1024 images, wd 0.05, 40 warm-up epochs, drop path 0.5.
_base_ = ['./_base_/mixformer/mixformer_in1k.py']

model = dict(backbone=dict(arch='b6', drop_path_rate=0.5))
optim_wrapper = dict(optimizer=dict(lr=0.001, weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-7 / 0.001, by_epoch=True, end=40,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=True, begin=40),
]
