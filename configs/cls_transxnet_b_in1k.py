# TransXNet-B on ImageNet-1k, the official recipe
# (LMMMEng/TransXNet scripts/train_base.sh): drop path 0.4, EMA 0.99985, test
# crop_pct 0.95 (bicubic resize to 235, center crop 224).
_base_ = ['./_base_/transxnet/transxnet_in1k.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.4), head=dict(in_channels=672))
custom_hooks = [dict(type='EMAHook', momentum=1.5e-4, priority='ABOVE_NORMAL')]
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=235, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]))
test_dataloader = val_dataloader
