# Semantic FPN on Cityscapes, 512x1024 crops, 80k iterations, 8 GPUs x 2 images, with the PVT
# AdamW recipe of semfpn_ade20k_40k.py (2e-4, wd 1e-4, poly 0.9); whole-image test at 2048x1024;
# multi-scale + flip for tools/test.py --tta.
_base_ = [
    'mmseg::_base_/models/fpn_r50.py',
    'mmseg::_base_/datasets/cityscapes.py',
    'mmseg::_base_/default_runtime.py', '../reliability.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    './tta.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

crop_size = (512, 1024)
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=crop_size),
    neck=dict(num_outs=4),
    decode_head=dict(num_classes=19))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=False, begin=0, end=80000),
]
tta_pipeline = {{_base_.ms_flip_cityscapes}}
auto_scale_lr = dict(enable=False, base_batch_size=16)

default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(sampler=dict(type='mmhybrid.SeededInfiniteSampler'))
