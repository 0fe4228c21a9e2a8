# Semantic FPN + TransXNet-T on the toy ADE20K of tools/misc/make_toy_data.py (CPU-sized).
_base_ = ['../semfpn_transxnet_t_ade20k_80k.py', '../_base_/datasets/toy_ade20k.py']

model = dict(backbone=dict(init_cfg=None), data_preprocessor=dict(size={{_base_.toy_ade20k_crop}}))
train_dataloader = dict(batch_size=4, num_workers=2, dataset={{_base_.toy_ade20k_train}})
val_dataloader = dict(batch_size=1, num_workers=1, dataset={{_base_.toy_ade20k_val}})
test_dataloader = val_dataloader

max_iters = 400
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=40),
    dict(type='CosineAnnealingLR', eta_min=0, by_epoch=False, begin=40, end=max_iters),
]
optim_wrapper = dict(optimizer=dict(lr=1e-3))
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=max_iters))
