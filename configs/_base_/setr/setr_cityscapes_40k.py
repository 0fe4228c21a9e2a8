# SETR's recipe on Cityscapes, 768x768 crops, 40k iterations, 8 GPUs x 1 image: SGD (momentum 0.9,
# no weight decay), heads at 10x lr, poly 0.9 to 1e-4, sliding-window test (crop 768, stride 512);
# tools/test.py --tta runs SETR's multi-scale protocol (configs/SETR/*_MS.py: ratios 0.5-1.75
# of 2049x1025 with the short side at least the crop size, flip). Leaf configs take their model
# from setr_models.py and set the paper's lr for their decoder.
_base_ = [
    'mmseg::_base_/datasets/cityscapes_768x768.py',
    'mmseg::_base_/default_runtime.py', '../reliability.py',
    'mmseg::_base_/schedules/schedule_40k.py',
    '../seg/tta.py',
    './setr_recipe.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

optim_wrapper = {{_base_.setr_optim_wrapper}}
tta_pipeline = {{_base_.setr_ms_flip_cityscapes}}
default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(batch_size=1, sampler=dict(type='mmhybrid.SeededInfiniteSampler'))
val_dataloader = dict(batch_size=1)
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False, base_batch_size=8)
