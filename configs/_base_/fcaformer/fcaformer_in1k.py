# The FcaFormer ImageNet-1k recipe (hkzhang-git/FcaFormer scripts/fca_l*.sh, ConvNeXt code):
# AdamW lr 2e-3 at 1024 images, wd 0.05 (none on 1-d parameters and biases), 20 warm-up
# epochs, cosine to 1e-6, EMA 0.9999; test resize 256, crop 224. Leaf configs set the arch,
# drop path and head width.
_base_ = ['../cls/imagenet_adamw_300e.py']

model = dict(
    backbone=dict(type='mmhybrid.FcaFormer', out_type='avg_featmap'),
    neck=None)
optim_wrapper = dict(
    optimizer=dict(lr=2e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, end=20, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-6, by_epoch=True, begin=20),
]
custom_hooks = [dict(type='EMAHook', momentum=1e-4, priority='ABOVE_NORMAL')]
