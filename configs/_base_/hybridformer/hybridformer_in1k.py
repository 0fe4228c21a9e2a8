# HybridFormer on ImageNet-1k: no recipe was published, so the DeiT/UniFormer one (which the
# author's sibling SUMMNet code also uses): AdamW lr 5e-4 per 512 images, wd 0.05 (none on
# norms, biases and 1-d parameters), 5 warm-up epochs from 1e-6, cosine to 1e-5, RandAugment,
# Mixup 0.8, CutMix 1.0, label smoothing 0.1, random erasing 0.25. The classifier is
# UniFormer's: BatchNorm and global average pooling (the backbone's avg_featmap), Linear.
_base_ = ['../cls/imagenet_adamw_300e.py']

model = dict(
    backbone=dict(type='mmhybrid.HybridFormer', out_type='avg_featmap'),
    neck=None,
    head=dict(in_channels=512))
optim_wrapper = dict(
    optimizer=dict(lr=1e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
