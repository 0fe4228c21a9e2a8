# The TransXNet ImageNet-1k recipe (LMMMEng/TransXNet scripts/train_*.sh): AdamW lr 2e-3 at
# 1024 images, wd 0.05 (timm's rule: none on biases and 1-d parameters), 5 warm-up epochs
# from 1e-6, cosine to 1e-5 over 300 epochs, then timm's 10 cool-down epochs at 1e-5 (310 in
# all); SyncBN (--sync-bn) and mixed precision (--native-amp; fp32 where no GPU is present).
# Leaf configs set the arch, drop path, EMA and test crop.
_base_ = ['../cls/imagenet_adamw_300e.py']

model = dict(backbone=dict(type='mmhybrid.TransXNet', out_indices=(3, ),
                           norm_cfg=dict(type='SyncBN', requires_grad=True)))
train_cfg = dict(max_epochs=310)
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(lr=2e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6 / 2e-3, by_epoch=True, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=5, end=300),
]
