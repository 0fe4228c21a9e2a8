# SETR-HLG on ADE20K, 512x512 crops, 160k iterations, 8 GPUs x 2 images: the official recipe
# (setr-hlg_model.py), 1500 linear warm-up iterations, poly 1.0; sliding-window test (crop
# 512, stride 341). The paper's numbers are multi-scale: tools/test.py --tta runs the SETR
# repository's --aug-test (ratios 0.5-1.75 of 2048x512, flip).
_base_ = [
    'mmseg::_base_/datasets/ade20k.py',
    'mmseg::_base_/default_runtime.py', '../reliability.py',
    'mmseg::_base_/schedules/schedule_160k.py',
    './setr-hlg_model.py',
    '../seg/tta.py',
]

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=150),
    auxiliary_head=dict(num_classes=150),
    test_cfg=dict(crop_size=crop_size, stride=(341, 341)))
optim_wrapper = {{_base_.setr_hlg_optim_wrapper}}
param_scheduler = [
    {{_base_.setr_hlg_warmup}},
    dict(type='PolyLR', power=1.0, eta_min=0.0, by_epoch=False, begin=1500, end=160000),
]
tta_pipeline = {{_base_.ms_flip_ade20k}}
default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(batch_size=2, sampler=dict(type='mmhybrid.SeededInfiniteSampler'))
val_dataloader = dict(batch_size=1)
test_dataloader = val_dataloader
