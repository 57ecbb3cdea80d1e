// Tests run one at a time: TorchSharp work is already multi-threaded and this keeps timings honest.
[assembly: DoNotParallelize]
