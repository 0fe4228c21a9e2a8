# The HLG ImageNet-1k recipe (hlg-classification/config.py, a Swin-style trainer): AdamW
# 5e-4 per 512 images (1e-3 at 8 x 128), wd 0.05 (none on norms, biases and 1-d parameters),
# 20 warm-up epochs, cosine to 1e-5, gradient clipping 5, drop path 0.2, EMA 0.99996,
# RandAugment, Mixup 0.8, CutMix 1.0, label smoothing 0.1, random erasing 0.25. The model as
# models/build.py builds it from configs/hlg/hlg_*_224.yaml: LayerNorm eps 1e-5 (no norm_layer
# is passed), no LayerNorm between stages, global average pooling of the last stage after its
# LayerNorm, Linear. Mixed precision (AMP_ENABLE; fp32 where no GPU is present). Released
# checkpoints load through the converter.
_base_ = ['../cls/imagenet_adamw_300e.py']

model = dict(
    backbone=dict(type='mmhybrid.HLG', out_indices=(3, ), dense_norms=False, norm_eps=1e-5,
                  drop_path_rate=0.2))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(lr=1e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=5.0),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, end=20, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=20),
]
custom_hooks = [dict(type='EMAHook', momentum=4e-5, priority='ABOVE_NORMAL')]
