# TransXNet-B on ImageNet-1k (official recipe, LMMMEng/TransXNet scripts/train_*.sh):
# AdamW lr 2e-3 at 1024 images, wd 0.05, 5 warm-up epochs from 1e-6, cosine to 1e-5,
# drop path 0.4, EMA 0.99985, test crop_pct 0.95 (bicubic).
_base_ = ['./_base_/cls/imagenet_adamw_300e.py']

model = dict(
    backbone=dict(type='mmhybrid.TransXNet', arch='b', out_indices=(3, ),
                  drop_path_rate=0.4),
    head=dict(in_channels=672))
optim_wrapper = dict(
    optimizer=dict(lr=2e-3, weight_decay=0.05),
    # timm's rule in the official training: no decay for biases and 1-d parameters only.
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6 / 2e-3, by_epoch=True, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=5),
]
custom_hooks = [dict(type='EMAHook', momentum=1 - 0.99985, priority='ABOVE_NORMAL')]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=235, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
