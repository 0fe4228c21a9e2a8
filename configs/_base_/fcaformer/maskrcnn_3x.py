# The FcaFormer Mask R-CNN 3x recipe (hkzhang-git/FcaFormer): the 3x multi-scale + crop
# schedule with 500 warm-up iterations, AdamW 1e-4, wd 0.05 (none on 1-d parameters and
# biases only: the official constructor exempts nothing else), lr decay 0.95 with the official
# 'layer_wise_cab' grouping, mixed precision (the official fp16 optimizer hook; fp32 where no
# GPU is present).
_base_ = ['../det/maskrcnn_3x.py']

optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='mmhybrid.LayerDecayOptimWrapperConstructor',
    paramwise_cfg=dict(_delete_=True, decay_rate=0.95, decay_type='layer_wise_cab',
                       no_decay_names=()))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=36, by_epoch=True, milestones=[27, 33], gamma=0.1),
]
