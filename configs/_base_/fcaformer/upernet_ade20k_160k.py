# The FcaFormer UperNet ADE20K recipe (hkzhang-git/FcaFormer): AdamW 1e-4, wd 0.01, stage-wise
# lr decay 0.9 (official grouping) with no weight decay on norms, biases and the attention /
# cross-token biases; 1500 warm-up iterations, poly 1.0, 160k iterations; sliding-window test
# (512, stride 341; Swin's whole-image test otherwise); mixed precision (the official fp16
# optimizer hook; fp32 where no GPU is present). Multi-scale + flip: tools/test.py --tta (the
# README's 47.6 is multi-scale).
_base_ = ['../seg/upernet_ade20k_160k.py']

model = dict(test_cfg=dict(mode='slide', crop_size=(512, 512), stride=(341, 341)))

optim_wrapper = dict(
    type='AmpOptimWrapper',
    constructor='mmhybrid.LayerDecayOptimWrapperConstructor',
    optimizer=dict(lr=1e-4, weight_decay=0.01),
    paramwise_cfg=dict(
        _delete_=True,
        decay_rate=0.9,
        decay_type='stage_wise',
        no_decay_names=('token_bias', '_biases', 'norm')))
