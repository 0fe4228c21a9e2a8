# FcaFormer-L0 (plain, our design: DeiT-Tiny with forward cross attention; no official code)
# on ImageNet-1k with the DeiT recipe: AdamW 5e-4 x batch / 512 (1e-3 at 1024), wd 0.05,
# 5 warm-up epochs, cosine, drop path 0.1, no distillation.
_base_ = ['./_base_/cls/imagenet_adamw_300e.py']

model = dict(
    backbone=dict(type='mmhybrid.FcaFormerPlain', arch='l0', drop_path_rate=0.1),
    neck=None,
    head=dict(in_channels=192))
optim_wrapper = dict(
    optimizer=dict(lr=1e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0,
                       custom_keys={'.pos_embed': dict(decay_mult=0.0),
                                    '.cls_token': dict(decay_mult=0.0)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=5),
]
