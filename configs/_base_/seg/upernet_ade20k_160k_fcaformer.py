# The FcaFormer UperNet ADE20K recipe (hkzhang-git/FcaFormer): AdamW 1e-4, wd 0.01, stage-wise
# lr decay 0.9 (official grouping) with no weight decay on norms, biases and the attention /
# cross-token biases; 1500 warm-up iterations, poly 1.0, 160k iterations, slide test.
_base_ = ['./upernet_ade20k_160k.py']

optim_wrapper = dict(
    constructor='mmhybrid.LayerDecayOptimWrapperConstructor',
    optimizer=dict(lr=1e-4, weight_decay=0.01),
    paramwise_cfg=dict(
        _delete_=True,
        decay_rate=0.9,
        decay_type='stage_wise',
        no_decay_names=('token_bias', '_biases', 'norm')))
