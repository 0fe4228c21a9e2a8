# SETR-HLG on Cityscapes, 768x768 crops, 40k iterations, 8 GPUs x 2 images: the official
# recipe (setr-hlg_model.py), 1500 linear warm-up iterations, poly 1.0; sliding-window test
# (crop 768, stride 512). The paper's numbers are multi-scale: tools/test.py --tta runs the
# SETR repository's --aug-test (ratios 0.5-1.75 of 2049x1025, flip).
_base_ = [
    'mmseg::_base_/datasets/cityscapes_768x768.py',
    'mmseg::_base_/default_runtime.py', '../reliability.py',
    'mmseg::_base_/schedules/schedule_40k.py',
    './setr-hlg_model.py',
    '../seg/tta.py',
]

crop_size = (768, 768)
model = dict(
    data_preprocessor=dict(size=crop_size),
    decode_head=dict(num_classes=19),
    auxiliary_head=dict(num_classes=19),
    test_cfg=dict(crop_size=crop_size, stride=(512, 512)))
optim_wrapper = {{_base_.setr_hlg_optim_wrapper}}
param_scheduler = [
    {{_base_.setr_hlg_warmup}},
    dict(type='PolyLR', power=1.0, eta_min=0.0, by_epoch=False, begin=1500, end=40000),
]
tta_pipeline = {{_base_.ms_flip_cityscapes_768}}
default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(batch_size=2, sampler=dict(type='mmhybrid.SeededInfiniteSampler'))
val_dataloader = dict(batch_size=1)
test_dataloader = val_dataloader
