# TransXNet-S on ImageNet-1k, the official recipe
# (LMMMEng/TransXNet scripts/train_small.sh): drop path 0.2, EMA 0.99985, test
# crop_pct 0.9 (bicubic resize to 248, center crop 224).
_base_ = ['./_base_/transxnet/transxnet_in1k.py']

model = dict(backbone=dict(arch='s', drop_path_rate=0.2), head=dict(in_channels=512))
custom_hooks = [dict(type='EMAHook', momentum=1.5e-4, priority='ABOVE_NORMAL')]
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=248, edge='short', backend='pillow',
         interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]))
test_dataloader = val_dataloader
