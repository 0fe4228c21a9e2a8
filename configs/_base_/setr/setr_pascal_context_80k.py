# SETR's recipe on Pascal Context, 480x480 crops, 80k iterations, 8 GPUs x 2 images
# (fudan-zvg/SETR configs/SETR/*_480x480_80k_pascal_context_*.py): 60 classes with background,
# as the official PascalContextDataset (mmseg's PascalContextDataset, not the 59-class one);
# SGD (momentum 0.9, no weight decay), heads at 10x lr, poly 0.9 to 1e-4; test at 520x520,
# sliding window (crop 480, stride 320); tools/test.py --tta runs SETR's multi-scale protocol
# (ratios 0.5-1.75 of 520x520, short side at least 480, flip). Leaf configs take their model
# from setr_models.py and set the paper's lr for their decoder.
_base_ = [
    'mmseg::_base_/datasets/pascal_context.py',
    'mmseg::_base_/default_runtime.py', '../reliability.py',
    'mmseg::_base_/schedules/schedule_80k.py',
    '../seg/tta.py',
    './setr_recipe.py',
]
custom_imports = dict(imports=['mmhybrid'], allow_failed_imports=False)

optim_wrapper = {{_base_.setr_optim_wrapper}}
tta_pipeline = {{_base_.setr_ms_flip_pascal_context}}
default_hooks = {{_base_.reliability_hooks}}
train_dataloader = dict(batch_size=2, sampler=dict(type='mmhybrid.SeededInfiniteSampler'))
val_dataloader = dict(batch_size=1)
test_dataloader = val_dataloader
auto_scale_lr = dict(enable=False, base_batch_size=16)
