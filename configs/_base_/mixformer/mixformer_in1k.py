# The MixFormer ImageNet-1k recipe (PaddleClas ppcls/configs/ImageNet/MixFormer): AdamW
# (0.9, 0.999), 300 epochs, cosine to 1e-6 after a linear warm-up from 1e-7, RandAugment,
# random erasing 0.25, per batch Mixup 0.2 or CutMix 1.0, label smoothing 0.1; no weight decay
# on 1-d parameters, biases, norms and the relative position tables. The classifier is the
# official one: LayerNorm, Linear to 1280, GELU, token mean (in the backbone), Linear.
_base_ = ['../cls/imagenet_adamw_300e.py']

model = dict(
    backbone=dict(type='mmhybrid.MixFormer', out_type='avg_featmap'),
    neck=None,
    head=dict(in_channels=1280),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.2), dict(type='CutMix', alpha=1.0)]))
optim_wrapper = dict(
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
