# ImageNet-1k, 224, the DeiT/Swin-style recipe shared by the papers' classification training:
# 8 GPUs x 128 = 1024 images per step, AdamW, 300 epochs cosine, RandAugment, Mixup 0.8,
# CutMix 1.0, label smoothing 0.1, random erasing 0.25. Leaf configs set the backbone, the
# head width, lr, warm-up and EMA from their paper.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
    'mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py',
    'mmpretrain::_base_/default_runtime.py', '../reliability.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        loss=dict(type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        cal_acc=False),
    train_cfg=dict(augments=[dict(type='Mixup', alpha=0.8), dict(type='CutMix', alpha=1.0)]))
default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(batch_size=128, sampler=dict(type='mmhybrid.SeededDefaultSampler'))
val_dataloader = dict(batch_size=128)
test_dataloader = val_dataloader
