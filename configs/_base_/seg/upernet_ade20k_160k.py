# UperNet + auxiliary FCN head on ADE20K, 512x512 crops, 160k iterations, 8 GPUs x 2 images,
# with the Swin recipe (mmseg configs/swin/swin-tiny-patch4-window7-in1k-pre_upernet_8xb2-160k_
# ade20k-512x512.py): AdamW 6e-5, wd 0.01, no decay on norms and position tables, 1500 warm-up
# iterations, poly 1.0; whole-image test at 2048x512, multi-scale + flip as Swin's
# (tools/test.py --tta). Leaf configs set the head input widths.
_base_ = [
    'mmseg::_base_/models/upernet_r50.py',
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py', '../reliability.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    './tta.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

crop_size = (512, 512)
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150),
    test_cfg=dict(mode='whole'))
tta_pipeline = {{_base_.ms_flip_ade20k}}
default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(batch_size=2, sampler=dict(type='mmhybrid.SeededInfiniteSampler'))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=6e-5, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(custom_keys={
        'absolute_pos_embed': dict(decay_mult=0.),
        'relative_position_bias_table': dict(decay_mult=0.),
        'norm': dict(decay_mult=0.)}))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(type='PolyLR', power=1.0, eta_min=0.0, by_epoch=False, begin=1500, end=160000),
]
auto_scale_lr = dict(enable=False, base_batch_size=16)
