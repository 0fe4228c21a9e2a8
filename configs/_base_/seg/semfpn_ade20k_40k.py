# Semantic FPN on ADE20K, 512x512 crops, 40k iterations, 8 GPUs x 4 images, with the PVT recipe
# (whai362/PVT segmentation/configs/sem_fpn, as mmseg's PoolFormer configs): AdamW 2e-4,
# wd 1e-4, poly 0.9 to 0; whole-image test at 2048x512 rounded up to a multiple of 32
# (PVT's AlignedResize; mmseg's PoolFormer port: ResizeToMultiple(32)); multi-scale + flip
# with the same rounding (tools/test.py --tta).
_base_ = [
    'mmseg::_base_/models/fpn_r50.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py', '../reliability.py',
    'mmseg::_base_/schedules/schedule_40k.py',
    './ade20k_align32_test.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

crop_size = (512, 512)
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=crop_size),
    neck=dict(num_outs=4),
    decode_head=dict(num_classes=150),
    test_cfg=dict(mode='whole'))
val_dataloader = dict(dataset=dict(pipeline={{_base_.align32_test_pipeline}}))
test_dataloader = val_dataloader
tta_pipeline = {{_base_.ms_flip_ade20k_align32}}
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=0.0, by_epoch=False, begin=0, end=40000),
]
auto_scale_lr = dict(enable=False, base_batch_size=32)

default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(sampler=dict(type='mmhybrid.SeededInfiniteSampler'))
