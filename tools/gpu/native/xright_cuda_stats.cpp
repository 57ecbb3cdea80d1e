// Device-memory counters of libtorch's CUDA caching allocator, for the GPU check program.
//
// TorchSharp 0.107 exposes none of torch.cuda.memory_allocated / max_memory_allocated / max_memory_reserved /
// reset_peak_memory_stats / empty_cache. tools/gpu/run compiles this file against the installed PyTorch into
// libXRightCudaStats.so beside the check program, which calls it through NativeLibrary when present.
//
// Two ways to reach the counters, chosen at compile time:
//   default                       c10::cuda::CUDACachingAllocator (needs the CUDA runtime headers)
//   -DXRIGHT_STATS_ACCELERATOR    at::accelerator, the device-generic API of recent PyTorch (no CUDA headers)
//
// Every function returns 0 on success and -1 when libtorch threw.

#include <cstdint>
#include <exception>

#ifdef XRIGHT_STATS_ACCELERATOR
#include <ATen/DeviceAccelerator.h>
#else
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#define XRIGHT_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

// Index 0 of each statistic array is the aggregate over the small and large pools.
constexpr int Aggregate = 0;

template <typename Stats>
void copy_counters(const Stats& stats, int64_t* out) {
    out[0] = stats.allocated_bytes[Aggregate].current;
    out[1] = stats.allocated_bytes[Aggregate].peak;
    out[2] = stats.reserved_bytes[Aggregate].current;
    out[3] = stats.reserved_bytes[Aggregate].peak;
}

}  // namespace

// out[0..3]: allocated bytes now, allocated peak, reserved bytes now, reserved peak.
XRIGHT_EXPORT int xright_cuda_memory_stats(int device, int64_t* out) {
    try {
#ifdef XRIGHT_STATS_ACCELERATOR
        copy_counters(at::accelerator::getDeviceStats(static_cast<c10::DeviceIndex>(device)), out);
#else
        copy_counters(c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device)), out);
#endif
        return 0;
    } catch (const std::exception&) {
        return -1;
    }
}

XRIGHT_EXPORT int xright_cuda_reset_peak(int device) {
    try {
#ifdef XRIGHT_STATS_ACCELERATOR
        at::accelerator::resetPeakStats(static_cast<c10::DeviceIndex>(device));
#else
        c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device));
#endif
        return 0;
    } catch (const std::exception&) {
        return -1;
    }
}

XRIGHT_EXPORT int xright_cuda_empty_cache() {
    try {
#ifdef XRIGHT_STATS_ACCELERATOR
        at::accelerator::emptyCache();
#else
        c10::cuda::CUDACachingAllocator::emptyCache();
#endif
        return 0;
    } catch (const std::exception&) {
        return -1;
    }
}
